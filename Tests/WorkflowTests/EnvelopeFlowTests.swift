import CountersignCrypto
import Foundation
import PDFSyntax
import Testing
import TestSupport
import Verification
import Workflow

/// The whole flow through the library: template → envelope → two signers in routing order →
/// completion (sealed, verified) → evidence that verifies.
@Suite(.serialized) struct EnvelopeFlowTests {
    @Test func twoSignersInOrderCompleteWithASealedVerifiedContract() async throws {
        let fixture = try await WorkflowFixture.make()
        let created = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        #expect(created.state == .draft)
        let sent = try await fixture.engine.send(fixture.agent, envelope: created.id)
        #expect(sent.recipients.map(\.state) == [.sent, .created, .created])
        #expect(try await fixture.mails(to: "jamie.chen@northbeam.example").isEmpty, "order 2 waits for order 1")

        try await fixture.signAll("gabriel.cote@crescentcapital.ca", name: "Gabriel Côté")
        let afterFirst = try await fixture.engine.envelope(fixture.agent, id: created.id)
        #expect(afterFirst.recipients.map(\.state) == [.completed, .sent, .created])
        try await fixture.signAll("jamie.chen@northbeam.example", name: "Jamie Chen")
        let queued = try await fixture.engine.envelope(fixture.agent, id: created.id)
        #expect(queued.state == .sent && queued.completionQueued)

        let pass = try await WorkflowWorker(engine: fixture.engine, smtp: nil).runDue()
        #expect(pass.failed.isEmpty, "\(pass.failed)")
        let completed = try await fixture.engine.envelope(fixture.agent, id: created.id)
        #expect(completed.state == .completed)
        let sealedHash = try #require(completed.documents.first?.sealedSHA256)
        let sealed = try #require(try await fixture.store.documents.get(sealedHash))
        let report = PDFVerifier(trustAnchors: fixture.trust).verify(bytes: sealed)
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.audit?.envelopeId == created.id)
        #expect(try await fixture.mails(to: "archive@northbeam.example").contains { $0.subject.hasPrefix("Completed") && !$0.attachments.isEmpty })

        let audit = try await AuditVerifier(store: fixture.store, trustAnchors: fixture.trust).verify()
        #expect(audit.isIntact, "\(audit.findings)")
        #expect(audit.sealedDocuments == 1 && audit.ledgerEntries == 1)

        // Running the worker again completes nothing twice.
        _ = try await WorkflowWorker(engine: fixture.engine, smtp: nil).runDue()
        #expect(try await fixture.store.ledger(account: fixture.admin.account).count == 1)
        let completions = try await fixture.store.events(account: fixture.admin.account, stream: created.id)
            .filter { $0.type == "envelope.completed" }
        #expect(completions.count == 1)
    }
}
