internal import COpenSSL
public import Foundation

/// A private key this engine signs with: RSA (≥ 2048 bits) or ECDSA on P-256 / P-384.
///
/// `@unchecked Sendable`: the `EVP_PKEY*` is never mutated after init; each signature gets its
/// own OpenSSL context.
public final class PrivateKey: @unchecked Sendable {
    /// The key type.
    public enum Kind: String, Sendable, Hashable, CustomStringConvertible {
        case rsa = "RSA"
        case ecP256 = "EC P-256"
        case ecP384 = "EC P-384"
        public var description: String { rawValue }
    }

    /// What to generate.
    public enum Spec: Sendable, Hashable {
        /// RSA with this many modulus bits (at least 2048).
        case rsa(Int)
        case ecP256
        case ecP384
    }

    let pkey: OpaquePointer
    /// RSA or the EC curve.
    public let kind: Kind
    /// The key size in bits (modulus for RSA, field for EC).
    public let bits: Int
    /// The largest signature this key makes, in bytes (an ECDSA signature is DER and varies).
    public let maximumSignatureSize: Int

    /// Takes ownership of `pkey` (freed in deinit, or now if the key is unsupported).
    init(takingOwnershipOf pkey: OpaquePointer) throws {
        guard let kind = PrivateKey.kind(of: pkey) else {
            let what = PrivateKey.describe(pkey)
            EVP_PKEY_free(pkey)
            throw CryptoError(.unsupportedKey, "\(what) keys are not supported; use RSA (2048+ bits) or EC P-256/P-384")
        }
        let bits = Int(EVP_PKEY_get_bits(pkey))
        if kind == .rsa && bits < 2048 {
            EVP_PKEY_free(pkey)
            throw CryptoError(.unsupportedKey, "RSA keys must have at least 2048 bits; this one has \(bits)")
        }
        self.pkey = pkey
        self.kind = kind
        self.bits = bits
        maximumSignatureSize = Int(EVP_PKEY_get_size(pkey))
    }

    deinit { EVP_PKEY_free(pkey) }

    /// A new random key.
    public static func generate(_ spec: Spec) throws -> PrivateKey {
        try CryptoLibrary.require()
        ERR_clear_error()
        let pkey: OpaquePointer?
        switch spec {
        case .rsa(let bits):
            guard (2048...16384).contains(bits) else {
                throw CryptoError(.invalidArgument, "RSA key size \(bits) is outside 2048…16384")
            }
            pkey = cs_EVP_RSA_gen(UInt32(bits))
        case .ecP256: pkey = cs_EVP_EC_gen("P-256")
        case .ecP384: pkey = cs_EVP_EC_gen("P-384")
        }
        guard let pkey else { throw OpenSSL.failure("key generation failed") }
        return try PrivateKey(takingOwnershipOf: pkey)
    }

    /// Loads a PEM private key (PKCS#8, encrypted PKCS#8, or traditional RSA/EC PEM).
    ///
    /// An encrypted key without a password is `.passwordRequired`; one the password does not
    /// open is `.wrongPassword`; anything else unreadable is `.malformed`. Never prompts.
    public static func load(pem: Data, password: String?) throws -> PrivateKey {
        try CryptoLibrary.require()
        let text = String(decoding: pem.prefix(4096), as: UTF8.self)
        let encrypted = text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED")
        if encrypted && password == nil {
            throw CryptoError(.passwordRequired, "the private key is encrypted; a password is needed")
        }
        ERR_clear_error()
        let pkey = try BIOs.reading(pem) { bio in
            (password ?? "").withCString { secret in
                PEM_read_bio_PrivateKey(bio, nil, passwordCallback, UnsafeMutableRawPointer(mutating: secret))
            }
        }
        guard let pkey else {
            if encrypted {
                _ = OpenSSL.drainErrors()
                throw CryptoError(.wrongPassword, "the password does not decrypt the private key")
            }
            throw OpenSSL.failure("no readable PEM private key found", code: .malformed)
        }
        return try PrivateKey(takingOwnershipOf: pkey)
    }

    /// PKCS#8 PEM, encrypted with AES-256-CBC (PBKDF2) when a password is given.
    public func pemEncoded(password: String?) throws -> Data {
        ERR_clear_error()
        let bio = try BIOs.memory()
        let ok: Int32
        if let password {
            ok = password.withCString { secret in
                PEM_write_bio_PKCS8PrivateKey(bio.pointer, pkey, EVP_aes_256_cbc(), secret, Int32(strlen(secret)), nil, nil)
            }
        } else {
            ok = PEM_write_bio_PKCS8PrivateKey(bio.pointer, pkey, nil, nil, 0, nil, nil)
        }
        guard ok == 1 else { throw OpenSSL.failure("cannot encode the private key") }
        return Data(BIOs.contents(of: bio.pointer))
    }

    /// Whether `certificate` carries this key's public half.
    public func matches(_ certificate: Certificate) -> Bool {
        guard let publicKey = X509_get0_pubkey(certificate.x509) else { return false }
        let equal = EVP_PKEY_eq(publicKey, pkey) == 1
        ERR_clear_error()
        return equal
    }

    /// Copies the passphrase OpenSSL asks for from the C string in `userdata` (never prompts).
    private static let passwordCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32,
                                                         UnsafeMutableRawPointer?) -> Int32 = { buffer, size, _, userdata in
        guard let buffer, let userdata else { return -1 }
        let secret = userdata.assumingMemoryBound(to: CChar.self)
        let length = strlen(secret)
        guard length > 0, length <= Int(size) else { return -1 }
        memcpy(buffer, secret, length)
        return Int32(length)
    }

    static func kind(of pkey: OpaquePointer) -> Kind? {
        if EVP_PKEY_is_a(pkey, "RSA") == 1 { return .rsa }
        guard EVP_PKEY_is_a(pkey, "EC") == 1 else { return nil }
        switch curveName(of: pkey) {
        case "prime256v1", "P-256", "secp256r1": return .ecP256
        case "secp384r1", "P-384": return .ecP384
        default: return nil
        }
    }

    static func curveName(of pkey: OpaquePointer) -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        var length = 0
        guard EVP_PKEY_get_group_name(pkey, &buffer, buffer.count, &length) == 1 else { return nil }
        return OpenSSL.string(buffer)
    }

    /// "RSA 2048", "EC P-256", "ED25519", … for any public or private key.
    static func describe(_ pkey: OpaquePointer) -> String {
        switch kind(of: pkey) {
        case .rsa: return "RSA \(EVP_PKEY_get_bits(pkey))"
        case .ecP256, .ecP384: return kind(of: pkey)!.rawValue
        case nil:
            if EVP_PKEY_is_a(pkey, "EC") == 1 { return "EC \(curveName(of: pkey) ?? "unknown curve")" }
            return EVP_PKEY_get0_type_name(pkey).map { String(cString: $0) } ?? "unknown"
        }
    }
}
