import Foundation
import Workflow

extension StoreConformance {
    /// What a store that backs `countersign serve` must also do (`ServiceRecordStore`,
    /// `BulkSendStore`): idempotency records, embedded links, bulk rows. Separate from `cases`
    /// so a store can adopt them when it implements the service's protocols.
    public static let serviceCases: [Case] = serviceRecordCases + serviceRaceCases

    static let serviceRecordCases: [Case] = [
        Case(name: "idempotency: the first reservation wins; the record is replayed, released or expired") { store in
            let records = try serviceStore(store)
            let first = IdempotencyRecord(account: "acme", key: "k1", requestHash: sha("a"), createdAt: epoch)
            try expect(try await records.reserveIdempotencyKey(first, expiredBefore: epoch.addingTimeInterval(-86_400)) == nil,
                       "the first reservation is new")
            let second = IdempotencyRecord(account: "acme", key: "k1", requestHash: sha("b"), createdAt: epoch)
            let existing = try await records.reserveIdempotencyKey(second, expiredBefore: epoch.addingTimeInterval(-86_400))
            try expect(existing?.requestHash == sha("a") && existing?.inProgress == true, "the second finds the first, in progress")
            var done = first
            done.status = 201
            done.headers = ["Location": "/v1/envelopes/env_1"]
            done.body = Array("{\"id\":\"env_1\"}".utf8)
            try await records.completeIdempotencyKey(done)
            let replay = try await records.reserveIdempotencyKey(first, expiredBefore: epoch.addingTimeInterval(-86_400))
            try expect(replay == done, "the completed record comes back whole: \(String(describing: replay))")
            let other = IdempotencyRecord(account: "other", key: "k1", requestHash: sha("c"), createdAt: epoch)
            try expect(try await records.reserveIdempotencyKey(other, expiredBefore: epoch.addingTimeInterval(-86_400)) == nil,
                       "keys are per account")
            try await records.releaseIdempotencyKey(account: "other", key: "k1")
            try expect(try await records.reserveIdempotencyKey(other, expiredBefore: epoch.addingTimeInterval(-86_400)) == nil,
                       "a released reservation can be made again")
            let late = IdempotencyRecord(account: "acme", key: "k1", requestHash: sha("d"), createdAt: epoch.addingTimeInterval(90_000))
            try expect(try await records.reserveIdempotencyKey(late, expiredBefore: epoch.addingTimeInterval(1)) == nil,
                       "a record older than the cut-off is gone")
        },
        Case(name: "idempotency: a dead node's old reservation is taken over; a live or finished one is not") { store in
            let records = try serviceStore(store)
            let day = epoch.addingTimeInterval(-86_400)
            let stuck = IdempotencyRecord(account: "acme", key: "stuck", requestHash: sha("a"), createdAt: epoch)
            try expect(try await records.reserveIdempotencyKey(stuck, expiredBefore: day) == nil, "reserved")
            let retry = IdempotencyRecord(account: "acme", key: "stuck", requestHash: sha("a"), createdAt: epoch.addingTimeInterval(60))
            let fresh = try await records.reserveIdempotencyKey(retry, expiredBefore: day, abandonedBefore: epoch.addingTimeInterval(-60))
            try expect(fresh?.inProgress == true, "a reservation younger than the cut-off is still in progress")
            try expect(try await records.reserveIdempotencyKey(retry, expiredBefore: day, abandonedBefore: epoch.addingTimeInterval(1)) == nil,
                       "an older one is dropped and the retry reserves the key")
            var done = retry
            done.status = 201
            done.body = Array("{}".utf8)
            try await records.completeIdempotencyKey(done)
            let later = IdempotencyRecord(account: "acme", key: "stuck", requestHash: sha("a"), createdAt: epoch.addingTimeInterval(600))
            let kept = try await records.reserveIdempotencyKey(later, expiredBefore: day, abandonedBefore: epoch.addingTimeInterval(500))
            try expect(kept == done, "a finished record is replayed, never dropped as abandoned")
        },
        Case(name: "embedded links: redeemed once, never after expiry") { store in
            let records = try serviceStore(store)
            let link = EmbeddedLink(secretHash: sha("s1"), account: "acme", envelope: "env_1", recipient: "rcp_1", createdBy: "key_1",
                                    expiresAt: epoch.addingTimeInterval(300))
            try await records.insertEmbeddedLink(link)
            try await records.insertEmbeddedLink(EmbeddedLink(secretHash: sha("s2"), account: "acme", envelope: "env_1", recipient: "rcp_1",
                                                              createdBy: "key_1", expiresAt: epoch.addingTimeInterval(300)))
            let redeemed = try await records.redeemEmbeddedLink(secretHash: sha("s1"), now: epoch.addingTimeInterval(10))
            try expect(redeemed?.recipient == "rcp_1" && redeemed?.usedAt != nil, "the first redemption works")
            try expect(try await records.redeemEmbeddedLink(secretHash: sha("s1"), now: epoch.addingTimeInterval(20)) == nil, "not twice")
            try expect(try await records.redeemEmbeddedLink(secretHash: sha("s2"), now: epoch.addingTimeInterval(300)) == nil, "not at expiry")
            try expect(try await records.redeemEmbeddedLink(secretHash: sha("s3"), now: epoch) == nil, "not unknown")
        },
        Case(name: "bulk sends: rows numbered in order, duplicates skipped, leased, finished") { store in
            let bulks = try await makeBulkSend(store)
            let drain = Job(id: "job_b", account: "acme", kind: .bulkSend, envelope: "blk_1", runAt: epoch)
            let rows = (1...3).map { BulkRow(key: "r\($0)", values: ["email": "\($0)@example.com"]) }
            try expect(try await bulks.appendBulkRows(account: "acme", bulk: "blk_1", rows: rows, jobs: [drain]) == 3, "three rows added")
            let again = rows + [BulkRow(key: "r4", values: [:])]
            let drain2 = Job(id: "job_b2", account: "acme", kind: .bulkSend, envelope: "blk_1", runAt: epoch)
            try expect(try await bulks.appendBulkRows(account: "acme", bulk: "blk_1", rows: again, jobs: [drain2]) == 1, "only r4 is new")
            try expect(try await store.jobs(account: "acme", kind: .bulkSend, envelope: "blk_1").count == 2, "each batch queued a job")
            try await expectError(.notFound, "rows for another account's bulk send") {
                _ = try await bulks.appendBulkRows(account: "other", bulk: "blk_1", rows: [BulkRow(key: "x", values: [:])], jobs: [])
            }
            try await expectError(.notFound, "rows for a bulk send that does not exist") {
                _ = try await bulks.appendBulkRows(account: "acme", bulk: "blk_404", rows: [BulkRow(key: "x", values: [:])], jobs: [])
            }
            let first = try await bulks.claimBulkRows(account: "acme", bulk: "blk_1", limit: 2, now: epoch, until: epoch.addingTimeInterval(300))
            try expect(first.map(\.sequence) == [1, 2] && first.map(\.key) == ["r1", "r2"], "the first two, in order: \(first.map(\.key))")
            try expect(first[0].values == ["email": "1@example.com"], "values kept")
            let second = try await bulks.claimBulkRows(account: "acme", bulk: "blk_1", limit: 5, now: epoch, until: epoch.addingTimeInterval(300))
            try expect(second.map(\.key) == ["r3", "r4"], "leased rows are not claimed twice: \(second.map(\.key))")
            try await bulks.finishBulkRow(account: "acme", bulk: "blk_1", sequence: 1, envelope: "env_9", error: nil)
            try await bulks.finishBulkRow(account: "acme", bulk: "blk_1", sequence: 2, envelope: nil, error: "invalidRequest: bad")
            let retaken = try await bulks.claimBulkRows(account: "acme", bulk: "blk_1", limit: 5, now: epoch.addingTimeInterval(301),
                                                        until: epoch.addingTimeInterval(600))
            try expect(retaken.map(\.key) == ["r3", "r4"], "a lease that ran out is taken again; finished rows are not")
            let bulk = try await bulks.bulkSend(account: "acme", id: "blk_1")
            try expect(bulk?.counts == [.created: 1, .failed: 1, .pending: 2], "counts: \(String(describing: bulk?.counts))")
            try expect(try await bulks.bulkSend(account: "other", id: "blk_1") == nil, "not another account's")
            let failed = try await bulks.bulkRows(account: "acme", bulk: "blk_1", state: .failed, after: 0, limit: 10)
            try expect(failed.map(\.error) == ["invalidRequest: bad"], "the failed row with its reason")
            try expect(try await bulks.bulkRows(account: "acme", bulk: "blk_1", state: nil, after: 2, limit: 1).map(\.key) == ["r3"],
                       "pages by sequence")
        },
        Case(name: "purge: an envelope's e-mails, its bulk row's values and stored API responses go with its personal data") { store in
            let bulks = try await makeBulkSend(store)
            let rows = ["r1", "r2"].map { BulkRow(key: $0, values: ["email": "\($0)@example.com"]) }
            _ = try await bulks.appendBulkRows(account: "acme", bulk: "blk_1", rows: rows, jobs: [])
            _ = try await bulks.claimBulkRows(account: "acme", bulk: "blk_1", limit: 2, now: epoch, until: epoch.addingTimeInterval(300))
            try await bulks.finishBulkRow(account: "acme", bulk: "blk_1", sequence: 1, envelope: "env_1", error: nil)
            try await bulks.finishBulkRow(account: "acme", bulk: "blk_1", sequence: 2, envelope: "env_2", error: nil)
            var first = makeEnvelope("acme", "env_1"), second = makeEnvelope("acme", "env_2")
            try await save(store, &first, events: ["created"])
            try await save(store, &second, events: ["created"])
            let mail = Data("To: r1@example.com https://sign.example.com/s/abc".utf8)
            try await store.commit(StoreChange(account: "acme", jobs: [
                Job(id: "job_m1", account: "acme", kind: .email, envelope: "env_1", payload: mail, runAt: epoch),
                Job(id: "job_m2", account: "acme", kind: .email, envelope: "env_2", payload: mail, runAt: epoch),
                Job(id: "job_c1", account: "acme", kind: .completion, envelope: "env_1", runAt: epoch),
            ]))
            // The API's stored responses (idempotency records) that name each envelope.
            let records = try serviceStore(store)
            // Scoped as the service scopes them (by API key), and by the account alone.
            let keyScope = IdempotencyRecord.scope(account: "acme", keyID: "key_1")
            for (scope, key, envelope) in [(keyScope, "k1", "env_1"), ("acme", "k3", "env_1"), (keyScope, "k2", "env_2")] {
                let record = IdempotencyRecord(account: scope, key: key, requestHash: "h", status: 201,
                                               body: Array(#"{"id":"\#(envelope)","recipients":[{"email":"r@example.com"}]}"#.utf8), createdAt: epoch)
                try expect(try await records.reserveIdempotencyKey(IdempotencyRecord(account: scope, key: key, requestHash: "h", createdAt: epoch),
                                                                   expiredBefore: .distantPast) == nil, "reserved \(key)")
                try await records.completeIdempotencyKey(record)
            }
            var purged = first
            purged.revision += 1
            let tombstone = chain(&purged, ["purged"])
            try await store.commit(StoreChange(account: "acme", envelope: purged, events: tombstone, purgePersonalData: ["env_1"]))
            func stored(_ scope: String, _ key: String) async throws -> IdempotencyRecord? {
                try await records.reserveIdempotencyKey(IdempotencyRecord(account: scope, key: key, requestHash: "h", createdAt: epoch),
                                                        expiredBefore: .distantPast)
            }
            try expect(try await stored(keyScope, "k1") == nil, "the key's response naming env_1 is gone (the key is free again)")
            try expect(try await stored("acme", "k3") == nil, "the account's response naming env_1 is gone")
            try expect(try await stored(keyScope, "k2")?.status == 201, "the one naming env_2 stays")
            try expect(try await store.jobs(account: "acme", kind: .email, envelope: "env_1").isEmpty, "env_1's e-mails are gone")
            try expect(try await store.jobs(account: "acme", kind: .email, envelope: "env_2").count == 1, "env_2's stay")
            try expect(try await store.jobs(account: "acme", kind: .completion, envelope: "env_1").count == 1, "other jobs stay")
            let kept = try await bulks.bulkRows(account: "acme", bulk: "blk_1", state: nil, after: 0, limit: 10)
            try expect(kept.map(\.values) == [[:], ["email": "r2@example.com"]], "env_1's row emptied: \(kept.map(\.values))")
        },
    ]
}

func serviceStore(_ store: any WorkflowStore) throws -> any ServiceRecordStore {
    guard let records = store as? any ServiceRecordStore else {
        throw StoreConformance.Failure(description: "the store does not implement ServiceRecordStore")
    }
    return records
}

/// Account `acme` with an empty bulk send `blk_1`; the store as a `BulkSendStore`.
func makeBulkSend(_ store: any WorkflowStore) async throws -> any BulkSendStore {
    let bulks = try bulkStore(store)
    _ = try await makeAccount(store, "acme")
    let spec = BulkSpec(templateID: "t", templateVersion: "1", subject: "s",
                        recipients: [RecipientRequest(name: "n", email: "{{email}}", role: .signer)])
    try await bulks.insertBulkSend(BulkSend(id: "blk_1", account: "acme", spec: spec, createdAt: epoch, createdBy: "key_acme"))
    return bulks
}

func bulkStore(_ store: any WorkflowStore) throws -> any BulkSendStore {
    guard let bulks = store as? any BulkSendStore else {
        throw StoreConformance.Failure(description: "the store does not implement BulkSendStore")
    }
    return bulks
}
