internal import COpenSSL
public import Foundation

/// An RFC 3161 TimeStampToken: CMS SignedData over a TSTInfo. Parsing reads the claims;
/// `verify(imprintOf:)` checks them (trust in the TSA is `ChainValidator`'s job).
public struct TimestampToken: Sendable {
    /// The token's DER.
    public let der: [UInt8]
    /// The token's CMS (its signer is the TSA).
    public let signedData: CMSSignedData
    /// When the TSA says it saw the imprint.
    public let genTime: Date
    /// The message imprint and its hash algorithm (dotted OID).
    public let imprint: [UInt8]
    public let imprintAlgorithmOID: String
    /// The TSA's serial number for this token (hex) and its policy (dotted OID).
    public let serialNumber: String
    public let policy: String
    /// The request's nonce echoed back (big-endian magnitude), if any.
    public let nonce: [UInt8]?

    /// The imprint's hash algorithm, if it is one this engine knows.
    public var imprintAlgorithm: HashAlgorithm? { HashAlgorithm(objectIdentifier: imprintAlgorithmOID) }
    /// The token's one SignerInfo (the TSA's).
    public var signer: CMSSignerInfo { signedData.signers[0] }
    /// The TSA certificate (the token's signer), if the token includes it.
    public var tsaCertificate: Certificate? { signer.certificate }

    /// Parses a token. `.malformed` if it is not SignedData over a TSTInfo. A `certificateCache`
    /// shares the TSA's certificates across tokens (see `CMSSignedData.parse`).
    public static func parse(der: [UInt8], certificateCache: CertificateCache? = nil) throws -> TimestampToken {
        let signedData = try CMSSignedData.parse(der: der, certificateCache: certificateCache)
        guard signedData.contentType == ObjectIdentifiers.tstInfo, let content = signedData.encapsulatedContent else {
            throw CryptoError(.malformed, "the timestamp token does not encapsulate a TSTInfo")
        }
        guard signedData.signers.count == 1 else {
            throw CryptoError(.malformed, "the timestamp token has \(signedData.signers.count) SignerInfos; RFC 3161 §2.4.2 allows one")
        }
        let info = try OpenSSL.decode("TSTInfo", content, free: TS_TST_INFO_free) { d2i_TS_TST_INFO(nil, $0, $1) }
        guard let genTime = OpenSSL.date(TS_TST_INFO_get_time(info.pointer)) else {
            throw CryptoError(.malformed, "the TSTInfo genTime cannot be read")
        }
        let messageImprint = TS_TST_INFO_get_msg_imprint(info.pointer)
        var algorithm: OpaquePointer?
        X509_ALGOR_get0(&algorithm, nil, nil, TS_MSG_IMPRINT_get_algo(messageImprint))
        let nonce = TS_TST_INFO_get_nonce(info.pointer)
        return TimestampToken(der: der, signedData: signedData, genTime: genTime,
                              imprint: OpenSSL.bytes(of: TS_MSG_IMPRINT_get_msg(messageImprint)),
                              imprintAlgorithmOID: OpenSSL.dottedOID(algorithm),
                              serialNumber: OpenSSL.hex(OpenSSL.bytes(of: TS_TST_INFO_get_serial(info.pointer))),
                              policy: OpenSSL.dottedOID(TS_TST_INFO_get_policy_id(info.pointer)),
                              nonce: nonce.map { OpenSSL.bytes(of: $0) })
    }

    /// Checks that the imprint is the hash of `signature` (a CMS signature value), that the
    /// TSA's CMS signature over the TSTInfo verifies, that its ESS attribute names the TSA
    /// certificate, and that the certificate is for timestamping (critical EKU timeStamping).
    public func verify(imprintOf signature: [UInt8]) throws {
        guard let imprintAlgorithm else {
            throw CryptoError(.unsupportedAlgorithm, "the timestamp imprint uses the unsupported hash \(imprintAlgorithmOID)")
        }
        guard imprintAlgorithm.hash(signature) == imprint else {
            throw CryptoError(.digestMismatch, "the timestamp's message imprint is not the \(imprintAlgorithm) of the signature value")
        }
        try verifyToken()
    }

    /// Checks that the imprint is `digest` (a hash the caller computed with the imprint's
    /// algorithm, e.g. of a document timestamp's byte ranges), then the token itself as
    /// `verify(imprintOf:)` does.
    public func verify(imprint digest: [UInt8]) throws {
        guard imprint == digest else {
            throw CryptoError(.digestMismatch, "the timestamp's message imprint is not the digest of the data it should cover")
        }
        try verifyToken()
    }

    private func verifyToken() throws {
        guard let digestAlgorithm = signer.digestAlgorithm, let content = signedData.encapsulatedContent else {
            throw CryptoError(.unsupportedAlgorithm, "the timestamp token uses the unsupported digest \(signer.digestAlgorithmOID)")
        }
        try signer.verify(contentDigest: digestAlgorithm.hash(content), eContentType: signedData.contentType, content: { content })
        try signer.checkSigningCertificateReference(required: true)
        guard let tsaCertificate else { throw CryptoError(.malformed, "the timestamp token does not include the TSA certificate") }
        guard X509_check_purpose(tsaCertificate.x509, X509_PURPOSE_TIMESTAMP_SIGN, 0) == 1 else {
            ERR_clear_error()
            throw CryptoError(.timestampFailed,
                              "\(tsaCertificate.subject) is not a timestamping certificate (critical extendedKeyUsage timeStamping)")
        }
    }
}
