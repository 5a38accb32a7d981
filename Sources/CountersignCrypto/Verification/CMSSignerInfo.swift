import Foundation

/// One SignerInfo of a CMS SignedData: who signed (SID and, when included, the certificate),
/// how (digest and signature algorithms), what (signed attributes, if any) and the unsigned
/// signature timestamps. `verify` checks the signature; nothing here decides trust.
public struct CMSSignerInfo: Sendable {
    /// A harmless deviation `verify` accepted.
    public enum Deviation: String, Sendable, Hashable {
        /// The signature is over the signed attributes as the signer encoded them (not DER,
        /// e.g. unsorted), not over their DER re-encoding; the values read are the same.
        case signedAttributesNotDER
    }

    public let version: Int
    public let identifier: CMSSignedData.SignerIdentifier
    /// The certificate the SID names, if the CMS includes it.
    public let certificate: Certificate?
    /// The digest algorithm (dotted OID) and the hash it is, if known.
    public let digestAlgorithmOID: String
    public let digestAlgorithm: HashAlgorithm?
    public let signatureAlgorithm: AlgorithmIdentifier
    public let signatureValue: [UInt8]
    /// The signed attributes, or nil when the SignerInfo has none (RFC 5652 §5.4: the
    /// signature is then over the content itself).
    public let signedAttributes: SignedAttributes?
    /// The DER of every signatureTimeStampToken value of the unsigned attributes, in order.
    public let timestampTokens: [[UInt8]]
    /// The unsigned attribute types (dotted OIDs), in encoded order.
    public let unsignedAttributeTypes: [String]

    /// The signed attributes re-encoded in DER with the SET OF tag — the bytes RFC 5652 signs —
    /// and, when the signer sent another encoding, those bytes with the same tag.
    private let signedAttributesDER: [UInt8]?
    private let signedAttributesAsSent: [UInt8]?

    init(_ node: DER.Node, certificates: [Certificate]) throws {
        var fields = try node.expecting(DER.sequence, "SignerInfo").children()[...]
        guard fields.count >= 5 else { throw CryptoError(.malformed, "a SignerInfo has \(fields.count) fields, not at least 5") }
        version = try DER.integerValue(fields.removeFirst())
        let sid = fields.removeFirst()
        switch sid.tag {
        case DER.sequence:
            let parts = try sid.children()
            guard parts.count == 2 else { throw CryptoError(.malformed, "IssuerAndSerialNumber is not (issuer, serial)") }
            let issuer = try parts[0].derEncoding()
            let serial = try parts[1].expecting(DER.integer, "serialNumber").primitiveContent()
            identifier = .issuerAndSerialNumber(issuer: Self.nameText(issuer), serialNumber: SerialNumber.text(serial))
            certificate = certificates.first { $0.isNamed(byIssuer: issuer, serial: serial) }
        case 0x80, 0xA0:  // [0] IMPLICIT SubjectKeyIdentifier (a constructed form only in BER)
            let keyIdentifier = try sid.primitiveContent()
            identifier = .subjectKeyIdentifier(keyIdentifier.hexString)
            certificate = certificates.first { $0.subjectKeyIdentifier == keyIdentifier }
        default:
            throw CryptoError(.malformed, "the SignerInfo's SID is neither IssuerAndSerialNumber nor subjectKeyIdentifier")
        }
        let digest = try AlgorithmIdentifier(fields.removeFirst())
        digestAlgorithmOID = digest.objectIdentifier
        digestAlgorithm = HashAlgorithm(objectIdentifier: digest.objectIdentifier)
        if fields.first?.tag == 0xA0 {
            let set = fields.removeFirst()
            let attributes = try set.children()
            signedAttributes = try SignedAttributes(attributes.map(Attribute.init))
            let der = DER.setOf(try attributes.map { try $0.derEncoding() })
            signedAttributesDER = der
            let sent = [DER.set] + Array(set.encoded.dropFirst())
            signedAttributesAsSent = sent == der ? nil : sent
        } else {
            signedAttributes = nil
            signedAttributesDER = nil
            signedAttributesAsSent = nil
        }
        signatureAlgorithm = try AlgorithmIdentifier(fields.removeFirst())
        let signature = fields.removeFirst()
        guard signature.tag & 0x1F == DER.octetString, signature.tag & 0xC0 == 0 else {
            throw CryptoError(.malformed, "the SignerInfo's signature is not an OCTET STRING")
        }
        signatureValue = try signature.primitiveContent()
        var tokens: [[UInt8]] = []
        var unsignedTypes: [String] = []
        if fields.first?.tag == 0xA1 {
            for attribute in try fields.removeFirst().children().map(Attribute.init) {
                unsignedTypes.append(attribute.type)
                if attribute.type == ObjectIdentifiers.signatureTimeStampToken {
                    tokens += attribute.values.map { Array($0.encoded) }
                }
            }
        }
        guard fields.isEmpty else { throw CryptoError(.malformed, "a SignerInfo has unexpected fields after its unsigned attributes") }
        timestampTokens = tokens
        unsignedAttributeTypes = unsignedTypes
    }

