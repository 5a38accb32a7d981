internal import COpenSSL
public import Foundation

/// What a signer signs with: a private key, the certificate that carries its public half
/// (the leaf), and the rest of the chain up to (and usually including) the root.
public struct SigningIdentity: Sendable {
    public let privateKey: PrivateKey
    /// The leaf certificate.
    public let certificate: Certificate
    /// The issuing chain, leaf excluded, without duplicates, in the order given.
    public let chain: [Certificate]

    /// Pairs a key with a leaf and chain; throws `.keyCertificateMismatch` if the leaf does
    /// not carry the key.
    public init(privateKey: PrivateKey, certificate: Certificate, chain: [Certificate] = []) throws {
        guard privateKey.matches(certificate) else {
            throw CryptoError(.keyCertificateMismatch,
                              "the private key does not belong to the certificate \(certificate.subject)")
        }
        self.privateKey = privateKey
        self.certificate = certificate
        var seen: Set<Certificate> = [certificate]
        self.chain = chain.filter { seen.insert($0).inserted }
    }

    /// Picks the leaf as the certificate matching the key; the others become the chain.
    init(privateKey: PrivateKey, certificates: [Certificate]) throws {
        guard let leaf = certificates.first(where: privateKey.matches) else {
            throw CryptoError(.keyCertificateMismatch,
                              certificates.isEmpty ? "no certificate was given for the private key"
                                  : "none of the \(certificates.count) certificates carries the private key's public key")
        }
        try self.init(privateKey: privateKey, certificate: leaf, chain: certificates.filter { $0 != leaf })
    }

    /// Loads a PKCS#12 (.p12/.pfx) file: key, leaf and chain.
    ///
    /// A password that fails the MAC is `.wrongPassword`; bytes that are not PKCS#12 are
    /// `.malformed`. Files using legacy ciphers (RC2, as old exporters write) are read by
    /// loading OpenSSL's legacy provider on first need.
    public static func load(pkcs12 data: Data, password: String) throws -> SigningIdentity {
        try CryptoLibrary.require()
        let p12 = try OpenSSL.decode("PKCS#12 file", [UInt8](data), free: PKCS12_free) { d2i_PKCS12(nil, $0, $1) }
        if PKCS12_mac_present(p12.pointer) == 1 {
            let verified = password.withCString { PKCS12_verify_mac(p12.pointer, $0, -1) } == 1
                || (password.isEmpty && PKCS12_verify_mac(p12.pointer, nil, 0) == 1)
            guard verified else {
                _ = OpenSSL.drainErrors()
                throw CryptoError(.wrongPassword, "the password does not open the PKCS#12 file")
            }
        }
        var parsed = try parse(p12.pointer, password: password)
        if parsed == nil && LegacyProvider.available {
            _ = OpenSSL.drainErrors()
            parsed = try parse(p12.pointer, password: password)
        }
        guard let (key, leaf, rest) = parsed else {
            if PKCS12_mac_present(p12.pointer) != 1 {
                _ = OpenSSL.drainErrors()
                throw CryptoError(.wrongPassword, "the PKCS#12 file cannot be decrypted with this password")
            }
            throw OpenSSL.failure("the PKCS#12 file's contents cannot be read", code: .malformed)
        }
        guard let key else { throw CryptoError(.malformed, "the PKCS#12 file holds no private key") }
        return try SigningIdentity(privateKey: key, certificates: (leaf.map { [$0] } ?? []) + rest)
    }

    /// Loads a PEM private key (optionally encrypted) and a PEM file of certificates: the
    /// certificate matching the key is the leaf, the others the chain.
    public static func load(keyPEM: Data, password: String?, certificatesPEM: Data) throws -> SigningIdentity {
        let key = try PrivateKey.load(pem: keyPEM, password: password)
        return try SigningIdentity(privateKey: key, certificates: try Certificate.load(pem: certificatesPEM))
    }

    /// Refuses a leaf that cannot sign at `date`: not yet valid, expired (unless
    /// `allowExpired`), or with a keyUsage extension that has neither digitalSignature nor
    /// nonRepudiation.
    public func validate(at date: Date = Date(), allowExpired: Bool = false) throws {
        let name = certificate.commonName ?? certificate.subject
        if date < certificate.notBefore {
            throw CryptoError(.certificateNotYetValid,
                              "the signing certificate \"\(name)\" is not valid before \(certificate.notBefore.isoText)")
        }
        if date > certificate.notAfter && !allowExpired {
            throw CryptoError(.certificateExpired,
                              "the signing certificate \"\(name)\" expired on \(certificate.notAfter.isoText)")
        }
        if let usage = certificate.keyUsage, usage.isDisjoint(with: [.digitalSignature, .nonRepudiation]) {
            throw CryptoError(.noSigningKeyUsage,
                              "the signing certificate \"\(name)\" is not for signatures (its keyUsage has neither digitalSignature nor nonRepudiation)")
        }
    }

    /// A PKCS#12 file with the key, leaf and chain (AES-256-CBC, PBKDF2, SHA-256 MAC).
    public func pkcs12(password: String, friendlyName: String? = nil) throws -> Data {
        ERR_clear_error()
        let stack = try CertificateStack(chain)
        let created = password.withCString { secret in
            if let friendlyName {
                friendlyName.withCString { PKCS12_create(secret, $0, privateKey.pkey, certificate.x509, stack.pointer, 0, 0, 0, 0, 0) }
            } else {
                PKCS12_create(secret, nil, privateKey.pkey, certificate.x509, stack.pointer, 0, 0, 0, 0, 0)
            }
        }
        guard let created else { throw OpenSSL.failure("cannot create the PKCS#12 file") }
        let p12 = OwnedPointer(takingOwnershipOf: created, free: PKCS12_free)
        return Data(try OpenSSL.encode("a PKCS#12 file") { i2d_PKCS12(p12.pointer, $0) })
    }

    /// One PKCS12_parse attempt; nil (with errors queued) when OpenSSL cannot read the contents.
    private static func parse(_ p12: OpaquePointer, password: String) throws -> (PrivateKey?, Certificate?, [Certificate])? {
        var pkey: OpaquePointer?
        var x509: OpaquePointer?
        var stack: OpaquePointer?
        let ok = password.withCString { PKCS12_parse(p12, $0, &pkey, &x509, &stack) }
        defer { if let stack { cs_sk_X509_pop_free(stack) } }
        guard ok == 1 else { return nil }
        // Each init frees its pointer if it throws; free the other one by hand.
        let leaf: Certificate?
        do {
            leaf = try x509.map { try Certificate(takingOwnershipOf: $0) }
        } catch {
            EVP_PKEY_free(pkey)
            throw error
        }
        let key = try pkey.map { try PrivateKey(takingOwnershipOf: $0) }  // e.g. `.unsupportedKey`
        return (key, leaf, try CertificateStack.certificates(in: stack))
    }
}

/// OpenSSL's legacy provider (RC2, RC4, …), loaded into the default library context on first need.
enum LegacyProvider {
    static let available: Bool = {
        // Loading any provider explicitly stops the default one from loading implicitly.
        let ok = OSSL_PROVIDER_load(nil, "default") != nil && OSSL_PROVIDER_load(nil, "legacy") != nil
        ERR_clear_error()
        return ok
    }()
}

extension Date {
    /// ISO 8601 in UTC, for error messages and reports.
    public var isoText: String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: self)
    }
}
