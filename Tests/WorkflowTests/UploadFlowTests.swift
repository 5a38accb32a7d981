import CountersignCrypto
import Foundation
import Testing
import TestSupport
import Typesetting
import Verification
import Workflow

/// A two-signer envelope over a PDF another tool wrote (qpdf): fields placed by anchors, text
/// tags and coordinates, filled, drawn over the pages, sealed and verified — and judged by
/// pdfsig, qpdf and pyHanko.
@Suite(.serialized) struct UploadFlowTests {
    static let customer = "gabriel.cote@crescentcapital.ca"
    static let company = "jamie.chen@northbeam.example"
    static let legal = "legal@northbeam.example"

    static func request(pdf: Data) -> EnvelopeRequest {
        let fields = [
            FieldPlacementRequest(kind: .signature, role: "customer", anchor: .init(text: "Customer signature:", offsetY: 16)),
            FieldPlacementRequest(kind: .signature, role: "company", width: 200, height: 45,
                                  anchor: .init(text: "Company signature:", offsetY: 16)),
            FieldPlacementRequest(name: "customer_initials", kind: .initials, role: "customer", anchor: .init(text: "Initials:", offsetX: 50)),
            FieldPlacementRequest(name: "signed_on", kind: .dateSigned, role: "customer",
                                  anchor: .init(text: "Date of signature", offsetX: 110)),
            FieldPlacementRequest(name: "witness_name", kind: .text, role: "company", anchor: .init(text: "Witness here", offsetY: 20)),
            FieldPlacementRequest(name: "company_reference", kind: .text, role: "company", pattern: "NB-[0-9]{4}-[0-9]+",
                                  position: .init(page: 1, x: 400, y: 80)),
        ]
        // A second document that only the company signs: the customer and the approver are
        // named on its certificate through hidden signature fields.
        let annex = UploadFixtures.pdf([UploadFixtures.Page(texts: [.init(string: "Annex A - Data processing", x: 72, y: 720),
                                                                    .init(string: "Signed for Northbeam:", x: 72, y: 600)])])
        let annexFields = [FieldPlacementRequest(name: "annex_company", kind: .signature, role: "company",
                                                 anchor: .init(text: "Signed for Northbeam:", offsetX: 140))]
        return EnvelopeRequest(documents: [DocumentUpload(name: "contract.pdf", pdf: pdf, fields: fields),
                                           DocumentUpload(name: "annex.pdf", pdf: annex, fields: annexFields)],
                               subject: "Mutual NDA — Crescent Capital", message: "Please sign.", recipients: [
                                   RecipientRequest(name: "Gabriel Côté", email: customer, role: .signer, routingOrder: 1,
                                                    authentication: .emailOTP, signatureRole: "customer"),
                                   RecipientRequest(name: "Legal Review", email: legal, role: .approver, routingOrder: 2,
                                                    authentication: .link),
                                   RecipientRequest(name: "Jamie Chen", email: company, role: .signer, routingOrder: 3,
                                                    authentication: .link, signatureRole: "company"),
                               ], metadata: ["lead_id": "LD-100000"])
    }

    /// Runs the envelope to completion and returns the sealed PDF.
    static func completedUpload(_ fixture: WorkflowFixture) async throws -> [UInt8] {
        let pdf = try UploadFixtures.qpdfPDF(UploadFixtures.contract, in: fixture.directory)
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, request(pdf: pdf))
        #expect(envelope.template == nil && envelope.documents.first?.isUploaded == true)
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        let engine = fixture.engine

