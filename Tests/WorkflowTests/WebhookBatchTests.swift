import Foundation
import Testing
import TestSupport
import WebhookHTTP
@testable import Workflow

/// A worker attempts the webhook jobs of one claim together and stores their results in one
/// transaction; a job another worker finished meanwhile must not cost the others their result.
@Suite(.serialized) struct WebhookBatchTests {
    @Test func aJobAnotherWorkerFinishedDoesNotLoseTheRestOfTheBatch() async throws {
        let fixture = try await WebhookDeliveryTests.fixture()
        let receiver = try LoopbackWebhookReceiver()
        defer { receiver.stop() }
        let (endpoint, secret) = try await fixture.engine.createWebhookEndpoint(fixture.admin, url: receiver.url, description: "CRM")
        try receiver.control(secrets: [secret])
        let created = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        _ = try await fixture.engine.send(fixture.agent, envelope: created.id)
        let claimed = try await fixture.store.claimJobs(now: fixture.engine.clock.now(), limit: 16, lease: 300, worker: "a",
                                                        kinds: [.webhook])
        try #require(claimed.count >= 2, "sending makes more than one webhook: \(claimed.map(\.id))")
        // Another worker (its lease taken over, say) finished the first job already.
        try await fixture.store.finishJob(id: claimed[0].id)

        let transport = HTTPWebhookTransport(policy: WebhookDeliveryTests.loopback, timeout: 10)
        let failures = await fixture.engine.runWebhooks(claimed, transport: transport)
        #expect(failures.map(\.job.id) == [claimed[0].id], "only the finished job fails: \(failures.map { "\($0.job.id): \($0.error)" })")
        #expect(failures.allSatisfy { ($0.error as? WorkflowError)?.code == .conflict })

        let deliveries = try await fixture.engine.webhookDeliveries(fixture.compliance, query: WebhookDeliveryQuery(endpoint: endpoint.id))
        let byID = Dictionary(uniqueKeysWithValues: deliveries.map { ($0.id, $0) })
        for job in claimed.dropFirst() {
            let delivery = try #require(byID[WorkflowEngine.deliveryID(job)])
            #expect(delivery.state == .delivered && delivery.attempts == 1, "\(delivery.id) stored as delivered")
            #expect(try await fixture.engine.webhookAttempts(fixture.compliance, delivery: delivery.id).map(\.status) == [204])
        }
        #expect(receiver.records().count == claimed.count, "every claimed delivery was attempted (at least once)")
        let jobs = try await fixture.store.jobs(account: fixture.admin.account, kind: .webhook, envelope: nil)
        #expect(jobs.allSatisfy { $0.state == .done }, "every job finished: \(jobs.map { "\($0.id) \($0.state)" })")
    }
}
