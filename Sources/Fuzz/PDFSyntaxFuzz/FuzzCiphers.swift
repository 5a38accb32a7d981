import COpenSSL
import PDFSyntax

/// The standard security handler's primitives from libcrypto, for the fuzz harness: every input
/// is read with the empty password, so an encrypted input (the qpdf-encrypted seeds, and
/// whatever the fuzzer makes of them) runs through PDFSyntax's decryption — the `/Encrypt`
/// dictionary's parsing, key derivation, `/Perms`, and the per-object transform — not only up to
/// "needs a password". Countersign's own adapter lives in `CountersignCrypto`, which the
/// harness cannot link (it sees PDFSyntax alone); this one only has to be correct, not friendly.
enum FuzzCiphers {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The empty password with libcrypto's primitives.
    static let decryption = PDFDecryption(password: "", primitives: PDFSecurityPrimitives(
        md5: { try digest(EVP_md5(), $0) },
        sha2: { bits, bytes in
            switch bits {
            case 256: return try digest(EVP_sha256(), bytes)
            case 384: return try digest(EVP_sha384(), bytes)
            case 512: return try digest(EVP_sha512(), bytes)
            default: throw Failure(description: "no SHA-2 of \(bits) bits")
            }
        },
        rc4: { key, bytes in
            guard legacyLoaded, let cipher = EVP_CIPHER_fetch(nil, "RC4", nil) else { throw Failure(description: "no RC4") }
            defer { EVP_CIPHER_free(cipher) }
            return try crypt(cipher, encrypt: true, key: key, iv: nil, bytes, padding: false)
        },
        aesCBC: { encrypt, key, iv, bytes, padding in
            guard key.count == 16 || key.count == 32, iv.count == 16, padding || bytes.count % 16 == 0 else {
                throw Failure(description: "bad AES arguments")
            }
            return try crypt(key.count == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc(), encrypt: encrypt, key: key, iv: iv, bytes,
                             padding: padding)
        },
        random: { count in
            var bytes = [UInt8](repeating: 0, count: count)
            guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw Failure(description: "no random bytes") }
            return bytes
        }))

    /// RC4 is in OpenSSL 3's legacy provider; loading it also needs the default one kept.
    static let legacyLoaded: Bool = {
        OSSL_PROVIDER_load(nil, "legacy") != nil && OSSL_PROVIDER_load(nil, "default") != nil
    }()

    static func digest(_ type: OpaquePointer?, _ bytes: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_Digest(bytes, bytes.count, &output, &length, type, nil) == 1 else { throw Failure(description: "digest failed") }
        return Array(output.prefix(Int(length)))
    }

    static func crypt(_ cipher: OpaquePointer?, encrypt: Bool, key: [UInt8], iv: [UInt8]?, _ bytes: [UInt8], padding: Bool) throws -> [UInt8] {
        guard let context = EVP_CIPHER_CTX_new() else { throw Failure(description: "no cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        let direction: Int32 = encrypt ? 1 : 0
        guard EVP_CipherInit_ex(context, cipher, nil, nil, nil, direction) == 1,
              EVP_CIPHER_CTX_set_key_length(context, Int32(key.count)) == 1,
              EVP_CipherInit_ex(context, nil, nil, key, iv, direction) == 1,
              EVP_CIPHER_CTX_set_padding(context, padding ? 1 : 0) == 1 else {
            throw Failure(description: "cipher set-up failed")
        }
        var output = [UInt8](repeating: 0, count: bytes.count + 32)
        var written: Int32 = 0, last: Int32 = 0
        guard EVP_CipherUpdate(context, &output, &written, bytes, Int32(bytes.count)) == 1 else { throw Failure(description: "cipher failed") }
        let finished = output.withUnsafeMutableBufferPointer { EVP_CipherFinal_ex(context, $0.baseAddress! + Int(written), &last) }
        guard finished == 1 else { throw Failure(description: "bad padding") }
        return Array(output.prefix(Int(written + last)))
    }
}