        let context = RequestContext(ip: "203.0.113.7", userAgent: "Firefox/140")
        let first = try await fixture.token(for: customer)
        let view = try await engine.open(token: first, context: context)
        try await engine.consent(token: first, disclosureVersion: view.disclosureVersion,
                                 disclosureSHA256: engine.configuration.disclosure.sha256, context: context)
        try await engine.requestCode(token: first, context: context)
        try await engine.authenticate(token: first, code: try await fixture.code(for: customer), context: context)
        try await engine.fill(token: first, values: ["customer_title": "Director of Finance", "term": "24 months",
                                                     "customer_initials": "GC"], context: context)
        await #expect(throws: WorkflowError(.invalidRequest, "")) {
            try await engine.fill(token: first, values: ["term": "36 months"], context: context)
        }
        try await engine.adopt(token: first, mark: .typed("Gabriel Côté", font: .texGyreChorus), context: context)
        try await engine.sign(token: first, context: context)

        let approver = try await fixture.token(for: legal)
        let approverView = try await engine.open(token: approver, context: context)
        try await engine.consent(token: approver, disclosureVersion: approverView.disclosureVersion,
                                 disclosureSHA256: engine.configuration.disclosure.sha256, context: context)
        try await engine.approve(token: approver, context: context)

        let second = try await fixture.token(for: company)
        let other = RequestContext(ip: "198.51.100.4", userAgent: "Safari/18")
        let secondView = try await engine.open(token: second, context: other)
        try await engine.consent(token: second, disclosureVersion: secondView.disclosureVersion,
                                 disclosureSHA256: engine.configuration.disclosure.sha256, context: other)
        await #expect(throws: WorkflowError(.invalidRequest, "")) {
            try await engine.fill(token: second, values: ["company_reference": "not a reference"], context: other)
        }
        try await engine.fill(token: second, values: ["witness_name": "Ana Lima", "company_reference": "NB-2026-114",
                                                      "approved_by_legal": "true"], context: other)
        let mark = try Data(contentsOf: TestEnvironment.root.appendingPathComponent("Fixtures/signature-mark.png"))
        try await engine.adopt(token: second, mark: .drawn(png: mark), context: other)
        try await engine.sign(token: second, context: other)

        let pass = try await WorkflowWorker(engine: engine, smtp: nil).runDue()
        #expect(pass.failed.isEmpty, "\(pass.failed)")
        let completed = try await engine.envelope(fixture.agent, id: envelope.id)
        #expect(completed.state == .completed)
        #expect(completed.documents.map(\.name) == ["contract.pdf", "annex.pdf"])
        var sealedFiles: [[UInt8]] = []
        for document in completed.documents {
            let sealedHash = try #require(document.sealedSHA256)
            let sealed = try #require(try await fixture.store.documents.get(sealedHash))
            let sent = try #require(try await fixture.store.documents.get(document.sentSHA256))
            // The upload is kept byte for byte: the fields and the seal are incremental updates after it.
            #expect(sealed.count > sent.count && Array(sealed.prefix(sent.count)) == sent)
            let report = PDFVerifier(trustAnchors: fixture.trust).verify(bytes: sealed)
            #expect(report.verdict == .passed && report.audit?.chainIntact == true, "\(document.name): \(report.text)")
            sealedFiles.append(sealed)
        }
        let sent = try #require(try await fixture.store.documents.get(completed.documents[0].sentSHA256))
        #expect(sent == Array(pdf))
        return sealedFiles[0]
    }

    @Test func aTwoSignerUploadIsFilledSealedAndVerified() async throws {
        let fixture = try await WorkflowFixture.make()
        let sealed = try await Self.completedUpload(fixture)
        let file = fixture.directory.appendingPathComponent("sealed.pdf")
        try Data(sealed).write(to: file)

        let pdfsig = try runCommand("pdfsig", [file.path]).stdout
        #expect(pdfsig.contains("Signature is Valid") && pdfsig.contains("Total document signed"), "\(pdfsig)")
        #expect(try runCommand("qpdf", ["--check", file.path]).status == 0)
        if FileManager.default.isExecutableFile(atPath: TestEnvironment.venv.appendingPathComponent("bin/pyhanko").path) {
            let ca = fixture.directory.appendingPathComponent("ca/ca.pem")
            let result = try runCommand(TestEnvironment.venv.appendingPathComponent("bin/pyhanko").path,
                                        ["sign", "validate", "--trust", ca.path, "--trust-replace", "--no-revocation-check", file.path],
                                        timeout: 120)
            #expect(result.stdout.contains(":INTACT:") && result.stdout.contains("TRUSTED"), "\(result.stdout) \(result.stderr)")
        }
        let report = PDFVerifier(trustAnchors: fixture.trust).verify(bytes: sealed)
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.audit?.chainIntact == true)

        // The values are on the pages (page 2 is turned, page 3 cropped), the original text too,
        // the tags painted over, and the Certificate of Completion follows.
        let text = try runCommand("pdftotext", ["-layout", file.path, "-"]).stdout
        for expected in ["Mutual Non-Disclosure Agreement", "Director of Finance", "24 months", "Ana Lima", "NB-2026-114",
                         "Certificate of Completion", "203.0.113.7", "Safari/18", "Legal Review"] {
            #expect(text.contains(expected), "\(expected)")
        }
        // The customer's typed mark and initials are in the script they chose (Chorus), the
        // only script on the pages (the company's mark is a drawing).
        let fonts = try runCommand("pdffonts", [file.path]).stdout
        #expect(fonts.contains("+TeXGyreChorus") && !fonts.contains("DancingScript"), "\(fonts)")
        let pages = text.components(separatedBy: "\u{0C}")
        #expect(pages.count >= 4 && pages[2].contains(String(EventTimeText.today(fixture.clock.now()))), "\(pages.prefix(3))")
        let audit = try await AuditVerifier(store: fixture.store, trustAnchors: fixture.trust).verify()
        #expect(audit.isIntact, "\(audit.findings)")
    }
}

/// The date-signed text as the overlay writes it.
enum EventTimeText {
    static func today(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}
