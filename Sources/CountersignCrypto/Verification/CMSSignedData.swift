internal import COpenSSL
import Foundation

/// A parsed CMS SignedData (RFC 5652), as a PDF signature or an RFC 3161 token carries it, for
/// verifiers: what it claims, and checks of those claims. Nothing here decides trust;
/// `ChainValidator` does that separately.
///
/// The parser is our own and reads BER as well as DER (indefinite lengths, constructed
/// strings — Adobe and Java signers send them), with nesting bounded; every value a signature
/// covers is re-encoded to DER as RFC 5652 §5.4 requires. Each SignerInfo is kept and can be
/// checked on its own.
public final class CMSSignedData: Sendable {
    /// How a SignerInfo names its certificate.
    public enum SignerIdentifier: Sendable, Hashable, CustomStringConvertible {
        /// Issuer (RFC 4514 text) and serial (hex).
        case issuerAndSerialNumber(issuer: String, serialNumber: String)
        /// subjectKeyIdentifier (hex).
        case subjectKeyIdentifier(String)

        public var description: String {
            switch self {
            case .issuerAndSerialNumber(let issuer, let serial): "issuer \(issuer), serial \(serial)"
            case .subjectKeyIdentifier(let identifier): "subject key identifier \(identifier)"
            }
        }
    }

    /// The bytes this was parsed from.
    public let der: [UInt8]
    /// The encoding is BER, not DER (e.g. indefinite lengths): accepted, and worth a note.
    public let isBER: Bool
    /// Every X.509 certificate in the `certificates` field.
    public let certificates: [Certificate]
    /// eContentType (dotted OID): id-data for PDF signatures, id-ct-TSTInfo for tokens.
    public let contentType: String
    /// The encapsulated content, or nil when detached.
    public let encapsulatedContent: [UInt8]?
    /// Every SignerInfo, in encoded order (at least one).
    public let signers: [CMSSignerInfo]

    // MARK: The first SignerInfo (a PDF signature and a timestamp token have one)

    /// The certificate the first SignerInfo's SID names, if it is included.
    public var signerCertificate: Certificate? { signers[0].certificate }
    public var signerIdentifier: SignerIdentifier { signers[0].identifier }
    /// The first SignerInfo's digest algorithm (dotted OID).
    public var digestAlgorithmOID: String { signers[0].digestAlgorithmOID }
    /// The first SignerInfo's digest algorithm, if it is one this engine signs with.
    public var digestAlgorithm: DigestAlgorithm? { DigestAlgorithm(objectIdentifier: digestAlgorithmOID) }
    /// The first SignerInfo's signature value.
    public var signatureValue: [UInt8] { signers[0].signatureValue }
    /// The first SignerInfo's signed attributes (empty when it has none).
    public var signedAttributes: SignedAttributes { signers[0].signedAttributes ?? SignedAttributes() }
    /// The first SignerInfo's first signatureTimeStampToken, if any.
    public var timestampToken: [UInt8]? { signers[0].timestampTokens.first }

    private init(der: [UInt8], certificateCache: CertificateCache?) throws {
        let contentInfo = try DER.parse(der[...])
        let outer = try contentInfo.expecting(DER.sequence, "ContentInfo").children()
        guard outer.count == 2, try DER.objectIdentifier(outer[0]) == ObjectIdentifiers.signedData else {
            throw CryptoError(.malformed, "the CMS ContentInfo is not SignedData")
        }
        guard outer[1].tag == 0xA0, let signedData = try outer[1].children().first else {
            throw CryptoError(.malformed, "the CMS ContentInfo has no [0] content")
        }
        var fields = try signedData.expecting(DER.sequence, "SignedData").children()[...]
        guard fields.count >= 4 else { throw CryptoError(.malformed, "SignedData has \(fields.count) fields, not at least 4") }
        _ = try DER.integerValue(fields.removeFirst())  // version
        _ = try fields.removeFirst().expecting(DER.set, "digestAlgorithms")
        let encapsulated = try fields.removeFirst().expecting(DER.sequence, "EncapsulatedContentInfo").children()
        guard let type = encapsulated.first else { throw CryptoError(.malformed, "EncapsulatedContentInfo is empty") }
        contentType = try DER.objectIdentifier(type)
        if encapsulated.count > 1 {
            guard encapsulated[1].tag == 0xA0, let octets = try encapsulated[1].children().first, encapsulated.count == 2 else {
                throw CryptoError(.malformed, "eContent is not [0] EXPLICIT OCTET STRING")
            }
            guard octets.tag & 0x1F == DER.octetString, octets.tag & 0xC0 == 0 else {
                throw CryptoError(.malformed, "eContent is not an OCTET STRING")
            }
            encapsulatedContent = try octets.primitiveContent()
        } else {
            encapsulatedContent = nil
        }
        var certificates: [Certificate] = []
        if fields.first?.tag == 0xA0 {
            for choice in try fields.removeFirst().children() where choice.tag == DER.sequence {
                // Attribute and other certificate formats ([1]…[3]) cannot name a signer; skipped.
                let bytes = choice.isIndefinite ? try choice.derEncoding() : Array(choice.encoded)
                if let certificate = try? certificateCache?.certificate(der: bytes) ?? Certificate(derEncoded: bytes) {
                    certificates.append(certificate)
                }
            }
        }
        if fields.first?.tag == 0xA1 { fields.removeFirst() }  // crls: read by revocation checking, not here
        guard fields.count == 1 else { throw CryptoError(.malformed, "SignedData has unexpected fields after its certificates") }
        let infos = try fields.removeFirst().expecting(DER.set, "signerInfos").children()
        guard !infos.isEmpty else { throw CryptoError(.malformed, "SignedData has no SignerInfo") }
        self.certificates = certificates
        signers = try infos.map { try CMSSignerInfo($0, certificates: certificates) }
        self.der = der
        isBER = try contentInfo.encoded.count != der.count || !contentInfo.isDER()
    }

