import CountersignCrypto
import Foundation
import PDFSyntax
import Testing
import Verification

/// Modification analysis on crafted files, one per class of change that real signing tools make
/// (allowed) or that attacks make (disallowed): the verdict and the rule named for it.
@Suite struct ModificationAnalysisTests {
    let fixtures = VerificationFixtures.shared

    /// Where else the appearance stream of the field being filled is used when the file is signed.
    enum SharedUse: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case anotherWidget, catalogKey, pageResources, sharedAppearanceDictionary, ownIcon

        var testDescription: String { rawValue }
    }

    // MARK: Misses: an in-place change shows everywhere the object is used

    @Test(arguments: SharedUse.allCases)
    func rewritingASharedAppearanceInPlaceIsDisallowed(_ shared: SharedUse) throws {
        let (prepared, stream) = try Self.fieldWithAppearance(fixtures.contract, sharedAs: shared)
        let signed = try fixtures.sign(prepared, .field("sig_customer"))
        let filled = try Self.fillInPlace(signed, field: "amount", stream: stream, value: "2,000 EUR")
        let report = AttackSupport.expectFailed(filled, .disallowedModification,
                                                mentioning: "rewritten in place as the appearance of field 'amount', is also used as")
        let denied = report.signatures[0].modifications.filter { !$0.allowed }
        #expect(denied.count == 1 && denied[0].object == "\(stream.number) \(stream.generation)", "\(denied)")
        let place = switch shared {
        case .anotherWidget: "/AP /N"
        case .ownIcon: "/MK /I"
        case .catalogKey: "catalog /FooBar"
        case .pageResources: "/XObject /Shared"
        case .sharedAppearanceDictionary: "catalog /FooBar /N"
        }
        #expect(denied.first?.description.contains(place) == true, "\(denied)")
    }

    /// Filling the field with a *new* appearance leaves the shared one untouched but lets go of
    /// it: allowed when the other user is another widget, disallowed when it is a place outside
    /// the annotations (pyHanko's "no-override … sneaky" files).
    @Test(arguments: SharedUse.allCases)
    func lettingGoOfASharedAppearance(_ shared: SharedUse) throws {
        let (prepared, stream) = try Self.fieldWithAppearance(fixtures.contract, sharedAs: shared)
        let signed = try fixtures.sign(prepared, .field("sig_customer"))
        let filled = try Self.fillWithNewAppearance(signed, field: "amount", value: "2,000 EUR")
        if shared == .anotherWidget || shared == .ownIcon {
            let report = fixtures.trusted.verify(bytes: filled)
            #expect(report.verdict == .passed, "\(report.text)")
            #expect(report.signatures[0].modifications.allSatisfy { $0.allowed }, "\(report.signatures[0].modifications)")
            return
        }
        let report = AttackSupport.expectFailed(filled, .disallowedModification, mentioning: "the update lets go of it")
        let denied = report.signatures[0].modifications.filter { !$0.allowed }
        let place = switch shared {
        case .catalogKey: "catalog /FooBar"
        case .pageResources: "/XObject /Shared"
        case .sharedAppearanceDictionary, .anotherWidget, .ownIcon: "catalog /FooBar"
        }
        #expect(denied.count == 1 && denied[0].description.contains(place), "\(denied)")
        if shared != .sharedAppearanceDictionary {
            #expect(denied.first?.object == "\(stream.number) \(stream.generation)", "\(denied)")
        }
    }

    /// Signing the second of two signature fields whose blank appearance dictionary the catalog
    /// also names: the first signature's later changes are disallowed.
    @Test func signingAFieldWhoseBlankAppearanceTheCatalogNames() throws {
        let (bytes, shared, _) = try Self.sharedBlankAppearanceSignedTwice(fixtures, alsoInCatalog: true)
        let report = fixtures.trusted.verify(bytes: bytes)
        #expect(report.signatures.map(\.verdict) == [.failed, .passed], "\(report.text)")
        let denied = report.signatures[0].modifications.filter { !$0.allowed }
        #expect(denied.map(\.object) == ["\(shared.number) \(shared.generation)"], "\(denied)")
        #expect(denied.first?.description.contains("is also used as catalog /FooBar") == true, "\(denied)")
    }

    /// A tool that fills a field may write its other text strings in another encoding
    /// (pyHanko rewrites LibreOffice's `/DV <FEFF>` as `/DV ()`): the same text is no change,
    /// another text still is.
    @Test(arguments: [false, true])
    func theSameTextInAnotherEncodingIsNoChange(alsoRetitled: Bool) throws {
        func edit(_ bytes: [UInt8], _ change: (inout PDFDictionary) -> Void) throws -> [UInt8] {
            let document = try PDFDocument(bytes: bytes)
            let field = try #require(try document.formFields().first { $0.name == "amount" })
            var update = IncrementalUpdate(document: document)
            var dictionary = field.dictionary
            change(&dictionary)
            update.set(try #require(field.reference), .dictionary(dictionary))
            return update.write().bytes
        }
        let utf16 = { (text: String) in PDFString(bytes: [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }) }
        let prepared = try edit(try DocumentEdits.addTextField(fixtures.contract, name: "amount")) {
            $0["DV"] = .string(PDFString(bytes: [0xFE, 0xFF]))
            $0["TU"] = .string(PDFString(text: "Amount"))
        }
        let signed = try fixtures.sign(prepared, .field("sig_customer"))
        let filled = try edit(try DocumentEdits.fill(signed, field: "amount", value: "2,000 EUR")) {
            $0["DV"] = .string(PDFString(bytes: []))
            $0["TU"] = .string(utf16(alsoRetitled ? "Amount due" : "Amount"))
        }
        let report = fixtures.trusted.verify(bytes: filled)
        if alsoRetitled {
            let denied = report.signatures[0].modifications.filter { !$0.allowed }.map(\.description)
            #expect(denied == ["field 'amount': /TU changed"], "\(report.text)")
        } else {
            #expect(report.verdict == .passed, "\(report.text)")
            #expect(report.signatures[0].modifications.allSatisfy { $0.allowed }, "\(report.signatures[0].modifications)")
        }
    }

    /// Clearing `/SigFlags` after signing changes nothing signed (pyHanko fails it); the report
    /// says what it may do in a viewer.
    @Test func clearingTheSignatureFlagsIsReported() throws {
        let signed = try fixtures.sign(fixtures.contract, .field("sig_customer"))
        let document = try PDFDocument(bytes: signed)
        var catalog = try document.catalog()
        var update = IncrementalUpdate(document: document)
        try Self.editForm(document, &update, &catalog) { form in
            #expect(form["SigFlags"] == 3, "the premise: signing set both flags")
            form["SigFlags"] = 0
        }
        update.set(try #require(document.catalogReference()), .dictionary(catalog))
        let report = fixtures.trusted.verify(bytes: update.write().bytes)
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.signatures[0].modifications.contains {
            $0.allowed && $0.description.hasPrefix("the form's /SigFlags cleared SignaturesExist and AppendOnly")
        }, "\(report.signatures[0].modifications)")
    }

    /// The same in-place rewrite of an appearance nothing else uses is form filling.
    @Test func rewritingAnUnsharedAppearanceInPlaceIsFormFilling() throws {
        let (prepared, stream) = try Self.fieldWithAppearance(fixtures.contract, sharedAs: nil)
        let signed = try fixtures.sign(prepared, .field("sig_customer"))
        let filled = try Self.fillInPlace(signed, field: "amount", stream: stream, value: "2,000 EUR")
        let report = fixtures.trusted.verify(bytes: filled)
        #expect(report.verdict == .passed, "\(report.text)")
        let modifications = report.signatures[0].modifications
        #expect(modifications.allSatisfy { $0.allowed } && modifications.contains { $0.kind == "form-fill" }, "\(modifications)")
    }

    /// A form XObject inside the appearance (as Acrobat's signature appearances nest theirs)
    /// rewritten in place: part of the appearance when private, a page change when the page uses
    /// it too.
    @Test(arguments: [false, true])
    func nestedAppearanceFormRewrittenInPlace(sharedWithPage: Bool) throws {
        let (prepared, inner) = try Self.fieldWithNestedAppearance(fixtures.contract, sharedWithPage: sharedWithPage)
        let signed = try fixtures.sign(prepared, .field("sig_customer"))
        let filled = try Self.fillInPlace(signed, field: "amount", stream: inner, value: "2,000 EUR")
        if sharedWithPage {
            let report = AttackSupport.expectFailed(filled, .disallowedModification, mentioning: "/XObject /Shared when signed")
            #expect(report.signatures[0].modifications.filter { !$0.allowed }.map(\.object) == ["\(inner.number) \(inner.generation)"])
        } else {
            let report = fixtures.trusted.verify(bytes: filled)
            #expect(report.verdict == .passed, "\(report.text)")
            #expect(report.signatures[0].modifications.contains { $0.kind == "form-fill" && $0.allowed })
        }
    }

    // MARK: False alarms: changes signing tools make that change nothing signed

    /// A validation-data revision (as a document timestamp or `extend` writes it) that also adds
    /// fonts to the form's default resources, as Adobe's does.
    @Test func validationDataWithNewFormFontsIsAllowed() throws {
        let signed = try fixtures.sign(fixtures.contract, .field("sig_customer"))
        let document = try PDFDocument(bytes: signed)
        var update = IncrementalUpdate(document: document)
        let certificate = update.add(.stream(PDFStream(dictionary: [:], encodedData: try fixtures.identity().certificate.derEncoded)))
        let font = update.add(.dictionary(["Type": .name("Font"), "Subtype": .name("Type1"), "BaseFont": .name("Helvetica")]))
        var catalog = try document.catalog()
        catalog["DSS"] = .reference(update.add(.dictionary(["Certs": [.reference(certificate)]])))
        try Self.editForm(document, &update, &catalog) { form in
            form["DR"] = .dictionary(["Font": .dictionary(["Helv": .reference(font)])])
        }
        update.set(try #require(document.catalogReference()), .dictionary(catalog))
        let report = fixtures.trusted.verify(bytes: update.write().bytes)
        #expect(report.verdict == .passed, "\(report.text)")
        let modifications = report.signatures[0].modifications
        #expect(modifications.contains { $0.kind == "dss" } && modifications.contains { $0.kind == "form" }, "\(modifications)")
    }

    /// The catalog written again as a new object: judged key by key, not by its number.
    @Test(arguments: [false, true])
    func catalogRewrittenAsAnotherObject(addsAnAction: Bool) throws {
        let signed = try fixtures.sign(fixtures.contract, .field("sig_customer"))
        let document = try PDFDocument(bytes: signed)
        var update = IncrementalUpdate(document: document)
        var catalog = try document.catalog()
        catalog["Version"] = .name("2.0")
        if addsAnAction {
            catalog["OpenAction"] = .dictionary(["S": .name("JavaScript"), "JS": .string(PDFString(text: "app.alert(1)"))])
        }
        update.trailerChanges["Root"] = .reference(update.add(.dictionary(catalog)))
        let bytes = update.write().bytes
        if addsAnAction {
            AttackSupport.expectFailed(bytes, .disallowedModification, mentioning: "catalog /OpenAction added")
        } else {
            let report = fixtures.trusted.verify(bytes: bytes)
            #expect(report.verdict == .passed, "\(report.text)")
            #expect(report.signatures[0].modifications.contains { $0.kind == "metadata" && $0.description.contains("/Version") })
        }
    }

    /// `/Extensions` (ISO 32000-2 §7.12) added as an indirect object, its developer entry too.
    @Test func indirectExtensionsAreAllowed() throws {
        let signed = try fixtures.sign(fixtures.contract, .field("sig_customer"))
        let document = try PDFDocument(bytes: signed)
        var update = IncrementalUpdate(document: document)
        let adobe = update.add(.dictionary(["BaseVersion": .name("1.7"), "ExtensionLevel": 8]))
        var catalog = try document.catalog()
        catalog["Extensions"] = .reference(update.add(.dictionary(["ADBE": .reference(adobe)])))
        update.set(try #require(document.catalogReference()), .dictionary(catalog))
        let report = fixtures.trusted.verify(bytes: update.write().bytes)
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.signatures[0].modifications.allSatisfy { $0.allowed })
    }

    /// A new signature field whose `/Kids` array is an indirect object of its own.
    @Test func newSignatureFieldWithIndirectKids() throws {
        let signed = try fixtures.sign(fixtures.contract, .field("sig_customer"))
        let document = try PDFDocument(bytes: signed)
        var update = IncrementalUpdate(document: document)
        let page = try document.pages()[0]
        let field = update.reserve()
        let widget = update.add(.dictionary([
            "Type": .name("Annot"), "Subtype": .name("Widget"), "Rect": [320, 80, 520, 130], "F": 132,
            "P": .reference(page.reference), "Parent": .reference(field),
        ]))
        let kids = update.add([.reference(widget)])
        update.set(field, .dictionary(["FT": .name("Sig"), "T": .string(PDFString(text: "witness")), "Kids": .reference(kids)]))
        try DocumentEdits.addToForm(field, document: document, update: &update)
        try DocumentEdits.addAnnotation(widget, page: page, document: document, update: &update)
        let report = fixtures.trusted.verify(bytes: update.write().bytes)
        #expect(report.verdict == .passed, "\(report.text)")
        let modifications = report.signatures[0].modifications
        #expect(modifications.allSatisfy { $0.allowed }, "\(modifications)")
        #expect(modifications.contains { $0.description.contains("empty signature field 'witness' added") })
    }

    /// Empty signature fields whose widgets share one indirect appearance dictionary (a form
    /// generator's blank appearance), signed one after another: each signing gives only its own
    /// widget a new `/AP`, the shared dictionary stays as signed for the field still empty, so the
    /// first signature sees an allowed signing. pyHanko 0.38 judges the same layout, signed by
    /// itself, "illegitimate": it refuses any `/AP` update whose old dictionary has several users
    /// (docs/verification.md, "Deliberate disagreements").
    @Test func signingFieldsThatShareABlankAppearanceIsAllowed() throws {
        let (bytes, shared, blank) = try Self.sharedBlankAppearanceSignedTwice(fixtures)
        let report = fixtures.trusted.verify(bytes: bytes)
        #expect(report.signatures.map(\.verdict) == [.passed, .passed], "\(report.text)")
        #expect(report.signatures[0].modifications.allSatisfy { $0.allowed }, "\(report.signatures[0].modifications)")
        #expect(report.signatures[0].modifications.contains { $0.kind == "signature" && $0.description.contains("sig_company") })
        // The field still empty shows the shared blank appearance, as when the first signer signed.
        let signed = try PDFDocument(bytes: bytes)
        let field = try #require(try signed.formFields().first { $0.name == "witness" })
        #expect(field.dictionary["AP"] == .reference(shared))
        #expect(try signed.object(shared) == .dictionary(["N": .reference(blank)]))
    }

    /// A second signature that also changes its widget's `/F` flags (Acrobat sets print and
    /// locked, 132): the first signature sees an allowed signing.
    @Test func secondSignatureSettingWidgetFlags() throws {
        // The field's flags are 100 before any signature, so the signing revision can write 132
        // in the same bytes.
        let document = try PDFDocument(bytes: fixtures.contract)
        var update = IncrementalUpdate(document: document)
        let company = try #require(try document.formFields().first { $0.name == "sig_company" })
        var dictionary = company.dictionary
        dictionary["F"] = 100
        update.set(try #require(company.reference), .dictionary(dictionary))
        var bytes = try fixtures.sign(update.write().bytes, .field("sig_customer"), signer: "Alice Customer")
        let firstEnd = bytes.count
        bytes = try fixtures.sign(bytes, .field("sig_company"), signer: "Bob Company", offset: 10)
        let flags = try #require(ByteSurgery.find("/F 100", in: bytes, from: firstEnd))
        ByteSurgery.overwrite(&bytes, at: flags, with: "/F 132")
        let layout = SignatureLayout(bytes)
        try ByteSurgery.resign(&bytes, ranges: layout.byteRange, contents: layout.contentsStart..<layout.contentsEnd,
                               identity: try fixtures.identity(name: "Bob Company"))

        let report = fixtures.trusted.verify(bytes: bytes)
        #expect(report.signatures.count == 2)
        #expect(report.signatures[0].verdict == .passed, "\(report.text)")
        #expect(report.signatures[0].modifications.allSatisfy { $0.allowed }, "\(report.signatures[0].modifications)")
        #expect(report.signatures[0].modifications.contains { $0.kind == "signature" && $0.description.contains("sig_company") })
    }

    /// A second signature whose revision also moves its widget (`/Rect`): signing does not
    /// allow that, and the first signature's report says what else changed.
    @Test func secondSignatureMovingItsWidget() throws {
        var bytes = try fixtures.sign(fixtures.contract, .field("sig_customer"), signer: "Alice Customer")
        let firstEnd = bytes.count
        bytes = try fixtures.sign(bytes, .field("sig_company"), signer: "Bob Company", offset: 10)
        let rect = try #require(ByteSurgery.find("/Rect [", in: bytes, from: firstEnd))
        let digit = rect + "/Rect [".utf8.count
        bytes[digit] = bytes[digit] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        let layout = SignatureLayout(bytes)
        try ByteSurgery.resign(&bytes, ranges: layout.byteRange, contents: layout.contentsStart..<layout.contentsEnd,
                               identity: try fixtures.identity(name: "Bob Company"))

        let report = fixtures.trusted.verify(bytes: bytes)
        #expect(report.signatures.map(\.verdict) == [.failed, .passed], "\(report.text)")
        #expect(report.signatures[0].modifications.contains {
            !$0.allowed && $0.description.contains("'sig_company' signed, but signing also changed /Rect")
        }, "\(report.signatures[0].modifications)")
    }

    // MARK: Building the files

    /// The contract with its two signature fields and a third, `witness`, whose widgets share one
    /// indirect blank appearance dictionary; `sig_customer` signed, then `sig_company`. Returns
    /// the file, the shared dictionary and its stream.
    static func sharedBlankAppearanceSignedTwice(_ fixtures: VerificationFixtures, alsoInCatalog: Bool = false) throws
        -> ([UInt8], PDFReference, PDFReference) {
        let document = try PDFDocument(bytes: fixtures.contract)
        var update = IncrementalUpdate(document: document)
        let page = try document.pages()[0]
        let blank = update.add(DocumentEdits.stream("q Q", ["Type": .name("XObject"), "Subtype": .name("Form"), "BBox": [0, 0, 200, 50]]))
        let shared = update.add(.dictionary(["N": .reference(blank)]))
        for name in ["sig_customer", "sig_company"] {
            let field = try #require(try document.formFields().first { $0.name == name })
            var dictionary = field.dictionary
            dictionary["AP"] = .reference(shared)
            update.set(try #require(field.reference), .dictionary(dictionary))
        }
        let witness = update.add(.dictionary([
            "Type": .name("Annot"), "Subtype": .name("Widget"), "FT": .name("Sig"), "T": .string(PDFString(text: "witness")),
            "Rect": [320, 80, 520, 130], "F": 4, "P": .reference(page.reference), "AP": .reference(shared),
        ]))
        try DocumentEdits.addToForm(witness, document: document, update: &update)
        try DocumentEdits.addAnnotation(witness, page: page, document: document, update: &update)
        var bytes = update.write().bytes
        if alsoInCatalog {
            let prepared = try PDFDocument(bytes: bytes)
            var naming = IncrementalUpdate(document: prepared)
            var catalog = try prepared.catalog()
            catalog["FooBar"] = .reference(shared)
            naming.set(try #require(prepared.catalogReference()), .dictionary(catalog))
            bytes = naming.write().bytes
        }
        bytes = try fixtures.sign(bytes, .field("sig_customer"), signer: "Alice Customer")
        bytes = try fixtures.sign(bytes, .field("sig_company"), signer: "Bob Company", offset: 10)
        return (bytes, shared, blank)
    }

    /// Adds a text field `amount` whose widget's appearance is one stream, also used as `sharedAs`
    /// says; returns the file and the stream's reference.
    static func fieldWithAppearance(_ bytes: [UInt8], sharedAs shared: SharedUse?) throws -> ([UInt8], PDFReference) {
        let document = try PDFDocument(bytes: bytes)
        var update = IncrementalUpdate(document: document)
        let page = try document.pages()[0]
        let stream = update.add(DocumentEdits.stream("0.9 g 0 0 228 20 re f", [
            "Type": .name("XObject"), "Subtype": .name("Form"), "BBox": [0, 0, 228, 20],
        ]))
        let appearance: PDFObject = shared == .sharedAppearanceDictionary
            ? .reference(update.add(.dictionary(["N": .reference(stream)]))) : .dictionary(["N": .reference(stream)])
        func widget(_ name: String, y: Int) -> PDFReference {
            var dictionary: PDFDictionary = [
                "Type": .name("Annot"), "Subtype": .name("Widget"), "FT": .name("Tx"), "T": .string(PDFString(text: name)),
                "Rect": [72, .integer(y), 300, .integer(y + 20)], "F": 4, "P": .reference(page.reference),
                "DA": .string(PDFString(text: "/Helv 10 Tf 0 g")), "AP": appearance,
            ]
            // The widget's own appearance characteristics name the stream as its icon.
            if shared == .ownIcon { dictionary["MK"] = .dictionary(["I": .reference(stream)]) }
            return update.add(.dictionary(dictionary))
        }
        var fields = [widget("amount", y: 640)]
        if shared == .anotherWidget { fields.append(widget("amount_copy", y: 610)) }
        var catalog = try document.catalog()
        var pageDictionary = page.dictionary
        try editForm(document, &update, &catalog) { form in
            form["Fields"] = .array((form["Fields"]?.arrayValue ?? []) + fields.map(PDFObject.reference))
        }
        switch shared {
        case .catalogKey: catalog["FooBar"] = .reference(stream)
        case .sharedAppearanceDictionary: catalog["FooBar"] = appearance
        case .pageResources: try useOnPage(stream, &pageDictionary, document)
        case .anotherWidget, .ownIcon, nil: break
        }
        let annotations = try document.resolve(pageDictionary["Annots"] ?? .null).arrayValue ?? []
        pageDictionary["Annots"] = .array(annotations + fields.map(PDFObject.reference))
        update.set(page.reference, .dictionary(pageDictionary))
        update.set(try #require(document.catalogReference()), .dictionary(catalog))
        return (update.write().bytes, stream)
    }

    /// Adds a text field `amount` whose appearance stream draws a nested form XObject, which
    /// page 1 also uses if `sharedWithPage`; returns the file and the nested form's reference.
    static func fieldWithNestedAppearance(_ bytes: [UInt8], sharedWithPage: Bool) throws -> ([UInt8], PDFReference) {
        let document = try PDFDocument(bytes: bytes)
        var update = IncrementalUpdate(document: document)
        let page = try document.pages()[0]
        let form: PDFDictionary = ["Type": .name("XObject"), "Subtype": .name("Form"), "BBox": [0, 0, 228, 20]]
        let inner = update.add(DocumentEdits.stream("0.9 g 0 0 228 20 re f", form))
        var outer = form
        outer["Resources"] = .dictionary(["XObject": .dictionary(["Inner": .reference(inner)])])
        let stream = update.add(DocumentEdits.stream("/Inner Do", outer))
        let widget = update.add(.dictionary([
            "Type": .name("Annot"), "Subtype": .name("Widget"), "FT": .name("Tx"), "T": .string(PDFString(text: "amount")),
            "Rect": [72, 640, 300, 660], "F": 4, "P": .reference(page.reference),
            "DA": .string(PDFString(text: "/Helv 10 Tf 0 g")), "AP": .dictionary(["N": .reference(stream)]),
        ]))
        var catalog = try document.catalog()
        try editForm(document, &update, &catalog) { form in
            form["Fields"] = .array((form["Fields"]?.arrayValue ?? []) + [.reference(widget)])
        }
        var pageDictionary = page.dictionary
        if sharedWithPage { try useOnPage(inner, &pageDictionary, document) }
        pageDictionary["Annots"] = .array((try document.resolve(pageDictionary["Annots"] ?? .null).arrayValue ?? []) + [.reference(widget)])
        update.set(page.reference, .dictionary(pageDictionary))
        update.set(try #require(document.catalogReference()), .dictionary(catalog))
        return (update.write().bytes, inner)
    }

    /// Makes `form` the page's XObject `/Shared` as well.
    static func useOnPage(_ form: PDFReference, _ page: inout PDFDictionary, _ document: PDFDocument) throws {
        var resources = try document.resolve(page["Resources"] ?? .null).dictionaryValue ?? [:]
        var objects = try document.resolve(resources["XObject"] ?? .null).dictionaryValue ?? [:]
        objects["Shared"] = .reference(form)
        resources["XObject"] = .dictionary(objects)
        page["Resources"] = .dictionary(resources)
    }

    /// Fills `field` by giving it a value and rewriting its appearance stream in place.
    static func fillInPlace(_ bytes: [UInt8], field name: String, stream: PDFReference, value: String) throws -> [UInt8] {
        let document = try PDFDocument(bytes: bytes)
        let field = try #require(try document.formFields().first { $0.name == name })
        var update = IncrementalUpdate(document: document)
        var dictionary = field.dictionary
        dictionary["V"] = .string(PDFString(text: value))
        update.set(try #require(field.reference), .dictionary(dictionary))
        update.set(stream, DocumentEdits.stream("/Tx BMC BT /Helv 10 Tf 2 5 Td (\(value)) Tj ET EMC", [
            "Type": .name("XObject"), "Subtype": .name("Form"), "BBox": [0, 0, 228, 20],
        ]))
        return update.write().bytes
    }

    /// Fills `field` by giving it a value and a new, direct appearance; the old one is untouched.
    static func fillWithNewAppearance(_ bytes: [UInt8], field name: String, value: String) throws -> [UInt8] {
        let document = try PDFDocument(bytes: bytes)
        let field = try #require(try document.formFields().first { $0.name == name })
        var update = IncrementalUpdate(document: document)
        let stream = update.add(DocumentEdits.stream("/Tx BMC BT /Helv 10 Tf 2 5 Td (\(value)) Tj ET EMC", [
            "Type": .name("XObject"), "Subtype": .name("Form"), "BBox": [0, 0, 228, 20],
        ]))
        var dictionary = field.dictionary
        dictionary["V"] = .string(PDFString(text: value))
        dictionary["AP"] = .dictionary(["N": .reference(stream)])
        update.set(try #require(field.reference), .dictionary(dictionary))
        return update.write().bytes
    }

    /// Edits the AcroForm dictionary, wherever it is (an object of its own or inside `catalog`).
    static func editForm(_ document: PDFDocument, _ update: inout IncrementalUpdate, _ catalog: inout PDFDictionary,
                         _ edit: (inout PDFDictionary) throws -> Void) throws {
        if let reference = catalog["AcroForm"]?.referenceValue {
            var form = try document.object(reference).dictionaryValue ?? [:]
            if let fields = form["Fields"]?.referenceValue { form["Fields"] = try document.object(fields) }
            try edit(&form)
            update.set(reference, .dictionary(form))
        } else {
            var form = try document.resolve(catalog["AcroForm"] ?? .null).dictionaryValue ?? [:]
            try edit(&form)
            catalog["AcroForm"] = .dictionary(form)
        }
    }
}
