/// Adobe's `adbe-revocationInfoArchival` signed attribute (OID 1.2.840.113583.1.1.8): the
/// CRLs and OCSP responses a signer embedded in its CMS (ISO 32000-2 §12.8.3.3.2).
///
///     RevocationInfoArchival ::= SEQUENCE {
///         crl          [0] EXPLICIT SEQUENCE OF CRLs OPTIONAL,
///         ocsp         [1] EXPLICIT SEQUENCE OF OCSPResponse OPTIONAL,
///         otherRevInfo [2] EXPLICIT SEQUENCE OF OtherRevInfo OPTIONAL }
public struct RevocationArchival: Sendable {
    public static let objectIdentifier = "1.2.840.113583.1.1.8"

    /// The DER of each archived CRL and OCSP response (unparsed: a broken one must not hide the others).
    public var crls: [[UInt8]] = []
    public var ocspResponses: [[UInt8]] = []

    /// Reads the attribute from a CMS ContentInfo's first signer's signed attributes; empty
    /// when it is absent. `.malformed` when the CMS or the attribute is not the DER it should be.
    public init(cms der: [UInt8]) throws {
        let contentInfo = try DER.parse(der[...]).expecting(DER.sequence, "ContentInfo").children()
        guard contentInfo.count == 2, let explicit = try contentInfo[1].children().first else {
            throw CryptoError(.malformed, "the CMS ContentInfo has no content")
        }
        let signedData = try explicit.expecting(DER.sequence, "SignedData").children()
        // version, digestAlgorithms, encapContentInfo, [0] certificates?, [1] crls?, signerInfos
        guard let signerInfos = try signedData.last?.expecting(DER.set, "signerInfos"),
              let signerInfo = try signerInfos.children().first?.expecting(DER.sequence, "SignerInfo") else { return }
        guard let attributes = try signerInfo.children().first(where: { $0.tag == 0xA0 }) else { return }
        for attribute in try attributes.children() {
            let parts = try attribute.expecting(DER.sequence, "Attribute").children()
            guard parts.count == 2, try DER.objectIdentifier(parts[0]) == Self.objectIdentifier else { continue }
            guard let value = try parts[1].expecting(DER.set, "attribute values").children().first else { continue }
            for item in try value.expecting(DER.sequence, "RevocationInfoArchival").children() {
                guard let list = try item.children().first else { continue }
                let elements = try list.expecting(DER.sequence, "revocation values").children().map { Array($0.encoded) }
                switch item.tag {
                case 0xA0: crls += elements
                case 0xA1: ocspResponses += elements
                default: break
                }
            }
        }
    }

    /// Nothing archived.
    public init() {}
}
