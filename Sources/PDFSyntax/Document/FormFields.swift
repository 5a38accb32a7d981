/// A terminal AcroForm field with its widgets (ISO 32000-2 §12.7).
public struct PDFFormField: Sendable, Hashable {
    /// The kind of field, from the (inherited) `/FT` and `/Ff` flags.
    public enum Kind: String, Sendable, Hashable, Codable {
        case signature, text, checkbox, radio, pushbutton, choice, unknown
    }

    /// A widget annotation of the field: where it is drawn.
    public struct Widget: Sendable, Hashable {
        public var reference: PDFReference?
        /// 1-based page number, if the widget is on a page's `/Annots` (or names one with `/P`).
        public var page: Int?
        public var rect: PDFRect?
    }

    /// The fully qualified name (partial names joined with `.`).
    public var name: String
    public var kind: Kind
    /// The field dictionary's reference, if indirect.
    public var reference: PDFReference?
    public var widgets: [Widget]
    /// The value (`/V`, inherited), unresolved.
    public var value: PDFObject?
    /// The field dictionary itself.
    public var dictionary: PDFDictionary
    /// The page (1-based) of a signature widget that the AcroForm tree does not reach (see
    /// `standaloneSignatureFields`); nil for every field of the tree.
    public var standaloneOnPage: Int? = nil

    /// For signature fields: whether `/V` holds a signature.
    public var isSigned: Bool { kind == .signature && value != nil && value != .null }
}

extension Sequence<PDFFormField> {
    /// The names of the signature fields nobody has signed yet, in order.
    public var unsignedSignatureFieldNames: [String] {
        filter { $0.kind == .signature && !$0.isSigned }.map(\.name)
    }
}

extension PDFDocument {
    /// The terminal fields of the AcroForm at a revision, in the order of `/Fields`.
    ///
    /// A field reached twice by different paths (the tree is a DAG: two parents list the same
    /// kid, or `/Fields` lists a kid again) is listed once, where it is first met — every reader
    /// walks the tree in the same order, so this is one reading. A field that is its own ancestor
    /// (a true cycle) has no fully qualified name: `.referenceCycle`, naming the loop, when
    /// reading strictly; tolerant reading skips the edge back with a warning.
    public func formFields(revision: Int? = nil) throws -> [PDFFormField] {
        let catalog = try catalog(revision: revision)
        guard case .dictionary(let form)? = try resolve(catalog, "AcroForm", revision: revision),
              case .array(let roots)? = try resolve(form, "Fields", revision: revision) else { return [] }
        let pageList = try pages(revision: revision)
        let pageOfWidget = annotationPages(pageList, revision: revision)
        let pageByReference = Dictionary(pageList.map { ($0.reference, $0.number) }, uniquingKeysWith: { first, _ in first })
        var fields: [PDFFormField] = []
        var seen: Set<PDFReference> = []
        var ancestors: [PDFReference] = []

        struct Inherited { var name: String?; var type: PDFName?; var flags: Int; var value: PDFObject? }

        func visit(_ node: PDFObject, inherited: Inherited, depth: Int) throws {
            guard depth <= limits.maxNestingDepth else {
                throw PDFError(.limitExceeded, "the AcroForm field tree nests deeper than \(limits.maxNestingDepth)")
            }
            let reference = node.referenceValue
            if let reference, let start = ancestors.firstIndex(of: reference) {
                let loop = (ancestors[start...] + [reference]).map { "\($0.number) \($0.generation)" }.joined(separator: " → ")
                let error = PDFError(.referenceCycle,
                                     "the AcroForm field tree has a cycle: field \(reference) is its own ancestor through /Kids (\(loop)), so it has no fully qualified name; repair the form (e.g. remove \(reference) from the /Kids of its last ancestor in the loop)",
                                     object: reference)
                // Tolerant reading does not go down the edge back, as other readers do (FormTreeLoops).
                if mode.isStrict { throw error }
                recordWarning(error)
                return
            }
            if let reference, !seen.insert(reference).inserted { return }
            if let reference { ancestors.append(reference) }
            defer { if reference != nil { ancestors.removeLast() } }
            guard case .dictionary(let dictionary) = try resolve(node, revision: revision) else { return }
            var here = inherited
            if case .string(let partial)? = try resolve(dictionary, "T", revision: revision) {
                here.name = inherited.name.map { "\($0).\(partial.text)" } ?? partial.text
            }
            if let type = try resolve(dictionary, "FT", revision: revision)?.nameValue { here.type = type }
            if let flags = try resolve(dictionary, "Ff", revision: revision)?.intValue { here.flags = flags }
            if let value = dictionary["V"] { here.value = value }

            var childFields: [PDFObject] = []
            var widgets: [PDFFormField.Widget] = []
            if dictionary["Subtype"] == .name("Widget") {
                widgets.append(widget(dictionary, reference: reference, annotationPages: pageOfWidget, pageNumbers: pageByReference, revision: revision))
            }
            if case .array(let kids)? = try resolve(dictionary, "Kids", revision: revision) {
                for kid in kids {
                    guard case .dictionary(let kidDictionary) = try resolve(kid, revision: revision) else { continue }
                    if kidDictionary["T"] == nil, kidDictionary["Subtype"] == .name("Widget") {
                        widgets.append(widget(kidDictionary, reference: kid.referenceValue, annotationPages: pageOfWidget,
                                              pageNumbers: pageByReference, revision: revision))
                    } else {
                        childFields.append(kid)
                    }
                }
            }
            if childFields.isEmpty {
                fields.append(PDFFormField(name: here.name ?? "", kind: kind(here.type, flags: here.flags),
                                           reference: reference, widgets: widgets, value: here.value,
                                           dictionary: dictionary))
            } else {
                for child in childFields { try visit(child, inherited: here, depth: depth + 1) }
            }
        }
        for root in roots { try visit(root, inherited: Inherited(name: nil, type: nil, flags: 0, value: nil), depth: 0) }
        return fields
    }

