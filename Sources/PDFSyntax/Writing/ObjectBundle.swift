/// Objects copied out of a document once and added to any number of incremental updates, each
/// time under fresh numbers: content drawn once and placed in many files (a signature
/// appearance shared by a batch). Adding a bundle renumbers references; stream data is shared,
/// never copied or re-encoded.
public struct ObjectBundle: Sendable {
    /// The objects; a reference inside one points at `objects[number - 1]`.
    private var objects: [PDFObject] = []
    /// Where each source object landed, for the document currently being copied from.
    private var copied: [PDFReference: PDFReference] = [:]
    private var copiedFrom: ObjectIdentifier?

    public init() {}

    /// The number of objects in the bundle.
    public var count: Int { objects.count }

    /// Adds an object whose references (if any) are bundle references; returns its reference.
    public mutating func add(_ object: PDFObject) -> PDFReference {
        objects.append(object)
        return PDFReference(objects.count)
    }

    /// Copies `object` and everything it references from `source` into the bundle; returns the
    /// copy, whose references are bundle references. Objects already copied from `source` are shared.
    public mutating func copy(_ object: PDFObject, from source: any PDFObjectSource, skipping skipped: Set<PDFName> = ["Parent", "P"]) throws -> PDFObject {
        if copiedFrom != ObjectIdentifier(source) {
            copied.removeAll()
            copiedFrom = ObjectIdentifier(source)
        }
        var pending: [(PDFReference, PDFReference)] = []
        let result = rewrite(object, skipping: skipped, pending: &pending)
        var index = 0
        while index < pending.count {
            let (original, target) = pending[index]
            index += 1
            objects[target.number - 1] = rewrite(try source.sourceObject(original), skipping: skipped, pending: &pending)
            guard index <= source.maxCopiedObjects else {
                throw PDFError(.limitExceeded, "copying more than \(source.maxCopiedObjects) objects")
            }
        }
        return result
    }

    /// Copies a page of `source` as a Form XObject (content and resources; `/BBox` is the media
    /// box) and returns its bundle reference.
    public mutating func copyPageAsForm(_ pageNumber: Int, from source: any PDFObjectSource) throws -> PDFReference {
        let pages = try source.sourcePages()
        guard pageNumber >= 1, pageNumber <= pages.count else {
            throw PDFError(.invalidArgument, "page \(pageNumber) does not exist (the source has \(pages.count))")
        }
        let page = pages[pageNumber - 1]
        var dictionary: PDFDictionary = ["Type": .name("XObject"), "Subtype": .name("Form"), "BBox": page.mediaBox.pdfObject]
        let content = try ObjectImporter.content(of: page, in: source)
        if content.flate { dictionary["Filter"] = .name("FlateDecode") }
        if let resources = page.resources {
            dictionary["Resources"] = try copy(.dictionary(resources), from: source)
        }
        return add(.stream(PDFStream(dictionary: dictionary, encodedData: content.encoded)))
    }

    /// Adds every object to `update` under fresh numbers; returns the map from bundle references
    /// to the new ones.
    public func add(into update: inout IncrementalUpdate) -> [PDFReference] {
        let targets = objects.indices.map { _ in update.reserve() }
        for (index, object) in objects.enumerated() {
            update.set(targets[index], Self.renumber(object, targets))
        }
        return targets
    }

    /// `object` with bundle references replaced by `targets[number - 1]`.
    public static func renumber(_ object: PDFObject, _ targets: [PDFReference]) -> PDFObject {
        switch object {
        case .reference(let reference): return .reference(targets[reference.number - 1])
        case .array(let items): return .array(items.map { renumber($0, targets) })
        case .dictionary(let dictionary): return .dictionary(renumber(dictionary, targets))
        case .stream(let stream):
            return .stream(PDFStream(dictionary: renumber(stream.dictionary, targets), encodedData: stream.encodedData))
        default: return object
        }
    }

    private static func renumber(_ dictionary: PDFDictionary, _ targets: [PDFReference]) -> PDFDictionary {
        var copy = PDFDictionary()
        for (key, value) in dictionary { copy[key] = renumber(value, targets) }
        return copy
    }

    private mutating func rewrite(_ object: PDFObject, skipping skipped: Set<PDFName>,
                                  pending: inout [(PDFReference, PDFReference)]) -> PDFObject {
        switch object {
        case .reference(let reference):
            if let mapped = copied[reference] { return .reference(mapped) }
            let target = add(.null)
            copied[reference] = target
            pending.append((reference, target))
            return .reference(target)
        case .array(let items):
            return .array(items.map { rewrite($0, skipping: skipped, pending: &pending) })
        case .dictionary(let dictionary):
            return .dictionary(rewrite(dictionary, skipping: skipped, pending: &pending))
        case .stream(let stream):
            return .stream(PDFStream(dictionary: rewrite(stream.dictionary, skipping: skipped, pending: &pending),
                                     encodedData: stream.encodedData))
        default:
            return object
        }
    }

    private mutating func rewrite(_ dictionary: PDFDictionary, skipping skipped: Set<PDFName>,
                                  pending: inout [(PDFReference, PDFReference)]) -> PDFDictionary {
        var copy = PDFDictionary()
        for (key, value) in dictionary where !skipped.contains(key) {
            copy[key] = rewrite(value, skipping: skipped, pending: &pending)
        }
        return copy
    }
}
