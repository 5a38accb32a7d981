import PDFSyntax

/// The rules for the AcroForm (new signatures, form filling) and for pages (content, resources,
/// annotations) of one step.
extension Step {
    /// Keys a filled-in field or its widget may change: the value, the appearance and its state,
    /// the rich-text value, and the annotation's modification date `/M` (a date string that
    /// draws nothing).
    static let fillKeys: Set<PDFName> = ["V", "AP", "AS", "RV", "M"]
    /// What signing an empty signature field may change in its dictionary: the value, the
    /// appearance and its state, the annotation flags (Acrobat sets them) and the annotation's
    /// modification date `/M` (poppler sets it).
    static let signKeys: Set<PDFName> = ["V", "AP", "AS", "F", "M"]

    mutating func checkForm() throws {
        let before = try analyzer.fields(old)
        let after = try analyzer.fields(new)
        try checkFormDictionary(before.form, after.form)
        for (number, node) in after.nodes.sorted(by: { $0.key < $1.key }) {
            if let previous = before[number] {
                try checkChangedNode(number, previous: previous, node: node)
            } else {
                try checkNewNode(number, node)
            }
            // An indirect /Kids array is part of its field; the kids themselves are nodes judged here.
            if let kids = node.dictionary["Kids"]?.referenceValue, isTouched(kids.number), !explained.contains(kids.number) {
                explained.insert(kids.number)
                accept(kids.number, as: "the /Kids of field '\(node.name)'", in: .within(holder: number, prefix: "/Kids"))
            }
        }
        for (number, node) in before.nodes.sorted(by: { $0.key < $1.key }) where after[number] == nil {
            deny(number, "field", "field '\(node.name)' was removed from the form")
        }
    }

    private mutating func checkFormDictionary(_ before: PDFDictionary?, _ after: PDFDictionary?) throws {
        let catalog = try document.catalog(revision: new)
        // A direct AcroForm changes with the catalog, which is then the object to name.
        let formNumber = catalog["AcroForm"]?.referenceValue?.number ?? document.catalogReference(revision: new)?.number
        let fieldsNumber = after?["Fields"]?.referenceValue?.number
        guard !(try comparator.same(before.map(PDFObject.dictionary), after.map(PDFObject.dictionary))) else {
            if let formNumber, isTouched(formNumber) { explained.insert(formNumber) }
            return
        }
        let old = before ?? [:], new = after ?? [:]
        var disallowed: [String] = []
        var clearedFlags: [String] = []
        for key in try comparator.changedKeys(old, new) {
            switch key.string {
            case "Fields":
                let oldFields = try document.resolve(old["Fields"] ?? .null, revision: self.old).arrayValue ?? []
                let newFields = try document.resolve(new["Fields"] ?? .null, revision: self.new).arrayValue ?? []
                var index = 0
                for field in newFields where index < oldFields.count {
                    if try comparator.same(oldFields[index], field) { index += 1 }
                }
                if index < oldFields.count { disallowed.append("/Fields lost or reordered fields") }
            case "SigFlags":
                // Setting flags is what signing does; clearing them changes nothing signed but
                // may hide the signatures in a viewer, so the report says so.
                let was = try document.resolve(old["SigFlags"] ?? .null, revision: self.old).intValue ?? 0
                let now = try document.resolve(new["SigFlags"] ?? .null, revision: self.new).intValue ?? 0
                clearedFlags = [(1, "SignaturesExist"), (2, "AppendOnly")].filter { was & $0.0 != 0 && now & $0.0 == 0 }.map(\.1)
            case "DR":
                // New resources for appearances change nothing shown; replacing some is form filling.
                if !policy.allowsFormFilling, !(try resourcesOnlyAdded(old["DR"], new["DR"])) {
                    disallowed.append("/DR: existing resources replaced")
                }
            case "DA":
                // A default appearance for fields to come; replacing one is form filling.
                if !policy.allowsFormFilling, old["DA"] != nil { disallowed.append("/DA changed") }
            case "NeedAppearances":
                if !policy.allowsFormFilling { disallowed.append("/NeedAppearances changed") }
            default:
                disallowed.append("/\(key.string) changed")
            }
        }
        if disallowed.isEmpty, !clearedFlags.isEmpty {
            allow(formNumber, "form", "the form's /SigFlags cleared " + clearedFlags.joined(separator: " and ")
                  + ": nothing signed changed, but a viewer may no longer show that the document is signed")
        } else if disallowed.isEmpty {
            allow(formNumber, "form", "the form's field list or flags updated")
        } else {
            deny(formNumber, "field", "AcroForm: " + disallowed.joined(separator: ", "))
        }
        if let fieldsNumber, isTouched(fieldsNumber) {
            explained.insert(fieldsNumber)
            accept(fieldsNumber, as: "the form's /Fields", in: .keys(["/Fields"]))
        }
        if let formNumber, catalog["AcroForm"]?.referenceValue != nil, isTouched(formNumber) {
            accept(formNumber, as: "the AcroForm dictionary", in: .keys(["/AcroForm"]))
        }
        try explainResources(new["DR"], form: catalog["AcroForm"]?.referenceValue?.number)
    }

