import Foundation
import Workflow

/// What must hold when several writers meet: the webhook outbox commits or fails with the change
/// that carries it, and the service's records decide every race once, whether the racers share a
/// store or run on different nodes of one database.
extension StoreConformance {
    static let webhookAtomicityCases: [Case] = [
        Case(name: "webhooks: a purge empties the payloads of the stream's finished deliveries only") { store in
            _ = try await makeAccount(store, "acme")
            var envelope = makeEnvelope("acme", "env_1")
            let created = chain(&envelope, ["created"])
            let finished = delivery("acme", "whd_1", endpoint: "whe_1")
            let pending = delivery("acme", "whd_2", endpoint: "whe_1")
            let elsewhere = delivery("acme", "whd_3", endpoint: "whe_1", stream: "env_2")
            try await store.commit(StoreChange(account: "acme", envelope: envelope, events: created,
                                               webhookEndpoint: endpoint("acme", "whe_1"),
                                               webhookDeliveries: [finished, pending, elsewhere]))
            var delivered = finished, failed = elsewhere
            delivered.state = .delivered
            delivered.revision = 1
            failed.state = .failed
            failed.revision = 1
            try await store.commit(StoreChange(account: "acme", webhookDeliveries: [delivered, failed]))
            var purged = envelope
            purged.revision += 1
            let tombstone = chain(&purged, ["purged"])
            try await store.commit(StoreChange(account: "acme", envelope: purged, events: tombstone, purgePersonalData: ["env_1"]))
            var emptied = delivered
            emptied.payload = Data()
            try expect(try await store.webhookDelivery(account: "acme", id: "whd_1") == emptied,
                       "the finished delivery of the purged stream keeps everything but its payload")
            try expect(try await store.webhookDelivery(account: "acme", id: "whd_2") == pending,
                       "a pending delivery keeps its payload (it has yet to be sent)")
            try expect(try await store.webhookDelivery(account: "acme", id: "whd_3") == failed, "another stream's delivery is untouched")
        },
        Case(name: "webhooks: a commit refused in its outbox stores none of its change") { store in
            _ = try await makeAccount(store, "acme")
            var envelope = makeEnvelope("acme", "env_1")
            try await save(store, &envelope, events: ["created"])
            try await store.commit(StoreChange(account: "acme", webhookEndpoint: endpoint("acme", "whe_1"),
                                               webhookDeliveries: [delivery("acme", "whd_1", endpoint: "whe_1")],
                                               webhookAttempts: [attempt("acme", "whd_1", 1, endpoint: "whe_1", at: 1, status: 500)]))
            let before = try await store.envelope(account: "acme", id: "env_1")
            var sent = envelope
            sent.state = .sent
            sent.revision += 1
            let events = chain(&sent, ["sent"])
            // Everything valid but the last part: an attempt number the log already has.
            try await expectError(.conflict, "an attempt logged twice at the end of a change") {
                try await store.commit(StoreChange(
                    account: "acme", envelope: sent, events: events,
                    jobs: [Job(id: "job_w", account: "acme", kind: .webhook, envelope: "env_1", runAt: epoch)],
                    webhookEndpoint: endpoint("acme", "whe_2"),
                    webhookDeliveries: [delivery("acme", "whd_2", endpoint: "whe_2")],
                    webhookAttempts: [attempt("acme", "whd_1", 1, endpoint: "whe_1", at: 2, status: 200)]))
            }
            try expect(try await store.envelope(account: "acme", id: "env_1") == before, "the envelope is unchanged")
            try expect(try await store.events(account: "acme", stream: "env_1").count == 1, "no event appended")
            try expect(try await store.jobs(account: "acme", kind: .webhook, envelope: nil).isEmpty, "no job queued")
            try expect(try await store.webhookEndpoint(account: "acme", id: "whe_2") == nil, "no endpoint created")
            try expect(try await store.webhookDelivery(account: "acme", id: "whd_2") == nil, "no delivery created")
            try expect(try await store.webhookAttempts(account: "acme", delivery: "whd_1").map(\.status) == [500],
                       "the log keeps its one attempt")
        },
        // A store may remember an account's endpoints between commits (PostgreSQL does, to commit
        // in one statement); what another node changes must still decide this node's next outbox.
        Case(name: "webhooks: an endpoint another node adds, disables or re-enables decides the next outbox", nodes: 2) { nodes in
            _ = try await makeAccount(nodes[0], "acme")
            func send(_ id: String) async throws -> [String] {
                var envelope = makeEnvelope("acme", id, state: .sent)
                let events = chain(&envelope, ["envelope.sent"])
                var change = StoreChange(account: "acme", envelope: envelope, events: events)
                change.webhookOutbox = WebhookOutbox(account: "acme", events: events, envelope: envelope, now: epoch)
                try await nodes[0].commit(change)
                return try await nodes[1].webhookDeliveries(account: "acme", query: WebhookDeliveryQuery())
                    .filter { $0.stream == id }.map(\.endpoint).sorted()
            }
            try expect(try await send("env_1").isEmpty, "no endpoint, no delivery")
            try expect(try await send("env_2").isEmpty, "still none")
            try await nodes[1].commit(StoreChange(account: "acme", webhookEndpoint: endpoint("acme", "whe_1")))
            try expect(try await send("env_3") == ["whe_1"], "the endpoint the other node added gets the next event")
            var disabled = endpoint("acme", "whe_1", enabled: false)
            disabled.revision = 1
            try await nodes[1].commit(StoreChange(account: "acme", webhookEndpoint: disabled))
            try expect(try await send("env_4").isEmpty, "disabled on the other node, it gets nothing")
            try expect(try await send("env_5").isEmpty, "still nothing")
            var enabled = endpoint("acme", "whe_1")
            enabled.revision = 2
            try await nodes[1].commit(StoreChange(account: "acme", webhookEndpoint: enabled))
            try expect(try await send("env_6") == ["whe_1"], "enabled again on the other node, it gets the next event")
            try expect(try await send("env_7") == ["whe_1"], "and the one after it")
            let jobs = try await nodes[1].jobs(account: "acme", kind: .webhook, envelope: nil)
            let deliveries = try await nodes[1].webhookDeliveries(account: "acme", query: WebhookDeliveryQuery())
            try expect(Set(jobs.map { String(decoding: $0.payload, as: UTF8.self) }) == Set(deliveries.map(\.id)) && deliveries.count == 3,
                       "each delivery's first job is stored with it: \(deliveries.map(\.id))")
        },
        // A store may remember an account's ledger head between commits (PostgreSQL does); the
        // other node's appends make it stale, and every append must still chain onto the stored head.
        Case(name: "ledger: completions on two nodes appending to one account all chain, none lost", nodes: 2) { nodes in
            _ = try await makeAccount(nodes[0], "acme")
            let outcomes = try await race(nodes, 8) { store, racer in
                // As a completion does: a commit that lost the race for the head is committed again
                // (here until it wins: the case is about what is stored, not the retry budget).
                for round in 0..<3 {
                    for attempt in 0..<1_000 {
                        do {
                            try await store.commit(StoreChange(account: "acme", ledgerAppend: LedgerAppend(
                                envelope: "env_\(racer)_\(round)", envelopeHead: sha("\(racer) \(round)"), envelopeEvents: 4, at: epoch)))
                            break
                        } catch let error as WorkflowError where error.code == .conflict && attempt < 999 {}
                    }
                }
                return racer
            }
            try expect(outcomes.allSatisfy { (try? $0.get()) != nil }, "every racer appended: \(outcomes)")
            let ledger = try await nodes[1].ledger(account: "acme")
            try expect(ledger.count == 24 && Set(ledger.map(\.envelope)).count == 24, "24 entries, one per append: \(ledger.count)")
            var previous = WorkflowEvent.genesis
            for (index, entry) in ledger.enumerated() {
                try expect(entry.sequence == index + 1 && entry.previousHash == previous && entry.hash == entry.computedHash,
                           "entry \(entry.sequence) chains onto the one before")
                previous = entry.hash
            }
        },
        Case(name: "webhooks: of workers on two nodes recording one delivery's attempt, one wins", nodes: 2) { nodes in
            _ = try await makeAccount(nodes[0], "acme")
            let pending = delivery("acme", "whd_1", endpoint: "whe_1")
            try await nodes[0].commit(StoreChange(account: "acme", webhookEndpoint: endpoint("acme", "whe_1"), webhookDeliveries: [pending]))
            let outcomes = try await race(nodes, 8) { store, worker in
                var delivered = pending
                delivered.state = .delivered
                delivered.attempts = 1
                delivered.revision = 1
                delivered.lastError = "worker \(worker)"
                try await store.commit(StoreChange(account: "acme", webhookDeliveries: [delivered], webhookAttempts: [
                    attempt("acme", "whd_1", 1, endpoint: "whe_1", at: Double(worker), status: 200)]))
                return worker
            }
            let winners = outcomes.compactMap { try? $0.get() }
            try expect(winners.count == 1, "exactly one worker recorded the attempt: \(winners)")
            try expect(outcomes.allSatisfy { outcome in
                if case .failure(let error) = outcome { return (error as? WorkflowError)?.code == .conflict }
                return true
            }, "the others were refused as conflicts: \(outcomes)")
            let stored = try await nodes[1].webhookDelivery(account: "acme", id: "whd_1")
            try expect(stored?.lastError == "worker \(winners.first ?? -1)" && stored?.revision == 1, "the winner's update is stored")
            try expect(try await nodes[1].webhookAttempts(account: "acme", delivery: "whd_1").count == 1, "one attempt logged")
        },
    ]

