/// A harmless deviation from ISO 32000 that strict reading accepts (DESIGN.md §7, "Strict means
/// precise, not brittle"): every mainstream reader resolves it the same way and it cannot give two
/// readings of the content. The document records it with where it is, so a report can show it.
///
/// The kinds, and why each is safe, are listed in docs/robustness.md ("Harmless deviations").
public struct PDFNote: Sendable, Hashable, CustomStringConvertible {
    /// What kind of deviation this is. Codes are stable; messages are for people.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A comment line (iText's `%iText-…`, say) between a trailer and its `startxref`, or
        /// between `startxref`, its offset and `%%EOF`.
        public static let commentInFileTrailer = Code("commentInFileTrailer")
        /// A `startxref` or `/Prev` offset that lands on whitespace just before `xref` (or before
        /// an xref stream's object header) instead of on it.
        public static let xrefOffsetOnWhitespace = Code("xrefOffsetOnWhitespace")
        /// The original document saved as a classic table plus an empty hybrid section whose
        /// `/XRefStm` stream lies in the table's bytes (Microsoft Word's layout), read as one revision.
        public static let hybridOriginal = Code("hybridOriginal")
        /// The page tree root's `/Count` differs from the pages its `/Kids` hold: viewers that
        /// trust `/Count` (pdfinfo, MuPDF) show another number of pages than those that walk.
        public static let pageCountMismatch = Code("pageCountMismatch")
        /// A reference names an object number whose entry has another generation: null by the
        /// standard, but some viewers (MuPDF) read the object anyway.
        public static let generationMismatch = Code("generationMismatch")
        /// The page tree's root has a `/Parent`: nothing is inherited from it here or by poppler,
        /// but MuPDF inherits from it, so the two can show different pages.
        public static let rootHasParent = Code("rootHasParent")
        /// An incremental update saved the same way — a classic table, then an empty hybrid
        /// section whose `/XRefStm` stream lies in the update (Adobe Acrobat's layout) — read as
        /// one revision.
        public static let hybridUpdate = Code("hybridUpdate")
        /// A hybrid section's cross-reference stream lists itself at another offset (Acrobat
        /// writes offset 0); the entry is ignored.
        public static let xrefStreamOwnEntryIgnored = Code("xrefStreamOwnEntryIgnored")
        /// A free xref entry with generation 65536 (one past the largest), which some producers
        /// write for the head of the free list.
        public static let freeGeneration65536 = Code("freeGeneration65536")
        /// A free entry of a cross-reference stream with a generation over 65535 (its field may be
        /// wider than a table's five digits), read as 65535.
        public static let freeGenerationOver65535 = Code("freeGenerationOver65535")
        /// An xref row ending in something other than a two-byte end of line (`\n` alone, `\r\r`, …).
        public static let xrefRowEndOfLine = Code("xrefRowEndOfLine")
        /// A later cross-reference section lists an object again at exactly the offset and
        /// generation already in force (same bytes, so the same object).
        public static let unchangedEntryRepeated = Code("unchangedEntryRepeated")
        /// A page dictionary written directly in a `/Kids` array instead of as an indirect object:
        /// invalid, but there is one page at one place, read the same by every reader.
        public static let directPageInKids = Code("directPageInKids")
        /// An AES-256 `/Encrypt` dictionary whose `/P` cannot be confirmed by its `/Perms` string
        /// (missing, undecryptable, or sealing other permissions): the narrower permissions are
        /// granted, so nothing is allowed that the file's author did not allow.
        public static let encryptionPermissionsUnconfirmed = Code("encryptionPermissionsUnconfirmed")
        /// Whitespace (spaces, line ends, NUL padding) after the last `%%EOF` and its end of line:
        /// bytes no signature covers, but they show nothing and belong to no revision.
        public static let whitespaceAfterEOF = Code("whitespaceAfterEOF")
        /// Comment lines (and whitespace) after the last `%%EOF`, none naming an object, a
        /// stream or a cross-reference: text no reader takes for PDF, as pyHanko and poppler agree.
        public static let commentAfterEOF = Code("commentAfterEOF")
        /// The `stream` keyword followed by a lone CR instead of CRLF or LF, with `/Length`
        /// (counted from after the CR) landing exactly on `endstream`.
        public static let streamKeywordLoneCR = Code("streamKeywordLoneCR")
    }

    public let code: Code
    /// The byte offset the deviation is at, when known.
    public let offset: Int?
    /// What the deviation is, in a sentence.
    public let message: String

    public init(_ code: Code, _ message: String, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String { offset.map { "\(message) (at byte offset \($0))" } ?? message }
}

/// An ambiguity — a deviation that readers can resolve differently, the stuff attacks are made
/// of — found inside one revision. Strict reading throws it; `.strictPerRevision` reading records
/// it here with the revision, so that a verifier can judge it per signature: inside a signed
/// revision the signer's own file is odd, after it something may have been changed.
public struct PDFAmbiguity: Sendable, Hashable, CustomStringConvertible {
    /// The revision (0-based, as `PDFDocument.revisions`) whose cross-reference section holds it.
    public let revision: Int
    public let error: PDFError

    public init(revision: Int, error: PDFError) {
        self.revision = revision
        self.error = error
    }

    public var description: String { "revision \(revision + 1): \(error)" }
}