    /// Whether `after` holds every resource `before` had, unchanged (new ones may be added).
    private mutating func resourcesOnlyAdded(_ before: PDFObject?, _ after: PDFObject?) throws -> Bool {
        let old = try document.resolve(before ?? .null, revision: self.old).dictionaryValue ?? [:]
        let new = try document.resolve(after ?? .null, revision: self.new).dictionaryValue ?? [:]
        for (category, value) in old.entries {
            let oldEntries = try document.resolve(value, revision: self.old).dictionaryValue
            let newEntries = try document.resolve(new[category] ?? .null, revision: self.new).dictionaryValue
            guard let oldEntries else {
                if !(try comparator.same(value, new[category])) { return false }
                continue
            }
            guard let newEntries else { return false }
            for (name, resource) in oldEntries.entries where !(try comparator.same(resource, newEntries[name])) { return false }
        }
        return true
    }

    /// Explains the form's default resources (`/DR`): new objects in them, and the resource
    /// dictionaries themselves when indirect, used only as the form's resources.
    private mutating func explainResources(_ resources: PDFObject?, form: Int?) throws {
        guard let resources else { return }
        try explainNew(reachableFrom: resources)
        let catalogNumber = document.catalogReference(revision: new)?.number
        var holder = form ?? catalogNumber
        var prefix = form == nil ? "/AcroForm /DR" : "/DR"
        if let reference = resources.referenceValue {
            if isTouched(reference.number) {
                explained.insert(reference.number)
                accept(reference.number, as: "the form's default resources", in: .within(holder: holder, prefix: prefix))
            }
            holder = reference.number
            prefix = ""
        }
        guard case .dictionary(let categories) = try document.resolve(resources, revision: new) else { return }
        for (category, value) in categories.entries {
            guard let reference = value.referenceValue, isTouched(reference.number) else { continue }
            explained.insert(reference.number)
            accept(reference.number, as: "the form's default /\(category.string) resources",
                   in: .within(holder: holder, prefix: prefix.isEmpty ? "/\(category.string)" : "\(prefix) /\(category.string)"))
        }
    }

