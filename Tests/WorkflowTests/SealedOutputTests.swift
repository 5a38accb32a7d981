import CountersignCrypto
import Foundation
import GRDB
import Testing
import TestSupport
import Signing
import Typesetting
import Verification
import Workflow

/// A completed envelope sealed PAdES B-T (loopback TSA), judged by other tools, and its
/// Certificate of Completion read back against the stored events.
@Suite(.serialized) struct SealedOutputTests {
    @Test func theSealedContractPassesOtherValidatorsAndItsCertificateMatchesTheStore() async throws {
        let tsa = try TestTSA()
        defer { tsa.stop() }
        let tsaRoot = try Certificate.load(pem: Data(contentsOf: tsa.rootCertificate))
        let fixture = try await WorkflowFixture.make(tsa: tsa.url, extraTrust: tsaRoot)
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        try await fixture.signAll("gabriel.cote@crescentcapital.ca", name: "Gabriel Côté", font: .kaushanScript,
                                  context: RequestContext(ip: "203.0.113.7", userAgent: "Firefox/140"))
        try await fixture.signAll("jamie.chen@northbeam.example", name: "Jamie Chen",
                                  context: RequestContext(ip: "198.51.100.4", userAgent: "Safari/18 \u{0BAE}\u{0BC1}"))
        let pass = try await WorkflowWorker(engine: fixture.engine, smtp: nil).runDue()
        #expect(pass.failed.isEmpty, "\(pass.failed)")
        let completed = try await fixture.engine.envelope(fixture.agent, id: envelope.id)
        let hash = try #require(completed.documents.first?.sealedSHA256)
        let file = fixture.directory.appendingPathComponent("sealed.pdf")
        try Data(try #require(try await fixture.store.documents.get(hash))).write(to: file)

        let pdfsig = try runCommand("pdfsig", [file.path]).stdout
        #expect(pdfsig.contains("Signature is Valid") && pdfsig.contains("Total document signed"), "\(pdfsig)")
        #expect(try runCommand("qpdf", ["--check", file.path]).status == 0)
        if FileManager.default.isExecutableFile(atPath: TestEnvironment.venv.appendingPathComponent("bin/pyhanko").path) {
            let ca = fixture.directory.appendingPathComponent("ca/ca.pem")
            let result = try runCommand(TestEnvironment.venv.appendingPathComponent("bin/pyhanko").path,
                                        ["sign", "validate", "--trust", ca.path, "--trust", tsa.rootCertificate.path, "--trust-replace",
                                         "--no-revocation-check", file.path], timeout: 120)
            #expect(result.stdout.contains(":INTACT:") && result.stdout.contains("TRUSTED") && result.stdout.contains("TIMESTAMP_TOKEN<INTACT"),
                    "\(result.stdout) \(result.stderr)")
        }
        let report = PDFVerifier(trustAnchors: fixture.trust).verify(bytes: Array(try Data(contentsOf: file)))
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.audit?.statedEvents.contains { $0.hasSuffix("\nSafari/18 \u{0BAE}\u{0BC1}") } == true, "audit.json keeps the user agent as sent")

        // Each typed mark is in its signer's script: the customer chose Kaushan Script, the
        // company kept the default; the events say which.
        let fonts = try runCommand("pdffonts", [file.path]).stdout
        #expect(fonts.contains("+KaushanScript") && fonts.contains("+DancingScript"), "\(fonts)")
        let adopted = try await fixture.store.events(account: fixture.admin.account, stream: envelope.id)
            .filter { $0.type == "recipient.adopted_signature" }.map { $0.data["font"] ?? "" }
        #expect(adopted == ["kaushan-script", "dancing-script"], "\(adopted)")

