internal import COpenSSL
public import Foundation

/// The signed attributes a verifier looks at, as claimed (nothing here is checked).
public struct SignedAttributes: Sendable, Hashable {
    /// Every attribute type present (dotted OIDs), in encoded order.
    public let types: [String]
    /// The contentType attribute's value (dotted OID).
    public let contentType: String?
    public let messageDigest: [UInt8]?
    /// The CMS signingTime attribute (absent in PAdES signatures).
    public let signingTime: Date?
    /// ESS signingCertificateV2 (RFC 5035) references, first = the signer's.
    public let signingCertificateV2: [CertificateReference]?
    /// ESS signingCertificate (RFC 2634, SHA-1) references, first = the signer's.
    public let signingCertificate: [CertificateReference]?

    /// No attributes (a SignerInfo without signed attributes).
    init() {
        types = []
        contentType = nil
        messageDigest = nil
        signingTime = nil
        signingCertificateV2 = nil
        signingCertificate = nil
    }

    init(_ attributes: [Attribute]) throws {
        var types: [String] = []
        var contentType: String?
        var messageDigest: [UInt8]?
        var signingTime: Date?
        var essV2: [CertificateReference]?
        var essV1: [CertificateReference]?
        for attribute in attributes {
            let known = [ObjectIdentifiers.contentType, ObjectIdentifiers.messageDigest, ObjectIdentifiers.signingTime,
                         ObjectIdentifiers.signingCertificateV2, ObjectIdentifiers.signingCertificate]
            if known.contains(attribute.type) && types.contains(attribute.type) {
                throw CryptoError(.malformed, "the signed attribute \(attribute.type) appears twice")
            }
            types.append(attribute.type)
            switch attribute.type {
            case ObjectIdentifiers.contentType:
                contentType = try DER.objectIdentifier(try attribute.singleValue())
            case ObjectIdentifiers.messageDigest:
                messageDigest = try attribute.singleValue().expecting(DER.octetString, "messageDigest").primitiveContent()
            case ObjectIdentifiers.signingTime:
                signingTime = try Self.time(try attribute.singleValue())
            case ObjectIdentifiers.signingCertificateV2:
                essV2 = try CertificateReference.list(try attribute.singleValue(), version: 2)
            case ObjectIdentifiers.signingCertificate:
                essV1 = try CertificateReference.list(try attribute.singleValue(), version: 1)
            default:
                break
            }
        }
        self.types = types
        self.contentType = contentType
        self.messageDigest = messageDigest
        self.signingTime = signingTime
        signingCertificateV2 = essV2
        signingCertificate = essV1
    }

    private static func time(_ node: DER.Node) throws -> Date {
        let der = try node.derEncoding()
        let owned = try OpenSSL.decode("signingTime", der, free: OpenSSL.freeASN1Time) {
            OpaquePointer(d2i_ASN1_TIME(nil, $0, $1))
        }
        guard let date = OpenSSL.date(UnsafePointer<ASN1_TIME>(owned.pointer)) else {
            throw CryptoError(.malformed, "the signingTime attribute is not a valid time")
        }
        return date
    }
}

/// One ESS certificate reference (ESSCertID / ESSCertIDv2): a certificate's hash and,
/// optionally, its issuer and serial.
public struct CertificateReference: Sendable, Hashable {
    /// The hash algorithm (dotted OID; SHA-1 for ESS v1, default SHA-256 for v2).
    public let hashAlgorithmOID: String
    public let hash: [UInt8]
    /// The serial number from issuerSerial (hex), if present.
    public let serialNumber: String?
    /// DER of the issuer Name and serial INTEGER from issuerSerial, for matching.
    let issuerNameDER: [UInt8]?
    let serialDER: [UInt8]?

    /// Whether this reference names `certificate`: hash equal and, when present, issuer
    /// and serial equal.
    public func matches(_ certificate: Certificate) throws -> Bool {
        ERR_clear_error()
        guard let md = EVP_MD_fetch(nil, hashAlgorithmOID, nil) else {
            throw OpenSSL.failure("unknown ESS hash algorithm \(hashAlgorithmOID)", code: .unsupportedAlgorithm)
        }
        defer { EVP_MD_free(md) }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(certificate.x509, md, &digest, &length) == 1 else {
            throw OpenSSL.failure("cannot hash the certificate")
        }
        guard Array(digest.prefix(Int(length))) == hash else { return false }
        if let issuerNameDER, let serialDER {
            let (issuer, serial) = try certificate.issuerAndSerialDER()
            return issuer == issuerNameDER && serial == serialDER
        }
        return true
    }

    /// Parses SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies … }.
    static func list(_ node: DER.Node, version: Int) throws -> [CertificateReference] {
        let fields = try node.expecting(DER.sequence, "SigningCertificate").children()
        guard let certs = fields.first else { throw CryptoError(.malformed, "SigningCertificate has no certs") }
        let references = try certs.expecting(DER.sequence, "SigningCertificate certs").children().map {
            try CertificateReference($0, version: version)
        }
        guard !references.isEmpty else { throw CryptoError(.malformed, "SigningCertificate lists no certificate") }
        return references
    }

    /// ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash, issuerSerial OPTIONAL };
    /// ESSCertID ::= SEQUENCE { certHash (SHA-1), issuerSerial OPTIONAL }.
    private init(_ node: DER.Node, version: Int) throws {
        var fields = try node.expecting(DER.sequence, "ESSCertID").children()[...]
        var algorithm = version == 1 ? ObjectIdentifiers.sha1 : DigestAlgorithm.sha256.objectIdentifier
        if version == 2, let first = fields.first, first.tag == DER.sequence {
            guard let oid = try first.children().first else { throw CryptoError(.malformed, "empty hashAlgorithm") }
            algorithm = try DER.objectIdentifier(oid)
            fields = fields.dropFirst()
        }
        guard let hash = fields.first else { throw CryptoError(.malformed, "ESSCertID has no certHash") }
        hashAlgorithmOID = algorithm
        self.hash = Array(try hash.expecting(DER.octetString, "certHash").content)
        fields = fields.dropFirst()
        if let issuerSerial = fields.first {
            let parts = try issuerSerial.expecting(DER.sequence, "IssuerSerial").children()
            guard parts.count == 2 else { throw CryptoError(.malformed, "IssuerSerial is not (issuer, serial)") }
            let names = try parts[0].expecting(DER.sequence, "GeneralNames").children()
            // directoryName [4] EXPLICIT Name
            guard names.count == 1, names[0].tag == 0xA4, let name = try names[0].children().first else {
                throw CryptoError(.malformed, "IssuerSerial's issuer is not one directoryName")
            }
            let serial = try parts[1].expecting(DER.integer, "IssuerSerial serial")
            issuerNameDER = Array(name.encoded)
            serialDER = Array(serial.encoded)
            serialNumber = SerialNumber.text(serial.content)
        } else {
            issuerNameDER = nil
            serialDER = nil
            serialNumber = nil
        }
    }
}
