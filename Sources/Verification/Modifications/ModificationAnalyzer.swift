import PDFSyntax

/// What a signature permits in the revisions after it (ISO 32000-2 §12.8.2).
struct ModificationPolicy: Sendable, Hashable {
    /// DocMDP permissions of a certification signature in force (1 nothing, 2 form filling and
    /// signing, 3 also annotations), or nil without one.
    var docMDP: Int?
    /// Field names locked by FieldMDP, with the field that locked them.
    var lockedFields: [String: String] = [:]

    var allowsSigning: Bool { docMDP != 1 }
    var allowsFormFilling: Bool { docMDP != 1 }
    var allowsAnnotations: Bool { docMDP == 3 }
}

/// Step 5 of DESIGN.md §7: modification analysis on the strict revision diff. Each step from a
/// revision to the next is analysed once: every object the step adds, changes or frees must be
/// explained by an allowed rule (new signature, form filling as permitted, validation data,
/// metadata), and everything else is a disallowed change, named with its object number and
/// where it is used.
final class ModificationAnalyzer {
    let document: PDFDocument
    private var usageCache: [Int: UsageMap] = [:]
    private var fieldCache: [Int: FieldMap] = [:]

    init(document: PDFDocument) { self.document = document }

    func usage(_ revision: Int) throws -> UsageMap {
        if let cached = usageCache[revision] { return cached }
        let map = try UsageMap.build(document, revision: revision)
        usageCache[revision] = map
        return map
    }

    func fields(_ revision: Int) throws -> FieldMap {
        if let cached = fieldCache[revision] { return cached }
        let map = try FieldMap.build(document, revision: revision)
        fieldCache[revision] = map
        return map
    }

    /// The changes revision `from + 1` makes to revision `from` (0-based indexes).
    func analyze(step from: Int, policy: ModificationPolicy) throws -> [Modification] {
        let diff = try document.diff(from: from, to: from + 1)
        guard !diff.isEmpty else { return [] }
        var step = Step(analyzer: self, from: from, policy: policy, diff: diff)
        try step.run()
        return step.findings
    }
}

/// The state of one step's analysis.
struct Step {
    enum Change { case added, changed, freed }

    let analyzer: ModificationAnalyzer
    let document: PDFDocument
    let old: Int
    let new: Int
    let policy: ModificationPolicy
    var touched: [Int: (reference: PDFReference, change: Change)] = [:]
    var explained: Set<Int> = []
    var findings: [Modification] = []
    var comparator: ValueComparator
    /// Objects a rule allowed to change in place (or to be defined), with what it allowed them
    /// as and in which contexts; `checkUses` holds every old use of them to those contexts.
    var contexts: [Int: (what: String, contexts: [UseContext])] = [:]

    init(analyzer: ModificationAnalyzer, from: Int, policy: ModificationPolicy, diff: RevisionDiff) {
        self.analyzer = analyzer
        document = analyzer.document
        old = from
        new = from + 1
        self.policy = policy
        comparator = ValueComparator(document: analyzer.document, old: from, new: from + 1)
        for reference in diff.added { touched[reference.number] = (reference, .added) }
        for reference in diff.changed { touched[reference.number] = (reference, .changed) }
        for reference in diff.freed { touched[reference.number] = (reference, .freed) }
    }

    var oldUsage: UsageMap { get throws { try analyzer.usage(old) } }

    // MARK: Recording

    func label(_ number: Int) -> String {
        if let reference = touched[number]?.reference { return "\(reference.number) \(reference.generation)" }
        if let entry = document.entry(for: number, revision: new) { return "\(number) \(entry.generation)" }
        return "\(number) 0"
    }

    mutating func allow(_ number: Int?, _ kind: String, _ description: String) {
        if let number { explained.insert(number) }
        findings.append(Modification(revision: new + 1, object: number.map(label) ?? "trailer", kind: kind, allowed: true,
                                     description: description))
    }

    mutating func deny(_ number: Int?, _ kind: String, _ description: String) {
        if let number { explained.insert(number) }
        findings.append(Modification(revision: new + 1, object: number.map(label) ?? "trailer", kind: kind, allowed: false,
                                     description: description))
    }

    func isTouched(_ number: Int) -> Bool { touched[number] != nil }