    private mutating func checkNewNode(_ number: Int, _ node: FieldMap.Node) throws {
        if let path = try oldUsage.paths[number] {
            deny(number, "field", "object \(label(number)), used as \(path) when signed, became part of field '\(node.name)'")
            return
        }
        guard node.isSignature else {
            deny(number, "field", "new form field '\(node.name)' (\(node.type?.string ?? "no /FT")) added after signing")
            return
        }
        let timestamp = try isDocumentTimestamp(node.value)
        guard policy.allowsSigning || timestamp else {
            deny(number, "field", "new signature field '\(node.name)' although the certification (DocMDP P=1) forbids any change")
            try explainNew(reachableFrom: node.dictionary["V"])
            try explainAppearance(of: node.dictionary, previous: nil, owner: number, as: "field '\(node.name)'")
            return
        }
        if node.isSigned, let reason = try signatureNotMadeHere(node.value) {
            deny(number, "field", "new signature field '\(node.name)' claims a signature it did not make: \(reason)")
            try explainNew(reachableFrom: node.dictionary["V"])
            try explainAppearance(of: node.dictionary, previous: nil, owner: number, as: "field '\(node.name)'")
            return
        }
        if !node.isSigned, !timestamp, let shown = try paintedMarks(of: node.dictionary) {
            // An empty field may show a box (pyHanko's neutral appearance fills and strokes
            // one); text or pictures in it would be a signature, or anything else, nobody made.
            deny(number, "field", "empty signature field '\(node.name)' added with an appearance that shows \(shown) (it would show what nobody signed)")
            try explainAppearance(of: node.dictionary, previous: nil, owner: number, as: "field '\(node.name)'")
            return
        }
        allow(number, "signature", timestamp ? "document timestamp field '\(node.name)' added"
              : node.isSigned ? "signature field '\(node.name)' added and signed" : "empty signature field '\(node.name)' added")
        try explainNew(reachableFrom: node.dictionary["V"])
        try explainAppearance(of: node.dictionary, previous: nil, owner: number, as: "field '\(node.name)'")
    }

    private mutating func checkChangedNode(_ number: Int, previous: FieldMap.Node, node: FieldMap.Node) throws {
        let keys = Set(try comparator.changedKeys(previous.dictionary, node.dictionary))
        let appearanceTouched = try appearanceParts(of: node.dictionary, previous: previous.dictionary)
            .contains { isTouched($0) && !explained.contains($0) }
        guard !keys.isEmpty || appearanceTouched else {
            if isTouched(number) { explained.insert(number) }
            return
        }
        let what = node.isWidget && node.dictionary["T"] == nil ? "widget of field '\(node.name)'" : "field '\(node.name)'"
        if node.isSignature {
            let signing = !previous.isSigned
            if signing, keys.isSubset(of: Self.signKeys), !node.isSigned {
                // Only signing may draw in a signature box: an appearance given to an empty
                // signature field would show a signature nobody made.
                deny(number, "field", "the appearance of unsigned \(what) changed: " + keys.map { "/\($0.string)" }.sorted()
                    .joined(separator: ", ") + (keys.isEmpty ? "its appearance stream" : "") + " (it would show a signature nobody made)")
                try explainAppearance(of: node.dictionary, previous: previous.dictionary, owner: number, as: what)
            } else if signing, keys.isSubset(of: Self.signKeys), let reason = try signatureNotMadeHere(node.value) {
                deny(number, "field", "\(what) claims a signature it did not make: \(reason)")
                try explainNew(reachableFrom: node.dictionary["V"])
                try explainAppearance(of: node.dictionary, previous: previous.dictionary, owner: number, as: what)
            } else if signing, keys.isSubset(of: Self.signKeys), let locker = policy.lockedFields[node.name] {
                // Signing gives the field its value: a FieldMDP lock forbids it (ISO 32000-2 §12.8.2.4).
                deny(number, "field", "signature field '\(node.name)' signed although signature field '\(locker)' locks it (FieldMDP)")
                try explainNew(reachableFrom: node.dictionary["V"])
                try explainAppearance(of: node.dictionary, previous: previous.dictionary, owner: number, as: what)
            } else if signing, keys.isSubset(of: Self.signKeys) {
                if try policy.allowsSigning || isDocumentTimestamp(node.value) {
                    allow(number, "signature", "signature field '\(node.name)' signed")
                    accept(number, as: what, in: .keys(Self.fieldTreeKeys))
                    try explainNew(reachableFrom: node.dictionary["V"])
                    try explainAppearance(of: node.dictionary, previous: previous.dictionary, owner: number, as: what)
                } else {
                    deny(number, "field", "\(what) signed although the certification (DocMDP P=1) forbids any change")
                    try explainNew(reachableFrom: node.dictionary["V"])
                    try explainAppearance(of: node.dictionary, previous: previous.dictionary, owner: number, as: what)
                }
            } else if signing, keys.contains("V") {
                deny(number, "field", "\(what) signed, but signing also changed " + keys.subtracting(Self.signKeys)
                    .map { "/\($0.string)" }.sorted().joined(separator: ", "))
                try explainNew(reachableFrom: node.dictionary["V"])
                try explainAppearance(of: node.dictionary, previous: previous.dictionary, owner: number, as: what)
            } else if keys.contains("V") {
                deny(number, "field", "the signature of \(what) was replaced or removed")
            } else if keys.isEmpty {
                deny(number, "field", "the appearance of signed \(what) changed")
            } else {
                deny(number, "field", "\(what): " + keys.map { "/\($0.string)" }.sorted().joined(separator: ", ") + " changed")
            }
            return
        }
        guard keys.isSubset(of: Self.fillKeys) else {
            deny(number, "field", "\(what): " + keys.subtracting(Self.fillKeys).map { "/\($0.string)" }.sorted()
                .joined(separator: ", ") + " changed")
            return
        }
        if let locker = policy.lockedFields[node.name] {
            deny(number, "form-fill", "\(what) filled in although signature field '\(locker)' locks it (FieldMDP)")
        } else if !policy.allowsFormFilling {
            deny(number, "form-fill", "\(what) filled in although the certification (DocMDP P=1) forbids any change")
        } else {
            allow(number, "form-fill", keys.contains("V") ? "\(what) filled in" : "\(what): appearance updated")
            accept(number, as: what, in: .keys(Self.fieldTreeKeys))
        }
        // The appearance belongs to the change just judged, allowed or not.
        try explainAppearance(of: node.dictionary, previous: previous.dictionary, owner: number, as: what)
    }

