/// Where `ObjectImporter` and `ObjectBundle` copy objects from: a parsed document, or objects
/// still held in memory before anything was written (`PDFObjectTable` — a typeset appearance or
/// audit page goes straight into a signature's update without a write and a parse).
public protocol PDFObjectSource: AnyObject {
    /// The object `reference` names (`null` when the source does not define it).
    func sourceObject(_ reference: PDFReference) throws -> PDFObject
    /// The pages, in order, with inherited attributes applied.
    func sourcePages() throws -> [PDFPage]
    /// A stream's bytes with its filters undone.
    func sourceDecodedData(of stream: PDFStream) throws -> [UInt8]
    /// The most objects one copy may pull in.
    var maxCopiedObjects: Int { get }
    /// `object` with references followed to a direct object.
    func sourceResolve(_ object: PDFObject) throws -> PDFObject
}

extension PDFObjectSource {
    /// `object` with a top-level reference followed (one level: sources built in memory have no chains).
    public func sourceResolve(_ object: PDFObject) throws -> PDFObject {
        guard case .reference(let reference) = object else { return object }
        return try sourceObject(reference)
    }
}

extension PDFDocument: PDFObjectSource {
    public func sourceObject(_ reference: PDFReference) throws -> PDFObject { try resolve(.reference(reference)) }
    public func sourcePages() throws -> [PDFPage] { try pages() }
    public func sourceDecodedData(of stream: PDFStream) throws -> [UInt8] { try decodedData(of: stream) }
    public var maxCopiedObjects: Int { limits.maxObjectCount }
    public func sourceResolve(_ object: PDFObject) throws -> PDFObject { try resolve(object) }
}

/// Numbered objects held in memory with their page list: what a producer made before writing it.
public final class PDFObjectTable: PDFObjectSource, Sendable {
    private let objects: [PDFReference: PDFObject]
    private let pageReferences: [PDFReference]
    private let limits: PDFLimits

    /// `pages` are page dictionaries among `objects`, in order; each carries its own
    /// `/MediaBox` and `/Resources` (nothing is inherited from a page tree).
    public init(objects: [PDFReference: PDFObject], pages: [PDFReference], limits: PDFLimits = .default) {
        self.objects = objects
        self.pageReferences = pages
        self.limits = limits
    }

    public func sourceObject(_ reference: PDFReference) throws -> PDFObject { objects[reference] ?? .null }

    public func sourcePages() throws -> [PDFPage] {
        try pageReferences.enumerated().map { index, reference in
            guard case .dictionary(let dictionary) = objects[reference] ?? .null else {
                throw PDFError(.badPageTree, "page \(index + 1) is not a dictionary", object: reference)
            }
            guard let mediaBox = PDFRect(try sourceResolve(dictionary["MediaBox"] ?? .null)) else {
                throw PDFError(.badPageTree, "page \(index + 1) has no /MediaBox", object: reference)
            }
            let cropBox = PDFRect(try sourceResolve(dictionary["CropBox"] ?? .null)) ?? mediaBox
            let resources: PDFDictionary?
            if case .dictionary(let value) = try sourceResolve(dictionary["Resources"] ?? .null) { resources = value } else { resources = nil }
            let rotation = (try sourceResolve(dictionary["Rotate"] ?? .null)).intValue ?? 0
            return PDFPage(number: index + 1, reference: reference, dictionary: dictionary, mediaBox: mediaBox,
                           cropBox: cropBox, rotation: rotation, resources: resources)
        }
    }

    public func sourceDecodedData(of stream: PDFStream) throws -> [UInt8] {
        let filter = try stream.dictionary["Filter"].map { try sourceResolve($0) }
        let parms = try (stream.dictionary["DecodeParms"] ?? stream.dictionary["DP"]).map { try sourceResolve($0) }
        return try StreamDecoder.decode(stream.encodedData, filter: filter, decodeParms: parms,
                                        maxOutput: limits.maxDecodedBytesPerStream, tolerant: false)
    }

    public var maxCopiedObjects: Int { limits.maxObjectCount }
}
