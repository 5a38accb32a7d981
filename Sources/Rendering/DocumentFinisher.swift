import Crypto
import PDFSyntax
public import Typesetting

/// Turns cairo's PDF into the finished document: real AcroForm signature fields (`/FT /Sig`,
/// named `sig_<role>`) at the laid-out rectangles, a deterministic Info dictionary and XMP
/// metadata (with provenance), the document language and a content-derived `/ID`.
///
/// cairo cannot make form fields, so the file is read with the strict object layer and written
/// anew in full.
public struct DocumentFinisher: Sendable {
    public init() {}

    public func finish(_ typeset: TypesetDocument, info: DocumentInfo) throws -> [UInt8] {
        let source = try PDFDocument(bytes: typeset.pdf, mode: .strict)
        var objects = try source.allObjects()
        guard let catalogReference = source.catalogReference() else {
            throw PDFError(.badPageTree, "cairo's output has no indirect catalog")
        }
        var catalog = try source.catalog()
        let pages = try source.pages()
        var next = (objects.keys.map(\.number).max() ?? 0) + 1
        func allocate() -> PDFReference {
            defer { next += 1 }
            return PDFReference(next, 0)
        }

        // Signature fields: one merged field/widget dictionary per laid-out box.
        var fields: [PDFObject] = []
        var annotationsByPage: [Int: [PDFObject]] = [:]
        var seenRoles: Set<String> = []
        for signature in typeset.signatures {
            guard seenRoles.insert(signature.role).inserted else {
                throw PDFError(.invalidArgument, "two signature boxes share the role '\(signature.role)'; roles name fields and must be unique")
            }
            guard signature.page >= 1, signature.page <= pages.count else { continue }
            let page = pages[signature.page - 1]
            let field = allocate()
            objects[field] = .dictionary([
                "Type": .name("Annot"), "Subtype": .name("Widget"), "FT": .name("Sig"),
                "T": .string(PDFString(text: "sig_\(signature.role)")),
                "TU": .string(PDFString(text: signature.label)),
                "Rect": PDFRect(x0: signature.x0, y0: signature.y0, x1: signature.x1, y1: signature.y1).pdfObject,
                "F": 4, "P": .reference(page.reference),
            ])
            fields.append(.reference(field))
            annotationsByPage[signature.page - 1, default: []].append(.reference(field))
        }
        for link in typeset.links where link.page >= 1 && link.page <= pages.count {
            let annotation = allocate()
            objects[annotation] = .dictionary([
                "Type": .name("Annot"), "Subtype": .name("Link"),
                "Rect": PDFRect(x0: link.x0, y0: link.y0, x1: link.x1, y1: link.y1).pdfObject,
                "Border": [0, 0, 0], "F": 4, "P": .reference(pages[link.page - 1].reference),
                "A": .dictionary(["S": .name("URI"), "URI": .string(PDFString(bytes: Array(link.url.utf8)))]),
            ])
            annotationsByPage[link.page - 1, default: []].append(.reference(annotation))
        }
        for (index, annotations) in annotationsByPage.sorted(by: { $0.key < $1.key }) {
            let page = pages[index]
            var dictionary = page.dictionary
            var existing = try source.resolve(dictionary["Annots"] ?? .array([])).arrayValue ?? []
            existing += annotations
            dictionary["Annots"] = .array(existing)
            objects[page.reference] = .dictionary(dictionary)
        }
        if !fields.isEmpty {
            catalog["AcroForm"] = .dictionary(["Fields": .array(fields)])
        }
        catalog["Lang"] = .string(PDFString(text: info.language))

        // Metadata: Info dictionary and XMP, both deterministic.
        let date = PDFDate(iso8601: info.date)
        var infoDictionary: PDFDictionary = [:]
        func put(_ key: PDFName, _ value: String?) {
            if let value, !value.isEmpty { infoDictionary[key] = .string(PDFString(text: value)) }
        }
        put("Title", info.title)
        put("Author", info.author)
        put("Subject", info.subject)
        put("Keywords", info.keywords)
        put("Creator", info.creator)
        put("Producer", "Countersign (cairo \(source.producerVersion ?? "?"))")
        put("CreationDate", date.pdf)
        put("ModDate", date.pdf)
        for (key, value) in info.custom.sorted(by: { $0.key < $1.key }) { put(PDFName(key), value) }
        let infoReference = allocate()
        objects[infoReference] = .dictionary(infoDictionary)
        let xml = XMPPacket(info: info, date: date).bytes
        let metadata = allocate()
        objects[metadata] = .stream(PDFStream(dictionary: ["Type": .name("Metadata"), "Subtype": .name("XML")],
                                              encodedData: xml))
        catalog["Metadata"] = .reference(metadata)
        objects[catalogReference] = .dictionary(catalog)
        // cairo's own Info object is replaced by ours.
        if let oldInfo = source.trailer["Info"]?.referenceValue { objects[oldInfo] = nil }

        // /ID from the inputs of this file — cairo's bytes and every object added or changed
        // here — so the same template, data and date give the same file, written once.
        var hasher = Digest(.sha256)
        hasher.update(typeset.pdf)
        for reference in objects.keys.sorted() where objects[reference] != (try? source.object(reference)) {
            hasher.update(ObjectSerializer.serializeIndirect(reference, objects[reference]!))
        }
        let identifier = PDFString(bytes: Array(hasher.finalize().prefix(16)), syntax: .hex)
        let trailer: PDFDictionary = ["Root": .reference(catalogReference), "Info": .reference(infoReference),
                                      "ID": .array([.string(identifier), .string(identifier)])]
        return PDFFileWriter(version: "1.7").write(objects: objects, trailer: trailer)
    }
}

extension PDFDocument {
    /// The cairo version from the producer string, if cairo made the file.
    fileprivate var producerVersion: String? {
        guard let producer = try? metadata().producer, producer.hasPrefix("cairo ") else { return nil }
        return producer.split(separator: " ").dropFirst().first.map(String.init)
    }
}
