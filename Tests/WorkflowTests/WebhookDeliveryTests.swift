import Foundation
import Testing
import TestSupport
import WebhookHTTP
import Workflow

/// Webhooks end to end on loopback: the outbox, signing checked by the independent
/// `standardwebhooks` package, retries with a moved clock, rotation, replay and auto-disable.
@Suite(.serialized) struct WebhookDeliveryTests {
    static let loopback = try! WebhookAddressPolicy(allowList: ["127.0.0.0/8"])

    static func fixture(_ label: String = #function, seal: Bool = false,
                        autoDisableAfter: TimeInterval = 5 * 86_400) async throws -> WorkflowFixture {
        try await WorkflowFixture.make(label, seal: seal, webhooks: WebhookConfiguration(autoDisableAfter: autoDisableAfter,
                                                                                          addressPolicy: loopback))
    }

    /// A worker delivering to a loopback receiver, with the clock caught up with the real time.
    static func worker(_ fixture: WorkflowFixture) -> WorkflowWorker {
        fixture.catchUpWithRealTime()
        return WorkflowWorker(engine: fixture.engine, smtp: nil, webhooks: HTTPWebhookTransport(policy: loopback, timeout: 10))
    }

    @Test func transitionsArriveSignedWithEnvelopeSequenceMetadataAndFieldValues() async throws {
        let fixture = try await Self.fixture(seal: true)
        let receiver = try LoopbackWebhookReceiver()
        defer { receiver.stop() }
        let (endpoint, secret) = try await fixture.engine.createWebhookEndpoint(fixture.admin, url: receiver.url, description: "CRM")
        try receiver.control(secrets: [secret])
        let customer = "gabriel.cote@crescentcapital.ca"
        let created = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(recipients: [
            RecipientRequest(name: "Gabriel Côté", email: customer, role: .signer, routingOrder: 1, authentication: .link,
                             signatureRole: "customer", fields: [FieldRequest(name: "contact_phone", kind: .text)]),
            RecipientRequest(name: "Jamie Chen", email: "jamie.chen@northbeam.example", role: .signer, routingOrder: 2,
                             authentication: .link, signatureRole: "company"),
        ]))
        _ = try await fixture.engine.send(fixture.agent, envelope: created.id)
        try await fixture.signAll(customer, name: "Gabriel Côté", filling: ["contact_phone": "+1 555 0100"])
        try await fixture.signAll("jamie.chen@northbeam.example", name: "Jamie Chen")
        let pass = try await Self.worker(fixture).runDue()
        #expect(pass.failed.isEmpty, "\(pass.failed)")

