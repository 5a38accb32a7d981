internal import COpenSSL

/// An AlgorithmIdentifier as read: the OID and the DER of its parameters, if any.
public struct AlgorithmIdentifier: Sendable, Hashable, CustomStringConvertible {
    public let objectIdentifier: String
    /// The parameters' DER (nil when absent; `05 00` when NULL).
    public let parameters: [UInt8]?

    init(_ node: DER.Node) throws {
        let parts = try node.expecting(DER.sequence, "AlgorithmIdentifier").children()
        guard let first = parts.first, parts.count <= 2 else { throw CryptoError(.malformed, "an AlgorithmIdentifier is not (OID, parameters)") }
        objectIdentifier = try DER.objectIdentifier(first)
        parameters = parts.count == 2 ? try parts[1].derEncoding() : nil
    }

    public var description: String { objectIdentifier }
}

/// How a SignerInfo's signature is made (RFC 3370, 4055, 5758, 8419, BSI TR-03111): the key
/// type, the padding and the hash — resolved from the signature algorithm and the SignerInfo's
/// digest algorithm.
public enum SignatureScheme: Sendable, Hashable, CustomStringConvertible {
    case rsaPKCS1v15(HashAlgorithm)
    case rsaPSS(hash: HashAlgorithm, maskHash: HashAlgorithm, saltLength: Int)
    /// `plain`: r‖s of fixed length (BSI TR-03111 ecdsa-plain-*), not a DER SEQUENCE.
    case ecdsa(HashAlgorithm, plain: Bool)
    case dsa(HashAlgorithm)
    case ed25519
    case ed448

    /// The hash the signature itself uses (nil for EdDSA, which hashes internally).
    public var hash: HashAlgorithm? {
        switch self {
        case .rsaPKCS1v15(let hash), .ecdsa(let hash, _), .dsa(let hash): hash
        case .rsaPSS(let hash, _, _): hash
        case .ed25519, .ed448: nil
        }
    }

    public var description: String {
        switch self {
        case .rsaPKCS1v15(let hash): "RSA PKCS#1 v1.5 with \(hash)"
        case .rsaPSS(let hash, let mask, let salt): "RSASSA-PSS with \(hash) (MGF1 \(mask), salt \(salt))"
        case .ecdsa(let hash, let plain): "ECDSA\(plain ? " (plain r‖s)" : "") with \(hash)"
        case .dsa(let hash): "DSA with \(hash)"
        case .ed25519: "Ed25519"
        case .ed448: "Ed448"
        }
    }

    /// Resolves a signature algorithm; `digest` is the SignerInfo's digest algorithm, which
    /// RSA PKCS#1, ECDSA and DSA sign with (as RFC 5652 §5.4 and OpenSSL do) when the
    /// signature algorithm itself names only the key type.
    static func resolve(_ algorithm: AlgorithmIdentifier, digest: HashAlgorithm?) throws -> SignatureScheme {
        let oid = algorithm.objectIdentifier
        func hash() throws -> HashAlgorithm {
            if let digest { return digest }
            throw CryptoError(.unsupportedAlgorithm, "the signature algorithm \(oid) needs a digest algorithm this verifier knows")
        }
        switch oid {
        case "1.2.840.113549.1.1.1": return .rsaPKCS1v15(try hash())
        case "1.2.840.113549.1.1.10": return try pss(algorithm.parameters)
        case "1.2.840.10045.2.1": return .ecdsa(try hash(), plain: false)
        case "1.2.840.10040.4.1": return .dsa(try hash())
        case "1.3.101.112": return .ed25519
        case "1.3.101.113": return .ed448
        default: break
        }
        if oid.hasPrefix("0.4.0.127.0.7.1.1.4.1."), let last = oid.split(separator: ".").last,
           let named = [1: HashAlgorithm.sha1, 2: .sha224, 3: .sha256, 4: .sha384, 5: .sha512][Int(last) ?? 0] {
            return .ecdsa(named, plain: true)
        }
        guard HashAlgorithm.hashNamedBySignatureAlgorithm[oid] != nil else {
            throw CryptoError(.unsupportedAlgorithm, "the signature algorithm \(oid) is not one this verifier knows")
        }
        // sha256WithRSAEncryption and the like: the SignerInfo's digest algorithm is what was
        // hashed (RFC 5652 §5.4); the OID's own hash is used only when that one is unknown.
        let named = HashAlgorithm.hashNamedBySignatureAlgorithm[oid]!
        let chosen = digest ?? named
        if oid.hasPrefix("1.2.840.113549.1.1.") || oid == "1.3.14.3.2.29" { return .rsaPKCS1v15(chosen) }
        if oid.hasPrefix("1.2.840.10045.4.") { return .ecdsa(chosen, plain: false) }
        return .dsa(chosen)
    }

