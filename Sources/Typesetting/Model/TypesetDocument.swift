/// A signature box as laid out: page and rectangle in PDF user space (points, origin bottom-left).
public struct PlacedSignature: Sendable, Hashable {
    public var role: String
    public var label: String
    public var required: Bool
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

/// What the typesetter produced: cairo's PDF bytes and the facts the PDF layer needs next.
public struct TypesetDocument: Sendable {
    public var pdf: [UInt8]
    public var pageCount: Int
    public var signatures: [PlacedSignature]
    /// Link areas, for the PDF layer to turn into `/Link` annotations.
    public var links: [PlacedLink]
}