    /// Operators that put text or pictures on the page (text showing, XObjects, shadings,
    /// inline images), as against the paths that draw a box.
    static let markOperators: [String: String] = [
        "Tj": "text", "TJ": "text", "'": "text", "\"": "text", "Do": "an XObject", "sh": "a shading", "BI": "an inline image",
    ]

    /// What a widget's appearance streams show besides paths (nil: nothing, or no appearance);
    /// a stream that cannot be read counts as showing something unknown.
    func paintedMarks(of dictionary: PDFDictionary) throws -> String? {
        for number in try document.appearanceStreams(of: dictionary, revision: new) {
            guard case .stream(let stream) = try document.object(at: number, revision: new) else { continue }
            guard let data = try? document.decodedData(of: stream, revision: new),
                  let operators = try? ContentOperators.operators(in: data, limits: document.limits) else {
                return "content that cannot be read"
            }
            if let mark = operators.lazy.compactMap({ Self.markOperators[$0] }).first { return mark }
        }
        return nil
    }

    /// Explains a widget's appearance: everything its `/AP` reaches now or reached when signed
    /// (appearance dictionaries, streams, the form XObjects and resources they use) that the
    /// step adds, changes or frees — each may change only where it serves as this widget's
    /// appearance (`checkUses`).
    mutating func explainAppearance(of dictionary: PDFDictionary, previous: PDFDictionary?, owner: Int?,
                                    as what: String) throws {
        let parts = try appearanceParts(of: dictionary, previous: previous)
        for number in parts.sorted() where isTouched(number) {
            explained.insert(number)
            accept(number, as: "the appearance of \(what)", in: .appearance(owner: owner, parts: parts))
        }
        if let previous { try checkDetachedAppearance(of: dictionary, previous: previous, as: what) }
    }

    /// The objects a widget's `/AP` reaches now, and reached when signed.
    func appearanceParts(of dictionary: PDFDictionary, previous: PDFDictionary?) throws -> Set<Int> {
        var parts = Set(try document.appearanceStreams(of: dictionary, revision: new))
        if let appearance = dictionary["AP"] { parts.formUnion(try UsageMap.closure(of: appearance, in: document, revision: new)) }
        if let appearance = previous?["AP"] { parts.formUnion(try UsageMap.closure(of: appearance, in: document, revision: old)) }
        return parts
    }