    /// RSASSA-PSS-params (RFC 4055 §3.1): hash [0] DEFAULT SHA-1, MGF1 [1] DEFAULT with SHA-1,
    /// salt length [2] DEFAULT 20, trailer field [3] DEFAULT 1 (the only one defined).
    private static func pss(_ parameters: [UInt8]?) throws -> SignatureScheme {
        var hash = HashAlgorithm.sha1
        var mask = HashAlgorithm.sha1
        var salt = 20
        guard let parameters, parameters != [0x05, 0x00] else { return .rsaPSS(hash: hash, maskHash: mask, saltLength: salt) }
        for field in try DER.parse(parameters[...]).expecting(DER.sequence, "RSASSA-PSS-params").children() {
            guard let inner = try field.children().first else { throw CryptoError(.malformed, "an empty RSASSA-PSS parameter") }
            switch field.tag {
            case 0xA0:
                let algorithm = try AlgorithmIdentifier(inner)
                guard let named = HashAlgorithm(objectIdentifier: algorithm.objectIdentifier) else {
                    throw CryptoError(.unsupportedAlgorithm, "RSASSA-PSS with the unknown hash \(algorithm)")
                }
                hash = named
            case 0xA1:
                let algorithm = try AlgorithmIdentifier(inner)
                guard algorithm.objectIdentifier == "1.2.840.113549.1.1.8", let mgfHash = algorithm.parameters,
                      let named = HashAlgorithm(objectIdentifier: try AlgorithmIdentifier(try DER.parse(mgfHash[...])).objectIdentifier) else {
                    throw CryptoError(.unsupportedAlgorithm, "RSASSA-PSS with a mask generation function other than MGF1 with a known hash")
                }
                mask = named
            case 0xA2:
                salt = try DER.integerValue(inner)
            case 0xA3:
                guard try DER.integerValue(inner) == 1 else { throw CryptoError(.malformed, "RSASSA-PSS trailer field other than 1") }
            default:
                throw CryptoError(.malformed, "RSASSA-PSS-params has an unknown field")
            }
        }
        return .rsaPSS(hash: hash, maskHash: mask, saltLength: salt)
    }
}

/// Checks a signature with a certificate's public key, through OpenSSL's EVP interface.
enum SignatureCheck {
    /// Whether `signature` is valid over `message` (the DER signed attributes, or for pure
    /// EdDSA without signed attributes the content itself).
    static func verify(_ signature: [UInt8], message: [UInt8], scheme: SignatureScheme, certificate: Certificate) throws -> Bool {
        let key = try publicKey(of: certificate, for: scheme)
        let value = try normalized(signature, scheme: scheme, key: key)
        ERR_clear_error()
        guard let context = EVP_MD_CTX_new() else { throw OpenSSL.failure("cannot allocate a verification context") }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        guard EVP_DigestVerifyInit(context, &keyContext, scheme.hash?.evpMD, nil, key) == 1,
              configure(keyContext, scheme: scheme) else {
            throw OpenSSL.failure("cannot set up \(scheme) verification", code: .unsupportedAlgorithm)
        }
        let result = EVP_DigestVerify(context, value, value.count, message, message.count)
        ERR_clear_error()
        return result == 1
    }

