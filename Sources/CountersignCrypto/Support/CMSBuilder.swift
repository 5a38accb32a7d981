internal import COpenSSL
import Foundation

/// Lays out the SignerInfo a `CMSSigner` signs, and measures it for the size bound.
struct CMSBuilder: Sendable {
    let identity: SigningIdentity
    let options: CMSSigner.Options

    struct Prepared {
        let cms: CMSHandle
        let signerInfo: OpaquePointer
    }

    /// The CMS with the SignerInfo, chain and signed attributes in place; signature empty.
    func prepare(digest: [UInt8], signingTime: Date) throws -> Prepared {
        ERR_clear_error()
        guard let raw = CMS_sign(nil, nil, nil, nil, UInt32(CMS_PARTIAL | CMS_DETACHED | CMS_BINARY)) else {
            throw OpenSSL.failure("cannot start CMS SignedData")
        }
        let cms = CMSHandle(takingOwnershipOf: raw)
        // No CMS_REUSE_DIGEST/CMS_KEY_PARAM: OpenSSL lays out the SignerInfo (SID, digest and
        // signature algorithms, leaf certificate) and signs nothing.
        let flags = UInt32(CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP)
        guard let signerInfo = CMS_add1_signer(cms.cms, identity.certificate.x509, identity.privateKey.pkey,
                                               options.digest.evpMD, flags)
        else { throw OpenSSL.failure("cannot add the signer to the CMS") }
        for certificate in identity.chain where CMS_add1_cert(cms.cms, certificate.x509) != 1 {
            throw OpenSSL.failure("cannot add the certificate \(certificate.subject) to the CMS")
        }
        try addAttribute(signerInfo, NID_pkcs9_contentType, V_ASN1_OBJECT, UnsafeRawPointer(OBJ_nid2obj(NID_pkcs7_data)), -1)
        try digest.withUnsafeBytes {
            try addAttribute(signerInfo, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, $0.baseAddress, Int32(digest.count))
        }
        switch options.profile {
        case .cades:
            let ess = try Self.signingCertificateV2(identity.certificate, options.digest)
            try ess.withUnsafeBytes {
                try addAttribute(signerInfo, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE,
                                 $0.baseAddress, Int32(ess.count))
            }
        case .pkcs7:
            let time = try OpenSSL.asn1Time(signingTime)
            let type = ASN1_STRING_type(UnsafePointer<ASN1_STRING>(time.pointer))
            try addAttribute(signerInfo, NID_pkcs9_signingTime, type, UnsafeRawPointer(time.pointer), -1)
        }
        if options.rsaPadding == .pss {
            // OpenSSL filled in rsaEncryption; PSS needs id-RSASSA-PSS with its parameters,
            // which the provider reports for a context set up exactly as the signing one.
            let context = try SigningContext(key: identity.privateKey, digest: options.digest, padding: .pss)
            let der = try context.algorithmIdentifier()
            let algorithm = der.withUnsafeBufferPointer { buffer -> UnsafeMutablePointer<X509_ALGOR>? in
                var cursor = buffer.baseAddress
                return d2i_X509_ALGOR(nil, &cursor, buffer.count)
            }
            defer { X509_ALGOR_free(algorithm) }
            var signatureAlgorithm: UnsafeMutablePointer<X509_ALGOR>?
            CMS_SignerInfo_get0_algs(signerInfo, nil, nil, nil, &signatureAlgorithm)
            guard let algorithm, let signatureAlgorithm, X509_ALGOR_copy(signatureAlgorithm, algorithm) == 1 else {
                throw OpenSSL.failure("cannot set the RSASSA-PSS algorithm identifier")
            }
        }
        return Prepared(cms: cms, signerInfo: signerInfo)
    }

    private func addAttribute(_ signerInfo: OpaquePointer, _ nid: Int32, _ type: Int32,
                              _ value: UnsafeRawPointer?, _ length: Int32) throws {
        guard CMS_signed_add1_attr_by_NID(signerInfo, nid, type, value, length) == 1 else {
            throw OpenSSL.failure("cannot add the signed attribute \(OpenSSL.name(of: OBJ_nid2obj(nid)))")
        }
    }

    /// ESS SigningCertificateV2 (RFC 5035) naming `leaf` by its hash (hashAlgorithm omitted
    /// when it is the default SHA-256) and by issuer and serial.
    static func signingCertificateV2(_ leaf: Certificate, _ digest: DigestAlgorithm) throws -> [UInt8] {
        guard let ess = OSSL_ESS_signing_cert_v2_new_init(digest.evpMD, leaf.x509, nil, 1) else {
            throw OpenSSL.failure("cannot build the ESS signingCertificateV2 attribute")
        }
        let owned = OwnedPointer(takingOwnershipOf: ess, free: ESS_SIGNING_CERT_V2_free)
        return try OpenSSL.encode("ESS signingCertificateV2") { i2d_ESS_SIGNING_CERT_V2(owned.pointer, $0) }
    }