    private func isDocumentTimestamp(_ value: PDFObject?) throws -> Bool {
        guard let value, case .dictionary(let signature) = try document.resolve(value, revision: new) else { return false }
        // The sub-filter decides, as it decides how the contents are checked: a CMS signature
        // whose dictionary says /Type /DocTimeStamp is a signature, judged as one.
        return signature["SubFilter"] == .name("ETSI.RFC3161")
    }

    /// Why a field signed in this step names a signature not made in it (nil: made in it): a
    /// signature dictionary that existed before the step and is not redefined in it (another
    /// field's signature, moved), or one whose `/ByteRange` ends outside this step's revision.
    private func signatureNotMadeHere(_ value: PDFObject?) throws -> String? {
        if let reference = value?.referenceValue, document.entry(for: reference.number, revision: old)?.isInUse == true,
           !isTouched(reference.number) {
            return "its /V is object \(reference.number), a signature dictionary that existed before this revision: a signature made earlier, now claimed by this field"
        }
        guard let value, case .dictionary(let signature) = try document.resolve(value, revision: new),
              let range = try document.resolve(signature["ByteRange"] ?? .null, revision: new).arrayValue, range.count == 4,
              let start = range[2].intValue, let length = range[3].intValue else { return nil }
        let (from, to) = (document.revisions[old].endOffset, document.revisions[new].endOffset)
        guard start + length > from, start + length <= to else {
            return "its /ByteRange ends at byte \(start + length), outside the revision that signs it (bytes \(from)–\(to)): a signature made for other bytes"
        }
        return nil
    }

    // MARK: Pages

    mutating func checkPages() throws {
        let before = try document.pages(revision: old)
        let after = try document.pages(revision: new)
        let root = try document.catalog(revision: new)["Pages"]?.referenceValue?.number
        if before.count != after.count {
            deny(root, "page-tree", "the document had \(before.count) page(s) when signed and has \(after.count) now")
        }
        let fields = try analyzer.fields(new)
        let oldFields = try analyzer.fields(old)
        for (page, (was, now)) in zip(before, after).enumerated() {
            let number = page + 1
            if was.reference != now.reference {
                if !(try comparator.same(.reference(was.reference), .reference(now.reference))) {
                    deny(now.reference.number, "page-tree", "page \(number) is now another page object (\(now.reference))")
                }
                continue
            }
            if isTouched(now.reference.number) {
                for key in try comparator.changedKeys(was.dictionary, now.dictionary) where key != "Annots" {
                    let kind = key == "Contents" ? "page-content" : key == "Resources" ? "resources" : "page"
                    deny(now.reference.number, kind, "page \(number): /\(key.string) changed")
                }
                explained.insert(now.reference.number)
            }
            try checkAnnotations(page: number, was: was, now: now, fields: fields, oldFields: oldFields)
        }
        try checkPageTreeNodes(before: before, after: after)
    }

