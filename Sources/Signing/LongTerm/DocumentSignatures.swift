import Foundation
import CountersignCrypto
import PDFSyntax

/// The signatures and document timestamps a document already carries, read for extending it:
/// each one's `/Contents` (padded, as the /VRI key is computed over it), the CMS inside, and
/// the certificates a B-LT update needs data for — the signer's, and the timestamp authority's
/// of its signature timestamp or of the document timestamp itself.
struct DocumentSignatures {
    struct Entry {
        var field: String
        /// The `/Contents` string's bytes, zero padding included.
        var paddedContents: [UInt8]
        var cms: CMSSignedData
        var isDocumentTimestamp: Bool
        /// The certificate that signed (the signer's, or the TSA's for a document timestamp).
        var signer: Certificate?
        /// The TSA certificate of the signature's RFC 3161 signature timestamp, if any.
        var signatureTimestampAuthority: Certificate?
        /// The time a timestamp proves it existed (its signature timestamp's, or a document
        /// timestamp's own); nil without one.
        var provenAt: Date?
        /// Certificates the CMS and its timestamp token carry.
        var certificates: [Certificate]
    }

    var entries: [Entry] = []

    /// Reads every signed field of the newest revision. A signature whose CMS cannot be parsed
    /// is an error: validation data cannot be gathered for it, and extending would pretend to.
    init(_ document: PDFDocument) throws {
        for field in try document.formFields() where field.isSigned {
            guard case .dictionary(let dictionary) = try document.resolve(field.value ?? .null),
                  case .string(let contents)? = try document.resolve(dictionary, "Contents") else {
                throw SigningError(.badSignature, "the signature field '\(field.name)' has no /Contents string")
            }
            let padded = contents.bytes
            guard let length = BEREncoding.length(ofValueAtStartOf: padded), length <= padded.count else {
                throw SigningError(.badSignature, "the /Contents of '\(field.name)' does not start with a DER value")
            }
            let cms: CMSSignedData
            do {
                cms = try CMSSignedData.parse(der: Array(padded[..<length]))
            } catch {
                throw SigningError(.badSignature, "the CMS of '\(field.name)' cannot be read: \(error)")
            }
            let subFilter = try document.resolve(dictionary, "SubFilter")?.nameValue?.string
            let isTimestamp = subFilter == "ETSI.RFC3161"  // as verification decides: the contents' kind
            var certificates = cms.certificates
            var authority: Certificate?
            var provenAt: Date?
            if !isTimestamp, let tokenDER = cms.timestampToken, let token = try? TimestampToken.parse(der: tokenDER) {
                authority = token.tsaCertificate
                certificates += token.signedData.certificates
                provenAt = token.genTime
            } else if isTimestamp, let token = try? TimestampToken.parse(der: cms.der) {
                provenAt = token.genTime
            }
            entries.append(Entry(field: field.name, paddedContents: padded, cms: cms, isDocumentTimestamp: isTimestamp,
                                 signer: cms.signerCertificate, signatureTimestampAuthority: authority, provenAt: provenAt,
                                 certificates: certificates))
        }
    }
}

extension SigningError.Code {
    /// An existing signature cannot be read well enough to gather validation data for it.
    public static let badSignature = SigningError.Code("badSignature")
    /// The document carries no signature to extend.
    public static let nothingToExtend = SigningError.Code("nothingToExtend")
}
