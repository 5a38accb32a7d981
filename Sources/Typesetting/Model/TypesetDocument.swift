public import PDFSyntax

/// A signature box as laid out: page and rectangle in PDF user space (points, origin bottom-left).
public struct PlacedSignature: Sendable, Hashable {
    public var role: String
    public var label: String
    public var required: Bool
    /// 1-based page number.
    public var page: Int
    public var x0: Double, y0: Double, x1: Double, y1: Double
}

/// A box a signer fills other than their signature (initials, date signed, text, checkbox,
/// dropdown) as laid out: page and rectangle in PDF user space.
public struct PlacedField: Sendable, Hashable {
    public var name: String
    public var kind: SignatureBox.Kind
    public var role: String
    public var required: Bool
    /// The label printed under the box, as bound (interpolated) for this document.
    public var label: String
    /// 1-based page number.
    public var page: Int
    public var x0: Double, y0: Double, x1: Double, y1: Double
}

/// A link area as laid out: page and rectangle in PDF user space.
public struct PlacedLink: Sendable, Hashable {
    public var url: String
    public var page: Int
    public var x0: Double, y0: Double, x1: Double, y1: Double
}

/// What the typesetter produced: the drawn pages as PDF objects and the facts the PDF layer
/// needs next (signature boxes, links).
public struct TypesetDocument: Sendable {
    /// The objects, for the finisher to extend and write once.
    package var file: PDFObjectFile
    public var pageCount: Int
    public var signatures: [PlacedSignature]
    /// The other boxes signers fill, where they were laid out.
    public var fields: [PlacedField] = []
    /// Link areas, for the PDF layer to turn into `/Link` annotations.
    public var links: [PlacedLink]
    /// Characters drawn as nothing because no shipped font has them (each once, in order of first
    /// use); empty unless the typesetter was told to allow them.
    public var missingCharacters: [Unicode.Scalar] = []

    /// The typeset file on its own (no form fields, no `/ID`): for appearances, the audit page
    /// and tests. Generated documents go through `DocumentFinisher` instead.
    public var pdf: [UInt8] { file.written() }

    /// The typeset objects as a source to copy from (`ObjectImporter`, `ObjectBundle`): a page
    /// enters another document without being written and parsed again.
    public var objects: PDFObjectTable { PDFObjectTable(objects: file.objects, pages: file.pages) }
}
