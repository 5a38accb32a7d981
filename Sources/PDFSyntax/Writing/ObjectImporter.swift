/// Copies objects from another document into an incremental update, renumbering them: how a
/// typeset page (an audit certificate page) enters a document. Forms drawn into many documents
/// (signature appearances) are copied once into an `ObjectBundle` instead.
public struct ObjectImporter {
    public let source: any PDFObjectSource
    private var mapping: [PDFReference: PDFReference] = [:]
    /// Keys not followed while copying (a page's `/Parent` would pull in the source's page tree).
    public var skippedKeys: Set<PDFName> = ["Parent", "P"]

    public init(source: any PDFObjectSource) { self.source = source }

    /// Copies `object` and everything it references into `update`; returns the copy, whose
    /// references point at the new objects.
    public mutating func importObject(_ object: PDFObject, into update: inout IncrementalUpdate) throws -> PDFObject {
        var pending: [(PDFReference, PDFReference)] = []
        let copy = rewrite(object, into: &update, pending: &pending)
        var index = 0
        while index < pending.count {
            let (original, target) = pending[index]
            index += 1
            let value = try source.sourceObject(original)
            update.set(target, rewrite(value, into: &update, pending: &pending))
            guard index <= source.maxCopiedObjects else {
                throw PDFError(.limitExceeded, "importing copies more than \(source.maxCopiedObjects) objects")
            }
        }
        return copy
    }

    /// Copies a page (content, resources, boxes) as a new page object whose parent is `parent`.
    public mutating func importPage(_ pageNumber: Int, parent: PDFReference,
                                    into update: inout IncrementalUpdate) throws -> PDFReference {
        let pages = try source.sourcePages()
        guard pageNumber >= 1, pageNumber <= pages.count else {
            throw PDFError(.invalidArgument, "page \(pageNumber) does not exist (the source has \(pages.count))")
        }
        let page = pages[pageNumber - 1]
        let content = try Self.content(of: page, in: source)
        let contentReference = update.add(.stream(PDFStream(dictionary: content.flate ? ["Filter": .name("FlateDecode")] : [:],
                                                            encodedData: content.encoded)))
        var dictionary: PDFDictionary = ["Type": .name("Page"), "Parent": .reference(parent),
                                         "MediaBox": page.mediaBox.pdfObject, "Contents": .reference(contentReference)]
        // Said even when they are the defaults: /CropBox and /Rotate are inherited, and the
        // tree the page joins may set them on a node above it (a turned scan's /Pages).
        dictionary["CropBox"] = page.cropBox.pdfObject
        dictionary["Rotate"] = .integer(page.rotation)
        if let resources = page.resources {
            dictionary["Resources"] = try importObject(.dictionary(resources), into: &update)
        }
        return update.add(.dictionary(dictionary))
    }

    /// A page's content as one stream's bytes, and whether they are Flate-encoded: a single
    /// content stream that is Flate-encoded (what cairo writes) or not filtered at all passes
    /// through as it is; anything else is decoded, joined and Flate-encoded.
    static func content(of page: PDFPage, in source: any PDFObjectSource) throws -> (encoded: [UInt8], flate: Bool) {
        if case .stream(let stream) = try source.sourceResolve(page.dictionary["Contents"] ?? .null),
           stream.dictionary["DecodeParms"] == nil {
            switch try source.sourceResolve(stream.dictionary["Filter"] ?? .null) {
            case .name("FlateDecode"): return (stream.encodedData, true)
            case .null: return (stream.encodedData, false)
            default: break
            }
        }
        return (try Flate.encode(try concatenatedContent(of: page, in: source)), true)
    }

    /// A page's content streams decoded and joined (a page may split its content over several).
    private static func concatenatedContent(of page: PDFPage, in source: any PDFObjectSource) throws -> [UInt8] {
        let contents = try source.sourceResolve(page.dictionary["Contents"] ?? .null)
        var streams: [PDFStream] = []
        switch contents {
        case .stream(let stream): streams = [stream]
        case .array(let items):
            for item in items {
                if case .stream(let stream) = try source.sourceResolve(item) { streams.append(stream) }
            }
        default: break
        }
        var data: [UInt8] = []
        for stream in streams {
            data += try source.sourceDecodedData(of: stream)
            data.append(0x0A)
        }
        return data
    }

    private mutating func rewrite(_ object: PDFObject, into update: inout IncrementalUpdate,
                                  pending: inout [(PDFReference, PDFReference)]) -> PDFObject {
        switch object {
        case .reference(let reference):
            if let mapped = mapping[reference] { return .reference(mapped) }
            let target = update.reserve()
            mapping[reference] = target
            pending.append((reference, target))
            return .reference(target)
        case .array(let items):
            return .array(items.map { rewrite($0, into: &update, pending: &pending) })
        case .dictionary(let dictionary):
            return .dictionary(rewrite(dictionary, into: &update, pending: &pending))
        case .stream(let stream):
            return .stream(PDFStream(dictionary: rewrite(stream.dictionary, into: &update, pending: &pending),
                                     encodedData: stream.encodedData))
        default:
            return object
        }
    }

    private mutating func rewrite(_ dictionary: PDFDictionary, into update: inout IncrementalUpdate,
                                  pending: inout [(PDFReference, PDFReference)]) -> PDFDictionary {
        var copy = PDFDictionary()
        for (key, value) in dictionary where !skippedKeys.contains(key) {
            copy[key] = rewrite(value, into: &update, pending: &pending)
        }
        return copy
    }
}
