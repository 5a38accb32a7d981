internal import COpenSSL

/// The primitives a PDF standard security handler (ISO 32000-2 §7.6) needs, from libcrypto:
/// MD5, SHA-2, RC4 and AES-CBC, and random bytes. PDFSyntax does the PDF part (key derivation,
/// per-object keys) and takes these as functions, so that it stays free of OpenSSL.
///
/// RC4 lives in OpenSSL 3's legacy provider, which is loaded on first use; where it is not
/// installed, `rc4` throws `.unsupportedAlgorithm` saying so.
public enum SecurityHandlerCiphers {
    /// MD5 of `bytes`.
    public static func md5(_ bytes: [UInt8]) throws -> [UInt8] {
        try CryptoLibrary.require()
        var hasher = HashAlgorithm.Hasher(.md5)
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// SHA-256, SHA-384 or SHA-512 of `bytes`, by output size in bits.
    public static func sha2(bits: Int, _ bytes: [UInt8]) throws -> [UInt8] {
        try CryptoLibrary.require()
        let algorithm: DigestAlgorithm
        switch bits {
        case 256: algorithm = .sha256
        case 384: algorithm = .sha384
        case 512: algorithm = .sha512
        default: throw CryptoError(.invalidArgument, "SHA-2 has no \(bits)-bit variant this handler uses (256, 384, 512)")
        }
        return algorithm.hash(bytes)
    }

    /// RC4 with a 5- to 16-byte key (its own inverse).
    public static func rc4(key: [UInt8], _ bytes: [UInt8]) throws -> [UInt8] {
        try CryptoLibrary.require()
        guard (1...32).contains(key.count) else {
            throw CryptoError(.invalidArgument, "an RC4 key of \(key.count) bytes (the PDF handler uses 5 to 16)")
        }
        guard LegacyProvider.available, let cipher = EVP_CIPHER_fetch(nil, "RC4", nil) else {
            _ = OpenSSL.drainErrors()
            throw CryptoError(.unsupportedAlgorithm,
                              "RC4 is not available: OpenSSL 3 keeps it in its legacy provider (ossl-modules/legacy.so), which could not be loaded — install it (Debian/Ubuntu: it ships in libssl3) to open RC4-encrypted PDFs")
        }
        defer { EVP_CIPHER_free(cipher) }
        return try run(cipher, encrypt: true, key: key, iv: nil, bytes, padding: false, variableKey: true, what: "RC4")
    }

    /// AES-CBC with a 16- or 32-byte key and a 16-byte IV; PKCS#7 padding, or none (then
    /// `bytes` must be whole 16-byte blocks).
    public static func aesCBC(encrypt: Bool, key: [UInt8], iv: [UInt8], _ bytes: [UInt8], padding: Bool) throws -> [UInt8] {
        try CryptoLibrary.require()
        guard key.count == 16 || key.count == 32, iv.count == 16 else {
            throw CryptoError(.invalidArgument, "AES-CBC needs a 16- or 32-byte key and a 16-byte IV (got \(key.count) and \(iv.count))")
        }
        guard padding || bytes.count % 16 == 0 else {
            throw CryptoError(.invalidArgument, "AES-CBC without padding needs whole 16-byte blocks (got \(bytes.count) bytes)")
        }
        let name = key.count == 16 ? "AES-128-CBC" : "AES-256-CBC"
        guard let cipher = EVP_CIPHER_fetch(nil, name, nil) else { throw OpenSSL.failure("\(name) is not available") }
        defer { EVP_CIPHER_free(cipher) }
        return try run(cipher, encrypt: encrypt, key: key, iv: iv, bytes, padding: padding, variableKey: false, what: name)
    }

    /// Cryptographically strong random bytes.
    public static func random(count: Int) throws -> [UInt8] {
        try CryptoLibrary.require()
        return try OpenSSL.randomBytes(count)
    }

    private static func run(_ cipher: OpaquePointer, encrypt: Bool, key: [UInt8], iv: [UInt8]?, _ bytes: [UInt8],
                            padding: Bool, variableKey: Bool, what: String) throws -> [UInt8] {
        guard let context = EVP_CIPHER_CTX_new() else { throw OpenSSL.failure("cannot allocate a cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        let direction: Int32 = encrypt ? 1 : 0
        guard EVP_CipherInit_ex(context, cipher, nil, nil, nil, direction) == 1 else { throw OpenSSL.failure("cannot start \(what)") }
        if variableKey, EVP_CIPHER_CTX_set_key_length(context, Int32(key.count)) != 1 {
            throw OpenSSL.failure("\(what) refuses a \(key.count)-byte key")
        }
        let started = key.withUnsafeBufferPointer { keyBytes in
            if let iv {
                return iv.withUnsafeBufferPointer { EVP_CipherInit_ex(context, nil, nil, keyBytes.baseAddress, $0.baseAddress, direction) }
            }
            return EVP_CipherInit_ex(context, nil, nil, keyBytes.baseAddress, nil, direction)
        }
        guard started == 1 else { throw OpenSSL.failure("cannot key \(what)") }
        _ = EVP_CIPHER_CTX_set_padding(context, padding ? 1 : 0)
        var out = [UInt8](repeating: 0, count: bytes.count + 32)
        var written: Int32 = 0, final: Int32 = 0
        if !bytes.isEmpty {
            guard bytes.withUnsafeBufferPointer({ input in
                EVP_CipherUpdate(context, &out, &written, input.baseAddress, Int32(input.count))
            }) == 1 else { throw OpenSSL.failure("\(what) failed") }
        }
        let finished = out.withUnsafeMutableBufferPointer { buffer in
            EVP_CipherFinal_ex(context, buffer.baseAddress! + Int(written), &final)
        }
        guard finished == 1 else {
            throw OpenSSL.failure(encrypt ? "\(what) failed" : "\(what) decryption failed (wrong key, or padding that is not PKCS#7)",
                                  code: encrypt ? .openSSL : .malformed)
        }
        return Array(out.prefix(Int(written + final)))
    }
}
