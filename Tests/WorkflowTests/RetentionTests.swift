import Foundation
import Testing
import Workflow
import WorkflowSQLite

/// Retention purges through the engine and its worker, with the fixture's clock moved past the
/// retention period.
@Suite struct RetentionTests {
    /// Two envelopes made from the same request store one copy of the same contract. Purging
    /// one (voided, its retention passed) must leave the copy the other — on legal hold — names,
    /// and the store must still verify.
    @Test func aPurgeKeepsADocumentAnotherEnvelopeHolds() async throws {
        let fixture = try await WorkflowFixture.make()
        var request = fixture.request()
        request.retentionCategory = "short"
        let purged = try await fixture.engine.createEnvelope(fixture.agent, request)
        let held = try await fixture.engine.createEnvelope(fixture.agent, request)
        let hash = purged.documents[0].sentSHA256
        #expect(held.documents[0].sentSHA256 == hash, "the same request makes the same contract")
        for id in [purged.id, held.id] { _ = try await fixture.engine.void(fixture.agent, envelope: id, reason: "sent in error") }
        _ = try await fixture.engine.setLegalHold(fixture.compliance, envelope: held.id, hold: true, reason: "litigation 2026-17")
        fixture.clock.advance(by: 2 * 366 * 86_400)
        let worker = WorkflowWorker(engine: fixture.engine, smtp: nil)
        var ran = 0
        for _ in 0..<5 { ran += try await worker.runDue().ran[.purge] ?? 0 }
        #expect(ran >= 2, "both purge jobs ran (one purged, one postponed by the hold)")
        let afterPurge = try #require(try await fixture.store.envelope(account: fixture.agent.account, id: purged.id))
        #expect(afterPurge.retention.purgedAt != nil && afterPurge.documents[0].purged)
        let afterHold = try #require(try await fixture.store.envelope(account: fixture.agent.account, id: held.id))
        #expect(afterHold.retention.purgedAt == nil && !afterHold.documents[0].purged)
        #expect(try await fixture.store.documents.get(hash) != nil, "the held envelope's contract is still there")
        let audit = try await AuditVerifier(store: fixture.store, trustAnchors: fixture.trust).verify()
        #expect(audit.isIntact, "\(audit.findings)")
        // Once the hold is lifted and its own purge runs, the last hold ends and the bytes go.
        _ = try await fixture.engine.setLegalHold(fixture.compliance, envelope: held.id, hold: false, reason: "settled")
        fixture.clock.advance(by: 31 * 86_400)
        for _ in 0..<5 { _ = try await worker.runDue() }
        #expect(try await fixture.store.envelope(account: fixture.agent.account, id: held.id)?.retention.purgedAt != nil)
        #expect(try await fixture.store.documents.get(hash) == nil, "no envelope holds the contract any more")
        let final = try await AuditVerifier(store: fixture.store, trustAnchors: fixture.trust).verify()
        #expect(final.isIntact, "\(final.findings)")
    }
}