    /// The sizes of the parts that do not depend on the signature value, taken from a
    /// SignerInfo laid out with a zero digest (no private-key operation).
    func measure() throws -> SizeLayout {
        let prepared = try prepare(digest: [UInt8](repeating: 0, count: options.digest.length), signingTime: Date())
        var digestAlgorithm: UnsafeMutablePointer<X509_ALGOR>?
        var signatureAlgorithm: UnsafeMutablePointer<X509_ALGOR>?
        CMS_SignerInfo_get0_algs(prepared.signerInfo, nil, nil, &digestAlgorithm, &signatureAlgorithm)
        let (issuer, serial) = try identity.certificate.issuerAndSerialDER()
        let attributes = try DER.parse(try CMSHandle.signedAttributesDER(prepared.signerInfo)[...])
        return SizeLayout(
            certificates: ([identity.certificate] + identity.chain).reduce(0) { $0 + $1.derEncoded.count },
            issuerAndSerial: issuer.count + serial.count,
            digestAlgorithm: try CMSHandle.algorithmDER(digestAlgorithm).count,
            signatureAlgorithm: try CMSHandle.algorithmDER(signatureAlgorithm).count,
            // A UTCTime signingTime becomes a 2-byte-longer GeneralizedTime from 2050 on.
            signedAttributes: attributes.content.count + (options.profile == .pkcs7 ? 2 : 0),
            signature: identity.privateKey.maximumSignatureSize)
    }
}

/// The DER sizes that determine a detached SignedData's length (RFC 5652 §5), and the
/// arithmetic that adds up the TLV headers around them.
struct SizeLayout: Sendable, Hashable {
    /// Sum of the certificates' DER sizes.
    var certificates: Int
    /// Content of IssuerAndSerialNumber: issuer Name DER + serial INTEGER DER.
    var issuerAndSerial: Int
    /// A whole digest AlgorithmIdentifier.
    var digestAlgorithm: Int
    /// A whole signature AlgorithmIdentifier.
    var signatureAlgorithm: Int
    /// Content of the signed-attributes SET (upper bound).
    var signedAttributes: Int
    /// The largest signature value.
    var signature: Int

    /// id-signedData, id-data: 9 content bytes each; id-aa-signatureTimeStampToken: 11.
    private static let contentTypeOID = 2 + 9
    private static let timestampAttributeOID = 2 + 11
    /// INTEGER 1 (CMSVersion of SignedData and SignerInfo with issuerAndSerialNumber).
    private static let version = 3

    func total(timestampReserve: Int?) -> Int {
        let tlv = DER.size(wrapping:)
        var signerInfo = Self.version + tlv(issuerAndSerial) + digestAlgorithm + tlv(signedAttributes)
            + signatureAlgorithm + tlv(signature)
        if let timestampReserve {
            // [1] IMPLICIT SET { Attribute ::= SEQUENCE { OID, SET { TimeStampToken } } }
            signerInfo += tlv(tlv(Self.timestampAttributeOID + tlv(timestampReserve)))
        }
        let signedData = Self.version + tlv(digestAlgorithm) + tlv(Self.contentTypeOID) + tlv(certificates)
            + tlv(tlv(signerInfo))
        return tlv(Self.contentTypeOID + tlv(tlv(signedData)))
    }
}

/// An EVP_DigestSign context for one signature, with PSS set up when asked.
final class SigningContext {
    private let context: OpaquePointer
    private let keyContext: OpaquePointer

    init(key: PrivateKey, digest: DigestAlgorithm, padding: CMSSigner.RSAPadding) throws {
        ERR_clear_error()
        guard let context = EVP_MD_CTX_new() else { throw OpenSSL.failure("cannot allocate a signing context") }
        var keyContext: OpaquePointer?
        var ok = EVP_DigestSignInit(context, &keyContext, digest.evpMD, nil, key.pkey) == 1 && keyContext != nil
        if ok && key.kind == .rsa && padding == .pss {
            ok = EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST) == 1
                && EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, digest.evpMD) == 1
        }
        guard ok, let keyContext else {
            EVP_MD_CTX_free(context)
            throw OpenSSL.failure("cannot set up the signing context")
        }
        self.context = context
        self.keyContext = keyContext  // owned by `context`
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Hashes and signs `message`.
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else {
            throw OpenSSL.failure("cannot size the signature")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            throw OpenSSL.failure("the private-key operation failed")
        }
        return Array(signature.prefix(length))
    }

    /// Checks `signature` over `message` with the certificate's public key; `.signatureInvalid`
    /// when it does not verify.
    static func verify(_ signature: [UInt8], over message: [UInt8], certificate: Certificate,
                       digest: DigestAlgorithm, padding: CMSSigner.RSAPadding) throws {
        ERR_clear_error()
        guard let publicKey = X509_get0_pubkey(certificate.x509), let context = EVP_MD_CTX_new() else {
            throw OpenSSL.failure("cannot set up the verification context")
        }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        var ok = EVP_DigestVerifyInit(context, &keyContext, digest.evpMD, nil, publicKey) == 1 && keyContext != nil
        if ok && EVP_PKEY_get_base_id(publicKey) == EVP_PKEY_RSA && padding == .pss {
            ok = EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST) == 1
                && EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, digest.evpMD) == 1
        }
        guard ok else { throw OpenSSL.failure("cannot set up the verification context") }
        guard EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1 else {
            throw OpenSSL.failure("our own signature does not verify with the certificate's key", code: .signatureInvalid)
        }
    }

    /// The DER of the signature AlgorithmIdentifier the provider reports for this context.
    func algorithmIdentifier() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 256)
        var length = 0
        guard cs_signature_algorithm_id(keyContext, &buffer, buffer.count, &length) == 1 else {
            throw OpenSSL.failure("the provider reports no signature algorithm identifier")
        }
        return Array(buffer.prefix(length))
    }
}
