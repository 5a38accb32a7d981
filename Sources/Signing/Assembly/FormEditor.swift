public import PDFSyntax

/// Edits the catalog, AcroForm and pages of a document inside one incremental update, keeping
/// track of which objects changed so each is written once.
public struct FormEditor {
    public let document: PDFDocument
    /// The update the edits go into; add further objects to it directly.
    public var update: IncrementalUpdate
    let catalogReference: PDFReference
    var catalog: PDFDictionary
    /// The AcroForm dictionary and, if it is an indirect object, its reference.
    var acroForm: PDFDictionary
    let acroFormReference: PDFReference?

    /// An editor over a new incremental update of `document`.
    public init(document: PDFDocument) throws {
        self.document = document
        update = IncrementalUpdate(document: document)
        guard let reference = document.catalogReference() else {
            throw PDFError(.badPageTree, "the trailer's /Root is not an indirect reference")
        }
        catalogReference = reference
        catalog = try document.catalog()
        acroFormReference = catalog["AcroForm"]?.referenceValue
        acroForm = try document.resolve(catalog, "AcroForm")?.dictionaryValue ?? [:]
    }

    /// The names of the fields already in the form (top level), to avoid taking one twice.
    public func fieldNames() throws -> Set<String> {
        Set(try document.formFields().map(\.name))
    }

    /// Appends a field to `/Fields`.
    public mutating func addField(_ field: PDFReference) throws {
        var fields = try document.resolve(acroForm["Fields"] ?? .array([])).arrayValue ?? []
        fields.append(.reference(field))
        acroForm["Fields"] = .array(fields)
    }

    /// Appends an annotation to a page's `/Annots` (direct or indirect array), on top of what
    /// this update already changed in the page or its array.
    public mutating func addAnnotation(_ annotation: PDFReference, to page: PDFPage) throws {
        if page.isDirect {
            throw SigningError(.badPlacement, "page \(page.number) is a dictionary written directly in the /Kids of \(page.reference), not an indirect object, so a signature widget cannot be put on it (its /P could not name the page); sign invisibly (--invisible), or rewrite the file first (e.g. `qpdf in.pdf out.pdf`) and sign the rewrite")
        }
        var dictionary = update.objects[page.reference]?.dictionaryValue ?? page.dictionary
        if case .reference(let arrayReference)? = dictionary["Annots"],
           case .array(let annotations) = try update.objects[arrayReference] ?? document.object(arrayReference) {
            // An /Annots array other pages name too (pikepdf and some producers share one empty
            // array): adding to it would show the widget on each of them, and an annotation
            // belongs to one page (ISO 32000-2 §12.5.2). This page then gets its own array.
            let shared = try document.pages().contains {
                $0.reference != page.reference && $0.dictionary["Annots"]?.referenceValue == arrayReference
            }
            if !shared {
                update.set(arrayReference, .array(annotations + [.reference(annotation)]))
                return
            }
            dictionary["Annots"] = .array(annotations + [.reference(annotation)])
            update.set(page.reference, .dictionary(dictionary))
            return
        }
        let existing = try document.resolve(dictionary["Annots"] ?? .array([])).arrayValue ?? []
        dictionary["Annots"] = .array(existing + [.reference(annotation)])
        update.set(page.reference, .dictionary(dictionary))
    }

    /// Appends pages at the end of the root page tree node.
    mutating func appendPages(_ pages: [PDFReference], root: PDFReference) throws {
        guard case .dictionary(var node) = try document.object(root) else {
            throw PDFError(.badPageTree, "the root page tree node \(root) is not a dictionary", object: root)
        }
        let kids = try document.resolve(node["Kids"] ?? .array([])).arrayValue ?? []
        node["Kids"] = .array(kids + pages.map(PDFObject.reference))
        node["Count"] = .integer((try document.resolve(node["Count"] ?? 0).intValue ?? kids.count) + pages.count)
        update.set(root, .dictionary(node))
    }

    /// Attaches a file to the document: `/EmbeddedFiles` name tree and the catalog's `/AF`.
    mutating func attach(fileSpec: PDFReference, name: String) throws {
        var names = try document.resolve(catalog, "Names")?.dictionaryValue ?? [:]
        var embedded = try document.resolve(names, "EmbeddedFiles")?.dictionaryValue ?? [:]
        let key = PDFObject.string(PDFString(text: name))
        if let kids = try document.resolve(embedded, "Kids")?.arrayValue {
            let leaf = update.add(.dictionary(["Names": .array([key, .reference(fileSpec)]),
                                               "Limits": .array([key, key])]))
            embedded["Kids"] = .array(kids + [.reference(leaf)])
        } else {
            var pairs = try document.resolve(embedded, "Names")?.arrayValue ?? []
            pairs += [key, .reference(fileSpec)]
            embedded["Names"] = .array(pairs)
        }
        names["EmbeddedFiles"] = .dictionary(embedded)
        if let namesReference = catalog["Names"]?.referenceValue {
            update.set(namesReference, .dictionary(names))
        } else {
            catalog["Names"] = .dictionary(names)
        }
        let associated = try document.resolve(catalog, "AF")?.arrayValue ?? []
        catalog["AF"] = .array(associated + [.reference(fileSpec)])
        catalog["PageMode"] = catalog["PageMode"] ?? .name("UseAttachments")
    }

    /// Writes the catalog and AcroForm into the update — only if they changed, so a later
    /// signature filling an existing field touches nothing else.
    public mutating func commit() throws {
        let originalForm = try document.resolve(try document.catalog(), "AcroForm")?.dictionaryValue ?? [:]
        if acroForm != originalForm {
            if let acroFormReference {
                update.set(acroFormReference, .dictionary(acroForm))
            } else if (try document.catalog())["AcroForm"] == nil {
                // A new form is an object of its own: poppler (pdfsig, Okular) adds its own
                // fields to a direct one's page but not to its /Fields.
                catalog["AcroForm"] = .reference(update.add(.dictionary(acroForm)))
            } else {
                catalog["AcroForm"] = .dictionary(acroForm)
            }
        }
        if catalog != (try document.catalog()) { update.set(catalogReference, .dictionary(catalog)) }
    }
}
