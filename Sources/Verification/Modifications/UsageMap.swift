import Foundation
import PDFSyntax

/// Where each object is used in one revision: the first path that reaches it from the pages,
/// then the rest of the catalog and the trailer, and every place that refers to it. Metadata
/// (`/Metadata`, `/Info`), the DSS and extension declarations are left out — they do not change
/// what is shown and are judged by their own rules — and so are back-references (`/Parent`,
/// `/P`). Numbers referenced but not defined are kept too: defining one later changes what the
/// signed revision shows without touching any object it had.
struct UsageMap {
    /// One place that refers to an object: the indirect object holding the reference (nil for
    /// the trailer) and the key path inside it ("/AP /N", "[3]", "/Kids [0]").
    struct Use: Hashable {
        var holder: Int?
        var key: String

        /// The last component of the key path ("/N" of "/AP /N", "" for an array item).
        var lastKey: String { key.split(separator: " ").last(where: { $0.hasPrefix("/") }).map(String.init) ?? "" }
    }

    /// Object number → the first path that reaches it ("page 1 /Resources /XObject /Fm0").
    private(set) var paths: [Int: String] = [:]
    /// Object number → every reference to it, in the order met.
    private(set) var uses: [Int: [Use]] = [:]
    /// Numbers referenced at the revision but not defined there (they read as null).
    private(set) var undefined: Set<Int> = []

    func contains(_ number: Int) -> Bool { paths[number] != nil }

    /// Keys never followed: back-references, metadata, validation data, extension declarations.
    static let skippedKeys: Set<PDFName> = ["Parent", "P", "Metadata", "DSS", "Data", "Extensions"]
    /// Keys whose dictionary maps names the writer chose to objects (resource categories,
    /// appearance states): there `/P` or `/Data` is a font or a form like any other, and every
    /// entry is followed.
    static let nameMapKeys: Set<String> = ["/Font", "/XObject", "/ExtGState", "/ColorSpace", "/Pattern", "/Shading",
                                           "/Properties", "/N", "/D", "/R"]
    /// Trailer keys that are the file's structure or judged elsewhere, not content.
    static let structuralTrailerKeys: Set<PDFName> = [
        "Root", "Info", "Size", "Prev", "ID", "Encrypt", "XRefStm", "Type", "W", "Index", "Filter", "DecodeParms",
        "Length", "DL",
    ]

    private struct Item {
        var object: PDFObject
        var path: String
        /// The indirect object holding `object` and the key path inside it; nil holder at a root.
        var holder: Int?
        var key: String
        /// False for the walk's own starting points (pages listed in order), which are no use.
        var counts = true
        /// Whether `object` (or the object it refers to) is a name map (`nameMapKeys`).
        var isNameMap = false
    }

    /// Walks a revision's object graph once.
    static func build(_ document: PDFDocument, revision: Int) throws -> UsageMap {
        var map = UsageMap()
        var stack: [Item] = []
        let trailer = document.trailer(revision: revision)
        for (key, value) in trailer.entries.reversed() where !structuralTrailerKeys.contains(key) && value.mayHoldReferences {
            stack.append(Item(object: value, path: "trailer /\(key.string)", holder: nil, key: "/\(key.string)"))
        }
        let catalog = try document.catalog(revision: revision)
        let root = document.catalogReference(revision: revision)
        for (key, value) in catalog.entries.reversed() where !skippedKeys.contains(key) {
            stack.append(Item(object: value, path: "catalog /\(key.string)", holder: root?.number, key: "/\(key.string)"))
        }
        if let root {
            map.paths[root.number] = "catalog"
            map.uses[root.number] = [Use(holder: nil, key: "/Root")]
        }
        for page in try document.pages(revision: revision).reversed() {
            stack.append(Item(object: .reference(page.reference), path: "page \(page.number)", holder: nil, key: "",
                              counts: false))
        }
        var visits = 0
        // A page's, page tree node's, field's or widget's /Parent: followed after everything
        // else (a node the usual walk reaches keeps its usual path), because what a parent holds
        // is inherited — resources, boxes and rotation by pages (some viewers follow /Parent
        // rather than /Kids), values and flags by fields — so a parent only that link reaches
        // still decides what is shown.
        var parents: [Item] = []
        while let item = stack.popLast() ?? {
            stack = parents.reversed()
            parents = []
            return stack.popLast()
        }() {
            visits += 1
            guard visits <= document.limits.maxObjectCount else {
                throw PDFError(.limitExceeded, "the object graph of revision \(revision + 1) is too large to analyse")
            }
            var value = item.object
            var holder = item.holder
            var key = item.key
            if case .reference(let reference) = item.object {
                if item.counts { map.uses[reference.number, default: []].append(Use(holder: item.holder, key: item.key)) }
                guard map.paths[reference.number] == nil else { continue }
                map.paths[reference.number] = item.path
                value = try document.object(reference, revision: revision)
                if value == .null { map.undefined.insert(reference.number) }
                holder = reference.number
                key = ""
            }
            for (child, step) in children(of: value, followingEveryKey: item.isNameMap) {
                let path = item.path.count > 160 ? item.path : "\(item.path) \(step)"
                stack.append(Item(object: child, path: path, holder: holder, key: key.isEmpty ? step : "\(key) \(step)",
                                  isNameMap: nameMapKeys.contains(step)))
            }
            if !item.isNameMap, case .dictionary(let dictionary) = value, let parent = dictionary["Parent"],
               case .reference = parent, inheritsFromParent(dictionary) {
                let path = item.path.count > 160 ? item.path : "\(item.path) /Parent"
                parents.append(Item(object: parent, path: path, holder: holder, key: key.isEmpty ? "/Parent" : "\(key) /Parent"))
            }
        }
        return map
    }

