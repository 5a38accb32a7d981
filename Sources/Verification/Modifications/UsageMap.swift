import Foundation
import PDFSyntax

/// Where each object is used in one revision: the first path that reaches it from the pages,
/// then the rest of the catalog. Metadata (`/Metadata`, `/Info`) and the DSS are left out — they
/// do not change what is shown and are judged by their own rules — and so are back-references
/// (`/Parent`, `/P`). Numbers referenced but not defined are kept too: defining one later
/// changes what the signed revision shows without touching any object it had.
struct UsageMap {
    /// Object number → the first path that reaches it ("page 1 /Resources /XObject /Fm0").
    private(set) var paths: [Int: String] = [:]
    /// Numbers referenced at the revision but not defined there (they read as null).
    private(set) var undefined: Set<Int> = []

    func contains(_ number: Int) -> Bool { paths[number] != nil }

    /// Keys never followed: back-references, metadata, validation data.
    static let skippedKeys: Set<PDFName> = ["Parent", "P", "Metadata", "DSS", "Data"]

    /// Walks a revision's object graph once.
    static func build(_ document: PDFDocument, revision: Int) throws -> UsageMap {
        var map = UsageMap()
        var stack: [(PDFObject, String)] = []
        let catalog = try document.catalog(revision: revision)
        for (key, value) in catalog.entries.reversed() where !skippedKeys.contains(key) {
            stack.append((value, "catalog /\(key.string)"))
        }
        if let root = document.catalogReference(revision: revision) { map.paths[root.number] = "catalog" }
        for page in try document.pages(revision: revision).reversed() {
            stack.append((.reference(page.reference), "page \(page.number)"))
        }
        var visits = 0
        while let (object, path) = stack.popLast() {
            visits += 1
            guard visits <= document.limits.maxObjectCount else {
                throw PDFError(.limitExceeded, "the object graph of revision \(revision + 1) is too large to analyse")
            }
            var value = object
            if case .reference(let reference) = object {
                guard map.paths[reference.number] == nil else { continue }
                map.paths[reference.number] = path
                value = try document.object(reference, revision: revision)
                if value == .null { map.undefined.insert(reference.number) }
            }
            pushChildren(of: value, path: path, onto: &stack)
        }
        return map
    }

    /// Every object number reachable from `object` at a revision (skipping the same keys).
    static func closure(of object: PDFObject, in document: PDFDocument, revision: Int, limit: Int = 100_000) throws -> Set<Int> {
        var seen: Set<Int> = []
        var stack: [(PDFObject, String)] = [(object, "")]
        while let (current, _) = stack.popLast(), seen.count < limit {
            var value = current
            if case .reference(let reference) = current {
                guard seen.insert(reference.number).inserted else { continue }
                value = try document.object(reference, revision: revision)
            }
            pushChildren(of: value, path: "", onto: &stack)
        }
        return seen
    }

    private static func pushChildren(of value: PDFObject, path: String, onto stack: inout [(PDFObject, String)]) {
        let short = path.count > 160
        switch value {
        case .dictionary(let dictionary):
            for (key, child) in dictionary.entries.reversed() where !skippedKeys.contains(key) && child.mayHoldReferences {
                stack.append((child, short ? path : "\(path) /\(key.string)"))
            }
        case .stream(let stream):
            for (key, child) in stream.dictionary.entries.reversed() where !skippedKeys.contains(key) && child.mayHoldReferences {
                stack.append((child, short ? path : "\(path) /\(key.string)"))
            }
        case .array(let items):
            for (index, child) in items.enumerated().reversed() where child.mayHoldReferences {
                stack.append((child, short ? path : "\(path) [\(index)]"))
            }
        default:
            break
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