        let events = try await fixture.store.events(account: fixture.admin.account, stream: created.id)
        let expected = events.filter { WebhookEventTypes.delivered($0.type) }
        let records = receiver.records()
        #expect(records.count == expected.count, "one message per envelope or recipient event")
        #expect(records.allSatisfy { $0.strict && $0.matched == [0] && $0.status == 204 }, "standardwebhooks verifies every message")
        #expect(Set(records.map(\.id)).count == records.count, "webhook-ids are unique per event")
        let received = records.map { ($0.json["type"] as? String ?? "", $0.data["sequence"] as? Int ?? 0) }
            .sorted { $0.1 < $1.1 }
        #expect(received.map(\.0) == expected.map(\.type) && received.map(\.1) == expected.map(\.sequence))
        for record in records {
            #expect(record.data["envelope"] as? String == created.id)
            #expect((record.data["metadata"] as? [String: String])?["lead_id"] == "LD-100000", "CRM metadata in every payload")
        }
        let completion = try #require(records.first { $0.json["type"] as? String == "envelope.completed" })
        let fields = try #require(completion.data["fields"] as? [String: String], "completion carries the field values")
        #expect(fields == ["contact_phone": "+1 555 0100"])
        let sealed = try #require(try await fixture.engine.envelope(fixture.admin, id: created.id).documents.first?.sealedSHA256)
        let documents = try #require(completion.data["documents"] as? [[String: Any]])
        #expect(documents.count == 1 && documents[0]["sealedSha256"] as? String == sealed,
                "the sealed hash under the API's Envelope schema name")
        #expect(records.filter { $0.json["type"] as? String != "envelope.completed" }.allSatisfy { $0.data["fields"] == nil })

        let deliveries = try await fixture.engine.webhookDeliveries(fixture.compliance, query: WebhookDeliveryQuery(endpoint: endpoint.id))
        #expect(deliveries.count == records.count && deliveries.allSatisfy { $0.state == .delivered && $0.attempts == 1 })
        let log = try await fixture.engine.webhookAttempts(fixture.compliance, delivery: try #require(deliveries.first).id)
        #expect(log.count == 1 && log[0].status == 204 && log[0].error == nil && log[0].durationMilliseconds >= 0)
        #expect(try await fixture.store.jobs(account: fixture.admin.account, kind: .webhook, envelope: nil).allSatisfy { $0.state == .done })
    }

    @Test func a500IsRetriedAfterTheBackoffAndThen200Delivers() async throws {
        let fixture = try await Self.fixture()
        let receiver = try LoopbackWebhookReceiver()
        defer { receiver.stop() }
        let (_, secret) = try await fixture.engine.createWebhookEndpoint(fixture.admin, url: receiver.url, eventTypes: ["envelope.created"])
        try receiver.control(secrets: [secret], fail: 1, status: 200)
        let created = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        let worker = Self.worker(fixture)
        _ = try await worker.runDue()
        var delivery = try #require(try await fixture.store.webhookDeliveries(account: fixture.admin.account, query: .init()).first)
        #expect(delivery.state == .pending && delivery.attempts == 1 && delivery.lastError?.contains("500") == true)
        let retryAt = try #require(delivery.nextAttemptAt)
        let delay = retryAt.timeIntervalSince(fixture.clock.now())
        #expect(delay >= 24 && delay <= 36, "first retry after 30 s ± 20 %: \(delay)")

        #expect(try await worker.runDue().total == 0, "nothing is due before the backoff ends")
        fixture.clock.set(retryAt)
        _ = try await worker.runDue()
        delivery = try #require(try await fixture.store.webhookDelivery(account: fixture.admin.account, id: delivery.id))
        #expect(delivery.state == .delivered && delivery.attempts == 2)
        let log = try await fixture.store.webhookAttempts(account: fixture.admin.account, delivery: delivery.id)
        #expect(log.map(\.status) == [500, 200])
        #expect(log[0].responseExcerpt == "failing on purpose")
        let records = receiver.records()
        #expect(records.map(\.status) == [500, 200])
        #expect(Set(records.map(\.id)) == [delivery.message], "the retry carries the same webhook-id")
        #expect(records[1].data["envelope"] as? String == created.id)
        #expect(records.allSatisfy { $0.matched == [0] })
    }

    /// Runs the worker, then moves the clock to the next pending attempt, until none is pending.
    static func runUntilSettled(_ fixture: WorkflowFixture, _ worker: WorkflowWorker) async throws {
        for _ in 0..<60 {
            _ = try await worker.runDue()
            guard let pending = try await fixture.store.webhookDeliveries(account: fixture.admin.account, query: .init(state: .pending)).first,
                  let next = pending.nextAttemptAt else { return }
            fixture.clock.set(next)
        }
    }

    @Test func aReceiverThatAlwaysFailsIsRetriedWithBackoffFor48HoursThenTheDeliveryFails() async throws {
        let fixture = try await Self.fixture()
        let receiver = try LoopbackWebhookReceiver()
        defer { receiver.stop() }
        let (endpoint, secret) = try await fixture.engine.createWebhookEndpoint(fixture.admin, url: receiver.url,
                                                                                 eventTypes: ["envelope.created"])
        try receiver.control(secrets: [secret], fail: 1_000)
        _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        let started = fixture.clock.now()
        try await Self.runUntilSettled(fixture, Self.worker(fixture))
        let delivery = try #require(try await fixture.store.webhookDeliveries(account: fixture.admin.account, query: .init()).first)
        let log = try await fixture.store.webhookAttempts(account: fixture.admin.account, delivery: delivery.id)
        #expect(delivery.state == .failed && delivery.nextAttemptAt == nil)
        #expect(log.count == delivery.attempts && log.allSatisfy { $0.status == 500 && $0.responseExcerpt == "failing on purpose" })
        // Exponential backoff with jitter: each gap is 30 s · 2^(n-1) capped at 4 h, within ±20 %.
        for index in 1..<log.count {
            let gap = log[index].at.timeIntervalSince(log[index - 1].at)
            let planned = min(30 * pow(2, Double(index - 1)), 4 * 3600)
            #expect(abs(gap - planned) <= planned * 0.2 + 1, "gap \(index): \(gap) s, planned \(planned) s")
        }
        let last = try #require(log.last).at.timeIntervalSince(started)
        #expect(last <= 48 * 3600 && last > 48 * 3600 - 4 * 3600 * 1.2, "the last attempt falls in the window's last gap: \(last / 3600) h")
        #expect(log.count >= 18 && log.count <= 22, "\(log.count) attempts")
        #expect(receiver.records().count == log.count, "every logged attempt reached the receiver")
        #expect(Set(receiver.records().map(\.id)) == [delivery.message])
        let summary = try #require(try await fixture.engine.webhookEndpoints(fixture.admin).first { $0.id == endpoint.id })
        #expect(summary.enabled, "48 h of failures is short of the 5-day auto-disable")
    }

    @Test func anEndpointThatOnlyFailsIsDisabledWithAnEventAndMissesNothingOnceEnabled() async throws {
        let fixture = try await Self.fixture(autoDisableAfter: 6 * 3600)
        let receiver = try LoopbackWebhookReceiver()
        defer { receiver.stop() }
        let (endpoint, secret) = try await fixture.engine.createWebhookEndpoint(fixture.admin, url: receiver.url,
                                                                                 eventTypes: ["envelope.created"])
        try receiver.control(secrets: [secret], fail: 1_000)
        _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        let started = fixture.clock.now()
        try await Self.runUntilSettled(fixture, Self.worker(fixture))
        let delivery = try #require(try await fixture.store.webhookDeliveries(account: fixture.admin.account, query: .init()).first)
        let log = try await fixture.store.webhookAttempts(account: fixture.admin.account, delivery: delivery.id)
        #expect(delivery.state == .failed && delivery.lastError?.contains("disabled") == true)
        let summary = try #require(try await fixture.engine.webhookEndpoints(fixture.admin).first { $0.id == endpoint.id })
        #expect(!summary.enabled && summary.disabledReason?.contains("every attempt failed") == true)
        let last = try #require(log.last).at.timeIntervalSince(started)
        #expect(last >= 6 * 3600 && last < 12 * 3600, "no attempt after the disable: the last at \(last / 3600) h")
        let audit = try await fixture.store.events(account: fixture.admin.account, stream: "webhooks")
        #expect(audit.map(\.type) == ["webhook.endpoint_created", "webhook.endpoint_disabled"])
        #expect(audit.last?.actor == .system && audit.last?.data["endpoint"] == endpoint.id)

        // Disabled: new events make no deliveries. Fixed and enabled: new events are delivered,
        // and the missed one is replayed.
        _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        #expect(try await fixture.store.webhookDeliveries(account: fixture.admin.account, query: .init()).count == 1)
        try receiver.control(secrets: [secret])
        _ = try await fixture.engine.enableWebhookEndpoint(fixture.admin, id: endpoint.id)
        _ = try await fixture.engine.replayWebhookDelivery(fixture.admin, id: delivery.id)
        _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        _ = try await Self.worker(fixture).runDue()
        let delivered = try await fixture.store.webhookDeliveries(account: fixture.admin.account, query: .init(state: .delivered))
        let all = try await fixture.store.webhookDeliveries(account: fixture.admin.account, query: .init())
        #expect(delivered.count == 2 && delivered.contains { $0.message == delivery.message },
                "\(all.map { "\($0.id) \($0.state) \($0.lastError ?? "")" })")
    }

    @Test func aHostNameThatResolvesToLoopbackIsRefusedAtEveryAttempt() async throws {
        let fixture = try await WorkflowFixture.make(seal: false)
        let receiver = try LoopbackWebhookReceiver()
        defer { receiver.stop() }
        // A host name keeps the URL past the creation check; the transport refuses what it resolves to.
        let url = "http://localhost:\(receiver.port)/hooks"
        let (_, secret) = try await fixture.engine.createWebhookEndpoint(fixture.admin, url: url, eventTypes: ["envelope.created"])
        try receiver.control(secrets: [secret])
        _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        _ = try await WorkflowWorker(engine: fixture.engine, smtp: nil, webhooks: HTTPWebhookTransport(policy: .standard)).runDue()
        let delivery = try #require(try await fixture.store.webhookDeliveries(account: fixture.admin.account, query: .init()).first)
        let log = try await fixture.store.webhookAttempts(account: fixture.admin.account, delivery: delivery.id)
        #expect(log.count == 1 && log[0].status == nil && log[0].error?.contains("loopback") == true, "\(log)")
        #expect(receiver.records().isEmpty)
    }
}