        // The certificate says what the store says: every signer event's time, IP, user agent and method.
        let text = try runCommand("pdftotext", ["-layout", file.path, "-"]).stdout
        #expect(text.contains("Certificate of Completion"))
        let events = try await fixture.store.events(account: fixture.admin.account, stream: envelope.id)
        for event in events where event.actor.kind == .recipient {
            #expect(text.contains(AuditTime.display(event.at)) || text.contains(AuditTime.iso(event.at)), "\(event.type) at \(event.at)")
        }
        // A user agent in a script no shipped font has (nobody can be asked to change it) is
        // written out on the page rather than stopping the seal; audit.json keeps it as sent.
        for expected in ["203.0.113.7", "Firefox/140", "198.51.100.4", "Safari/18 [U+0BAE][U+0BC1]", "Email OTP", "gabriel.cote@crescentcapital.ca"] {
            #expect(text.contains(expected), "\(expected)")
        }
        // The marks are drawn over the document as sent: its bytes are the sealed file's first
        // revision, and the completion event says so.
        let sent = try #require(try await fixture.store.documents.get(envelope.documents[0].sentSHA256))
        #expect(Array(try Data(contentsOf: file)).starts(with: sent))
        #expect(events.last { $0.type == "envelope.completed" }?.data["sentAsFirstRevision"] == "doc_1")
        #expect(report.audit?.sentDocumentMatches == true)
        #expect(text.contains(envelope.documents[0].sentSHA256) && text.contains("\(sent.count) bytes: the first revision"), "the certificate states the document as sent")

        // The ledger head was time-stamped, and the whole store verifies.
        let audit = try await AuditVerifier(store: fixture.store, trustAnchors: fixture.trust).verify()
        #expect(audit.isIntact && audit.anchors == 1, "\(audit.findings)")
        // The anchor's stored time is a copy of its token's: edited, it is named.
        let queue = try DatabaseQueue(path: fixture.store.path)
        try await queue.write { db in try db.execute(sql: "UPDATE ledger_anchors SET at = at - 86400") }
        let edited = try await AuditVerifier(store: fixture.store, trustAnchors: fixture.trust).verify()
        #expect(edited.findings.contains { $0.code == .anchor && $0.message.contains("is not the token's") }, "\(edited.findings)")
    }

    /// A value the recipient fills into the text itself (a template field, not a signer field's
    /// box) reflows the page, so the document is made again from the template, and the
    /// completion does not claim the bytes as sent.
    @Test func aValueFilledIntoTheTextMakesTheDocumentAgain() async throws {
        let fixture = try await WorkflowFixture.make()
        let customer = "gabriel.cote@crescentcapital.ca"
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(recipients: [
            RecipientRequest(name: "Gabriel Côté", email: customer, role: .signer, routingOrder: 1, authentication: .link,
                             signatureRole: "customer", fields: [FieldRequest(name: "contact_phone", kind: .text)]),
            RecipientRequest(name: "Jamie Chen", email: "jamie.chen@northbeam.example", role: .signer, routingOrder: 2,
                             authentication: .link, signatureRole: "company"),
        ]))
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        try await fixture.signAll(customer, name: "Gabriel Côté", filling: ["contact_phone": "+1 555 0100"])
        try await fixture.signAll("jamie.chen@northbeam.example", name: "Jamie Chen")
        let pass = try await WorkflowWorker(engine: fixture.engine, smtp: nil).runDue()
        #expect(pass.failed.isEmpty, "\(pass.failed)")

        let completed = try await fixture.engine.envelope(fixture.agent, id: envelope.id)
        let hash = try #require(completed.documents.first?.sealedSHA256)
        let sealed = try #require(try await fixture.store.documents.get(hash))
        let sent = try #require(try await fixture.store.documents.get(envelope.documents[0].sentSHA256))
        #expect(!sealed.starts(with: sent))
        let file = fixture.directory.appendingPathComponent("filled.pdf")
        try Data(sealed).write(to: file)
        let text = try runCommand("pdftotext", [file.path, "-"]).stdout
        #expect(text.contains("+1 555 0100") && text.contains("Gabriel Côté"))
        let events = try await fixture.store.events(account: fixture.admin.account, stream: envelope.id)
        #expect(events.last { $0.type == "envelope.completed" }?.data["sentAsFirstRevision"] == "")
        #expect(PDFVerifier(trustAnchors: fixture.trust).verify(bytes: sealed).audit?.sentDocumentMatches == nil)
        let audit = try await AuditVerifier(store: fixture.store, trustAnchors: fixture.trust).verify()
        #expect(audit.isIntact, "\(audit.findings)")
    }
}
