import Foundation
import Workflow

extension StoreConformance {
    static let accountCases: [Case] = [
        Case(name: "accounts: a key is found by its secret's hash, and revoking keeps the row") { store in
            let key = try await makeAccount(store, "acme")
            let found = try await store.key(secretHash: key.secretHash)
            try expect(found == key, "the first key is found by hash: \(String(describing: found))")
            try expect(try await store.key(secretHash: sha("nothing")) == nil, "an unknown hash finds nothing")
            let second = APIKeyRecord(id: "key_2", account: "acme", role: .agent, name: "crm", secretHash: sha("2"), createdAt: epoch)
            try await store.insertKey(second)
            try await store.revokeKey(account: "acme", id: "key_2", at: epoch.addingTimeInterval(60))
            let keys = try await store.keys(account: "acme")
            try expect(keys.count == 2 && keys.first { $0.id == "key_2" }?.revokedAt != nil, "both keys listed, the second revoked")
            try await expectError(.notFound, "revoking another account's key") {
                try await store.revokeKey(account: "other", id: "key_acme", at: epoch)
            }
        },
        Case(name: "accounts: a second account with the same id is a conflict") { store in
            _ = try await makeAccount(store, "acme")
            try await expectError(.conflict, "duplicate account") { _ = try await makeAccount(store, "acme") }
            try expect(try await store.accounts().map(\.id) == ["acme"], "one account")
        },
        Case(name: "accounts: a change for an account that does not exist is notFound and stores nothing") { store in
            _ = try await makeAccount(store, "acme")
            let event = WorkflowEvent.make(account: "nobody", stream: "env_1", sequence: 1, type: "x", at: epoch, actor: .system,
                                           data: [:], personal: ["email": "ada@example.com"], previousHash: WorkflowEvent.genesis)
            try await expectError(.notFound, "events for no account") {
                try await store.commit(StoreChange(account: "nobody", events: [event]))
            }
            try await expectError(.notFound, "an empty change for no account") { try await store.commit(StoreChange(account: "nobody")) }
            try expect(try await store.events(account: "nobody", stream: "env_1").isEmpty, "no event stored")
        },
    ]