    private mutating func checkAnnotations(page: Int, was: PDFPage, now: PDFPage, fields: FieldMap,
                                           oldFields: FieldMap) throws {
        let oldList = try document.resolve(was.dictionary["Annots"] ?? .null, revision: old).arrayValue ?? []
        let newList = try document.resolve(now.dictionary["Annots"] ?? .null, revision: new).arrayValue ?? []
        if let array = now.dictionary["Annots"]?.referenceValue?.number, isTouched(array) {
            explained.insert(array)
            accept(array, as: "the annotation list of page \(page)", in: .within(holder: now.reference.number, prefix: "/Annots"))
        }
        // The lists are matched in order, skipping over old entries the new list no longer has
        // (removed), so one annotation deleted from the middle is that one removal, not every
        // later entry "added" and the tail "removed".
        var index = 0
        var removed: [PDFObject] = []
        for annotation in newList {
            var match: Int?
            for candidate in index..<oldList.count where try comparator.same(oldList[candidate], annotation) {
                match = candidate
                break
            }
            if let match {
                removed += oldList[index..<match]
                index = match + 1
                continue
            }
            guard let reference = annotation.referenceValue else {
                deny(now.reference.number, "annotation", "page \(page): a direct annotation was added")
                continue
            }
            if let node = fields[reference.number] {
                if node.isSignature, oldFields[reference.number] == nil || !(oldFields[reference.number]!.isSigned) {
                    continue  // a new or newly signed signature widget: judged with the form
                }
                deny(reference.number, "field", "page \(page): widget of field '\(node.name)' added")
                continue
            }
            let subtype = try document.resolve(annotation, revision: new).dictionaryValue?["Subtype"]?.nameValue?.string ?? "?"
            if policy.allowsAnnotations, subtype != "Widget" {
                allow(reference.number, "annotation", "page \(page): /\(subtype) annotation added")
                try explainNew(reachableFrom: annotation)
            } else {
                deny(reference.number, "annotation", "page \(page): /\(subtype) annotation \(reference) added after signing")
            }
        }
        removed += oldList[index...]
        // A form field's widget removed hides the field (a signature's, its appearance): never
        // allowed. Other annotations may be deleted where the policy allows annotations.
        let widgets = removed.compactMap { $0.referenceValue.flatMap { oldFields[$0.number] } }
        for node in widgets {
            deny(now.reference.number, "field", "page \(page): widget of field '\(node.name)' removed")
        }
        let others = removed.count - widgets.count
        if others > 0 {
            if policy.allowsAnnotations {
                allow(now.reference.number, "annotation", "page \(page): \(others) annotation(s) removed")
            } else {
                deny(now.reference.number, "annotation", "page \(page): \(others) annotation(s) removed or reordered")
            }
        }
        // Existing annotations changed in place (widgets are judged with the form).
        for annotation in oldList {
            guard let reference = annotation.referenceValue, isTouched(reference.number), !explained.contains(reference.number),
                  oldFields[reference.number] == nil, fields[reference.number] == nil else { continue }
            let subtype = try document.resolve(annotation, revision: old).dictionaryValue?["Subtype"]?.nameValue?.string ?? "?"
            if policy.allowsAnnotations, subtype != "Widget" {
                allow(reference.number, "annotation", "page \(page): /\(subtype) annotation changed")
                if case .dictionary(let dictionary) = try document.resolve(annotation, revision: new) {
                    let previous = try document.resolve(annotation, revision: old).dictionaryValue
                    try explainAppearance(of: dictionary, previous: previous, owner: reference.number,
                                          as: "the /\(subtype) annotation \(reference)")
                }
            } else {
                deny(reference.number, "annotation", "page \(page): /\(subtype) annotation \(reference) changed")
            }
        }
    }

    /// Intermediate page-tree nodes pass attributes on to their pages; they may change only by
    /// being rewritten identically.
    private mutating func checkPageTreeNodes(before: [PDFPage], after: [PDFPage]) throws {
        guard let root = try document.catalog(revision: new)["Pages"]?.referenceValue else { return }
        var stack = [root]
        var seen: Set<PDFReference> = []
        while let node = stack.popLast(), seen.insert(node).inserted, seen.count <= document.limits.maxPageTreeNodes {
            guard case .dictionary(let dictionary) = try document.object(node, revision: new),
                  dictionary["Type"] != .name("Page") else { continue }
            stack += (try document.resolve(dictionary["Kids"] ?? .null, revision: new).arrayValue ?? []).compactMap(\.referenceValue)
            guard isTouched(node.number), !explained.contains(node.number) else { continue }
            let previous = try document.object(node, revision: old).dictionaryValue ?? [:]
            let ignored: Set<PDFName> = before.map(\.reference) == after.map(\.reference) ? ["Kids", "Count"] : []
            let keys = try comparator.changedKeys(previous, dictionary).filter { !ignored.contains($0) }
            if keys.isEmpty {
                explained.insert(node.number)
            } else {
                deny(node.number, "page-tree", "page tree node \(node): " + keys.map { "/\($0.string)" }.joined(separator: ", ")
                     + " changed (inherited by its pages)")
            }
        }
    }
}
