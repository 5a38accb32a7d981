import PDFSyntax

/// Every indirect node of a revision's AcroForm field tree (fields and widgets), by object number.
struct FieldMap {
    struct Node {
        /// The fully qualified name of the field this node is or belongs to.
        var name: String
        /// `/FT`, inherited.
        var type: PDFName?
        var isWidget: Bool
        /// The field dictionary's own `/V` (for widget kids, the parent field's).
        var value: PDFObject?
        var dictionary: PDFDictionary

        var isSignature: Bool { type == "Sig" }
        var isSigned: Bool { isSignature && value != nil && value != .null }
    }

    private(set) var nodes: [Int: Node] = [:]
    /// The AcroForm dictionary and `/Fields` as of the revision.
    private(set) var form: PDFDictionary?

    subscript(number: Int) -> Node? { nodes[number] }

    static func build(_ document: PDFDocument, revision: Int) throws -> FieldMap {
        var map = FieldMap()
        let catalog = try document.catalog(revision: revision)
        guard case .dictionary(let form)? = try document.resolve(catalog, "AcroForm", revision: revision) else { return map }
        map.form = form
        guard case .array(let roots)? = try document.resolve(form, "Fields", revision: revision) else { return map }
        var visits = 0

        func visit(_ node: PDFObject, parentName: String?, type: PDFName?, value: PDFObject?, depth: Int) throws {
            visits += 1
            guard depth <= 64, visits <= document.limits.maxObjectCount else {
                throw PDFError(.limitExceeded, "the AcroForm field tree is too deep or too large")
            }
            guard case .dictionary(let dictionary) = try document.resolve(node, revision: revision) else { return }
            var name = parentName
            if case .string(let partial)? = try document.resolve(dictionary, "T", revision: revision) {
                name = parentName.map { "\($0).\(partial.text)" } ?? partial.text
            }
            let ownType = try document.resolve(dictionary, "FT", revision: revision)?.nameValue ?? type
            let ownValue = dictionary["V"] ?? value
            if let reference = node.referenceValue {
                guard map.nodes[reference.number] == nil else {
                    throw PDFError(.referenceCycle, "the AcroForm field tree visits \(reference) twice", object: reference)
                }
                map.nodes[reference.number] = Node(name: name ?? "", type: ownType,
                                                   isWidget: dictionary["Subtype"] == .name("Widget"),
                                                   value: ownValue, dictionary: dictionary)
            }
            if case .array(let kids)? = try document.resolve(dictionary, "Kids", revision: revision) {
                for kid in kids { try visit(kid, parentName: name, type: ownType, value: ownValue, depth: depth + 1) }
            }
        }
        for root in roots { try visit(root, parentName: nil, type: nil, value: nil, depth: 0) }
        return map
    }
}

extension PDFDocument {
    /// The object numbers an `/AP` dictionary names: the dictionary itself if indirect, and the
    /// appearance streams of `/N`, `/R`, `/D` (directly or per appearance state).
    func appearanceStreams(of dictionary: PDFDictionary, revision: Int) throws -> [Int] {
        guard let appearance = dictionary["AP"] else { return [] }
        var numbers: [Int] = []
        if let reference = appearance.referenceValue { numbers.append(reference.number) }
        guard case .dictionary(let entries) = try resolve(appearance, revision: revision) else { return numbers }
        for key in ["N", "R", "D"] as [PDFName] {
            guard let entry = entries[key] else { continue }
            if let reference = entry.referenceValue {
                numbers.append(reference.number)
                if case .dictionary(let states) = try object(reference, revision: revision) {
                    numbers += states.entries.compactMap { $0.value.referenceValue?.number }
                }
            } else if case .dictionary(let states) = entry {
                numbers += states.entries.compactMap { $0.value.referenceValue?.number }
            }
        }
        return numbers
    }
}
