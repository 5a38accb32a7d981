import Foundation
import Workflow

extension StoreConformance {
    static func endpoint(_ account: String, _ id: String, enabled: Bool = true) -> WebhookEndpoint {
        WebhookEndpoint(id: id, account: account, url: "https://hooks.example.com/\(id)", description: "crm",
                        eventTypes: ["envelope.*"], enabled: enabled,
                        secrets: [WebhookSecret(id: "whs_1", value: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", createdAt: epoch)],
                        createdAt: epoch)
    }

    static func delivery(_ account: String, _ id: String, endpoint: String, stream: String = "env_1") -> WebhookDelivery {
        WebhookDelivery(id: id, account: account, endpoint: endpoint, message: "msg_\(stream)_1", type: "envelope.sent",
                        stream: stream, sequence: 1, payload: Data("{\"type\":\"envelope.sent\"}".utf8), createdAt: epoch)
    }

    static func attempt(_ account: String, _ delivery: String, _ number: Int, endpoint: String, at seconds: Double,
                        status: Int?) -> WebhookAttempt {
        WebhookAttempt(account: account, delivery: delivery, endpoint: endpoint, number: number, at: epoch.addingTimeInterval(seconds),
                       status: status, durationMilliseconds: 12, responseExcerpt: "ok", error: status == 200 ? nil : "failed")
    }

    static let webhookCases: [Case] = [
        Case(name: "webhooks: endpoints round-trip with their secrets; a stale revision is a conflict") { store in
            _ = try await makeAccount(store, "acme")
            _ = try await makeAccount(store, "other")
            var endpoint = endpoint("acme", "whe_1")
            try await store.commit(StoreChange(account: "acme", webhookEndpoint: endpoint))
            try expect(try await store.webhookEndpoint(account: "acme", id: "whe_1") == endpoint, "read back equal, secrets included")
            try expect(try await store.webhookEndpoint(account: "other", id: "whe_1") == nil, "another account sees nothing")
            endpoint.enabled = false
            endpoint.revision = 1
            try await store.commit(StoreChange(account: "acme", webhookEndpoint: endpoint))
            var stale = endpoint
            stale.url = "https://elsewhere.example.com/"
            try await expectError(.conflict, "writing revision 1 again") {
                try await store.commit(StoreChange(account: "acme", webhookEndpoint: stale))
            }
            try expect(try await store.webhookEndpoints(account: "acme") == [endpoint], "the stale write changed nothing")
            try await expectError(.invalidRequest, "an endpoint of another account") {
                try await store.commit(StoreChange(account: "other", webhookEndpoint: Self.endpoint("acme", "whe_2")))
            }
        },
        Case(name: "webhooks: a change's outbox is made from the endpoints stored when it commits, or not at all") { store in
            _ = try await makeAccount(store, "acme")
            _ = try await makeAccount(store, "other")
            try await store.commit(StoreChange(account: "acme", webhookEndpoint: endpoint("acme", "whe_on")))
            try await store.commit(StoreChange(account: "acme", webhookEndpoint: endpoint("acme", "whe_off", enabled: false)))
            try await store.commit(StoreChange(account: "other", webhookEndpoint: endpoint("other", "whe_x")))
            // The outbox is made before the last endpoint exists; the commit still sees it.
            var envelope = makeEnvelope("acme", "env_1", state: .sent)
            let events = chain(&envelope, ["envelope.sent", "recipient.viewed"])
            var change = StoreChange(account: "acme", envelope: envelope, events: events)
            change.webhookOutbox = WebhookOutbox(account: "acme", events: events, envelope: envelope, now: epoch)
            try expect(change.webhookOutbox != nil, "envelope.sent is delivered as a webhook")
            try await store.commit(StoreChange(account: "acme", webhookEndpoint: endpoint("acme", "whe_late")))
            // A failing twin (a job of another account) stores neither its deliveries nor anything else.
            var failing = change
            failing.jobs = [Job(id: "job_x", account: "other", kind: .email, envelope: "env_x", runAt: epoch)]
            try await expectError(.invalidRequest, "a job of another account") { try await store.commit(failing) }
            try expect(try await store.webhookDeliveries(account: "acme", query: WebhookDeliveryQuery()).isEmpty,
                       "the failed commit stored no delivery")
            try await store.commit(change)
            let deliveries = try await store.webhookDeliveries(account: "acme", query: WebhookDeliveryQuery())
            try expect(Set(deliveries.map(\.endpoint)) == ["whe_on", "whe_late"],
                       "one delivery per enabled endpoint of the account, the one added after the outbox was made included: \(deliveries.map(\.endpoint))")
            try expect(deliveries.allSatisfy { $0.type == "envelope.sent" && $0.stream == "env_1" }, "only the delivered event")
            let jobs = try await store.jobs(account: "acme", kind: .webhook, envelope: nil)
            try expect(Set(jobs.map { String(decoding: $0.payload, as: UTF8.self) }) == Set(deliveries.map(\.id)),
                       "each delivery's first job is stored with it")
            try expect(try await store.webhookDeliveries(account: "other", query: WebhookDeliveryQuery()).isEmpty,
                       "another account's endpoint gets nothing")
        },
        Case(name: "webhooks: deliveries commit with their jobs, update by revision, list by filters") { store in
            _ = try await makeAccount(store, "acme")
            try await store.commit(StoreChange(account: "acme", webhookEndpoint: endpoint("acme", "whe_1")))
            let first = delivery("acme", "whd_1", endpoint: "whe_1")
            let second = delivery("acme", "whd_2", endpoint: "whe_1", stream: "env_2")
            let job = Job(id: "job_1", account: "acme", kind: .webhook, envelope: "env_1", payload: Data("whd_1".utf8), runAt: epoch)
            try await store.commit(StoreChange(account: "acme", jobs: [job], webhookDeliveries: [first, second]))
            try expect(try await store.webhookDelivery(account: "acme", id: "whd_1") == first, "read back equal")
            try expect(try await store.jobs(account: "acme", kind: .webhook, envelope: nil).map(\.id) == ["job_1"], "the job is stored with it")
            var delivered = first
            delivered.state = .delivered
            delivered.attempts = 1
            delivered.nextAttemptAt = nil
            delivered.revision = 1
            try await store.commit(StoreChange(account: "acme", finishedJobs: ["job_1"], webhookDeliveries: [delivered],
                                               webhookAttempts: [attempt("acme", "whd_1", 1, endpoint: "whe_1", at: 5, status: 200)]))
            try await expectError(.conflict, "the same delivery update twice (two workers)") {
                try await store.commit(StoreChange(account: "acme", webhookDeliveries: [delivered]))
            }
            try expect(try await store.webhookDelivery(account: "acme", id: "whd_1") == delivered, "updated once")
            try expect(try await store.webhookAttempts(account: "acme", delivery: "whd_1").map(\.status) == [200], "one attempt logged")
            let pending = try await store.webhookDeliveries(account: "acme", query: WebhookDeliveryQuery(state: .pending))
            try expect(pending.map(\.id) == ["whd_2"], "pending filter: \(pending.map(\.id))")
            let ofStream = try await store.webhookDeliveries(account: "acme", query: WebhookDeliveryQuery(stream: "env_1"))
            try expect(ofStream.map(\.id) == ["whd_1"], "stream filter")
            let page = try await store.webhookDeliveries(account: "acme", query: WebhookDeliveryQuery(after: "whd_1", limit: 5))
            try expect(page.map(\.id) == ["whd_2"], "cursor")
        },
        Case(name: "webhooks: a delivery is read with its endpoint, which may be gone, in its own account only") { store in
            _ = try await makeAccount(store, "acme")
            _ = try await makeAccount(store, "other")
            let endpoint = endpoint("acme", "whe_1")
            try await store.commit(StoreChange(account: "acme", webhookEndpoint: endpoint))
            try await store.commit(StoreChange(account: "other", webhookEndpoint: Self.endpoint("other", "whe_2")))
            let first = delivery("acme", "whd_1", endpoint: "whe_1")
            // whe_2 exists, but in another account: for acme it is gone.
            let orphan = delivery("acme", "whd_2", endpoint: "whe_2", stream: "env_2")
            try await store.commit(StoreChange(account: "acme", webhookDeliveries: [first, orphan]))
            let found = try await store.webhookDeliveryAndEndpoint(account: "acme", id: "whd_1")
            try expect(found?.delivery == first && found?.endpoint == endpoint, "the delivery and its endpoint: \(String(describing: found))")
            let gone = try await store.webhookDeliveryAndEndpoint(account: "acme", id: "whd_2")
            try expect(gone?.delivery == orphan && gone?.endpoint == nil, "an endpoint of another account is not this delivery's")
            try expect(try await store.webhookDeliveryAndEndpoint(account: "other", id: "whd_1") == nil, "another account sees nothing")
            try expect(try await store.webhookDeliveryAndEndpoint(account: "acme", id: "whd_9") == nil, "no such delivery")
        },
        Case(name: "webhooks: a worker's batch is read together and its results stored all or nothing") { store in
            _ = try await makeAccount(store, "acme")
            _ = try await makeAccount(store, "other")
            let endpoint = endpoint("acme", "whe_1")
            try await store.commit(StoreChange(account: "acme", webhookEndpoint: endpoint))
            let first = delivery("acme", "whd_1", endpoint: "whe_1")
            let second = delivery("acme", "whd_2", endpoint: "whe_1", stream: "env_2")
            let orphan = delivery("acme", "whd_3", endpoint: "whe_9", stream: "env_3")
            try await store.commit(StoreChange(account: "acme", webhookDeliveries: [first, second, orphan]))
            try await store.commit(StoreChange(account: "other", webhookDeliveries: [delivery("other", "whd_4", endpoint: "whe_1")]))
            let found = try await store.webhookDeliveriesAndEndpoints(account: "acme", ids: ["whd_1", "whd_2", "whd_3", "whd_4", "whd_9"])
            try expect(Set(found.keys) == ["whd_1", "whd_2", "whd_3"], "another account's and unknown ids left out: \(found.keys.sorted())")
            try expect(found["whd_1"]?.delivery == first && found["whd_1"]?.endpoint == endpoint, "each with its endpoint")
            try expect(found["whd_2"]?.endpoint == endpoint && found["whd_3"]?.delivery == orphan && found["whd_3"]?.endpoint == nil,
                       "a gone endpoint is nil")
            var delivered = first
            delivered.state = .delivered
            delivered.attempts = 1
            delivered.revision = 1
            var retrying = second
            retrying.attempts = 1
            retrying.nextAttemptAt = epoch.addingTimeInterval(60.25)
            retrying.lastError = "HTTP 500: \"failing\" \u{00E9}"
            retrying.revision = 1
            var noAnswer = attempt("acme", "whd_2", 1, endpoint: "whe_1", at: 5.5, status: nil)
            noAnswer.error = "connect: refused \u{2014} \"127.0.0.1\""
            try await store.commit(StoreChange(account: "acme", webhookDeliveries: [delivered, retrying], webhookAttempts: [
                attempt("acme", "whd_1", 1, endpoint: "whe_1", at: 5.25, status: 200), noAnswer,
            ]))
            try expect(try await store.webhookDelivery(account: "acme", id: "whd_1") == delivered, "the first updated")
            try expect(try await store.webhookDelivery(account: "acme", id: "whd_2") == retrying, "the second updated, NULLs and text intact")
            try expect(try await store.webhookAttempts(account: "acme", delivery: "whd_2") == [noAnswer], "an attempt without a status, read back equal")
            var again = delivered
            again.revision = 2
            try await expectError(.conflict, "a batch with one stale delivery") {
                try await store.commit(StoreChange(account: "acme", webhookDeliveries: [again, retrying], webhookAttempts: [
                    attempt("acme", "whd_1", 2, endpoint: "whe_1", at: 9, status: 200),
                ]))
            }
            try expect(try await store.webhookDelivery(account: "acme", id: "whd_1") == delivered, "nothing of the stale batch stored")
            try expect(try await store.webhookAttempts(account: "acme", delivery: "whd_1").count == 1, "nor its attempt")
        },
        Case(name: "webhooks: failing-since is the first failure after the last success") { store in
            _ = try await makeAccount(store, "acme")
            try await store.commit(StoreChange(account: "acme", webhookEndpoint: endpoint("acme", "whe_1"),
                                               webhookDeliveries: [delivery("acme", "whd_1", endpoint: "whe_1")]))
            try expect(try await store.webhookFailingSince(account: "acme", endpoint: "whe_1") == nil, "no attempts: not failing")
            try await store.commit(StoreChange(account: "acme", webhookAttempts: [
                attempt("acme", "whd_1", 1, endpoint: "whe_1", at: 10, status: 500),
                attempt("acme", "whd_1", 2, endpoint: "whe_1", at: 20, status: 200),
                attempt("acme", "whd_1", 3, endpoint: "whe_1", at: 30, status: nil),
                attempt("acme", "whd_1", 4, endpoint: "whe_1", at: 40, status: 503),
            ]))
            let since = try await store.webhookFailingSince(account: "acme", endpoint: "whe_1")
            try expect(since == epoch.addingTimeInterval(30), "failing since the attempt after the success: \(String(describing: since))")
            try await store.commit(StoreChange(account: "acme", webhookAttempts: [
                attempt("acme", "whd_1", 5, endpoint: "whe_1", at: 50, status: 204),
            ]))
            try expect(try await store.webhookFailingSince(account: "acme", endpoint: "whe_1") == nil, "a success ends the run")
            try await expectError(.conflict, "an attempt number logged twice") {
                try await store.commit(StoreChange(account: "acme", webhookAttempts: [
                    attempt("acme", "whd_1", 5, endpoint: "whe_1", at: 60, status: 500),
                ]))
            }
        },
    ]
}
