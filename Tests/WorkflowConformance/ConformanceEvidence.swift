import Foundation
import Workflow

extension StoreConformance {
    static let eventCases: [Case] = [
        Case(name: "events: read back in order with the hashes they were written with") { store in
            _ = try await makeAccount(store, "acme")
            var envelope = makeEnvelope("acme", "env_1")
            try await save(store, &envelope, events: ["created", "sent", "viewed"])
            let events = try await store.events(account: "acme", stream: "env_1")
            try expect(events.map(\.sequence) == [1, 2, 3], "sequences \(events.map(\.sequence))")
            try expect(events.allSatisfy { $0.hash == $0.computedHash }, "every hash recomputes")
            try expect(events.last?.hash == envelope.headHash, "the head is the envelope's head")
            try expect(events[0].personal == ["email": "ada@example.com"], "personal data kept beside the event")
        },
        Case(name: "events: one change appends to two streams, with personal data on some events") { store in
            _ = try await makeAccount(store, "acme")
            let first = WorkflowEvent.make(account: "acme", stream: "env_a", sequence: 1, type: "x", at: epoch, actor: .system,
                                           data: [:], personal: [:], previousHash: WorkflowEvent.genesis)
            let other = WorkflowEvent.make(account: "acme", stream: "env_b", sequence: 1, type: "y", at: epoch, actor: .system,
                                           data: [:], personal: ["ip": "192.0.2.1"], previousHash: WorkflowEvent.genesis)
            let second = WorkflowEvent.make(account: "acme", stream: "env_a", sequence: 2, type: "z", at: epoch, actor: .system,
                                            data: [:], personal: ["email": "ada@example.com"], previousHash: first.hash)
            try await store.commit(StoreChange(account: "acme", events: [first, other, second]))
            let a = try await store.events(account: "acme", stream: "env_a")
            let b = try await store.events(account: "acme", stream: "env_b")
            try expect(a.map(\.type) == ["x", "z"] && a.map(\.personal) == [[:], ["email": "ada@example.com"]], "env_a: \(a)")
            try expect(b.map(\.type) == ["y"] && b[0].personal == ["ip": "192.0.2.1"], "env_b: \(b)")
            let stale = WorkflowEvent.make(account: "acme", stream: "env_b", sequence: 1, type: "w", at: epoch, actor: .system,
                                           data: [:], personal: [:], previousHash: WorkflowEvent.genesis)
            try await expectError(.conflict, "env_b's head is 1, also when it is the second stream of a change") {
                try await store.commit(StoreChange(account: "acme", events: [
                    WorkflowEvent.make(account: "acme", stream: "env_a", sequence: 3, type: "v", at: epoch, actor: .system,
                                       data: [:], personal: [:], previousHash: second.hash), stale]))
            }
            try expect(try await store.events(account: "acme", stream: "env_a").count == 2, "nothing of the refused change kept")
        },
        Case(name: "events: a gap, a fork or a wrong previous hash is refused") { store in
            _ = try await makeAccount(store, "acme")
            var envelope = makeEnvelope("acme", "env_1")
            try await save(store, &envelope, events: ["created"])
            let gap = WorkflowEvent.make(account: "acme", stream: "env_1", sequence: 3, type: "x", at: epoch, actor: .system,
                                         data: [:], personal: [:], previousHash: envelope.headHash)
            try await expectError(.conflict, "a gap") { try await store.commit(StoreChange(account: "acme", events: [gap])) }
            let fork = WorkflowEvent.make(account: "acme", stream: "env_1", sequence: 1, type: "x", at: epoch, actor: .system,
                                          data: [:], personal: [:], previousHash: WorkflowEvent.genesis)
            try await expectError(.conflict, "a fork") { try await store.commit(StoreChange(account: "acme", events: [fork])) }
            let wrong = WorkflowEvent.make(account: "acme", stream: "env_1", sequence: 2, type: "x", at: epoch, actor: .system,
                                           data: [:], personal: [:], previousHash: WorkflowEvent.genesis)
            try await expectError(.conflict, "a wrong previous hash") { try await store.commit(StoreChange(account: "acme", events: [wrong])) }
            try expect(try await store.events(account: "acme", stream: "env_1").count == 1, "still one event")
        },
        Case(name: "events: purging personal data keeps the events and their hashes") { store in
            _ = try await makeAccount(store, "acme")
            var envelope = makeEnvelope("acme", "env_1")
            try await save(store, &envelope, events: ["created", "sent"])
            var purged = envelope
            purged.revision += 1
            let tombstone = chain(&purged, ["purged"])
            try await store.commit(StoreChange(account: "acme", envelope: purged, events: tombstone, purgePersonalData: ["env_1"]))
            let events = try await store.events(account: "acme", stream: "env_1")
            try expect(events.count == 3 && events.allSatisfy { $0.personal == nil }, "three events, no personal data")
            try expect(events.allSatisfy { $0.hash == $0.computedHash }, "the chain still recomputes")
        },
        Case(name: "ledger: entries chain, and a stale head is refused") { store in
            _ = try await makeAccount(store, "acme")
            try expect(try await store.ledgerHead(account: "acme") == nil, "an empty ledger has no head")
            let first = LedgerEntry(account: "acme", sequence: 1, envelope: "env_1", envelopeHead: sha("a"), envelopeEvents: 4,
                                    at: epoch, previousHash: WorkflowEvent.genesis)
            try await store.commit(StoreChange(account: "acme", ledgerEntry: first))
            let stale = LedgerEntry(account: "acme", sequence: 1, envelope: "env_2", envelopeHead: sha("b"), envelopeEvents: 4,
                                    at: epoch, previousHash: WorkflowEvent.genesis)
            try await expectError(.conflict, "a second entry 1") { try await store.commit(StoreChange(account: "acme", ledgerEntry: stale)) }
            let second = LedgerEntry(account: "acme", sequence: 2, envelope: "env_2", envelopeHead: sha("b"), envelopeEvents: 4,
                                     at: epoch, previousHash: first.hash)
            try await store.commit(StoreChange(account: "acme", ledgerEntry: second))
            try expect(try await store.ledger(account: "acme") == [first, second], "two entries read back")
            try expect(try await store.ledgerHead(account: "acme") == second, "the head is the last entry")
            try expect(try await store.ledgerHead(account: "other") == nil, "not another account's")
            try await store.insertAnchor(LedgerAnchor(account: "acme", sequence: 2, head: second.hash, token: Data([1, 2, 3]), at: epoch))
            try expect(try await store.anchors(account: "acme").first?.head == second.hash, "the anchor reads back")
        },
        Case(name: "ledger: an append is chained onto the stored head in the commit") { store in
            _ = try await makeAccount(store, "acme")
            _ = try await makeAccount(store, "other")
            let append = LedgerAppend(envelope: "env_1", envelopeHead: sha("a"), envelopeEvents: 4, at: epoch)
            try await store.commit(StoreChange(account: "acme", ledgerAppend: append))
            let first = append.entry(account: "acme", after: nil)
            try expect(first.sequence == 1 && first.previousHash == WorkflowEvent.genesis, "the first entry follows genesis")
            try expect(try await store.ledgerHead(account: "acme") == first, "an append on an empty ledger is entry 1")
            let explicit = LedgerEntry(account: "acme", sequence: 2, envelope: "env_2", envelopeHead: sha("b"), envelopeEvents: 5,
                                       at: epoch, previousHash: first.hash)
            try await store.commit(StoreChange(account: "acme", ledgerEntry: explicit))
            let later = LedgerAppend(envelope: "env_3", envelopeHead: sha("c"), envelopeEvents: 6, at: epoch.addingTimeInterval(60))
            try await store.commit(StoreChange(account: "acme", ledgerAppend: later))
            let third = later.entry(account: "acme", after: (explicit.sequence, explicit.hash))
            try expect(try await store.ledger(account: "acme") == [first, explicit, third], "appends chain after explicit entries too")
            try await store.commit(StoreChange(account: "other", ledgerAppend: later))
            try expect(try await store.ledger(account: "other") == [later.entry(account: "other", after: nil)],
                       "each account's ledger is its own")
            try await expectError(.invalidRequest, "an entry and an append in one change") {
                try await store.commit(StoreChange(account: "acme", ledgerEntry: explicit, ledgerAppend: later))
            }
            try expect(try await store.ledger(account: "acme").count == 3, "the refused change wrote nothing")
        },
    ]