    static let envelopeCases: [Case] = [
        Case(name: "envelopes: insert, read back equal, update with the next revision") { store in
            _ = try await makeAccount(store, "acme")
            var envelope = makeEnvelope("acme", "env_1")
            try await save(store, &envelope, events: ["created"])
            try expect(try await store.envelope(account: "acme", id: "env_1") == envelope, "read back equal")
            envelope.state = .sent
            try await save(store, &envelope, events: ["sent"])
            let stored = try await store.envelope(account: "acme", id: "env_1")
            try expect(stored?.state == .sent && stored?.revision == 1, "updated to revision 1: \(String(describing: stored?.revision))")
        },
        Case(name: "envelopes: a stale revision is a conflict and changes nothing") { store in
            _ = try await makeAccount(store, "acme")
            var envelope = makeEnvelope("acme", "env_1")
            try await save(store, &envelope, events: ["created"])
            var first = envelope
            var second = envelope
            first.subject = "first"
            try await save(store, &first, events: ["corrected"])
            second.subject = "second"
            try await expectError(.conflict, "the second writer") { try await save(store, &second, events: ["corrected"]) }
            try expect(try await store.envelope(account: "acme", id: "env_1")?.subject == "first", "the first write stands")
            try expect(try await store.events(account: "acme", stream: "env_1").count == 2, "no event of the refused write")
        },
        Case(name: "envelopes: a commit that fails in its last part stores none of it") { store in
            _ = try await makeAccount(store, "acme")
            var envelope = makeEnvelope("acme", "env_1")
            try await save(store, &envelope, events: ["created"])
            var next = envelope
            next.state = .sent
            next.revision += 1
            var events = chain(&next, ["sent"])
            events[0].hash = WorkflowEvent.genesis  // a hash that is not the event's own
            let job = Job(id: "job_1", account: "acme", kind: .email, envelope: "env_1", runAt: epoch)
            do {
                try await store.commit(StoreChange(account: "acme", envelope: next, events: events, jobs: [job]))
                throw StoreConformance.Failure(description: "an event with a wrong hash was stored")
            } catch is WorkflowError {}
            try expect(try await store.envelope(account: "acme", id: "env_1")?.state == .draft, "the envelope is unchanged")
            try expect(try await store.jobs(account: "acme", kind: nil, envelope: nil).isEmpty, "no job was enqueued")
        },
        Case(name: "envelopes: list by state, metadata, cursor and limit") { store in
            _ = try await makeAccount(store, "acme")
            for index in 1...5 {
                var envelope = makeEnvelope("acme", "env_\(index)", state: index % 2 == 0 ? .sent : .draft,
                                            metadata: ["lead_id": "L\(index % 2)"])
                try await save(store, &envelope, events: ["created"])
            }
            let sent = try await store.envelopes(account: "acme", query: EnvelopeQuery(states: [.sent]))
            try expect(sent.map(\.id) == ["env_2", "env_4"], "sent: \(sent.map(\.id))")
            let lead = try await store.envelopes(account: "acme", query: EnvelopeQuery(metadataKey: "lead_id", metadataValue: "L1"))
            try expect(lead.map(\.id) == ["env_1", "env_3", "env_5"], "by metadata: \(lead.map(\.id))")
            let page = try await store.envelopes(account: "acme", query: EnvelopeQuery(after: "env_2", limit: 2))
            try expect(page.map(\.id) == ["env_3", "env_4"], "page: \(page.map(\.id))")
        },
        Case(name: "envelopes: a token hash finds its recipient until the token changes") { store in
            _ = try await makeAccount(store, "acme")
            var envelope = makeEnvelope("acme", "env_1")
            try await save(store, &envelope, events: ["created"])
            let found = try await store.recipient(tokenHash: sha("token-env_1-1"))
            try expect(found?.account == "acme" && found?.envelope == "env_1" && found?.recipient == "env_1_r1", "found")
            envelope.recipients[0].tokenHashes = [sha("new token")]
            try await save(store, &envelope, events: ["resent"])
            try expect(try await store.recipient(tokenHash: sha("token-env_1-1")) == nil, "the old token finds nothing")
            try expect(try await store.recipient(tokenHash: sha("new token"))?.recipient == "env_1_r1", "the new token works")
            try expect(try await store.envelope(tokenHash: sha("token-env_1-1")) == nil, "nor its envelope")
            let withEnvelope = try await store.envelope(tokenHash: sha("new token"))
            try expect(withEnvelope?.recipient == "env_1_r1" && withEnvelope?.envelope == envelope,
                       "the new token finds the envelope as stored now")
        },
        Case(name: "envelopes: given the envelope as read, changed metadata and tokens are rewritten, the rest kept") { store in
            _ = try await makeAccount(store, "acme")
            var envelope = makeEnvelope("acme", "env_1", metadata: ["lead_id": "L1", "owner": "ann", "ticket": "T9"])
            envelope.recipients[1].tokenHashes = [sha("cc token")]
            try await save(store, &envelope, events: ["created"])
            // Through three commits that name the envelope as read: one that changes nothing
            // indexed, one that changes a value, drops a key, adds one and moves the tokens, and
            // one given a stale `previousEnvelope` (every row written again).
            var steps: [(Envelope) -> Envelope] = []
            steps.append { $0 }
            steps.append { envelope in
                var next = envelope
                next.metadata = ["lead_id": "L2", "owner": "ann", "crm": "C3"]
                next.recipients[0].tokenHashes = [sha("token-env_1-1"), sha("reminder token")]
                next.recipients[1].tokenHashes = []
                return next
            }
            steps.append { envelope in
                var next = envelope
                next.metadata["owner"] = "bo"
                next.recipients[0].tokenHashes = [sha("resent token")]
                return next
            }
            let query = { (key: String, value: String) in
                try await store.envelopes(account: "acme", query: EnvelopeQuery(metadataKey: key, metadataValue: value)).map(\.id)
            }
            for (index, step) in steps.enumerated() {
                guard let read = try await store.envelope(account: "acme", id: "env_1") else { throw StoreConformance.Failure(description: "gone") }
                var next = step(read)
                let events = chain(&next, ["step\(index)"])
                next.revision += 1
                var previous = read
                if index == 2 { previous.revision -= 1 }
                try await store.commit(StoreChange(account: "acme", envelope: next, previousEnvelope: previous, events: events))
                guard index == 1 else { continue }
                let (l2, l1, ann) = (try await query("lead_id", "L2"), try await query("lead_id", "L1"), try await query("owner", "ann"))
                let (ticket, crm) = (try await query("ticket", "T9"), try await query("crm", "C3"))
                try expect(l2 == ["env_1"] && l1.isEmpty && ann == ["env_1"], "the changed value and the kept one: \(l2) \(l1) \(ann)")
                try expect(ticket.isEmpty && crm == ["env_1"], "the dropped and added keys: \(ticket) \(crm)")
                try expect(try await store.recipient(tokenHash: sha("cc token")) == nil, "the dropped token finds nothing")
                try expect(try await store.recipient(tokenHash: sha("reminder token"))?.recipient == "env_1_r1", "the added token works")
                try expect(try await store.recipient(tokenHash: sha("token-env_1-1"))?.recipient == "env_1_r1", "the kept token works")
            }
            let (bo, ann) = (try await query("owner", "bo"), try await query("owner", "ann"))
            try expect(bo == ["env_1"] && ann.isEmpty, "the value changed by a full rewrite: \(bo) \(ann)")
            for gone in ["token-env_1-1", "reminder token", "cc token"] {
                try expect(try await store.recipient(tokenHash: sha(gone)) == nil, "the token '\(gone)' finds nothing")
            }
            try expect(try await store.recipient(tokenHash: sha("resent token"))?.recipient == "env_1_r1", "the new token works")
        },
        Case(name: "tenancy: one account's envelopes, events, jobs and versions are invisible to another") { store in
            _ = try await makeAccount(store, "acme")
            _ = try await makeAccount(store, "globex")
            var envelope = makeEnvelope("acme", "env_1")
            try await save(store, &envelope, events: ["created"],
                           jobs: [Job(id: "job_1", account: "acme", kind: .reminder, envelope: "env_1", runAt: epoch)])
            try await store.commit(StoreChange(account: "acme", templateVersion: TemplateVersion(
                account: "acme", templateID: "t", version: "1", source: Data("<template/>".utf8), createdAt: epoch, createdBy: "k")))
            try expect(try await store.envelope(account: "globex", id: "env_1") == nil, "envelope")
            try expect(try await store.envelopes(account: "globex", query: EnvelopeQuery()).isEmpty, "list")
            try expect(try await store.events(account: "globex", stream: "env_1").isEmpty, "events")
            try expect(try await store.streams(account: "globex").isEmpty, "streams")
            try expect(try await store.jobs(account: "globex", kind: nil, envelope: nil).isEmpty, "jobs")
            try expect(try await store.templateVersions(account: "globex", templateID: nil).isEmpty, "templates")
            // Writing into another account's envelope under one's own account is refused.
            var stolen = envelope
            stolen.account = "globex"
            stolen.revision += 1
            try await expectError(.conflict, "updating acme's envelope as globex") {
                try await store.commit(StoreChange(account: "globex", envelope: stolen))
            }
        },
    ]
}
