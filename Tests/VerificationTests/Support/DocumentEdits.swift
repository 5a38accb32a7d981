import Foundation
import PDFSyntax

/// Incremental edits for building test documents: a text field to fill, filling it, and the
/// changes attacks make after a signature. Each returns the whole new file.
enum DocumentEdits {
    /// A stream object holding `content` (uncompressed).
    static func stream(_ content: String, _ dictionary: PDFDictionary = [:]) -> PDFObject {
        .stream(PDFStream(dictionary: dictionary, encodedData: Array(content.utf8)))
    }

    /// Adds a text field `name` with a widget on page 1 (before signing: form filling needs a field).
    static func addTextField(_ bytes: [UInt8], name: String) throws -> [UInt8] {
        let document = try PDFDocument(bytes: bytes)
        var update = IncrementalUpdate(document: document)
        let page = try document.pages()[0]
        let field = update.add(.dictionary([
            "Type": .name("Annot"), "Subtype": .name("Widget"), "FT": .name("Tx"), "T": .string(PDFString(text: name)),
            "Rect": [72, 640, 300, 660], "F": 4, "P": .reference(page.reference),
            "DA": .string(PDFString(text: "/Helv 10 Tf 0 g")),
        ]))
        try addToForm(field, document: document, update: &update)
        try addAnnotation(field, page: page, document: document, update: &update)
        return update.write().bytes
    }

    /// Fills the text field `name` with `value`: a new `/V` and a new appearance stream.
    static func fill(_ bytes: [UInt8], field name: String, value: String) throws -> [UInt8] {
        let document = try PDFDocument(bytes: bytes)
        guard let field = try document.formFields().first(where: { $0.name == name }), let reference = field.reference else {
            throw PDFError(.invalidArgument, "no field \(name)")
        }
        var update = IncrementalUpdate(document: document)
        let font = update.add(.dictionary(["Type": .name("Font"), "Subtype": .name("Type1"), "BaseFont": .name("Helvetica")]))
        let appearance = update.add(stream("/Tx BMC BT /Helv 10 Tf 2 5 Td (\(value)) Tj ET EMC", [
            "Type": .name("XObject"), "Subtype": .name("Form"), "BBox": [0, 0, 228, 20],
            "Resources": .dictionary(["Font": .dictionary(["Helv": .reference(font)])]),
        ]))
        var dictionary = field.dictionary
        dictionary["V"] = .string(PDFString(text: value))
        dictionary["AP"] = .dictionary(["N": .reference(appearance)])
        update.set(reference, .dictionary(dictionary))
        return update.write().bytes
    }

    static func addToForm(_ field: PDFReference, document: PDFDocument, update: inout IncrementalUpdate) throws {
        guard let catalogReference = document.catalogReference() else { throw PDFError(.badPageTree, "no catalog") }
        var catalog = try document.catalog()
        if let formReference = catalog["AcroForm"]?.referenceValue {
            var form = try document.object(formReference).dictionaryValue ?? [:]
            form["Fields"] = .array((try document.resolve(form["Fields"] ?? .null).arrayValue ?? []) + [.reference(field)])
            update.set(formReference, .dictionary(form))
        } else {
            var form = try document.resolve(catalog, "AcroForm")?.dictionaryValue ?? [:]
            form["Fields"] = .array((try document.resolve(form["Fields"] ?? .null).arrayValue ?? []) + [.reference(field)])
            catalog["AcroForm"] = .dictionary(form)
            update.set(catalogReference, .dictionary(catalog))
        }
    }

    static func addAnnotation(_ annotation: PDFReference, page: PDFPage, document: PDFDocument,
                              update: inout IncrementalUpdate) throws {
        if let arrayReference = page.dictionary["Annots"]?.referenceValue {
            let annotations = try document.object(arrayReference).arrayValue ?? []
            update.set(arrayReference, .array(annotations + [.reference(annotation)]))
        } else {
            var dictionary = page.dictionary
            dictionary["Annots"] = .array((try document.resolve(dictionary["Annots"] ?? .null).arrayValue ?? [])
                                          + [.reference(annotation)])
            update.set(page.reference, .dictionary(dictionary))
        }
    }

    /// Page 1's content stream object (the first, if `/Contents` is an array).
    static func contentStream(of document: PDFDocument) throws -> PDFReference {
        let contents = try document.pages()[0].dictionary["Contents"]
        if let reference = contents?.referenceValue,
           case .array(let items) = try document.object(reference), let first = items.first?.referenceValue {
            return first
        }
        if let reference = contents?.referenceValue { return reference }
        if let first = contents?.arrayValue?.first?.referenceValue { return first }
        throw PDFError(.badPageTree, "page 1 has no content stream")
    }
}
