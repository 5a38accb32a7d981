import PDFSyntax

/// Every use of an object changed in place. A rule allows an in-place change in one context —
/// the appearance of the widget being signed, the field tree, the trailer's `/Root` — but the
/// object is whatever it is everywhere it is used: an appearance stream that is also a page's
/// XObject, another widget's appearance or a catalog entry changes those too (pyHanko's "sneaky"
/// files). So after the rules have run, each old use of such an object must be one the rule
/// accounted for, and any other use makes the change disallowed.
extension Step {
    /// The context in which a rule allowed an object to change in place.
    enum UseContext {
        /// Part of the appearance of the widget `owner`: used from its `/AP`, or from inside the
        /// (indirect) appearance dictionaries `parts`.
        case appearance(owner: Int?, parts: Set<Int>)
        /// Used under one of these keys ("/Kids"), directly or through an indirect array that is.
        case keys(Set<String>)
        /// Used from inside `holder` (nil: the trailer) under a key path starting with `prefix`.
        case within(holder: Int?, prefix: String)
        /// The document catalog: used as the trailer's `/Root` only.
        case root

        /// Whether `number` is one of the appearance dictionaries of this context.
        func isPart(_ number: Int) -> Bool {
            if case .appearance(_, let parts) = self { return parts.contains(number) }
            return false
        }
    }

    /// Keys under which fields and widgets are listed: field tree, page annotations, calculation
    /// order, structure tree object references, and a kid's link up to its field.
    static let fieldTreeKeys: Set<String> = ["/Fields", "/Kids", "/Annots", "/CO", "/Obj", "/Parent"]

    /// Records that a rule allowed `number` to change in place as `what`, in `context`.
    mutating func accept(_ number: Int, as what: String, in context: UseContext) {
        contexts[number, default: (what, [])].contexts.append(context)
    }

    /// Disallows every in-place change that some old use of the object does not account for.
    mutating func checkUses() throws {
        let usage = try oldUsage
        for (number, entry) in contexts.sorted(by: { $0.key < $1.key }) {
            guard let change = touched[number]?.change else { continue }
            var visited: Set<Int> = [number]
            let stray = strayUses(of: number, entry.contexts, usage, visited: &visited)
            guard let first = stray.first else { continue }
            let places = stray.prefix(3).joined(separator: ", ")
            let more = stray.count > 3 ? " and \(stray.count - 3) more" : ""
            let verb = switch change {
            case .added: "defined"
            case .changed: "rewritten in place"
            case .freed: "deleted"
            }
            deny(number, UsageMap.kind(of: first),
                 "object \(label(number)), \(verb) as \(entry.what), is also used as \(places)\(more) when signed: the change shows there too")
        }
    }

    /// The old uses of `number` that no context accounts for, as paths. A use from inside an
    /// appearance dictionary counts only if that dictionary's own uses are accounted for.
    private func strayUses(of number: Int, _ contexts: [UseContext], _ usage: UsageMap, visited: inout Set<Int>,
                           suffix: String = "") -> [String] {
        var stray: [String] = []
        for use in usage.uses[number] ?? [] {
            if contexts.contains(where: { accepts($0, use, usage) }) { continue }
            let key = use.key + suffix
            if let holder = use.holder, contexts.contains(where: { $0.isPart(holder) }) {
                guard visited.insert(holder).inserted else { continue }
                stray += strayUses(of: holder, contexts, usage, visited: &visited, suffix: key.isEmpty ? "" : " \(key)")
                continue
            }
            stray.append(describe(UsageMap.Use(holder: use.holder, key: key), usage))
        }
        return stray
    }

    private func accepts(_ context: UseContext, _ use: UsageMap.Use, _ usage: UsageMap) -> Bool {
        switch context {
        case .root:
            return use.holder == nil && use.key == "/Root"
        case .within(let holder, let prefix):
            return use.holder == holder && use.key.hasPrefix(prefix)
        case .appearance(let owner, _):
            return owner != nil && use.holder == owner && use.key.hasPrefix("/AP")
        case .keys(let keys):
            if keys.contains(use.lastKey) { return true }
            // An item of an indirect array that is itself used only under those keys.
            guard use.lastKey.isEmpty, let holder = use.holder, case .array? = try? document.object(at: holder, revision: old),
                  let holderUses = usage.uses[holder], !holderUses.isEmpty else { return false }
            return holderUses.allSatisfy { keys.contains($0.lastKey) }
        }
    }

    /// Disallows an appearance update that lets go of an appearance something outside the form
    /// also names. The appearance dictionaries and streams a widget's old `/AP` named and its new
    /// one does not are unchanged, but the update detaches them from the widget: when another
    /// annotation's `/AP` (or `/MK`) shares them, that is form structure and stays allowed; when a catalog
    /// or trailer key, a page's resources or any other place outside the annotations names them,
    /// no rule can say what that place means to whoever reads it, so the update is not one form
    /// filling or signing accounts for (pyHanko's "no-override … sneaky" files; its rule is
    /// stricter and also refuses appearances shared only between widgets).
    mutating func checkDetachedAppearance(of dictionary: PDFDictionary, previous: PDFDictionary, as what: String) throws {
        let before = Set(try document.appearanceStreams(of: previous, revision: old))
        guard !before.isEmpty else { return }
        let after = try dictionary["AP"].map { try UsageMap.closure(of: $0, in: document, revision: new) } ?? []
        let usage = try oldUsage
        for number in before.subtracting(after).sorted() {
            let outside = (usage.uses[number] ?? []).filter { !isAppearanceUse($0, parts: before, usage, depth: 0) }
            guard let first = outside.first else { continue }
            let place = describe(first, usage)
            deny(number, UsageMap.kind(of: place),
                 "object \(label(number)), the appearance \(what) had when signed, is also used as \(place): "
                 + "the update lets go of it, and no form rule explains a use outside the annotations")
        }
    }

    /// Whether a use is one annotation's appearance: under `/AP` in an annotation, inside one of
    /// the appearance dictionaries being replaced, or inside a dictionary used only that way.
    private func isAppearanceUse(_ use: UsageMap.Use, parts: Set<Int>, _ usage: UsageMap, depth: Int) -> Bool {
        guard let holder = use.holder else { return false }
        if parts.contains(holder) { return true }
        guard case .dictionary(let entries)? = try? document.object(at: holder, revision: old) else { return false }
        // An annotation's appearance, or its appearance characteristics (a button's /MK /I icon).
        if entries["Rect"] != nil, entries["Subtype"] != nil { return use.key.hasPrefix("/AP") || use.key.hasPrefix("/MK") }
        guard depth < 2, let holderUses = usage.uses[holder], !holderUses.isEmpty else { return false }
        return holderUses.allSatisfy { isAppearanceUse($0, parts: parts, usage, depth: depth + 1) }
    }

    /// Where a use is, for a reason: the holder's path and the key inside it.
    private func describe(_ use: UsageMap.Use, _ usage: UsageMap) -> String {
        guard let holder = use.holder else { return "trailer \(use.key)" }
        let base = usage.paths[holder] ?? "object \(holder)"
        return use.key.isEmpty ? base : "\(base) \(use.key)"
    }
}

extension PDFDocument {
    /// The object with this number as of a revision, whatever its generation.
    func object(at number: Int, revision: Int) throws -> PDFObject {
        guard let entry = entry(for: number, revision: revision), entry.isInUse else { return .null }
        return try object(PDFReference(number, entry.generation), revision: revision)
    }
}