    /// Whether `signature` is valid over a precomputed `digest` (no signed attributes; not EdDSA).
    static func verify(_ signature: [UInt8], digest: [UInt8], scheme: SignatureScheme, certificate: Certificate) throws -> Bool {
        let key = try publicKey(of: certificate, for: scheme)
        let value = try normalized(signature, scheme: scheme, key: key)
        ERR_clear_error()
        guard let context = EVP_PKEY_CTX_new(key, nil) else { throw OpenSSL.failure("cannot allocate a verification context") }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_verify_init(context) == 1, EVP_PKEY_CTX_set_signature_md(context, scheme.hash?.evpMD) == 1,
              configure(context, scheme: scheme) else {
            throw OpenSSL.failure("cannot set up \(scheme) verification", code: .unsupportedAlgorithm)
        }
        let result = EVP_PKEY_verify(context, value, value.count, digest, digest.count)
        ERR_clear_error()
        return result == 1
    }

    /// The DigestInfo inside a PKCS#1 v1.5 signature (`adbe.x509.rsa_sha1`): the hash it names
    /// and the digest. A bare 20-byte digest (no DigestInfo) is read as SHA-1.
    static func recoverDigestInfo(_ signature: [UInt8], certificate: Certificate) throws -> (HashAlgorithm, [UInt8]) {
        let key = try publicKey(of: certificate, for: .rsaPKCS1v15(.sha1))
        let value = try normalized(signature, scheme: .rsaPKCS1v15(.sha1), key: key)
        ERR_clear_error()
        guard let context = EVP_PKEY_CTX_new(key, nil) else { throw OpenSSL.failure("cannot allocate a verification context") }
        defer { EVP_PKEY_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: Int(EVP_PKEY_get_size(key)))
        var length = output.count
        guard EVP_PKEY_verify_recover_init(context) == 1, EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1,
              EVP_PKEY_verify_recover(context, &output, &length, value, value.count) == 1 else {
            throw OpenSSL.failure("the PKCS#1 signature does not verify with the certificate's key", code: .signatureInvalid)
        }
        let recovered = Array(output.prefix(length))
        if recovered.count == HashAlgorithm.sha1.length { return (.sha1, recovered) }
        let parts = try DER.parse(recovered[...]).expecting(DER.sequence, "DigestInfo").children()
        guard parts.count == 2 else { throw CryptoError(.malformed, "the PKCS#1 DigestInfo is not (algorithm, digest)") }
        let algorithm = try AlgorithmIdentifier(parts[0])
        guard let hash = HashAlgorithm(objectIdentifier: algorithm.objectIdentifier) else {
            throw CryptoError(.unsupportedAlgorithm, "the PKCS#1 signature uses the unknown hash \(algorithm)")
        }
        return (hash, Array(try parts[1].expecting(DER.octetString, "DigestInfo digest").content))
    }

    // MARK: Parts

    private static func publicKey(of certificate: Certificate, for scheme: SignatureScheme) throws -> OpaquePointer {
        guard let key = X509_get0_pubkey(certificate.x509) else {
            ERR_clear_error()
            throw CryptoError(.unsupportedAlgorithm, "the public key of \(certificate.subject) cannot be read")
        }
        let type = EVP_PKEY_get_base_id(key)
        let fits = switch scheme {
        case .rsaPKCS1v15: type == EVP_PKEY_RSA
        case .rsaPSS: type == EVP_PKEY_RSA || type == EVP_PKEY_RSA_PSS
        case .ecdsa: type == EVP_PKEY_EC
        case .dsa: type == EVP_PKEY_DSA
        case .ed25519: type == EVP_PKEY_ED25519
        case .ed448: type == EVP_PKEY_ED448
        }
        guard fits else {
            throw CryptoError(.signatureInvalid, "the signature algorithm (\(scheme)) does not fit the signer's \(certificate.publicKeyAlgorithm) key")
        }
        return key
    }

