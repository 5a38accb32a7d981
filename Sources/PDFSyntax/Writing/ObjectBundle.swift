/// Objects copied out of a document once and added to any number of incremental updates, each
/// time under fresh numbers: content drawn once and placed in many files (a signature
/// appearance shared by a batch). Adding a bundle renumbers references; stream data is shared,
/// never copied or re-encoded.
public struct ObjectBundle: Sendable {
    /// The objects; a reference inside one points at `objects[number - 1]`.
    private var objects: [PDFObject] = []

    public init() {}

    /// The number of objects in the bundle.
    public var count: Int { objects.count }

    /// Adds an object whose references (if any) are bundle references; returns its reference.
    public mutating func add(_ object: PDFObject) -> PDFReference {
        objects.append(object)
        return PDFReference(objects.count)
    }

    /// Copies `object` and everything it references from `source` into the bundle; returns the
    /// copy, whose references are bundle references. An object `object` reaches by several paths
    /// is copied once.
    ///
    /// Nothing is remembered between calls: a source is known only by its identity, and an
    /// identity can be reused by a new source once the old one is freed.
    public mutating func copy(_ object: PDFObject, from source: any PDFObjectSource, skipping skipped: Set<PDFName> = ["Parent", "P"]) throws -> PDFObject {
        var state = CopyState()
        let result = rewrite(object, skipping: skipped, state: &state)
        var index = 0
        while index < state.pending.count {
            let (original, target) = state.pending[index]
            index += 1
            objects[target.number - 1] = rewrite(try source.sourceObject(original), skipping: skipped, state: &state)
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

    /// Makes the fonts `form` names in its `/Resources` share the equal fonts `other` names (same
    /// object trees, stream bytes included), then drops the objects no longer reachable from
    /// `roots`. Returns the roots' new references, in order. Two forms typeset separately with the
    /// same font subset then carry that font once.
    public mutating func shareFonts(of form: PDFReference, with other: PDFReference,
                                    keeping roots: [PDFReference]) -> [PDFReference] {
        if case .stream(var stream) = objects[form.number - 1],
           case .dictionary(var resources)? = stream.dictionary["Resources"],
           case .dictionary(var fonts)? = resources["Font"],
           case .stream(let otherStream) = objects[other.number - 1],
           case .dictionary(let otherFonts)? = otherStream.dictionary["Resources"]?.dictionaryValue?["Font"] {
            let candidates = otherFonts.entries.compactMap { $0.value.referenceValue }
            for (name, value) in fonts.entries {
                guard case .reference(let font) = value,
                      let equal = candidates.first(where: { sameTree(.reference(font), .reference($0)) }) else { continue }
                fonts[name] = .reference(equal)
            }
            resources["Font"] = .dictionary(fonts)
            stream.dictionary["Resources"] = .dictionary(resources)
            objects[form.number - 1] = .stream(stream)
        }
        return keepReachable(from: roots)
    }

    /// Whether two objects are equal once references are followed (within the bundle).
    private func sameTree(_ a: PDFObject, _ b: PDFObject) -> Bool {
        var assumed: Set<[Int]> = []  // pairs under comparison: a cycle compares equal
        func same(_ a: PDFObject, _ b: PDFObject) -> Bool {
            switch (a, b) {
            case (.reference(let x), .reference(let y)):
                if x == y || !assumed.insert([x.number, y.number]).inserted { return true }
                return same(objects[x.number - 1], objects[y.number - 1])
            case (.array(let x), .array(let y)):
                return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
            case (.dictionary(let x), .dictionary(let y)):
                return sameDictionary(x, y)
            case (.stream(let x), .stream(let y)):
                return x.encodedData == y.encodedData && sameDictionary(x.dictionary, y.dictionary)
            default:
                return a == b
            }
        }
        func sameDictionary(_ x: PDFDictionary, _ y: PDFDictionary) -> Bool {
            x.entries.count == y.entries.count
                && x.entries.allSatisfy { entry in y[entry.key].map { same(entry.value, $0) } ?? false }
        }
        return same(a, b)
    }

    /// Keeps only the objects reachable from `roots`, renumbered in their order; returns the roots'
    /// new references.
    private mutating func keepReachable(from roots: [PDFReference]) -> [PDFReference] {
        var reachable = [Bool](repeating: false, count: objects.count)
        var stack = roots.map(\.number)
        func visit(_ object: PDFObject) {
            switch object {
            case .reference(let reference): stack.append(reference.number)
            case .array(let items): items.forEach(visit)
            case .dictionary(let dictionary): dictionary.entries.forEach { visit($0.value) }
            case .stream(let stream): stream.dictionary.entries.forEach { visit($0.value) }
            default: break
            }
        }
        while let number = stack.popLast() {
            guard !reachable[number - 1] else { continue }
            reachable[number - 1] = true
            visit(objects[number - 1])
        }
        var targets = [PDFReference](repeating: PDFReference(0), count: objects.count)
        var kept: [PDFObject] = []
        for index in objects.indices where reachable[index] {
            kept.append(objects[index])
            targets[index] = PDFReference(kept.count)
        }
        // Objects whose references all keep their numbers (those before the first dropped one,
        // usually) stay as they are.
        objects = kept.map { Self.keepsNumbers($0, targets) ? $0 : Self.renumber($0, targets) }
        return roots.map { targets[$0.number - 1] }
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
        case .array(let items):
            // Arrays without references (a font's /W, a /BBox) are kept as they are, not rebuilt.
            return hasReference(object) ? .array(items.map { renumber($0, targets) }) : object
        case .dictionary(let dictionary): return .dictionary(renumber(dictionary, targets))
        case .stream(let stream):
            return .stream(PDFStream(dictionary: renumber(stream.dictionary, targets), encodedData: stream.encodedData))
        default: return object
        }
    }

    /// Whether every reference in `object` maps to itself.
    private static func keepsNumbers(_ object: PDFObject, _ targets: [PDFReference]) -> Bool {
        switch object {
        case .reference(let reference): return targets[reference.number - 1] == reference
        case .array(let items): return items.allSatisfy { keepsNumbers($0, targets) }
        case .dictionary(let dictionary): return dictionary.entries.allSatisfy { keepsNumbers($0.value, targets) }
        case .stream(let stream): return stream.dictionary.entries.allSatisfy { keepsNumbers($0.value, targets) }
        default: return true
        }
    }

    private static func hasReference(_ object: PDFObject) -> Bool {
        switch object {
        case .reference: return true
        case .array(let items): return items.contains(where: hasReference)
        case .dictionary(let dictionary): return dictionary.entries.contains { hasReference($0.value) }
        case .stream(let stream): return stream.dictionary.entries.contains { hasReference($0.value) }
        default: return false
        }
    }

    private static func renumber(_ dictionary: PDFDictionary, _ targets: [PDFReference]) -> PDFDictionary {
        var copy = PDFDictionary()
        for (key, value) in dictionary { copy[key] = renumber(value, targets) }
        return copy
    }

    /// One copy's memory: where each source object landed, and the copies still to fill in.
    private struct CopyState {
        var copied: [PDFReference: PDFReference] = [:]
        var pending: [(original: PDFReference, target: PDFReference)] = []
    }

    private mutating func rewrite(_ object: PDFObject, skipping skipped: Set<PDFName>, state: inout CopyState) -> PDFObject {
        switch object {
        case .reference(let reference):
            if let mapped = state.copied[reference] { return .reference(mapped) }
            let target = add(.null)
            state.copied[reference] = target
            state.pending.append((reference, target))
            return .reference(target)
        case .array(let items):
            return .array(items.map { rewrite($0, skipping: skipped, state: &state) })
        case .dictionary(let dictionary):
            return .dictionary(rewrite(dictionary, skipping: skipped, state: &state))
        case .stream(let stream):
            return .stream(PDFStream(dictionary: rewrite(stream.dictionary, skipping: skipped, state: &state),
                                     encodedData: stream.encodedData))
        default:
            return object
        }
    }

    private mutating func rewrite(_ dictionary: PDFDictionary, skipping skipped: Set<PDFName>,
                                  state: inout CopyState) -> PDFDictionary {
        var copy = PDFDictionary()
        for (key, value) in dictionary where !skipped.contains(key) {
            copy[key] = rewrite(value, skipping: skipped, state: &state)
        }
        return copy
    }
}