    static let jobCases: [Case] = [
        Case(name: "jobs: the jobs of one change are stored whole and listed in the order given") { store in
            _ = try await makeAccount(store, "acme")
            let ids = ["job_c", "job_a", "job_e", "job_b", "job_d"]
            let jobs = ids.enumerated().map { index, id in
                Job(id: id, account: "acme", kind: index % 2 == 0 ? .email : .webhook, envelope: "env_\(index % 2)",
                    payload: Data("payload \(id) \u{0}\u{FF}".utf8), runAt: epoch.addingTimeInterval(Double(index) * 1.5),
                    maximumAttempts: 3 + index)
            }
            try await store.commit(StoreChange(account: "acme", jobs: jobs))
            let listed = try await store.jobs(account: "acme", kind: nil, envelope: nil)
            try expect(listed.map(\.id) == ids, "in the order given: \(listed.map(\.id))")
            for (stored, given) in zip(listed, jobs) {
                try expect(stored.kind == given.kind && stored.envelope == given.envelope && stored.payload == given.payload
                           && stored.runAt == given.runAt && stored.maximumAttempts == given.maximumAttempts
                           && stored.attempts == 0 && stored.state == .pending && stored.lastError == nil, "\(given.id) whole: \(stored)")
            }
        },
        Case(name: "jobs: only due, unleased jobs are claimed, once per lease") { store in
            _ = try await makeAccount(store, "acme")
            let due = Job(id: "job_due", account: "acme", kind: .reminder, envelope: "env_1", runAt: epoch)
            let later = Job(id: "job_later", account: "acme", kind: .expiry, envelope: "env_1", runAt: epoch.addingTimeInterval(3600))
            try await store.commit(StoreChange(account: "acme", jobs: [due, later]))
            let claimed = try await store.claimJobs(now: epoch, limit: 10, lease: 60, worker: "w1")
            try expect(claimed.map(\.id) == ["job_due"] && claimed[0].attempts == 1, "the due job: \(claimed.map(\.id))")
            try expect(try await store.claimJobs(now: epoch.addingTimeInterval(30), limit: 10, lease: 60, worker: "w2").isEmpty,
                       "leased: nobody else gets it")
            let again = try await store.claimJobs(now: epoch.addingTimeInterval(61), limit: 10, lease: 60, worker: "w2")
            try expect(again.map(\.id) == ["job_due"] && again[0].attempts == 2, "the lease ran out: taken again")
            try await store.finishJob(id: "job_due")
            try expect(try await store.claimJobs(now: epoch.addingTimeInterval(7200), limit: 10, lease: 60, worker: "w1").map(\.id)
                       == ["job_later"], "the done job is not claimed; the later one is due")
        },
        Case(name: "jobs: a claimer gets only the kinds it can run") { store in
            _ = try await makeAccount(store, "acme")
            try await store.commit(StoreChange(account: "acme", jobs: [
                Job(id: "job_mail", account: "acme", kind: .email, envelope: "env_1", runAt: epoch),
                Job(id: "job_seal", account: "acme", kind: .completion, envelope: "env_1", runAt: epoch.addingTimeInterval(1)),
                Job(id: "job_remind", account: "acme", kind: .reminder, envelope: "env_1", runAt: epoch.addingTimeInterval(2)),
            ]))
            let later = epoch.addingTimeInterval(10)
            let withoutMail = try await store.claimJobs(now: later, limit: 10, lease: 60, worker: "no-smtp",
                                                        kinds: [.completion, .reminder, .expiry, .purge])
            try expect(withoutMail.map(\.id) == ["job_seal", "job_remind"], "no e-mail for a worker without SMTP: \(withoutMail.map(\.id))")
            let mail = try await store.jobs(account: "acme", kind: .email, envelope: nil)
            try expect(mail.map(\.attempts) == [0], "the e-mail was not leased: \(mail.map(\.attempts))")
            try expect(try await store.claimJobs(now: later, limit: 10, lease: 60, worker: "none", kinds: []).isEmpty,
                       "no kinds, no jobs")
            let mailer = try await store.claimJobs(now: later, limit: 10, lease: 60, worker: "smtp", kinds: [.email])
            try expect(mailer.map(\.id) == ["job_mail"], "the e-mail goes to a worker that sends mail: \(mailer.map(\.id))")
        },
        Case(name: "jobs: e-mails and completions are claimed first, bulk sends last, each by time") { store in
            // Another account's bulk send, due long before, must not hold up a one-time code.
            _ = try await makeAccount(store, "acme")
            _ = try await makeAccount(store, "globex")
            try await store.commit(StoreChange(account: "acme", jobs: [
                Job(id: "job_bulk", account: "acme", kind: .bulkSend, envelope: "bulk_1", runAt: epoch),
                Job(id: "job_hook1", account: "acme", kind: .webhook, envelope: "env_1", runAt: epoch.addingTimeInterval(1)),
                Job(id: "job_hook2", account: "acme", kind: .webhook, envelope: "env_1", runAt: epoch.addingTimeInterval(2)),
            ]))
            try await store.commit(StoreChange(account: "globex", jobs: [
                Job(id: "job_code", account: "globex", kind: .email, envelope: "env_2", runAt: epoch.addingTimeInterval(10)),
                Job(id: "job_seal", account: "globex", kind: .completion, envelope: "env_3", runAt: epoch.addingTimeInterval(5)),
            ]))
            let now = epoch.addingTimeInterval(20)
            let first = try await store.claimJobs(now: now, limit: 2, lease: 60, worker: "w")
            try expect(Set(first.map(\.id)) == ["job_seal", "job_code"], "people's jobs first: \(first.map(\.id))")
            let next = try await store.claimJobs(now: now, limit: 2, lease: 60, worker: "w")
            try expect(next.map(\.id) == ["job_hook1", "job_hook2"], "then the others, oldest first: \(next.map(\.id))")
            let last = try await store.claimJobs(now: now, limit: 2, lease: 60, worker: "w")
            try expect(last.map(\.id) == ["job_bulk"], "the bulk send last: \(last.map(\.id))")
        },
        Case(name: "jobs: finishing several at once finishes the pending ones only") { store in
            _ = try await makeAccount(store, "acme")
            try await store.commit(StoreChange(account: "acme", jobs: [
                Job(id: "job_m1", account: "acme", kind: .email, envelope: "env_1", runAt: epoch),
                Job(id: "job_m2", account: "acme", kind: .email, envelope: "env_1", runAt: epoch),
                Job(id: "job_m3", account: "acme", kind: .email, envelope: "env_1", runAt: epoch, maximumAttempts: 1),
                Job(id: "job_m4", account: "acme", kind: .email, envelope: "env_1", runAt: epoch),
            ]))
            _ = try await store.claimJobs(now: epoch, limit: 10, lease: 60, worker: "w")
            try await store.failJob(id: "job_m3", error: "refused", retryAt: epoch)
            try await store.finishJobs(ids: ["job_m1", "job_m2", "job_m3", "job_nope"])
            try await store.finishJobs(ids: [])
            let states = try await store.jobs(account: "acme", kind: .email, envelope: nil).map { "\($0.id) \($0.state.rawValue)" }
            try expect(states == ["job_m1 done", "job_m2 done", "job_m3 failed", "job_m4 pending"],
                       "the named pending jobs done, a failed one and the others as they were: \(states)")
        },
        Case(name: "jobs: a delivered e-mail is kept without its secrets; done and failed ones stay as they were") { store in
            _ = try await makeAccount(store, "acme")
            let sent = Data("with link abc123".utf8)
            try await store.commit(StoreChange(account: "acme", jobs: [
                Job(id: "job_d1", account: "acme", kind: .email, envelope: "env_1", payload: sent, runAt: epoch),
                Job(id: "job_d2", account: "acme", kind: .email, envelope: "env_1", payload: sent, runAt: epoch),
                Job(id: "job_d3", account: "acme", kind: .email, envelope: "env_1", payload: sent, runAt: epoch, maximumAttempts: 1),
                Job(id: "job_d4", account: "acme", kind: .email, envelope: "env_1", payload: sent, runAt: epoch),
            ]))
            _ = try await store.claimJobs(now: epoch, limit: 10, lease: 60, worker: "w")
            try await store.finishJob(id: "job_d2")
            try await store.failJob(id: "job_d3", error: "refused", retryAt: epoch)
            let kept = Data("with link [removed]".utf8)
            try await store.finishDeliveries([("job_d1", kept), ("job_d2", kept), ("job_d3", kept), ("job_nope", kept)])
            try await store.finishDeliveries([])
            let jobs = try await store.jobs(account: "acme", kind: .email, envelope: nil)
            let states = jobs.map { "\($0.id) \($0.state.rawValue) \(String(decoding: $0.payload, as: UTF8.self))" }
            try expect(states == ["job_d1 done with link [removed]", "job_d2 done with link abc123", "job_d3 failed with link abc123",
                                  "job_d4 pending with link abc123"], "only the pending delivered job changed: \(states)")
        },
        Case(name: "jobs: a failure retries later, and the last attempt fails the job") { store in
            _ = try await makeAccount(store, "acme")
            try await store.commit(StoreChange(account: "acme", jobs: [
                Job(id: "job_1", account: "acme", kind: .email, envelope: "", runAt: epoch, maximumAttempts: 2)]))
            _ = try await store.claimJobs(now: epoch, limit: 1, lease: 60, worker: "w")
            try await store.failJob(id: "job_1", error: "connection refused", retryAt: epoch.addingTimeInterval(120))
            try expect(try await store.claimJobs(now: epoch.addingTimeInterval(100), limit: 1, lease: 60, worker: "w").isEmpty,
                       "not before its retry time")
            _ = try await store.claimJobs(now: epoch.addingTimeInterval(120), limit: 1, lease: 60, worker: "w")
            try await store.failJob(id: "job_1", error: "connection refused", retryAt: epoch.addingTimeInterval(240))
            let job = try await store.jobs(account: "acme", kind: .email, envelope: nil).first
            try expect(job?.state == .failed && job?.lastError == "connection refused", "failed after 2 attempts: \(String(describing: job))")
        },
        Case(name: "jobs: a failure without a retry time fails the job at once") { store in
            _ = try await makeAccount(store, "acme")
            try await store.commit(StoreChange(account: "acme", jobs: [
                Job(id: "job_r", account: "acme", kind: .email, envelope: "", runAt: epoch, maximumAttempts: 8)]))
            _ = try await store.claimJobs(now: epoch, limit: 1, lease: 60, worker: "w")
            try await store.failJob(id: "job_r", error: "550 no such mailbox", retryAt: nil)
            let job = try await store.jobs(account: "acme", kind: .email, envelope: nil).first
            try expect(job?.state == .failed && job?.attempts == 1 && job?.lastError == "550 no such mailbox" && job?.runAt == epoch,
                       "failed after one of eight attempts, its time kept: \(String(describing: job))")
            try expect(try await store.claimJobs(now: epoch.addingTimeInterval(86_400), limit: 1, lease: 60, worker: "w").isEmpty,
                       "never claimed again")
        },
        Case(name: "jobs: a failure reported after another worker finished the job leaves it done") { store in
            _ = try await makeAccount(store, "acme")
            try await store.commit(StoreChange(account: "acme", jobs: [
                Job(id: "job_slow", account: "acme", kind: .completion, envelope: "env_1", runAt: epoch)]))
            _ = try await store.claimJobs(now: epoch, limit: 1, lease: 60, worker: "slow")
            // The lease ran out; another worker took the job and finished it; the slow one then fails.
            _ = try await store.claimJobs(now: epoch.addingTimeInterval(61), limit: 1, lease: 60, worker: "fast")
            try await store.finishJob(id: "job_slow")
            try await store.failJob(id: "job_slow", error: "conflict", retryAt: epoch.addingTimeInterval(120))
            let job = try await store.jobs(account: "acme", kind: .completion, envelope: nil).first
            try expect(job?.state == .done && job?.lastError == nil, "still done: \(String(describing: job))")
            try expect(try await store.claimJobs(now: epoch.addingTimeInterval(200), limit: 1, lease: 60, worker: "w").isEmpty,
                       "never claimed again")
        },
        Case(name: "jobs: finishing a job in a commit happens exactly once") { store in
            _ = try await makeAccount(store, "acme")
            try await store.commit(StoreChange(account: "acme", jobs: [
                Job(id: "job_c", account: "acme", kind: .completion, envelope: "env_1", runAt: epoch)]))
            try await store.commit(StoreChange(account: "acme", finishedJobs: ["job_c"]))
            try await expectError(.conflict, "finishing it again") {
                try await store.commit(StoreChange(account: "acme", finishedJobs: ["job_c"]))
            }
            // With another that is still pending: neither changes. Another account's job is not this one's to finish.
            _ = try await makeAccount(store, "globex")
            try await store.commit(StoreChange(account: "acme", jobs: [
                Job(id: "job_d", account: "acme", kind: .completion, envelope: "env_2", runAt: epoch)]))
            try await store.commit(StoreChange(account: "globex", jobs: [
                Job(id: "job_g", account: "globex", kind: .completion, envelope: "env_3", runAt: epoch)]))
            try await expectError(.conflict, "finishing a pending and a done job at once") {
                try await store.commit(StoreChange(account: "acme", finishedJobs: ["job_d", "job_c"]))
            }
            try await expectError(.conflict, "finishing another account's job") {
                try await store.commit(StoreChange(account: "acme", finishedJobs: ["job_g"]))
            }
            let pending = try await store.jobs(account: "acme", kind: nil, envelope: nil).filter { $0.state == .pending }.map(\.id)
                + (try await store.jobs(account: "globex", kind: nil, envelope: nil).filter { $0.state == .pending }.map(\.id))
            try expect(pending == ["job_d", "job_g"], "the refused commits finished nothing: \(pending)")
            // Several pending jobs finished by one commit (a worker's batch of webhook deliveries).
            try await store.commit(StoreChange(account: "acme", jobs: [
                Job(id: "job_e", account: "acme", kind: .completion, envelope: "env_2", runAt: epoch)]))
            try await store.commit(StoreChange(account: "acme", finishedJobs: ["job_d", "job_e"]))
            let states = try await store.jobs(account: "acme", kind: nil, envelope: nil).map { "\($0.id) \($0.state)" }
            try expect(states == ["job_c done", "job_d done", "job_e done"], "all finished once: \(states)")
        },
    ]