    static let serviceRaceCases: [Case] = [
        Case(name: "idempotency: of requests on two nodes reserving one key, exactly one wins", nodes: 2) { nodes in
            let outcomes = try await race(nodes, 8) { store, request in
                let record = IdempotencyRecord(account: "acme", key: "k1", requestHash: sha("request \(request)"), createdAt: epoch)
                return (request, try await serviceStore(store).reserveIdempotencyKey(record, expiredBefore: epoch.addingTimeInterval(-60)))
            }.map { try $0.get() }
            let winners = outcomes.filter { $0.1 == nil }.map(\.0)
            try expect(winners.count == 1, "one reservation is new: \(winners)")
            let seen = Set(outcomes.compactMap { $0.1?.requestHash })
            try expect(seen == [sha("request \(winners[0])")], "every other request finds the winner's record")
        },
        Case(name: "idempotency: requests on two nodes reserving other keys while old ones expire all succeed", nodes: 2) { nodes in
            // Expired records of several accounts, swept (or met and deleted) while the other keys are reserved.
            for number in 0..<40 {
                let old = IdempotencyRecord(account: "acc_\(number % 4)", key: "old\(number)", requestHash: sha("old \(number)"),
                                            createdAt: epoch.addingTimeInterval(-90_000))
                _ = try await serviceStore(nodes[number % 2]).reserveIdempotencyKey(old, expiredBefore: epoch.addingTimeInterval(-100_000))
            }
            let outcomes = try await race(nodes, 12) { store, request in
                let record = IdempotencyRecord(account: "acc_\(request % 4)", key: "new\(request)", requestHash: sha("new \(request)"),
                                               createdAt: epoch)
                return try await serviceStore(store).reserveIdempotencyKey(record, expiredBefore: epoch.addingTimeInterval(-86_400))
            }
            let reserved = outcomes.map { outcome in
                if case .success(let existing) = outcome { return existing == nil }
                return false
            }
            try expect(!reserved.contains(false), "every new key is reserved, no error: \(outcomes)")
            for number in 0..<40 {
                let again = IdempotencyRecord(account: "acc_\(number % 4)", key: "old\(number)", requestHash: sha("again"), createdAt: epoch)
                try expect(try await serviceStore(nodes[0]).reserveIdempotencyKey(again, expiredBefore: epoch.addingTimeInterval(-86_400)) == nil,
                           "expired key old\(number) can be reserved again")
            }
        },
        Case(name: "embedded links: of redemptions on two nodes, exactly one wins", nodes: 2) { nodes in
            try await serviceStore(nodes[0]).insertEmbeddedLink(EmbeddedLink(
                secretHash: sha("s1"), account: "acme", envelope: "env_1", recipient: "rcp_1", createdBy: "key_1",
                expiresAt: epoch.addingTimeInterval(300)))
            let outcomes = try await race(nodes, 8) { store, _ in
                try await serviceStore(store).redeemEmbeddedLink(secretHash: sha("s1"), now: epoch.addingTimeInterval(5))
            }.map { try $0.get() }
            try expect(outcomes.compactMap { $0 }.count == 1, "one redemption: \(outcomes.map { $0 != nil })")
        },
        Case(name: "bulk sends: claimers on two nodes never get the same row", nodes: 2) { nodes in
            _ = try await makeAccount(nodes[0], "acme")
            try await bulkStore(nodes[0]).insertBulkSend(bulkSend("blk_1"))
            let rows = (1...60).map { BulkRow(key: "r\($0)", values: ["n": "\($0)"]) }
            _ = try await bulkStore(nodes[0]).appendBulkRows(account: "acme", bulk: "blk_1", rows: rows, jobs: [])
            let claims = try await race(nodes, 6) { store, _ in
                var mine: [Int] = []
                while true {
                    let batch = try await bulkStore(store).claimBulkRows(account: "acme", bulk: "blk_1", limit: 4, now: epoch,
                                                                          until: epoch.addingTimeInterval(300))
                    if batch.isEmpty { return mine }
                    mine += batch.map(\.sequence)
                }
            }.map { try $0.get() }
            let all = claims.flatMap { $0 }
            try expect(all.sorted() == Array(1...60), "every row claimed exactly once: \(all.count) claims, \(Set(all).count) rows")
        },
        Case(name: "bulk sends: uploads on two nodes number every new key once, without gaps", nodes: 2) { nodes in
            _ = try await makeAccount(nodes[0], "acme")
            try await bulkStore(nodes[0]).insertBulkSend(bulkSend("blk_1"))
            // Four uploads of 20 keys, each overlapping the next by 10 and repeating one key: 50 distinct keys.
            let added = try await race(nodes, 4) { store, upload in
                let keys = (upload * 10..<upload * 10 + 20).map { "k\($0)" }
                let rows = (keys + [keys[0]]).map { BulkRow(key: $0, values: ["upload": "\(upload)"]) }
                let job = Job(id: "job_u\(upload)", account: "acme", kind: .bulkSend, envelope: "blk_1", runAt: epoch)
                return try await bulkStore(store).appendBulkRows(account: "acme", bulk: "blk_1", rows: rows, jobs: [job])
            }.map { try $0.get() }
            try expect(added.reduce(0, +) == 50, "the uploads added 50 rows between them: \(added)")
            let stored = try await bulkStore(nodes[1]).bulkRows(account: "acme", bulk: "blk_1", state: nil, after: 0, limit: 100)
            try expect(stored.map(\.sequence) == Array(1...50), "numbered 1…50: \(stored.map(\.sequence))")
            try expect(Set(stored.map(\.key)) == Set((0..<50).map { "k\($0)" }), "each key once")
        },
    ]

    static func bulkSend(_ id: String) -> BulkSend {
        BulkSend(id: id, account: "acme", spec: BulkSpec(templateID: "t", templateVersion: "1", subject: "s",
                                                         recipients: [RecipientRequest(name: "n", email: "{{email}}", role: .signer)]),
                 createdAt: epoch, createdBy: "key_acme")
    }
}

/// Runs `count` racers at once, alternating between the nodes, and returns each one's outcome
/// in racer order.
func race<T: Sendable>(_ nodes: [any WorkflowStore], _ count: Int,
                       _ body: @escaping @Sendable (any WorkflowStore, Int) async throws -> T) async throws -> [Result<T, any Error>] {
    try await withThrowingTaskGroup(of: (Int, Result<T, any Error>).self) { group in
        for racer in 0..<count {
            let store = nodes[racer % nodes.count]
            group.addTask {
                do {
                    return (racer, .success(try await body(store, racer)))
                } catch {
                    return (racer, .failure(error))
                }
            }
        }
        var outcomes: [(Int, Result<T, any Error>)] = []
        for try await outcome in group { outcomes.append(outcome) }
        return outcomes.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
