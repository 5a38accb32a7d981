import CountersignCrypto
import Foundation
import PDFSyntax
import Signing
import Testing
import Verification

/// Updates after signing that make a signature box claim a signature it did not get: a field
/// given another field's signature, a copy of one, an appearance drawn in an empty signature box,
/// and a CMS signature that calls itself a document timestamp to get a timestamp's leave under a
/// "no changes" certification. Each was PASSED before these tests (a hostile-input trial);
/// pyHanko rejects each.
@Suite struct SignatureClaimTests {
    let fixtures = VerificationFixtures.shared

    private func field(_ name: String, in document: PDFDocument) throws -> PDFFormField {
        try #require(try document.formFields().first { $0.name == name })
    }

    /// An appearance stream reading "Digitally signed by …", as a forger would draw it.
    private func forgedAppearance(_ update: inout IncrementalUpdate) -> PDFReference {
        let font = update.add(.dictionary(["Type": .name("Font"), "Subtype": .name("Type1"), "BaseFont": .name("Helvetica")]))
        return update.add(DocumentEdits.stream("BT /F1 9 Tf 4 20 Td (Digitally signed by Bob Company) Tj ET", [
            "Type": .name("XObject"), "Subtype": .name("Form"), "BBox": [0, 0, 216, 54],
            "Resources": .dictionary(["Font": .dictionary(["F1": .reference(font)])]),
        ]))
    }

    /// The contract signed in `sig_customer`, then an update that rewrites the empty
    /// `sig_company` field as `edit` makes it (given the update, the signed document and the
    /// customer's field).
    private func editingTheEmptyField(_ edit: (inout PDFDictionary, inout IncrementalUpdate, PDFDocument, PDFFormField) throws -> Void)
        throws -> [UInt8] {
        let document = try PDFDocument(bytes: try fixtures.sign(fixtures.contract, .field("sig_customer")))
        let customer = try field("sig_customer", in: document)
        let company = try field("sig_company", in: document)
        var update = IncrementalUpdate(document: document)
        var dictionary = company.dictionary
        try edit(&dictionary, &update, document, customer)
        update.set(try #require(company.reference), .dictionary(dictionary))
        return update.write().bytes
    }

    @Test func anotherFieldsSignatureMovedIntoAnEmptyBoxFails() throws {
        let moved = try editingTheEmptyField { dictionary, update, _, customer in
            dictionary["V"] = .reference(try #require(customer.value?.referenceValue))
            dictionary["AP"] = .dictionary(["N": .reference(forgedAppearance(&update))])
        }
        let report = AttackSupport.expectFailed(moved, .disallowedModification, mentioning: "claims a signature it did not make")
        #expect(report.signatures.flatMap(\.modifications).contains { !$0.allowed && $0.description.contains("existed before this revision") },
                "\(report.text)")
    }

    @Test func aCopyOfAnotherFieldsSignatureFails() throws {
        // A new object, but with the first signature's /ByteRange and /Contents: it signs the
        // revision before the one that gives it to the field.
        let copied = try editingTheEmptyField { dictionary, update, document, customer in
            dictionary["V"] = .reference(update.add(try document.resolve(customer.value ?? .null)))
        }
        let report = fixtures.trusted.verify(bytes: copied)
        #expect(report.verdict == .failed, "\(report.text)")
        #expect(report.signatures.flatMap(\.modifications).contains { !$0.allowed && $0.description.contains("outside the revision that signs it") },
                "\(report.text)")
    }

    @Test func anAppearanceDrawnInAnEmptySignatureBoxFails() throws {
        let drawn = try editingTheEmptyField { dictionary, update, _, _ in
            dictionary["AP"] = .dictionary(["N": .reference(forgedAppearance(&update))])
        }
        AttackSupport.expectFailed(drawn, .disallowedModification, mentioning: "the appearance of unsigned field 'sig_company' changed")
    }