    static let libraryCases: [Case] = [
        Case(name: "library: template and clause versions with optimistic revisions") { store in
            _ = try await makeAccount(store, "acme")
            var template = TemplateVersion(account: "acme", templateID: "nda", version: "1", source: Data("<t/>".utf8),
                                           createdAt: epoch, createdBy: "k")
            try await store.commit(StoreChange(account: "acme", templateVersion: template))
            template.state = .published
            template.revision = 1
            try await store.commit(StoreChange(account: "acme", templateVersion: template))
            try expect(try await store.templateVersion(account: "acme", templateID: "nda", version: "1")?.state == .published, "published")
            try await expectError(.conflict, "a stale revision") {
                try await store.commit(StoreChange(account: "acme", templateVersion: template))
            }
            let clause = ClauseVersion(account: "acme", clauseID: "law", version: "2", source: Data("<c/>".utf8), proposedAt: epoch)
            try await store.commit(StoreChange(account: "acme", clauseVersion: clause))
            try expect(try await store.clauseVersions(account: "acme", clauseID: "law") == [clause], "the clause reads back")
        },
    ]

    static let documentCases: [Case] = [
        Case(name: "documents: content-addressed, held by the envelopes that name them, deleted when the last hold ends") { store in
            _ = try await makeAccount(store, "acme")
            let bytes = Array("%PDF-1.7 example".utf8)
            let first = DocumentHolder(account: "acme", envelope: "env_1"), second = DocumentHolder(account: "acme", envelope: "env_2")
            let hash = try await store.documents.put(bytes, heldBy: first)
            try expect(hash.count == 64, "a SHA-256 hex")
            try expect(try await store.documents.put(bytes, heldBy: first) == hash, "the same bytes, the same hash")
            try expect(try await store.documents.put(bytes, heldBy: second) == hash, "another envelope's copy is the same one")
            // Stored envelopes name the document (a store may record the holds with the bytes or
            // with the envelopes' commits).
            for holder in [first, second] {
                var envelope = makeEnvelope("acme", holder.envelope)
                envelope.documents = [EnvelopeDocument(id: "doc_1", name: "nda.pdf", sentSHA256: hash, pages: 1)]
                try await save(store, &envelope, events: ["created"])
            }
            try expect(try await store.documents.get(hash) == bytes, "read back")
            try expect(try await store.documents.release(hash, heldBy: first) == false, "another envelope still holds it")
            try expect(try await store.documents.get(hash) == bytes, "kept for the other holder")
            try expect(try await store.documents.release(hash, heldBy: first) == false, "a hold ends once")
            try expect(try await store.documents.get(hash) == bytes, "still kept")
            try expect(try await store.documents.release(hash, heldBy: second) == true, "the last hold ends")
            try expect(try await store.documents.get(hash) == nil, "gone")
            try expect(try await store.documents.put(bytes, heldBy: first) == hash, "stored again")
            try expect(try await store.documents.get(hash) == bytes, "written again, not skipped")
        },
    ]
}
