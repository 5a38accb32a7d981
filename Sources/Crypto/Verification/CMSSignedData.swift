internal import COpenSSL
import Foundation
import Synchronization

/// A parsed CMS SignedData with exactly one SignerInfo (as in a PDF signature or an RFC 3161
/// token), for verifiers: what it claims, and checks of those claims. Nothing here decides
/// trust; `ChainValidator` does that separately.
public final class CMSSignedData: Sendable {
    /// How the SignerInfo names its certificate.
    public enum SignerIdentifier: Sendable, Hashable {
        /// Issuer (RFC 4514 text) and serial (hex).
        case issuerAndSerialNumber(issuer: String, serialNumber: String)
        /// subjectKeyIdentifier (hex).
        case subjectKeyIdentifier(String)
    }

    /// The DER this was parsed from.
    public let der: [UInt8]
    /// Every certificate in the `certificates` field.
    public let certificates: [Certificate]
    /// The certificate the SignerInfo's SID names, if it is included.
    public let signerCertificate: Certificate?
    public let signerIdentifier: SignerIdentifier
    /// The SignerInfo's digest algorithm (dotted OID).
    public let digestAlgorithmOID: String
    /// The signature algorithm (dotted OID) and OpenSSL's name for it.
    public let signatureAlgorithmOID: String
    public let signatureAlgorithmName: String
    /// The SignerInfo's signature value.
    public let signatureValue: [UInt8]
    /// eContentType (dotted OID): id-data for PDF signatures, id-ct-TSTInfo for tokens.
    public let contentType: String
    /// The encapsulated content, or nil when detached.
    public let encapsulatedContent: [UInt8]?
    public let signedAttributes: SignedAttributes
    /// The id-aa-signatureTimeStampToken unsigned attribute's value (a token's DER), if any.
    public let timestampToken: [UInt8]?

    /// The digest algorithm, if it is one this engine knows.
    public var digestAlgorithm: DigestAlgorithm? { DigestAlgorithm(objectIdentifier: digestAlgorithmOID) }

    /// The parsed CMS, kept for `verifySignature` (which sets the signer certificate on it, hence the lock).
    private let handle: Mutex<CMSHandle>

    private init(der: [UInt8], handle: sending CMSHandle, certificates known: [Certificate]? = nil) throws {
        let signerInfo = try handle.onlySignerInfo()
        self.der = der
        if let known {
            certificates = known
        } else {
            let stack = CMS_get1_certs(handle.cms)
            defer { if let stack { cs_sk_X509_pop_free(stack) } }
            certificates = try CertificateStack.certificates(in: stack)
        }
        signerCertificate = certificates.first { CMS_SignerInfo_cert_cmp(signerInfo, $0.x509) == 0 }
        signerIdentifier = try Self.identifier(of: signerInfo)
        var digest: UnsafeMutablePointer<X509_ALGOR>?
        var signature: UnsafeMutablePointer<X509_ALGOR>?
        CMS_SignerInfo_get0_algs(signerInfo, nil, nil, &digest, &signature)
        digestAlgorithmOID = OpenSSL.dottedOID(Self.object(of: digest))
        signatureAlgorithmOID = OpenSSL.dottedOID(Self.object(of: signature))
        signatureAlgorithmName = OpenSSL.name(of: Self.object(of: signature))
        signatureValue = OpenSSL.bytes(of: CMS_SignerInfo_get0_signature(signerInfo))
        contentType = OpenSSL.dottedOID(CMS_get0_eContentType(handle.cms))
        if let content = CMS_get0_content(handle.cms), let octets = content.pointee {
            encapsulatedContent = OpenSSL.bytes(of: octets)
        } else {
            encapsulatedContent = nil
        }
        signedAttributes = try SignedAttributes(signerInfo)
        timestampToken = try Self.timestampToken(in: signerInfo)
        self.handle = Mutex(handle)
        ERR_clear_error()
    }

    /// Parses DER. `.malformed` for anything but SignedData with exactly one SignerInfo.
    ///
    /// With a `certificateCache`, the certificates are taken from (and added to) the cache
    /// instead of being decoded again with the CMS — the same result, much faster when many
    /// signatures share a chain.
    public static func parse(der: [UInt8], certificateCache: CertificateCache? = nil) throws -> CMSSignedData {
        try CryptoLibrary.require()
        if let certificateCache, let (stripped, encoded) = DER.separatingCertificates(der) {
            let certificates = try encoded.map { try certificateCache.certificate(der: $0) }
            return try CMSSignedData(der: der, handle: try CMSHandle(der: stripped), certificates: certificates)
        }
        return try CMSSignedData(der: der, handle: try CMSHandle(der: der))
    }