    /// Parses a CMS ContentInfo holding SignedData, in BER or DER. `.malformed` for anything
    /// else. A `certificateCache` shares parsed certificates across CMSs (a batch signed by one
    /// signer carries the same chain thousands of times).
    public static func parse(der: [UInt8], certificateCache: CertificateCache? = nil) throws -> CMSSignedData {
        try CryptoLibrary.require()
        return try CMSSignedData(der: der, certificateCache: certificateCache)
    }

    /// Checks the first SignerInfo (see `CMSSignerInfo.verify`) against a content digest made
    /// with its digest algorithm.
    public func verifySignature(contentDigest: [UInt8]) throws {
        try signers[0].verify(contentDigest: contentDigest, eContentType: contentType, content: encapsulatedContent.map { c in { c } })
    }

    /// Checks the first SignerInfo's ESS signing-certificate reference (see `CMSSignerInfo`).
    public func checkSigningCertificateReference(required: Bool) throws {
        try signers[0].checkSigningCertificateReference(required: required)
    }
}

/// Dotted OIDs this module reads.
enum ObjectIdentifiers {
    static let data = "1.2.840.113549.1.7.1"
    static let signedData = "1.2.840.113549.1.7.2"
    static let contentType = "1.2.840.113549.1.9.3"
    static let messageDigest = "1.2.840.113549.1.9.4"
    static let signingTime = "1.2.840.113549.1.9.5"
    static let signingCertificate = "1.2.840.113549.1.9.16.2.12"
    static let signingCertificateV2 = "1.2.840.113549.1.9.16.2.47"
    static let signatureTimeStampToken = "1.2.840.113549.1.9.16.2.14"
    static let tstInfo = "1.2.840.113549.1.9.16.1.4"
    static let sha1 = "1.3.14.3.2.26"
}

/// One CMS attribute: its type and values.
struct Attribute {
    let type: String
    let values: [DER.Node]

    init(_ node: DER.Node) throws {
        let parts = try node.expecting(DER.sequence, "Attribute").children()
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

extension Certificate {
    /// Whether this certificate is the one a SignerInfo's SID names: issuer name (compared as
    /// OpenSSL compares names, canonically) and serial number (as signed integers: a negative
    /// serial is not its magnitude), or subjectKeyIdentifier.
    func isNamed(byIssuer issuerDER: [UInt8], serial serialContent: [UInt8]) -> Bool {
        guard let serial = self.serialContent(), SerialNumber.minimal(serial) == SerialNumber.minimal(serialContent) else { return false }
        guard let name = try? OpenSSL.decode("an issuer name", issuerDER, free: X509_NAME_free, { d2i_X509_NAME(nil, $0, $1) }) else {
            return false
        }
        return X509_NAME_cmp(name.pointer, X509_get_issuer_name(x509)) == 0
    }

    /// RFC 4514 text of a DER Name.
    static func nameText(der: [UInt8]) throws -> String {
        let name = try OpenSSL.decode("a name", der, free: X509_NAME_free) { d2i_X509_NAME(nil, $0, $1) }
        return text(of: name.pointer)
    }

    /// The subjectKeyIdentifier extension's value, if present.
    var subjectKeyIdentifier: [UInt8]? {
        guard let identifier = X509_get0_subject_key_id(x509) else { return nil }
        return OpenSSL.bytes(of: identifier)
    }
}