    /// The signature scheme, resolved from the signature and digest algorithms.
    public func scheme() throws -> SignatureScheme {
        try SignatureScheme.resolve(signatureAlgorithm, digest: digestAlgorithm)
    }

    /// Checks the signature. `contentDigest` is the digest of the signed content made with
    /// `digestAlgorithm`; `eContentType` the CMS's; `content` gives the content itself, which
    /// only pure EdDSA without signed attributes needs.
    ///
    /// With signed attributes: contentType must equal `eContentType`, messageDigest must equal
    /// `contentDigest`, and the signature must verify over the DER of the signed attributes
    /// (or, for a signer that sent another encoding, over the bytes it sent — the values read
    /// are the same either way). Without: the content type must be id-data and the signature
    /// must verify over the content (RFC 5652 §5.4, RFC 8419 §3).
    ///
    /// Returns the harmless deviations it accepted (empty for a conforming SignerInfo).
    @discardableResult
    public func verify(contentDigest: [UInt8], eContentType: String, content: (() -> [UInt8])? = nil) throws -> [Deviation] {
        if let signedAttributes {
            guard let messageDigest = signedAttributes.messageDigest else {
                throw CryptoError(.malformed, "the SignerInfo has no messageDigest signed attribute")
            }
            guard signedAttributes.contentType == eContentType else {
                throw CryptoError(.malformed, "the contentType signed attribute does not match eContentType \(eContentType)")
            }
            guard messageDigest.count == contentDigest.count,
                  zip(messageDigest, contentDigest).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
                throw CryptoError(.digestMismatch, "the signed messageDigest is not the digest of the content")
            }
        } else if eContentType != ObjectIdentifiers.data {
            throw CryptoError(.malformed, "a SignerInfo without signed attributes over content of type \(eContentType) (RFC 5652 §5.3 allows it only for id-data)")
        }
        let scheme = try scheme()
        guard let certificate else {
            throw CryptoError(.malformed, "the signer's certificate (\(identifier)) is not in the CMS")
        }
        guard let signedAttributesDER else {
            let valid: Bool
            switch scheme {
            case .ed25519, .ed448:
                guard let content else {
                    throw CryptoError(.invalidArgument, "an EdDSA signature without signed attributes is over the content itself, which was not given")
                }
                valid = try SignatureCheck.verify(signatureValue, message: content(), scheme: scheme, certificate: certificate)
            default:
                valid = try SignatureCheck.verify(signatureValue, digest: contentDigest, scheme: scheme, certificate: certificate)
            }
            guard valid else {
                throw CryptoError(.signatureInvalid, "the \(scheme) signature over the content does not verify with the signer's key")
            }
            return []
        }
        if try SignatureCheck.verify(signatureValue, message: signedAttributesDER, scheme: scheme, certificate: certificate) { return [] }
        if let signedAttributesAsSent,
           try SignatureCheck.verify(signatureValue, message: signedAttributesAsSent, scheme: scheme, certificate: certificate) {
            return [.signedAttributesNotDER]
        }
        throw CryptoError(.signatureInvalid, "the \(scheme) signature over the signed attributes does not verify with the signer's key")
    }

    /// Checks that the ESS signingCertificateV2 / signingCertificate attributes, when present,
    /// name the signer certificate first; `required` makes a missing attribute an error.
    public func checkSigningCertificateReference(required: Bool) throws {
        let lists = [signedAttributes?.signingCertificateV2, signedAttributes?.signingCertificate].compactMap { $0 }
        if lists.isEmpty {
            if required {
                throw CryptoError(.signingCertificateMismatch, "the ESS signing-certificate attribute is missing")
            }
            return
        }
        guard let certificate else {
            throw CryptoError(.malformed, "the signer's certificate (\(identifier)) is not in the CMS")
        }
        for references in lists {
            guard let first = references.first, try first.matches(certificate) else {
                throw CryptoError(.signingCertificateMismatch,
                                  "the ESS signing-certificate attribute does not name the signer's certificate")
            }
        }
    }

    private static func nameText(_ der: [UInt8]) -> String {
        (try? Certificate.nameText(der: der)) ?? der.hexString
    }
}