    /// Explains the touched objects reachable from `object` that nobody used at the old revision
    /// (new objects belonging to something allowed). Returns how many it explained.
    @discardableResult
    mutating func explainNew(reachableFrom object: PDFObject?) throws -> Int {
        guard let object, object.mayHoldReferences else { return 0 }
        let usage = try oldUsage
        var count = 0
        for number in try UsageMap.closure(of: object, in: document, revision: new)
        where isTouched(number) && !usage.contains(number) && !explained.contains(number) {
            explained.insert(number)
            count += 1
        }
        return count
    }

    // MARK: The rules

    mutating func run() throws {
        explainStructure()
        try checkTrailer()
        try checkCatalog()
        try checkForm()
        try checkPages()
        // New objects that compared equal to the old objects they replace are rewrites.
        let usage = try oldUsage
        for number in comparator.matched where isTouched(number) && !usage.contains(number) { explained.insert(number) }
        try checkUses()
        try checkRest()
    }

    /// Cross-reference streams and object streams of the new revision are containers, not content.
    private mutating func explainStructure() {
        let usage = try? oldUsage
        for section in document.revisions[new].sections {
            var containers: Set<Int> = []
            for number in section.objectNumbers {
                switch section.entry(for: number) {
                case .inUse(let offset, _)? where offset == section.offset || offset == section.xrefStreamOffset:
                    containers.insert(number)
                case .compressed(let stream, _)?:
                    containers.insert(stream)
                default:
                    break
                }
            }
            for number in containers where usage?.contains(number) != true { explained.insert(number) }
        }
    }

    private mutating func checkTrailer() throws {
        let before = document.trailer(revision: old)
        let after = document.trailer(revision: new)
        // A catalog rewritten as another object is judged key by key with the catalog; the object
        // must not have been anything else when signed.
        if let root = after["Root"]?.referenceValue, before["Root"] != after["Root"] {
            accept(root.number, as: "the document catalog", in: .root)
        }
        if let info = after["Info"]?.referenceValue, isTouched(info.number) || before["Info"] != after["Info"],
           !(try oldUsage.contains(info.number)) {
            allow(info.number, "metadata", "document information (/Info) updated")
            try explainNew(reachableFrom: after["Info"])
        }
    }

    private mutating func checkCatalog() throws {
        let before = try document.catalog(revision: old)
        let after = try document.catalog(revision: new)
        let number = document.catalogReference(revision: new)?.number
        if number.map(isTouched) == true || document.catalogReference(revision: old) != document.catalogReference(revision: new) {
            for key in Set(before.keys).union(after.keys).sorted() where !(try comparator.same(before[key], after[key])) {
                let change = before[key] == nil ? "added" : after[key] == nil ? "removed" : "changed"
                switch key.string {
                case "AcroForm":
                    break  // checkForm
                case "DSS":
                    allow(number, "dss", try dssChange(fallback: "document security store (/DSS) \(change)"))
                case "Metadata", "Version", "Extensions":
                    allow(number, "metadata", "catalog /\(key.string) \(change)")
                    try explainNew(reachableFrom: after[key])
                case "OCProperties":
                    deny(number, "optional-content",
                         "catalog /OCProperties \(change): optional content decides what is shown (shadow attack)")
                case "Pages":
                    deny(number, "page-tree", "catalog /Pages \(change): the page tree was replaced")
                case "Perms":
                    deny(number, "catalog", "catalog /Perms \(change) after signing: certification permissions are fixed when certifying")
                default:
                    deny(number, "catalog", "catalog /\(key.string) \(change)")
                }
            }
            if let number { explained.insert(number) }
            // The catalog it replaced, once nothing uses it any more.
            if let previous = document.catalogReference(revision: old)?.number, previous != number, isTouched(previous),
               try !analyzer.usage(new).contains(previous) {
                allow(previous, "catalog", "the catalog was rewritten as object \(number.map(label) ?? "?")")
            }
        }
        // Extension declarations (ISO 32000-2 §7.12) say which features the file uses; they may
        // be updated, also when indirect, as long as nothing else uses what changed.
        if let extensions = after["Extensions"], try explainNew(reachableFrom: extensions) > 0, number.map(isTouched) != true {
            allow(extensions.referenceValue?.number, "metadata", "extension declarations (/Extensions) updated")
        }
        if let dss = after["DSS"] {
            let count = try explainNew(reachableFrom: dss)
            if let reference = dss.referenceValue, isTouched(reference.number), !explained.contains(reference.number) {
                allow(reference.number, "dss", try dssChange(fallback: "document security store (/DSS) updated"))
            } else if count > 0, number.map(isTouched) != true {
                allow(nil, "dss", try dssChange(fallback: "validation data added to the document security store"))
            }
        }
        if let metadata = after["Metadata"]?.referenceValue, isTouched(metadata.number),
           !(try oldUsage.contains(metadata.number)) {
            allow(metadata.number, "metadata", "XMP metadata updated")
        }
    }