    /// Signed signature widgets on the pages that the AcroForm field tree does not reach: a
    /// widget in a page's `/Annots` with its own `/FT /Sig` and `/V`, no `/Parent`, and listed
    /// nowhere under `/Fields`. poppler 22 writes these when the catalog's `/AcroForm` is a
    /// direct dictionary (the new field goes on the page but not into `/Fields`), and poppler,
    /// pdf.js and pdfium treat them as fields ("standalone fields"). Listed so a verifier can
    /// judge the signature and say where it was found, rather than report a signed file as
    /// having none. `treeFields`: the revision's `formFields`, when the caller has them already.
    public func standaloneSignatureFields(revision: Int? = nil, treeFields: [PDFFormField]? = nil) throws -> [PDFFormField] {
        var reached: Set<PDFReference> = []
        for field in try treeFields ?? formFields(revision: revision) {
            if let reference = field.reference { reached.insert(reference) }
            for widget in field.widgets { if let reference = widget.reference { reached.insert(reference) } }
        }
        var fields: [PDFFormField] = []
        for page in try pages(revision: revision) {
            guard case .array(let annotations)? = try resolve(page.dictionary, "Annots", revision: revision) else { continue }
            for annotation in annotations {
                guard let reference = annotation.referenceValue, !reached.contains(reference),
                      case .dictionary(let dictionary)? = try? resolve(annotation, revision: revision),
                      dictionary["Subtype"] == .name("Widget"), dictionary["Parent"] == nil,
                      try resolve(dictionary, "FT", revision: revision)?.nameValue == PDFName("Sig"),
                      let value = dictionary["V"], value != .null else { continue }
                reached.insert(reference)
                let name = (try? resolve(dictionary, "T", revision: revision))??.stringValue?.text ?? ""
                let rect = PDFRect((try? resolve(dictionary["Rect"] ?? .null, revision: revision)) ?? nil)
                fields.append(PDFFormField(name: name, kind: .signature, reference: reference,
                                           widgets: [PDFFormField.Widget(reference: reference, page: page.number, rect: rect)],
                                           value: value, dictionary: dictionary, standaloneOnPage: page.number))
            }
        }
        return fields
    }

    private func kind(_ type: PDFName?, flags: Int) -> PDFFormField.Kind {
        switch type?.string {
        case "Sig": return .signature
        case "Tx": return .text
        case "Ch": return .choice
        case "Btn":
            if flags & (1 << 16) != 0 { return .pushbutton }
            return flags & (1 << 15) != 0 ? .radio : .checkbox
        default: return .unknown
        }
    }

    private func widget(_ dictionary: PDFDictionary, reference: PDFReference?, annotationPages: [PDFReference: Int],
                        pageNumbers: [PDFReference: Int], revision: Int?) -> PDFFormField.Widget {
        var page = reference.flatMap { annotationPages[$0] }
        if page == nil, let pageReference = dictionary["P"]?.referenceValue { page = pageNumbers[pageReference] }
        let rect = PDFRect((try? resolve(dictionary["Rect"] ?? .null, revision: revision)) ?? nil)
        return PDFFormField.Widget(reference: reference, page: page, rect: rect)
    }

    /// Page number of each annotation listed in a page's `/Annots`.
    private func annotationPages(_ pages: [PDFPage], revision: Int?) -> [PDFReference: Int] {
        var result: [PDFReference: Int] = [:]
        for page in pages {
            guard case .array(let annotations)? = try? resolve(page.dictionary, "Annots", revision: revision) else { continue }
            for annotation in annotations {
                if let reference = annotation.referenceValue, result[reference] == nil { result[reference] = page.number }
            }
        }
        return result
    }
}