    @Test func aSignatureCalledADocumentTimestampIsJudgedAsASignature() throws {
        // Our signer refuses to sign under P=1, so: certify for form filling, sign again, then
        // make the certification P=1 and re-sign both with their own keys.
        let certified = try fixtures.sign(fixtures.contract, .field("sig_company"), signer: "Bob Company", certification: .formFill)
        var bytes = try fixtures.sign(certified, .field("sig_customer"), signer: "Alice Customer")
        let first = SignatureLayout(Array(bytes.prefix(certified.count)))
        let level = try #require(ByteSurgery.find("/P 2", in: bytes, from: first.contentsEnd))
        #expect(level < certified.count)
        ByteSurgery.overwrite(&bytes, at: level, with: "/P 1")
        try ByteSurgery.resign(&bytes, ranges: first.byteRange, contents: first.contentsStart..<first.contentsEnd,
                               identity: try fixtures.identity(name: "Bob Company"))
        let layout = SignatureLayout(bytes)
        let type = try #require(ByteSurgery.find("/Type /Sig /Filter /Adobe.PPKLite", in: bytes, from: certified.count))
        #expect(type < layout.contentsStart)
        ByteSurgery.fill(&bytes, type..<(type + 33), with: "/Type /DocTimeStamp")
        try ByteSurgery.resign(&bytes, ranges: layout.byteRange, contents: layout.contentsStart..<layout.contentsEnd,
                               identity: try fixtures.identity(name: "Alice Customer"))
        let report = AttackSupport.expectFailed(bytes, .disallowedModification, mentioning: "forbids any change")
        let second = try #require(report.signatures.last)
        #expect(second.kind == .signature, "\(report.text)")
        #expect(second.notes.contains { $0.code == "signatureTypeMismatch" }, "\(second.notes)")
    }

    enum NewFieldAppearance: String, CaseIterable, Sendable { case none, neutralBox, text, picture }

    /// A new, empty signature field added after signing may show a box (pyHanko's neutral
    /// appearance fills and strokes one) but not text or a picture: a full-page "PAID IN FULL"
    /// field, signed by nobody, was PASSED (a cross-signer trial; pdfsig says valid too).
    @Test(arguments: NewFieldAppearance.allCases)
    func aNewEmptySignatureFieldShowsNoMoreThanABox(_ appearance: NewFieldAppearance) throws {
        let signed = try fixtures.sign(fixtures.contract, .field("sig_customer"))
        let document = try PDFDocument(bytes: signed)
        let page = try document.pages()[0]
        var update = IncrementalUpdate(document: document)
        let form: PDFDictionary = ["Type": .name("XObject"), "Subtype": .name("Form"), "BBox": [0, 0, 612, 792]]
        var widget: PDFDictionary = [
            "Type": .name("Annot"), "Subtype": .name("Widget"), "FT": .name("Sig"), "T": .string(PDFString(text: "Overlay")),
            "Rect": [0, 0, 612, 792], "F": 4, "P": .reference(page.reference),
        ]
        let font = update.add(.dictionary(["Type": .name("Font"), "Subtype": .name("Type1"), "BaseFont": .name("Helvetica")]))
        let inner = update.add(DocumentEdits.stream("1 0 0 rg 0 0 10 10 re f", form))
        let content: String? = switch appearance {
        case .none: nil
        case .neutralBox: "q q 0.95 0.95 0.95 rg 0 0 612 792 re f Q 0.5 w 0 0 612 792 re S Q"
        case .text: "1 g 0 0 612 792 re f BT /F1 40 Tf 1 0 0 rg 120 400 Td (PAID IN FULL) Tj ET"
        case .picture: "q /Fm0 Do Q"
        }
        if let content {
            var dictionary = form
            dictionary["Resources"] = .dictionary(["Font": .dictionary(["F1": .reference(font)]),
                                                   "XObject": .dictionary(["Fm0": .reference(inner)])])
            widget["AP"] = .dictionary(["N": .reference(update.add(DocumentEdits.stream(content, dictionary)))])
        }
        let field = update.add(.dictionary(widget))
        try DocumentEdits.addToForm(field, document: document, update: &update)
        try DocumentEdits.addAnnotation(field, page: page, document: document, update: &update)
        let bytes = update.write().bytes
        switch appearance {
        case .none, .neutralBox:
            let report = fixtures.trusted.verify(bytes: bytes)
            #expect(report.verdict == .passed, "\(report.text)")
            #expect(report.signatures[0].modifications.contains { $0.allowed && $0.description == "empty signature field 'Overlay' added" })
        case .text, .picture:
            AttackSupport.expectFailed(bytes, .disallowedModification, mentioning:
                "empty signature field 'Overlay' added with an appearance that shows \(appearance == .text ? "text" : "an XObject")")
        }
    }
}
