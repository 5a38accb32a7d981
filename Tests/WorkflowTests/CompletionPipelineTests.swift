import Foundation
import Testing
import TestSupport
@testable import Workflow

/// One worker's completions run as a pipeline (`CompletionPipeline`): the next job's reads and
/// the last job's commit overlap the current seal, and the pipeline claims further completion
/// jobs itself. These tests hold it to `complete`'s guarantees.
@Suite(.serialized) struct CompletionPipelineTests {
    /// Two signers by link (no codes), so an envelope reaches its completion job quickly.
    static func recipients(_ index: Int) -> [RecipientRequest] {
        [RecipientRequest(name: "Customer \(index)", email: "customer\(index)@customers.example", role: .signer,
                          routingOrder: 1, authentication: .link, signatureRole: "customer"),
         RecipientRequest(name: "Jamie Chen", email: "jamie.chen@northbeam.example", role: .signer,
                          routingOrder: 2, authentication: .link, signatureRole: "company")]
    }

    /// `count` envelopes signed by both signers, their completion jobs due.
    static func queueCompletions(_ fixture: WorkflowFixture, count: Int) async throws -> [String] {
        var ids: [String] = []
        for index in 0..<count {
            let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(recipients: recipients(index)))
            try await fixture.engine.send(fixture.agent, envelope: envelope.id)
            try await fixture.signAll("customer\(index)@customers.example", name: "Customer \(index)")
            let context = RequestContext(ip: "203.0.113.7", userAgent: "Tests/1.0")
            let token = try await fixture.token(for: "jamie.chen@northbeam.example")
            let view = try await fixture.engine.open(token: token, context: context)
            try await fixture.engine.consent(token: token, disclosureVersion: view.disclosureVersion,
                                             disclosureSHA256: fixture.engine.configuration.disclosure.sha256, context: context)
            try await fixture.engine.adopt(token: token, mark: .typed("Jamie Chen"), context: context)
            try await fixture.engine.sign(token: token, context: context)
            ids.append(envelope.id)
        }
        return ids
    }

    @Test func oneWorkerCompletesABacklogAcrossItsOwnClaimsOnceEach() async throws {
        let fixture = try await WorkflowFixture.make()
        let ids = try await Self.queueCompletions(fixture, count: 4)
        // A claim of one job at a time: the pipeline must claim the other three itself.
        let worker = WorkflowWorker(engine: fixture.engine, smtp: nil, name: "pipeline", claimBatch: 1)
        let pass = try await worker.runDue()
        #expect(pass.failed.isEmpty, "\(pass.failed)")
        #expect(pass.ran[.completion] == 4)
        for id in ids {
            let envelope = try await fixture.engine.envelope(fixture.agent, id: id)
            #expect(envelope.state == .completed && envelope.documents.allSatisfy { $0.sealedSHA256 != nil })
            let completions = try await fixture.store.events(account: fixture.admin.account, stream: id).filter { $0.type == "envelope.completed" }
            #expect(completions.count == 1)
            #expect(try await fixture.store.jobs(account: fixture.admin.account, kind: .completion, envelope: id).allSatisfy { $0.state == .done })
        }
        // One ledger entry each, chained in the order the commits landed.
        let ledger = try await fixture.store.ledger(account: fixture.admin.account)
        #expect(ledger.count == 4 && Set(ledger.map(\.envelope)) == Set(ids))
        let audit = try await AuditVerifier(store: fixture.store, trustAnchors: fixture.trust).verify()
        #expect(audit.isIntact, "\(audit.findings)")
        #expect(audit.sealedDocuments == 4)
    }

    @Test func thePipelineStopsAtThePassLimit() async throws {
        let fixture = try await WorkflowFixture.make()
        let ids = try await Self.queueCompletions(fixture, count: 3)
        let worker = WorkflowWorker(engine: fixture.engine, smtp: nil, name: "pipeline", claimBatch: 1)
        let pass = try await worker.runDue(limit: 2)
        #expect(pass.ran[.completion] == 2 && pass.failed.isEmpty, "\(pass)")
        var states: [Envelope.State] = []
        for id in ids { states.append(try await fixture.engine.envelope(fixture.agent, id: id).state) }
        #expect(states.filter { $0 == .completed }.count == 2, "the third job is neither claimed nor run: \(states)")
        let rest = try await worker.runDue()
        #expect(rest.ran[.completion] == 1)
    }

    /// The pipeline reads an envelope while the one before it seals; a change landing between
    /// that read and the commit must win: the commit names the revision it read and is refused.
    @Test func anEnvelopeChangedAfterItsEarlyReadIsNotCompletedFromTheStaleRead() async throws {
        let fixture = try await WorkflowFixture.make()
        let ids = try await Self.queueCompletions(fixture, count: 1)
        let job = try #require(try await fixture.store.jobs(account: fixture.admin.account, kind: .completion, envelope: ids[0]).first)
        let prepared = try #require(try await fixture.engine.prepareCompletion(account: job.account, envelope: job.envelope))
        try await fixture.engine.void(fixture.agent, envelope: ids[0], reason: "Customer asked for new terms")
        let before = try await fixture.snapshot(ids[0])
        await #expect(throws: WorkflowError.self) {
            let sealed = try await fixture.engine.sealCompletion(prepared)
            try await fixture.engine.commitCompletion(prepared, sealed, job: job.id)
        }
        let after = try await fixture.snapshot(ids[0])
        #expect(after.0?.state == .voided)
        #expect(after.1.map(\.hash) == before.1.map(\.hash), "no event was added")
        #expect(try await fixture.store.ledger(account: fixture.admin.account).isEmpty)
        // The worker, reading afresh, finds nothing to complete and finishes the job.
        let pass = try await WorkflowWorker(engine: fixture.engine, smtp: nil).runDue()
        #expect(pass.failed.isEmpty, "\(pass.failed)")
        #expect(try await fixture.store.jobs(account: fixture.admin.account, kind: .completion, envelope: ids[0]).allSatisfy { $0.state != .pending })
    }
}
