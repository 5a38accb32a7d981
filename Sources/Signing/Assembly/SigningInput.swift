public import PDFSyntax

/// A PDF read the way signing reads its input (DESIGN.md §7, "strict, not brittle"), for callers
/// that accept a document now and sign it later — an uploaded envelope document — so that what
/// is accepted is exactly what signing will accept.
///
/// Harmless deviations are kept (the bytes unchanged); an unsigned file whose structure is
/// ambiguous is rewritten cleanly (`document.bytes` is then the rewrite and `notices` says so);
/// a signed file with an ambiguous structure, an encrypted file or one no repair can read is
/// refused with the error signing would give.
public struct SigningInput: Sendable {
    /// The document signing would sign: the input itself, or its clean rewrite.
    public let document: PDFDocument
    /// What was done to the input before signing (empty when nothing was), for people.
    public let notices: [String]
    /// The signature fields that already carry a signature.
    public let signedFields: [String]

    /// Reads `bytes` as `PDFSigner` reads an input.
    public init(_ bytes: PDFBytes) throws {
        let prepared = try InputPreparation(bytes)
        document = prepared.document
        notices = prepared.notices
        signedFields = try prepared.document.formFields().filter(\.isSigned).map(\.name)
    }

    /// Whether the bytes to sign are the input's own (not a rewrite).
    public var keepsInput: Bool { notices.isEmpty }
}