    /// What the update did to the document security store, by kind of entry: "validation data
    /// added to the document security store (1 certificate, 2 OCSP responses)", and what it
    /// removed (the verifier still reads removed entries from the earlier revision).
    private func dssChange(fallback: String) throws -> String {
        func entries(_ revision: Int) throws -> [String: Set<PDFReference>] {
            guard let dss = try document.resolve(try document.catalog(revision: revision), "DSS", revision: revision)?.dictionaryValue else {
                return [:]
            }
            var found: [String: Set<PDFReference>] = [:]
            for key in ["Certs", "OCSPs", "CRLs"] {
                found[key] = Set(try document.resolve(dss, PDFName(key), revision: revision)?.arrayValue?.compactMap(\.referenceValue) ?? [])
            }
            return found
        }
        let before = try entries(old), after = try entries(new)
        func counted(_ sets: (String) -> Set<PDFReference>) -> String {
            [("Certs", "certificate"), ("OCSPs", "OCSP response"), ("CRLs", "CRL")].compactMap { key, noun in
                let count = sets(key).count
                return count == 0 ? nil : "\(count) \(noun)\(count == 1 ? "" : "s")"
            }.joined(separator: ", ")
        }
        let added = counted { after[$0, default: []].subtracting(before[$0, default: []]) }
        let removed = counted { before[$0, default: []].subtracting(after[$0, default: []]) }
        if !before.isEmpty, after.isEmpty {
            return "document security store (/DSS) removed\(removed.isEmpty ? "" : " (\(removed))"); the earlier revision's data still counts"
        }
        var parts: [String] = []
        if !added.isEmpty { parts.append("validation data added to the document security store (\(added))") }
        if !removed.isEmpty {
            parts.append("validation data removed from the document security store (\(removed)); "
                         + "the earlier revision's still counts")
        }
        return parts.isEmpty ? fallback : parts.joined(separator: "; ")
    }

    /// Whatever no rule explained is disallowed, described by where it is used.
    private mutating func checkRest() throws {
        for (number, entry) in touched.sorted(by: { $0.key < $1.key }) where !explained.contains(number) {
            let usage = try oldUsage
            let object = "\(entry.reference.number) \(entry.reference.generation)"
            switch entry.change {
            case .freed:
                if let path = usage.paths[number] {
                    deny(number, UsageMap.kind(of: path), "object \(object), used as \(path) when signed, was deleted")
                } else {
                    allow(number, "unreferenced", "object \(object), used by nothing, was deleted")
                }
            case .added:
                if let path = usage.paths[number] {
                    deny(number, UsageMap.kind(of: path),
                         "object \(object) was referenced from \(path) but undefined when signed; defining it now changes what was signed")
                } else if let path = try analyzer.usage(new).paths[number] {
                    deny(number, UsageMap.kind(of: path),
                         "new object \(object), used as \(path), is not part of a signature, form filling or validation data")
                } else {
                    allow(number, "unreferenced", "new object \(object) is used by nothing")
                }
            case .changed:
                if let path = usage.paths[number] {
                    deny(number, UsageMap.kind(of: path), "object \(object) (\(path)) changed")
                } else if let path = try analyzer.usage(new).paths[number] {
                    deny(number, UsageMap.kind(of: path),
                         "object \(object), used by nothing when signed, changed and is now used as \(path)")
                } else {
                    allow(number, "unreferenced", "object \(object), used by nothing, changed")
                }
            }
        }
    }
}
