import Foundation
import PDFSyntax

/// The groundwork of a shadow attack, laid *before* the victim signs: a visible form XObject
/// with the payment terms (its own resources and font), an unused second font, a full-page
/// white overlay in an optional content group that is OFF, and an unused alternative content
/// stream. The victim's signature covers all of it; the attack update flips one piece.
struct ShadowPreparation {
    var signed: [UInt8]
    var document: PDFDocument
    var page: PDFReference
    var ocgConfiguration: PDFReference
    var ocg: PDFReference
    var terms: PDFReference
    var termsResources: PDFReference
    var unusedFont: PDFReference
    var unusedContent: PDFReference

    static func make() throws -> ShadowPreparation {
        let fixtures = VerificationFixtures.shared
        let document = try PDFDocument(bytes: fixtures.contract)
        var update = IncrementalUpdate(document: document)
        let page = try document.pages()[0]
        let helvetica = update.add(.dictionary(["Type": .name("Font"), "Subtype": .name("Type1"), "BaseFont": .name("Helvetica")]))
        let courier = update.add(.dictionary(["Type": .name("Font"), "Subtype": .name("Type1"), "BaseFont": .name("Courier")]))
        let termsResources = update.add(.dictionary(["Font": .dictionary(["FA": .reference(helvetica)])]))
        let form: PDFDictionary = ["Type": .name("XObject"), "Subtype": .name("Form"), "BBox": [0, 0, 612, 792]]
        var termsDictionary = form
        termsDictionary["Resources"] = .reference(termsResources)
        let terms = update.add(DocumentEdits.stream("BT /FA 12 Tf 72 560 Td (Payment terms: 30 days.) Tj ET", termsDictionary))
        let ocg = update.add(.dictionary(["Type": .name("OCG"), "Name": .string(PDFString(text: "Overlay"))]))
        let configuration = update.add(.dictionary(["Order": [.reference(ocg)], "OFF": [.reference(ocg)]]))
        var overlayDictionary = form
        overlayDictionary["OC"] = .reference(ocg)
        let overlay = update.add(DocumentEdits.stream("1 1 1 rg 0 0 612 792 re f", overlayDictionary))
        let unused = update.add(DocumentEdits.stream("BT /FA 24 Tf 72 700 Td (Nothing is owed.) Tj ET"))
        let drawing = update.add(DocumentEdits.stream("q /Terms Do Q q /Overlay Do Q"))

        var pageDictionary = page.dictionary
        let existing: [PDFObject] = try document.resolve(pageDictionary["Contents"] ?? .null).arrayValue
            ?? [pageDictionary["Contents"] ?? .null]
        pageDictionary["Contents"] = .array(existing + [.reference(drawing)])
        var resources = page.resources ?? [:]
        var xobjects = try document.resolve(resources["XObject"] ?? .null).dictionaryValue ?? [:]
        xobjects["Terms"] = .reference(terms)
        xobjects["Overlay"] = .reference(overlay)
        resources["XObject"] = .dictionary(xobjects)
        pageDictionary["Resources"] = .dictionary(resources)
        update.set(page.reference, .dictionary(pageDictionary))
        var catalog = try document.catalog()
        catalog["OCProperties"] = .dictionary(["OCGs": [.reference(ocg)], "D": .reference(configuration)])
        guard let catalogReference = document.catalogReference() else { throw PDFError(.badPageTree, "no catalog") }
        update.set(catalogReference, .dictionary(catalog))

        let signed = try fixtures.sign(update.write().bytes, .field("sig_customer"), signer: "Alice Customer")
        return ShadowPreparation(signed: signed, document: try PDFDocument(bytes: signed), page: page.reference,
                                 ocgConfiguration: configuration, ocg: ocg, terms: terms, termsResources: termsResources,
                                 unusedFont: courier, unusedContent: unused)
    }

    /// The signed file plus one incremental update made by `edit`.
    func attack(_ edit: (inout IncrementalUpdate) throws -> Void) throws -> [UInt8] {
        var update = IncrementalUpdate(document: document)
        try edit(&update)
        return update.write().bytes
    }
}
