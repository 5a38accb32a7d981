/// Resource limits that keep hostile files from exhausting memory or time (DESIGN.md §10).
public struct PDFLimits: Sendable, Hashable {
    /// Deepest nesting of arrays and dictionaries.
    public var maxNestingDepth: Int
    /// Most objects a cross-reference table may declare.
    public var maxObjectCount: Int
    /// Most bytes one stream may decode to.
    public var maxDecodedBytesPerStream: Int
    /// Most bytes all streams of one document may decode to, together.
    public var maxDecodedBytesPerDocument: Int
    /// Longest chain of references to references before it counts as a cycle.
    public var maxReferenceChain: Int
    /// Most pages a page tree may hold (and most nodes a page-tree walk visits).
    public var maxPageTreeNodes: Int
    /// Most cross-reference sections a `/Prev` chain may hold.
    public var maxXrefSections: Int

    public init(maxNestingDepth: Int = 256, maxObjectCount: Int = 8_388_607,
                maxDecodedBytesPerStream: Int = 256 << 20, maxDecodedBytesPerDocument: Int = 1 << 30,
                maxReferenceChain: Int = 32, maxPageTreeNodes: Int = 1_000_000, maxXrefSections: Int = 10_000) {
        self.maxNestingDepth = maxNestingDepth
        self.maxObjectCount = maxObjectCount
        self.maxDecodedBytesPerStream = maxDecodedBytesPerStream
        self.maxDecodedBytesPerDocument = maxDecodedBytesPerDocument
        self.maxReferenceChain = maxReferenceChain
        self.maxPageTreeNodes = maxPageTreeNodes
        self.maxXrefSections = maxXrefSections
    }

    /// The defaults: generous for real documents, finite for hostile ones.
    public static let `default` = PDFLimits()
}