    private static func configure(_ context: OpaquePointer?, scheme: SignatureScheme) -> Bool {
        switch scheme {
        case .rsaPKCS1v15:
            return EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1
        case .rsaPSS(_, let mask, let salt):
            return EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PSS_PADDING) == 1
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(context, Int32(clamping: salt)) == 1
                && EVP_PKEY_CTX_set_rsa_mgf1_md(context, mask.evpMD) == 1
        default:
            return true
        }
    }

    /// Harmless encodings made canonical: an RSA signature shorter than the modulus (leading
    /// zero octets dropped by the signer) padded back; plain r‖s ECDSA made a DER SEQUENCE.
    private static func normalized(_ signature: [UInt8], scheme: SignatureScheme, key: OpaquePointer) throws -> [UInt8] {
        switch scheme {
        case .rsaPKCS1v15, .rsaPSS:
            let size = Int(EVP_PKEY_get_size(key))
            return signature.count < size ? [UInt8](repeating: 0, count: size - signature.count) + signature : signature
        case .ecdsa(_, plain: true):
            guard signature.count % 2 == 0, !signature.isEmpty else {
                throw CryptoError(.malformed, "a plain ECDSA signature has an odd length")
            }
            let half = signature.count / 2
            return DER.encode(tag: DER.sequence, DER.unsignedInteger(signature[..<half]) + DER.unsignedInteger(signature[half...]))
        default:
            return signature
        }
    }
}

extension DER {
    /// A small non-negative INTEGER's value.
    static func integerValue(_ node: Node) throws -> Int {
        let content = try node.expecting(integer, "INTEGER").content
        guard !content.isEmpty, content.count <= 4, content.first! & 0x80 == 0 else {
            throw CryptoError(.malformed, "DER: an INTEGER out of range")
        }
        return content.reduce(0) { $0 << 8 | Int($1) }
    }

    /// An INTEGER TLV for the unsigned big-endian `magnitude`.
    static func unsignedInteger(_ magnitude: ArraySlice<UInt8>) -> [UInt8] {
        var bytes = Array(magnitude.drop { $0 == 0 })
        if bytes.isEmpty || bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return encode(tag: integer, bytes)
    }
}

extension Certificate {
    /// The public key's type as OpenSSL names it ("RSA", "RSA-PSS", "EC", "DSA", "ED25519",
    /// "ED448") and its size in bits (the modulus, the curve's order, …).
    public var publicKeyTypeAndBits: (type: String, bits: Int) {
        guard let key = X509_get0_pubkey(x509) else { return ("unknown", 0) }
        let type = EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "unknown"
        return (type, Int(EVP_PKEY_get_bits(key)))
    }

    /// The hash the issuer's signature on this certificate uses (RSA-PSS parameters read too);
    /// nil when the scheme has none of its own (Ed25519, Ed448) or OpenSSL does not know it.
    public var signatureHash: HashAlgorithm? {
        var digest: Int32 = 0, key: Int32 = 0, bits: Int32 = 0
        var flags: UInt32 = 0
        guard X509_get_signature_info(x509, &digest, &key, &bits, &flags) == 1, digest != NID_undef else { return nil }
        return HashAlgorithm(objectIdentifier: OpenSSL.dottedOID(OBJ_nid2obj(digest)))
    }
}

/// A bare PKCS#1 v1.5 signature as `adbe.x509.rsa_sha1` carries it in `/Contents`: a DER
/// OCTET STRING holding the RSA signature of the byte ranges' digest; the certificates come
/// from the signature dictionary's `/Cert`.
public struct PKCS1Signature: Sendable {
    public let signatureValue: [UInt8]

    /// Parses the OCTET STRING (BER or DER).
    public init(der: [UInt8]) throws {
        try CryptoLibrary.require()
        let node = try DER.parse(der[...])
        guard node.tag & 0x1F == DER.octetString, node.tag & 0xC0 == 0 else {
            throw CryptoError(.malformed, "an adbe.x509.rsa_sha1 signature must be an OCTET STRING holding the PKCS#1 signature")
        }
        signatureValue = try node.primitiveContent()
    }

    /// The hash and digest the signature holds, recovered with `certificate`'s RSA key;
    /// `.signatureInvalid` when the key does not open it.
    public func recoverDigest(with certificate: Certificate) throws -> (algorithm: HashAlgorithm, digest: [UInt8]) {
        let (algorithm, digest) = try SignatureCheck.recoverDigestInfo(signatureValue, certificate: certificate)
        return (algorithm, digest)
    }
}
