import Foundation
import PDFSyntax
import Testing
import TestSupport
import Workflow

/// Fields placed on an uploaded PDF by anchors, text tags and coordinates — on a plain page, a
/// page turned 90° and a page whose crop box is offset — and the requests that are refused
/// without creating anything.
@Suite(.serialized) struct UploadPlacementTests {
    /// A placement and where the field's top-left corner must land on the displayed page.
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var request: FieldPlacementRequest
        var page: Int
        var x: Double?
        var top: Double
        var tolerance: Double
        var testDescription: String { label }
    }

    static func text(_ name: String, width: Double = 100, height: Double = 20, units: String? = nil,
                     anchor: FieldPlacementRequest.Anchor? = nil, position: FieldPlacementRequest.Position? = nil) -> FieldPlacementRequest {
        FieldPlacementRequest(name: name, kind: .text, role: "customer", width: width, height: height, units: units,
                              anchor: anchor, position: position)
    }

    static let cases: [Case] = [
        Case(label: "coordinates from the top-left", request: text("a", position: .init(page: 1, x: 72, y: 100)),
             page: 1, x: 72, top: 692, tolerance: 0.01),
        Case(label: "coordinates from the bottom-left", request: text("b", position: .init(page: 1, x: 72, y: 100, origin: "bottom-left")),
             page: 1, x: 72, top: 120, tolerance: 0.01),
        Case(label: "coordinates in inches", request: text("c", width: 2, height: 0.5, units: "in", position: .init(page: 1, x: 1, y: 1)),
             page: 1, x: 72, top: 720, tolerance: 0.01),
        Case(label: "coordinates on a page with an offset crop box", request: text("d", position: .init(page: 3, x: 10, y: 10)),
             page: 3, x: 10, top: 582, tolerance: 0.01),
        Case(label: "coordinates on a page turned 90°", request: text("e", position: .init(page: 2, x: 680, y: 10)),
             page: 2, x: 680, top: 602, tolerance: 0.01),
        Case(label: "an anchor", request: text("f", anchor: .init(text: "Customer signature:")),
             page: 1, x: 72, top: 307, tolerance: 6),
        Case(label: "an anchor with offsets", request: text("g", anchor: .init(text: "Company signature:", offsetX: 10, offsetY: 20)),
             page: 1, x: 340, top: 287, tolerance: 6),
        Case(label: "an anchor on a page turned 90°", request: text("h", anchor: .init(text: "Witness here")),
             page: 2, x: 197, top: 512, tolerance: 5),
        Case(label: "an anchor on a page with an offset crop box", request: text("i", anchor: .init(text: "Date of signature")),
             page: 3, x: 100, top: 307, tolerance: 6),
        Case(label: "the third occurrence of an anchor", request: text("j", anchor: .init(text: "signature", occurrence: "3")),
             page: 3, x: nil, top: 307, tolerance: 6),
        Case(label: "a case-sensitive anchor", request: text("k", anchor: .init(text: "Initials:", caseSensitive: true)),
             page: 1, x: 72, top: 157, tolerance: 6),
    ]

    static func signer(_ role: String, _ email: String, order: Int = 1) -> RecipientRequest {
        RecipientRequest(name: role.capitalized, email: email, role: .signer, routingOrder: order, authentication: .link, signatureRole: role)
    }

    static let signature = FieldPlacementRequest(name: "customer_signature", kind: .signature, role: "customer",
                                                 position: .init(page: 1, x: 72, y: 600))

    static func request(_ fields: [FieldPlacementRequest], pdf: Data, textTags: Bool = false,
                        recipients: [RecipientRequest] = [signer("customer", "c@example.com")]) -> EnvelopeRequest {
        EnvelopeRequest(documents: [DocumentUpload(name: "contract.pdf", pdf: pdf, fields: [signature] + fields, textTags: textTags)],
                        subject: "Contract", recipients: recipients)
    }

    @Test(arguments: cases) func fieldsLandWhereTheyAreAsked(_ check: Case) async throws {
        let fixture = try await WorkflowFixture.make()
        let pdf = try UploadFixtures.qpdfPDF(UploadFixtures.contract, in: fixture.directory)
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, Self.request([check.request], pdf: pdf))
        let field = try #require(envelope.recipients.first?.fields.first { $0.name == check.request.name })
        let placement = try #require(field.placement)
        #expect(placement.document == "doc_1" && placement.page == check.page, "\(placement)")
        if let x = check.x { #expect(abs(placement.x - x) <= check.tolerance, "x \(placement.x), expected \(x)") }
        #expect(abs(placement.y + placement.height - check.top) <= check.tolerance, "top \(placement.y + placement.height), expected \(check.top)")
    }

    @Test func anAnchorForAllOccurrencesPlacesOneFieldEach() async throws {
        let fixture = try await WorkflowFixture.make()
        let pdf = UploadFixtures.pdf(UploadFixtures.contract)
        let all = Self.text("sign", anchor: .init(text: "signature", occurrence: "all"))
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, Self.request([all], pdf: pdf))
        let placed = try #require(envelope.recipients.first).fields.filter { $0.name.hasPrefix("sign_") }
        #expect(placed.map(\.name) == ["sign_1", "sign_2", "sign_3"])
        #expect(placed.compactMap(\.placement?.page) == [1, 1, 3])
    }

    @Test func textTagsBecomeFieldsWithTheirRules() async throws {
        let fixture = try await WorkflowFixture.make()
        let pdf = UploadFixtures.pdf(UploadFixtures.contract)
        let companySignature = FieldPlacementRequest(kind: .signature, role: "company", position: .init(page: 1, x: 330, y: 600))
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, Self.request(
            [companySignature], pdf: pdf, textTags: true, recipients: [Self.signer("customer", "c@example.com"), Self.signer("company", "k@example.com", order: 2)]))
        let customer = try #require(envelope.recipients.first { $0.signatureRole == "customer" })
        let company = try #require(envelope.recipients.first { $0.signatureRole == "company" })
        let title = try #require(customer.fields.first { $0.name == "customer_title" })
        #expect(title.kind == .text && title.maxLength == 40 && title.required)
        let titlePlacement = try #require(title.placement)
        #expect(abs(titlePlacement.x - 72) < 1 && abs(titlePlacement.y + 16 - 509) < 6 && titlePlacement.width == 160)
        #expect(titlePlacement.tag != nil)
        let term = try #require(customer.fields.first { $0.name == "term" })
        #expect(term.kind == .dropdown && term.options == ["12 months", "24 months"])
        let box = try #require(company.fields.first { $0.name == "approved_by_legal" })
        #expect(box.kind == .checkbox && !box.required)
    }

    /// A refused request and what its error must name.
    struct Refusal: CustomTestStringConvertible, Sendable {
        var label: String
        var fields: [FieldPlacementRequest]
        var pages: [UploadFixtures.Page]? = nil
        var textTags = false
        var mentions: [String]
        var testDescription: String { label }
    }

    static let refusals: [Refusal] = [
        Refusal(label: "an anchor that is not there", fields: [text("x", anchor: .init(text: "Notary seal"))],
                mentions: ["document 'contract.pdf'", "field 'x'", "Notary seal"]),
        Refusal(label: "a field off the page", fields: [text("x", width: 200, position: .init(page: 1, x: 500, y: 10))],
                mentions: ["document 'contract.pdf'", "page 1", "field 'x'", "off the page"]),
        Refusal(label: "an anchored field pushed off the page", fields: [text("x", anchor: .init(text: "Initials:", offsetY: 200))],
                mentions: ["page 1", "field 'x'", "off the page"]),
        Refusal(label: "an unknown role", fields: [FieldPlacementRequest(name: "x", kind: .text, role: "notary", position: .init(page: 1, x: 1, y: 1))],
                mentions: ["document 'contract.pdf'", "field 'x'", "role 'notary'"]),
        Refusal(label: "a page the document does not have", fields: [text("x", position: .init(page: 9, x: 1, y: 1))],
                mentions: ["field 'x'", "page 9"]),
        Refusal(label: "an occurrence that is not there", fields: [text("x", anchor: .init(text: "Initials:", occurrence: "2"))],
                mentions: ["field 'x'", "occurs 1 time"]),
        Refusal(label: "both an anchor and a position",
                fields: [text("x", anchor: .init(text: "Initials:"), position: .init(page: 1, x: 1, y: 1))],
                mentions: ["field 'x'", "exactly one"]),
        Refusal(label: "a dropdown without options",
                fields: [FieldPlacementRequest(name: "x", kind: .dropdown, role: "customer", position: .init(page: 1, x: 1, y: 1))],
                mentions: ["field 'x'", "options"]),
        Refusal(label: "a malformed text tag", fields: [],
                pages: [UploadFixtures.Page(texts: [.init(string: "{{field:stamp;role=customer}}", x: 72, y: 400)])], textTags: true,
                mentions: ["document 'contract.pdf'", "page 1", "stamp"]),
        Refusal(label: "a text tag written nearly right", fields: [],
                pages: [UploadFixtures.Page(texts: [.init(string: "{{Field :text;role=customer;name=ref}}", x: 72, y: 400)])], textTags: true,
                mentions: ["document 'contract.pdf'", "page 1", "'{{Field :text;role=customer;name=ref}}' looks like a text tag"]),
        Refusal(label: "a text tag for an unknown role", fields: [],
                pages: [UploadFixtures.Page(texts: [.init(string: "{{field:text;role=witness;name=w}}", x: 72, y: 400)])], textTags: true,
                mentions: ["document 'contract.pdf'", "page 1", "field 'w'", "role 'witness'"]),
        Refusal(label: "two fields with one name", fields: [text("customer_signature", position: .init(page: 1, x: 1, y: 1))],
                mentions: ["page 1", "customer_signature"]),
        Refusal(label: "a blank label", fields: [FieldPlacementRequest(name: "x", kind: .text, role: "customer",
                                                                         position: .init(page: 1, x: 1, y: 1), label: "  ")],
                mentions: ["field 'x'", "a label has 1 to 200 characters"]),
        Refusal(label: "a label that reads otherwise than it is stored",
                fields: [FieldPlacementRequest(name: "x", kind: .text, role: "customer", position: .init(page: 1, x: 1, y: 1),
                                               label: "Amount \u{202E}0001$")],
                mentions: ["field 'x'", "U+202E", "at character 8"]),
    ]

    /// A label, given in the request or in a text tag, is what the signing page asks for.
    @Test func labelsComeFromTheRequestAndFromTextTags() async throws {
        let fixture = try await WorkflowFixture.make()
        let pdf = UploadFixtures.pdf([UploadFixtures.Page(texts: [.init(string: "{{field:text;role=customer;name=ref;label=Your reference}}",
                                                                         x: 72, y: 400)])])
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, Self.request(
            [FieldPlacementRequest(name: "po", kind: .text, role: "customer", position: .init(page: 1, x: 300, y: 100), label: "Purchase order"),
             Self.text("unlabelled", position: .init(page: 1, x: 300, y: 200))], pdf: pdf, textTags: true))
        let fields = try #require(envelope.recipients.first).fields
        #expect(fields.first { $0.name == "po" }?.displayLabel == "Purchase order")
        #expect(fields.first { $0.name == "ref" }?.label == "Your reference")
        #expect(fields.first { $0.name == "unlabelled" }?.label == nil && fields.first { $0.name == "unlabelled" }?.displayLabel == "Unlabelled")
    }

    @Test(arguments: refusals) func badPlacementsAreRefusedAndCreateNothing(_ refusal: Refusal) async throws {
        let fixture = try await WorkflowFixture.make()
        let pdf = UploadFixtures.pdf(refusal.pages ?? UploadFixtures.contract)
        try await Self.expectRefused(fixture, Self.request(refusal.fields, pdf: pdf, textTags: refusal.textTags), mentions: refusal.mentions)
    }

    /// A page whose content inflates past the reader's per-stream limit (a compression bomb:
    /// 300 MiB of spaces in 300 KB) is refused at creation, before any page is rendered.
    @Test func aCompressionBombIsRefusedAtCreation() async throws {
        let fixture = try await WorkflowFixture.make()
        let content = try Flate.encode([UInt8](repeating: 0x20, count: 300 << 20), level: 9)
        var pdf = Data("%PDF-1.7\n".utf8)
        var offsets: [Int] = []
        for body in ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                     "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"] {
            offsets.append(pdf.count)
            pdf += Data("\(offsets.count) 0 obj\n\(body)\nendobj\n".utf8)
        }
        offsets.append(pdf.count)
        pdf += Data("4 0 obj\n<< /Length \(content.count) /Filter /FlateDecode >>\nstream\n".utf8) + Data(content) + Data("\nendstream\nendobj\n".utf8)
        let xref = pdf.count
        pdf += Data("xref\n0 5\n0000000000 65535 f \n".utf8)
        for offset in offsets { pdf += Data(String(format: "%010d 00000 n \n", offset).utf8) }
        pdf += Data("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        try await Self.expectRefused(fixture, Self.request([], pdf: pdf), mentions: ["'contract.pdf'", "compression bomb"])
    }

    @Test func encryptedAndSignedUploadsAreRefused() async throws {
        let fixture = try await WorkflowFixture.make()
        let plain = fixture.directory.appendingPathComponent("plain.pdf")
        try UploadFixtures.pdf(UploadFixtures.contract).write(to: plain)
        let encrypted = fixture.directory.appendingPathComponent("encrypted.pdf")
        #expect(try runCommand("qpdf", ["--encrypt", "user", "owner", "256", "--", plain.path, encrypted.path]).status == 0)
        try await Self.expectRefused(fixture, Self.request([], pdf: try Data(contentsOf: encrypted)), mentions: ["'contract.pdf'", "encrypted"])
        // Encrypted with an empty user password: signing could open it, the envelope still refuses it.
        let ownerOnly = fixture.directory.appendingPathComponent("owner-only.pdf")
        #expect(try runCommand("qpdf", ["--encrypt", "", "owner", "256", "--", plain.path, ownerOnly.path]).status == 0)
        try await Self.expectRefused(fixture, Self.request([], pdf: try Data(contentsOf: ownerOnly)), mentions: ["'contract.pdf'", "encrypted"])

        // A PDF already signed: the first completed envelope's sealed output, uploaded again.
        let signed = try await UploadFlowTests.completedUpload(fixture)
        try await Self.expectRefused(fixture, Self.request([], pdf: Data(signed)), mentions: ["'contract.pdf'", "signature"], existing: 1)
        try await Self.expectRefused(fixture, Self.request([], pdf: Data("not a pdf".utf8)), mentions: ["'contract.pdf'"], existing: 1)
        // A sealed file whose signature was taken off still attaches its audit record: a second
        // seal would attach another, and the file could not be verified.
        let audited = UploadFixtures.assemble([
            "<< /Type /Catalog /Pages 2 0 R /AF [6 0 R] >>",
            "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
            UploadFixtures.stream("BT /F1 12 Tf 72 600 Td (Sealed before) Tj ET"),
            "<< /Type /Filespec /F (audit.json) /UF (audit.json) /AFRelationship /Supplement /EF << /F 7 0 R >> >>",
            UploadFixtures.stream("{\"schema\": \"countersign.audit/1\"}"),
        ])
        try await Self.expectRefused(fixture, Self.request([], pdf: audited), mentions: ["'contract.pdf'", "audit.json"], existing: 1)
    }

    /// The request fails with `invalidRequest` naming `mentions`, and the store holds no more
    /// envelopes, events or documents than before.
    static func expectRefused(_ fixture: WorkflowFixture, _ request: EnvelopeRequest, mentions: [String], existing: Int = 0) async throws {
        let documents = fixture.directory.appendingPathComponent("store/documents")
        func files() -> Int {
            (FileManager.default.enumerator(at: documents, includingPropertiesForKeys: nil)?.allObjects.count) ?? 0
        }
        let before = files()
        do {
            _ = try await fixture.engine.createEnvelope(fixture.agent, request)
            Issue.record("nothing was thrown")
        } catch let error as WorkflowError {
            #expect(error.code == .invalidRequest, "\(error)")
            for mention in mentions { #expect(error.reason.contains(mention), "'\(mention)' not in: \(error.reason)") }
        }
        #expect(try await fixture.engine.envelopes(fixture.agent).count == existing)
        #expect(files() == before)
    }
}