    /// Whether a dictionary inherits from its /Parent: a page or page tree node, a field or a
    /// widget.
    private static func inheritsFromParent(_ dictionary: PDFDictionary) -> Bool {
        if let type = dictionary["Type"]?.nameValue, type == "Page" || type == "Pages" { return true }
        return dictionary["FT"] != nil || dictionary["T"] != nil || dictionary["Kids"] != nil
            || dictionary["Subtype"]?.nameValue == "Widget"
    }

    /// Every object number reachable from `object` at a revision (skipping the same keys).
    static func closure(of object: PDFObject, in document: PDFDocument, revision: Int, limit: Int = 100_000) throws -> Set<Int> {
        var seen: Set<Int> = []
        var stack: [(PDFObject, Bool)] = [(object, false)]
        while let (current, isNameMap) = stack.popLast(), seen.count < limit {
            var value = current
            if case .reference(let reference) = current {
                guard seen.insert(reference.number).inserted else { continue }
                value = try document.object(reference, revision: revision)
            }
            stack += children(of: value, followingEveryKey: isNameMap).map { ($0.0, nameMapKeys.contains($0.1)) }
        }
        return seen
    }

    /// The values inside `value` that may hold references, each with its key ("/Key" or "[i]").
    private static func children(of value: PDFObject, followingEveryKey: Bool = false) -> [(PDFObject, String)] {
        switch value {
        case .dictionary(let dictionary):
            dictionary.entries.reversed().filter { (followingEveryKey || !skippedKeys.contains($0.key)) && $0.value.mayHoldReferences }
                .map { ($0.value, "/\($0.key.string)") }
        case .stream(let stream):
            stream.dictionary.entries.reversed().filter { !skippedKeys.contains($0.key) && $0.value.mayHoldReferences }
                .map { ($0.value, "/\($0.key.string)") }
        case .array(let items):
            items.enumerated().reversed().filter { $0.element.mayHoldReferences }.map { ($0.element, "[\($0.offset)]") }
        default:
            []
        }
    }

    /// A change category for an object reached by `path`.
    static func kind(of path: String) -> String {
        if path.contains("/OC") || path.contains("OCProperties") { return "optional-content" }
        if path.hasPrefix("page "), let rest = path.split(separator: " ", maxSplits: 2).dropFirst(2).first,
           rest.hasPrefix("/Contents") { return "page-content" }
        if path.contains("/Annots") { return "annotation" }
        if let resources = path.range(of: "/Resources", options: .backwards) {
            // What the innermost resource dictionary holds it as.
            let rest = path[resources.upperBound...]
            if rest.hasPrefix(" /Font") { return "font" }
            if rest.hasPrefix(" /XObject") { return "xobject" }
            return "resources"
        }
        if path.contains("/AcroForm") { return "field" }
        if path.hasPrefix("page ") { return "page" }
        if path.hasPrefix("catalog /Pages") { return "page-tree" }
        if path.hasPrefix("catalog") { return "catalog" }
        return "object"
    }
}

extension PDFObject {
    /// Whether a value can contain references (scalars cannot).
    var mayHoldReferences: Bool {
        switch self {
        case .reference, .dictionary, .array, .stream: true
        default: false
        }
    }
}
