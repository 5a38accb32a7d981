/// What `countersign inspect` reports about a PDF: structure, pages, fields, signatures, metadata.
///
/// Field names in JSON are part of the CLI's contract (docs/cli.md).
public struct InspectionReport: Sendable, Codable, Hashable {
    public struct Revision: Sendable, Codable, Hashable {
        public var index: Int
        public var startOffset: Int
        public var endOffset: Int
        public var xref: String
        public var xrefOffset: Int
        /// Objects this revision defines or frees, as "n g".
        public var objects: [String]
        public var freed: [String]
    }

    public struct PageSize: Sendable, Codable, Hashable {
        public var page: Int
        public var width: Double
        public var height: Double
        public var rotation: Int
    }

    public struct Field: Sendable, Codable, Hashable {
        public var name: String
        public var type: String
        public var page: Int?
        public var rect: [Double]?
        public var signed: Bool
        public var value: String?
    }

    public struct Signature: Sendable, Codable, Hashable {
        public var field: String
        public var subFilter: String?
        public var byteRange: [Int]?
        /// The revision whose end the byte range reaches (nil if it matches none).
        public var revision: Int?
        public var coversWholeFile: Bool
    }

    public struct TextOccurrence: Sendable, Codable, Hashable {
        public var page: Int
        public var rect: [Double]
    }

    public var file: String
    public var bytes: Int
    public var version: String
    public var revisions: [Revision]
    public var pages: Int
    public var pageSizes: [PageSize]
    public var fields: [Field]
    public var signatures: [Signature]
    public var metadata: [String: String]
    public var warnings: [String]
    public var reconstructed: Bool
    /// Present when `--find-text` was given.
    public var textMatches: [TextOccurrence]?
}