    /// Checks that the signed messageDigest equals `contentDigest` (computed by the caller
    /// with `digestAlgorithm`), that the contentType attribute matches eContentType, and that
    /// the signature over the signed attributes verifies with the signer certificate's key.
    /// Trust in that certificate is not checked here.
    public func verifySignature(contentDigest: [UInt8]) throws {
        guard let messageDigest = signedAttributes.messageDigest else {
            throw CryptoError(.malformed, "the SignerInfo has no messageDigest signed attribute")
        }
        guard signedAttributes.contentType == contentType else {
            throw CryptoError(.malformed, "the contentType signed attribute does not match eContentType \(contentType)")
        }
        guard messageDigest.count == contentDigest.count,
              zip(messageDigest, contentDigest).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
            throw CryptoError(.digestMismatch, "the signed messageDigest is not the digest of the content")
        }
        guard let signerCertificate else {
            throw CryptoError(.malformed, "the signer's certificate (\(signerIdentifier)) is not in the CMS")
        }
        try handle.withLock { handle in
            let signerInfo = try handle.onlySignerInfo()
            CMS_SignerInfo_set1_signer_cert(signerInfo, signerCertificate.x509)
            ERR_clear_error()
            guard CMS_SignerInfo_verify(signerInfo) == 1 else {
                throw OpenSSL.failure("the CMS signature does not verify with the signer's key", code: .signatureInvalid)
            }
        }
    }

    /// Checks that the ESS signingCertificateV2 / signingCertificate attributes, when present,
    /// name the signer certificate first; `required` makes a missing attribute an error.
    public func checkSigningCertificateReference(required: Bool) throws {
        let lists = [signedAttributes.signingCertificateV2, signedAttributes.signingCertificate].compactMap { $0 }
        if lists.isEmpty {
            if required {
                throw CryptoError(.signingCertificateMismatch, "the ESS signing-certificate attribute is missing")
            }
            return
        }
        guard let signerCertificate else {
            throw CryptoError(.malformed, "the signer's certificate (\(signerIdentifier)) is not in the CMS")
        }
        for references in lists {
            guard let first = references.first, try first.matches(signerCertificate) else {
                throw CryptoError(.signingCertificateMismatch,
                                  "the ESS signing-certificate attribute does not name the signer's certificate")
            }
        }
    }

    private static func object(of algorithm: UnsafeMutablePointer<X509_ALGOR>?) -> OpaquePointer? {
        guard let algorithm else { return nil }
        var object: OpaquePointer?
        X509_ALGOR_get0(&object, nil, nil, algorithm)
        return object
    }

    private static func identifier(of signerInfo: OpaquePointer) throws -> SignerIdentifier {
        var keyID: UnsafeMutablePointer<ASN1_OCTET_STRING>?
        var issuer: OpaquePointer?
        var serial: UnsafeMutablePointer<ASN1_INTEGER>?
        guard CMS_SignerInfo_get0_signer_id(signerInfo, &keyID, &issuer, &serial) == 1 else {
            throw OpenSSL.failure("the SignerInfo has no usable signer identifier", code: .malformed)
        }
        if let keyID { return .subjectKeyIdentifier(OpenSSL.hex(OpenSSL.bytes(of: keyID))) }
        return .issuerAndSerialNumber(issuer: Certificate.text(of: issuer), serialNumber: OpenSSL.hex(OpenSSL.bytes(of: serial)))
    }

    private static func timestampToken(in signerInfo: OpaquePointer) throws -> [UInt8]? {
        var token: [UInt8]?
        for index in 0..<max(0, CMS_unsigned_get_attr_count(signerInfo)) {
            let attribute = try Attribute(CMS_unsigned_get_attr(signerInfo, index))
            guard attribute.type == ObjectIdentifiers.signatureTimeStampToken else { continue }
            guard token == nil else { throw CryptoError(.malformed, "more than one signatureTimeStampToken attribute") }
            token = Array(try attribute.singleValue().encoded)
        }
        return token
    }
}

/// Dotted OIDs this module reads.
enum ObjectIdentifiers {
    static let data = "1.2.840.113549.1.7.1"
    static let contentType = "1.2.840.113549.1.9.3"
    static let messageDigest = "1.2.840.113549.1.9.4"
    static let signingTime = "1.2.840.113549.1.9.5"
    static let signingCertificate = "1.2.840.113549.1.9.16.2.12"
    static let signingCertificateV2 = "1.2.840.113549.1.9.16.2.47"
    static let signatureTimeStampToken = "1.2.840.113549.1.9.16.2.14"
    static let tstInfo = "1.2.840.113549.1.9.16.1.4"
    static let sha1 = "1.3.14.3.2.26"
}

/// One CMS attribute as DER: its type and values.
struct Attribute {
    let type: String
    let values: [DER.Node]

    init(_ attribute: OpaquePointer?) throws {
        let der = try OpenSSL.encode("an attribute") { i2d_X509_ATTRIBUTE(attribute, $0) }
        let parts = try DER.parse(der[...]).expecting(DER.sequence, "Attribute").children()
        guard parts.count == 2 else { throw CryptoError(.malformed, "an attribute is not (type, values)") }
        type = try DER.objectIdentifier(parts[0])
        values = try parts[1].expecting(DER.set, "attribute values").children()
    }

    /// The one value RFC 5652 allows for the attributes this module reads.
    func singleValue() throws -> DER.Node {
        guard values.count == 1 else { throw CryptoError(.malformed, "the attribute \(type) has \(values.count) values, not 1") }
        return values[0]
    }
}
