import Foundation
import PDFSyntax
import Testing
import Verification

/// Shadow attacks — Mainka, Mladenov, Rohlmann, "Shadow Attacks: Hiding and Replacing Content
/// in Signed PDFs" (NDSS 2021). The attacker prepares the document *before* it is signed with
/// content that is invisible or unused, the victim signs it, and an incremental update after
/// the signature flips what is shown. Every flip here is a disallowed change.
@Suite struct ShadowAttackTests {
    /// The prepared document, signed, and the objects the attacks flip.
    struct Prepared {
        var signed: [UInt8]
        var document: PDFDocument
        var page: PDFReference
        var ocgConfiguration: PDFReference
        var ocg: PDFReference
        var terms: PDFReference
        var termsResources: PDFReference
        var unusedFont: PDFReference
        var unusedContent: PDFReference
    }

    let prepared: Prepared

    init() throws {
        prepared = try Self.prepare()
    }

    /// Before signing: a visible form XObject with the payment terms (its own resources and
    /// font), an unused second font, a full-page white overlay in an optional content group that
    /// is OFF, and an unused alternative content stream.
    static func prepare() throws -> Prepared {
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
        let contents = try document.resolve(pageDictionary["Contents"] ?? .null)
        let existing: [PDFObject] = contents.arrayValue ?? [pageDictionary["Contents"]!]
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
        update.set(document.catalogReference()!, .dictionary(catalog))

        let signed = try fixtures.sign(update.write().bytes, .field("sig_customer"), signer: "Alice Customer")
        return Prepared(signed: signed, document: try PDFDocument(bytes: signed), page: page.reference,
                        ocgConfiguration: configuration, ocg: ocg, terms: terms, termsResources: termsResources,
                        unusedFont: courier, unusedContent: unused)
    }

    private func attack(_ edit: (inout IncrementalUpdate) throws -> Void) rethrows -> [UInt8] {
        var update = IncrementalUpdate(document: prepared.document)
        try edit(&update)
        return update.write().bytes
    }

    private func disallowed(_ report: VerificationReport) -> [Modification] {
        report.signatures.flatMap(\.modifications).filter { !$0.allowed }
    }

    @Test func preparedDocumentIsValid() {
        let report = AttackSupport.fixtures.trusted.verify(bytes: prepared.signed)
        #expect(report.verdict == .passed, "\(report.text)")
    }

    /// Hide: switch the overlay's optional content group ON; the white page covers the contract.
    @Test func shadowHideByOptionalContent() throws {
        let bytes = attack { update in
            update.set(prepared.ocgConfiguration, .dictionary(["Order": [.reference(prepared.ocg)], "ON": [.reference(prepared.ocg)]]))
        }
        let report = AttackSupport.expectFailed(bytes, .disallowedModification, mentioning: "OCProperties")
        #expect(disallowed(report).map(\.kind) == ["optional-content"])
    }

    /// Replace: the visible terms XObject gets new content under the same object number.
    @Test func shadowReplaceXObjectContent() throws {
        let bytes = attack { update in
            update.set(prepared.terms, DocumentEdits.stream("BT /FA 12 Tf 72 560 Td (Payment terms: 3 days.) Tj ET", [
                "Type": .name("XObject"), "Subtype": .name("Form"), "BBox": [0, 0, 612, 792],
                "Resources": .reference(prepared.termsResources),
            ]))
        }
        let report = AttackSupport.expectFailed(bytes, .disallowedModification, mentioning: "/XObject /Terms")
        #expect(disallowed(report).map(\.kind) == ["xobject"])
    }

    /// Replace: the terms' font resource swapped to the unused font prepared before signing.
    @Test func shadowReplaceFontReference() throws {
        let bytes = attack { update in
            update.set(prepared.termsResources, .dictionary(["Font": .dictionary(["FA": .reference(prepared.unusedFont)])]))
        }
        let report = AttackSupport.expectFailed(bytes, .disallowedModification, mentioning: "/Terms /Resources")
        #expect(disallowed(report).map(\.kind) == ["resources"])
    }

    /// Hide-and-replace: the page's `/Contents` now names the alternative content stream that
    /// was in the signed revision but unused.
    @Test func shadowHideAndReplacePageContents() throws {
        let bytes = try attack { update in
            var page = try prepared.document.object(prepared.page).dictionaryValue!
            page["Contents"] = .reference(prepared.unusedContent)
            update.set(prepared.page, .dictionary(page))
        }
        let report = AttackSupport.expectFailed(bytes, .disallowedModification, mentioning: "page 1: /Contents changed")
        #expect(disallowed(report).map(\.kind) == ["page-content"])
    }

    /// A reference swapped to a *new* object with identical content is a rewrite, not a change.
    @Test func identicalRewriteIsNotAChange() throws {
        let bytes = try attack { update in
            let copy = update.add(try prepared.document.object(prepared.termsResources))
            var page = try prepared.document.object(prepared.page).dictionaryValue!
            var resources = page["Resources"]!.dictionaryValue!
            var xobjects = resources["XObject"]!.dictionaryValue!
            var terms = try prepared.document.object(prepared.terms).streamValue!
            terms.dictionary["Resources"] = .reference(copy)
            xobjects["Terms"] = .reference(update.add(.stream(terms)))
            resources["XObject"] = .dictionary(xobjects)
            page["Resources"] = .dictionary(resources)
            update.set(prepared.page, .dictionary(page))
        }
        let report = AttackSupport.fixtures.trusted.verify(bytes: bytes)
        #expect(report.verdict == .passed, "\(report.text)")
    }
}
