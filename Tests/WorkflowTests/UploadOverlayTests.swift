import Foundation
import PDFSyntax
import Testing
import TestSupport
import Verification
import Workflow

/// Uploads whose pages other writers left in awkward states: the overlay must draw the values
/// where they belong and never change what was there.
@Suite(.serialized) struct UploadOverlayTests {
    /// One signer fills a text field at a coordinate and signs; the sealed PDF.
    private func complete(_ pdf: Data, value: String = "ZEBRA", at position: FieldPlacementRequest.Position = .init(page: 1, x: 100, y: 100))
        async throws -> (sealed: [UInt8], fixture: WorkflowFixture) {
        let fixture = try await WorkflowFixture.make()
        let fields = [FieldPlacementRequest(name: "signature", kind: .signature, role: "customer", width: 150, height: 30,
                                            position: .init(page: position.page, x: position.x, y: position.y + 40)),
                      FieldPlacementRequest(name: "reference", kind: .text, role: "customer", width: 150, height: 20, position: position)]
        let request = EnvelopeRequest(documents: [DocumentUpload(name: "contract.pdf", pdf: pdf, fields: fields)], subject: "Contract",
                                      recipients: [UploadPlacementTests.signer("customer", "c@example.com")])
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, request)
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        let token = try await fixture.token(for: "c@example.com")
        let context = RequestContext(ip: "203.0.113.9", userAgent: "Overlay test")
        let view = try await fixture.engine.open(token: token, context: context)
        try await fixture.engine.consent(token: token, disclosureVersion: view.disclosureVersion,
                                         disclosureSHA256: fixture.engine.configuration.disclosure.sha256, context: context)
        try await fixture.engine.fill(token: token, values: ["reference": value], context: context)
        try await fixture.engine.adopt(token: token, mark: .typed("Casey Customer"), context: context)
        try await fixture.engine.sign(token: token, context: context)
        let pass = try await WorkflowWorker(engine: fixture.engine, smtp: nil).runDue()
        #expect(pass.failed.isEmpty, "\(pass.failed)")
        let completed = try await fixture.engine.envelope(fixture.agent, id: envelope.id)
        #expect(completed.state == .completed)
        let hash = try #require(completed.documents.first?.sealedSHA256)
        let sealed = try #require(try await fixture.store.documents.get(hash))
        let report = PDFVerifier(trustAnchors: fixture.trust).verify(bytes: sealed)
        #expect(report.verdict == .passed, "\(report.text)")
        return (sealed, fixture)
    }

    /// The words poppler finds on page 1, with their boxes (top-left origin, points).
    private func words(_ sealed: [UInt8], in fixture: WorkflowFixture) throws -> [(word: String, x: Double, y: Double)] {
        let file = fixture.directory.appendingPathComponent("sealed-\(UUID().uuidString.prefix(6)).pdf")
        try Data(sealed).write(to: file)
        let html = try runCommand("pdftotext", ["-bbox", "-f", "1", "-l", "1", file.path, "-"]).stdout
        let pattern = try NSRegularExpression(pattern: #"<word xMin="([0-9.]+)" yMin="([0-9.]+)"[^>]*>([^<]*)</word>"#)
        return pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap { match in
            guard let x = Range(match.range(at: 1), in: html), let y = Range(match.range(at: 2), in: html),
                  let word = Range(match.range(at: 3), in: html) else { return nil }
            return (String(html[word]), Double(html[x]) ?? -1, Double(html[y]) ?? -1)
        }
    }

    /// A page whose content scales by 2 with `cm` and leaves a `q` open, and whose resources
    /// already name a form `CSField1` (a document Countersign sealed before).
    static let awkwardPage: Data = UploadFixtures.assemble([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> "
            + "/XObject << /CSField1 6 0 R >> >> /Contents 5 0 R >>",
        UploadFixtures.stream("2 0 0 2 0 0 cm q BT /F1 10 Tf 36 300 Td (Scaled heading) Tj ET q 1 0 0 1 36 250 cm /CSField1 Do Q"),
        "<< /Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /F1 3 0 R >> >> /Length 38 >>\nstream\n"
            + "BT /F1 10 Tf 0 5 Td (EARLIER) Tj ET\nendstream",
    ])

    @Test func theOverlayUndoesTheUploadsOpenStateAndKeepsItsForms() async throws {
        let (sealed, fixture) = try await complete(Self.awkwardPage)
        let found = try words(sealed, in: fixture)
        // The earlier form still draws its own text, at its place (scaled by the page's cm).
        #expect(found.contains { $0.word == "EARLIER" }, "\(found)")
        #expect(found.contains { $0.word == "Scaled" }, "\(found)")
        // The value sits in its field, 100 pt from the left and top, not scaled off the page.
        let value = try #require(found.first { $0.word == "ZEBRA" }, "\(found)")
        #expect(value.x >= 99 && value.x <= 110 && value.y >= 99 && value.y <= 120, "\(value)")
        // The overlay names its forms with one slash (`/CSField2 Do`), and not the upload's name.
        let text = String(decoding: sealed, as: UTF8.self)
        #expect(!text.contains("//CSField") && text.contains("/CSField2 Do"))
    }

    /// An A5 first page (too narrow for the certificate's tables) and a /Rotate 90 on the page
    /// tree's root, which pages appended under it would inherit: the envelope completes, and
    /// the Certificate of Completion is an upright A4 page.
    @Test func aSmallOrTurnedFirstPageGetsAnUprightA4Certificate() async throws {
        let pdf = UploadFixtures.assemble([
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [4 0 R] /Count 1 /Rotate 90 >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 419.53 595.28] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
            UploadFixtures.stream("BT /F1 10 Tf 36 500 Td (A5 order form) Tj ET"),
        ])
        let (sealed, _) = try await complete(pdf, at: .init(page: 1, x: 40, y: 40))
        let document = try PDFDocument(bytes: sealed)
        let pages = try document.pages()
        #expect(pages.count >= 2)
        for certificate in pages.dropFirst() {
            #expect(certificate.rotation == 0, "the root's /Rotate is not inherited")
            #expect(abs(certificate.cropBox.width - 595.276) < 0.01 && abs(certificate.cropBox.height - 841.89) < 0.01,
                    "\(certificate.cropBox)")
        }
        #expect(pages[0].rotation == 90, "the upload's own page is as it was")
    }

    /// A crop box reaching past the media box shows only the media box (ISO 32000-2 §14.11.2):
    /// coordinates from the top-left count from the media box's top.
    @Test func aCropBoxLargerThanTheMediaBoxIsClippedToIt() async throws {
        let fixture = try await WorkflowFixture.make()
        let pdf = UploadFixtures.pdf([UploadFixtures.Page(cropBox: "[-100 -100 712 892]", texts: [.init(string: "Big crop", x: 72, y: 700)])])
        let fields = [FieldPlacementRequest(name: "reference", kind: .text, role: "customer", width: 100, height: 20,
                                            position: .init(page: 1, x: 72, y: 72))]
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, UploadPlacementTests.request(fields, pdf: pdf))
        let placement = try #require(envelope.recipients.first?.fields.first { $0.name == "reference" }?.placement)
        #expect(abs(placement.x - 72) < 0.01 && abs(placement.y + placement.height - 720) < 0.01, "\(placement)")
    }

    /// A value too long for its box on one line even at 4 pt wraps, smaller, inside the box:
    /// every word of it is in the sealed PDF, none cut off unseen.
    @Test func aLongValueWrapsInsideItsBoxAndLosesNothing() async throws {
        let words = (1...40).map { "w\($0)x" }
        let value = words.joined(separator: " ") + " " + String(repeating: "tail ", count: 20) + "END"
        let pdf = UploadFixtures.pdf([UploadFixtures.Page(texts: [.init(string: "Notes", x: 72, y: 700)])])
        let (sealed, fixture) = try await complete(pdf, value: value)
        let found = Set(try self.words(sealed, in: fixture).map(\.word))
        for word in words + ["END"] { #expect(found.contains(word), "\(word) missing from the sealed page") }
    }

    @Test func graphicsStateBalanceCountsSavesRestoresAndSkipsInlineImages() throws {
        func balance(_ streams: String...) throws -> (Int, Int) {
            let result = try ContentOperators.graphicsStateBalance(of: streams.map { Array($0.utf8) })
            return (result.unclosed, result.deficit)
        }
        #expect(try balance("q 1 0 0 1 0 0 cm Q") == (0, 0))
        #expect(try balance("2 0 0 2 0 0 cm q q", "Q") == (1, 0))
        #expect(try balance("Q Q q") == (1, 2))
        // `q` and `Q` bytes inside strings and inline image data are not operators.
        #expect(try balance("BT (q Q q) Tj ET BI /W 1 /H 1 /BPC 8 /CS /G ID qQq EI q") == (1, 0))
    }
}
