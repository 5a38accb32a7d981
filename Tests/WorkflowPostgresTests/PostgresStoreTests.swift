import Foundation
import Testing
import TestSupport
import Workflow
@testable import WorkflowPostgres

private let now = Date(timeIntervalSince1970: 1_796_000_000)

private func account(_ store: any WorkflowStore, _ id: String) async throws {
    try await store.createAccount(Account(id: id, name: "Account \(id)", createdAt: now), firstKey: APIKeyRecord(
        id: "key_\(id)", account: id, role: .admin, name: "first", secretHash: String(repeating: id == "acme" ? "a" : "b", count: 64),
        createdAt: now))
}

/// What only a real server shows: raw SQL cannot alter evidence, concurrent workers never share
/// a job, tenants stay apart, migrations run once, and failures are clear.
@Suite(.postgresCluster) struct PostgresStoreTests {
    @Test(arguments: [
        "UPDATE events SET type = 'signed' WHERE sequence = 1",
        "DELETE FROM events WHERE sequence = 1",
        "TRUNCATE events",
        "UPDATE ledger SET envelope = 'env_x'",
        "DELETE FROM ledger",
        "TRUNCATE ledger",
    ])
    func rawSQLCannotAlterEvidence(_ statement: String) async throws {
        let database = try PostgresCluster.newDatabase()
        try await PostgresCluster.withStore(database: database) { store in
            try await account(store, "acme")
            let event = WorkflowEvent.make(account: "acme", stream: "env_1", sequence: 1, type: "created", at: now, actor: .system,
                                           data: [:], personal: ["email": "ada@example.com"], previousHash: WorkflowEvent.genesis)
            let entry = LedgerEntry(account: "acme", sequence: 1, envelope: "env_1", envelopeHead: event.hash, envelopeEvents: 1,
                                    at: now, previousHash: WorkflowEvent.genesis)
            try await store.commit(StoreChange(account: "acme", events: [event], ledgerEntry: entry))
            // The superuser, straight through psql: the trigger still refuses.
            let result = try PostgresCluster.server.psql(statement, database: database)
            #expect(result.status != 0)
            #expect(result.stderr.contains("append-only"), "psql said: \(result.stderr)")
            #expect(try await store.events(account: "acme", stream: "env_1") == [event])
            #expect(try await store.ledger(account: "acme") == [entry])
        }
    }

    @Test func concurrentClaimersNeverShareAJob() async throws {
        let database = try PostgresCluster.newDatabase()
        // Two stores are two connection pools, as two worker processes would have.
        let first = try await PostgresWorkflowStore.open(PostgresCluster.configuration(database, maximumConnections: 4))
        let second = try await PostgresWorkflowStore.open(PostgresCluster.configuration(database, maximumConnections: 4))
        defer { Task { await first.close(); await second.close() } }
        try await account(first, "acme")
        let count = 300
        let jobs = (0..<count).map { Job(id: String(format: "job_%04d", $0), account: "acme", kind: .email, envelope: "", runAt: now) }
        try await first.commit(StoreChange(account: "acme", jobs: jobs))
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<8 {
                let store = worker % 2 == 0 ? first : second
                group.addTask {
                    var mine: [String] = []
                    while true {
                        let batch = try await store.claimJobs(now: now, limit: 7, lease: 600, worker: "w\(worker)")
                        if batch.isEmpty { return mine }
                        mine += batch.map(\.id)
                    }
                }
            }
            var all: [[String]] = []
            for try await ids in group { all.append(ids) }
            return all
        }
        let flat = claimed.flatMap { $0 }
        #expect(flat.count == count, "every job claimed exactly once: \(flat.count) claims for \(count) jobs")
        #expect(Set(flat).count == count, "no job claimed twice")
        #expect(claimed.filter { !$0.isEmpty }.count > 1, "the work was shared between workers")
        let stored = try await first.jobs(account: "acme", kind: .email, envelope: nil)
        #expect(stored.allSatisfy { $0.attempts == 1 }, "each job has one attempt")
        await first.close()
        await second.close()
    }

    @Test func tenantsWithTheSameIdsStayApart() async throws {
        try await PostgresCluster.withStore { store in
            try await account(store, "acme")
            try await account(store, "globex")
            for tenant in ["acme", "globex"] {
                var envelope = Envelope(id: "env_1", account: tenant, subject: "\(tenant) contract",
                                        template: TemplateReference(templateID: "t", version: "1", sha256: String(repeating: "c", count: 64)),
                                        data: [:], createdAt: now, createdBy: "key_\(tenant)", metadata: ["lead_id": "L1"])
                let event = WorkflowEvent.make(account: tenant, stream: "env_1", sequence: 1, type: "created", at: now, actor: .system,
                                               data: ["tenant": tenant], personal: [:], previousHash: WorkflowEvent.genesis)
                envelope.eventCount = 1
                envelope.headHash = event.hash
                try await store.commit(StoreChange(account: tenant, envelope: envelope, events: [event], jobs: [
                    Job(id: "job_\(tenant)", account: tenant, kind: .reminder, envelope: "env_1", runAt: now)]))
            }
            // The same envelope id and stream in two accounts: two envelopes, two chains.
            #expect(try await store.envelope(account: "acme", id: "env_1")?.subject == "acme contract")
            #expect(try await store.envelope(account: "globex", id: "env_1")?.subject == "globex contract")
            #expect(try await store.events(account: "globex", stream: "env_1").map { $0.data["tenant"] } == ["globex"])
            #expect(try await store.envelopes(account: "acme", query: EnvelopeQuery(metadataKey: "lead_id", metadataValue: "L1"))
                .map(\.account) == ["acme"])
            #expect(try await store.jobs(account: "acme", kind: nil, envelope: "env_1").map(\.id) == ["job_acme"])
            #expect(try await store.keys(account: "globex").map(\.id) == ["key_globex"])
            // A job or an event labelled with another account is refused, and nothing is written.
            await #expect(throws: WorkflowError(.invalidRequest, "")) {
                try await store.commit(StoreChange(account: "acme", jobs: [
                    Job(id: "job_x", account: "globex", kind: .email, envelope: "env_1", runAt: now)]))
            }
            #expect(try await store.jobs(account: "globex", kind: nil, envelope: nil).map(\.id) == ["job_globex"])
            await #expect(throws: WorkflowError(.notFound, "")) {
                try await store.revokeKey(account: "acme", id: "key_globex", at: now)
            }
            #expect(try await store.keys(account: "globex").first?.revokedAt == nil)
        }
    }

    @Test func migrationsRunOnceWhenProcessesStartTogether() async throws {
        let database = try PostgresCluster.newDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresWorkflowStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresWorkflowStore.open(PostgresCluster.configuration(database)) } }
            var opened: [PostgresWorkflowStore] = []
            for try await store in group { opened.append(store) }
            return opened
        }
        try await account(stores[0], "acme")
        for store in stores { await store.close() }
        let versions = try PostgresCluster.server.psql("SELECT version, name FROM schema_migrations ORDER BY version", database: database)
        #expect(versions.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1|workflow\n2|jobs-by-kind\n3|webhooks\n4|service\n5|keys-by-account\n6|documents-uncompressed\n7|commit-function\n8|envelopes-uncompressed\n9|jobs-queued-notify\n10|document-holders")
        // Documents (PDFs, compressed already) are stored out of line, never run through pglz.
        let storage = try PostgresCluster.server.psql(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'documents'::regclass AND attname = 'bytes'", database: database)
        #expect(storage.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "e")
        // Envelope rows (a few kilobytes, rewritten by most commits) are stored without pglz up to a page.
        let envelopes = try PostgresCluster.server.psql("SELECT reloptions FROM pg_class WHERE relname = 'envelopes'", database: database)
        #expect(envelopes.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "{toast_tuple_target=8160}")
        // Reopening keeps the data and applies nothing again.
        try await PostgresCluster.withStore(database: database) { store in
            let accounts = try await store.accounts().map(\.id)
            #expect(accounts == ["acme"])
        }
    }

    /// A reservation of a new key is one statement; expired records of other keys go with the
    /// first and then every 32nd reservation of a store (at most 500 at a time), live ones stay.
    @Test func reservationsSweepExpiredRecordsEverySoOften() async throws {
        let database = try PostgresCluster.newDatabase()
        try await PostgresCluster.withStore(database: database) { store in
            let day = now.addingTimeInterval(-86_400)
            func reserve(_ key: String, at createdAt: Date) async throws -> IdempotencyRecord? {
                try await store.reserveIdempotencyKey(IdempotencyRecord(account: "acme", key: key, requestHash: "h-\(key)", createdAt: createdAt),
                                                      expiredBefore: day)
            }
            func stored() throws -> [Substring] {
                try PostgresCluster.server.psql("SELECT key FROM idempotency_keys ORDER BY key", database: database).stdout.split(separator: "\n")
            }
            for number in 0..<20 { #expect(try await reserve("old\(number)", at: day.addingTimeInterval(-60)) == nil) }
            #expect(try await reserve("live", at: now) == nil)
            let before = try stored()
            #expect(before.count == 21, "nothing swept before the 33rd reservation: \(before)")
            for number in 0..<12 { #expect(try await reserve("new\(number)", at: now) == nil) }
            let after = try stored()
            #expect(after.count == 13 && !after.contains { $0.hasPrefix("old") }, "the 33rd reservation swept the 20 expired records: \(after)")
            #expect(try await reserve("live", at: now)?.requestHash == "h-live", "a live record is kept and returned")
        }
    }

    /// The statements every envelope runs are prepared once on a connection and afterwards only
    /// executed: the server's own count of each named statement's runs says so.
    @Test func envelopeStatementsArePreparedOncePerConnection() async throws {
        let configuration = try PostgresCluster.configuration(try PostgresCluster.newDatabase(), maximumConnections: 1)
        let store = try await PostgresWorkflowStore.open(configuration)
        do {
            try await account(store, "acme")
            var previous = WorkflowEvent.genesis
            for sequence in 1...3 {
                let event = WorkflowEvent.make(account: "acme", stream: "env_1", sequence: sequence, type: "noted", at: now,
                                               actor: .system, data: [:], personal: ["email": "ada@example.com"], previousHash: previous)
                try await store.commit(StoreChange(account: "acme", events: [event]))
                previous = event.hash
            }
            #expect(try await store.events(account: "acme", stream: "env_1").count == 3)
            let statements = try await store.preparedStatementRuns()
            let runs = Dictionary(statements.map { ($0.name, $0.generic + $0.custom) }, uniquingKeysWith: +)
            // Each commit is one call of the commit function (`OneStatementCommit`).
            #expect(runs[String(reflecting: OneStatementCommit.Call.self)] == 3, "\(runs)")
            #expect(runs[String(reflecting: ReadStatements.EventsOfStream.self)] == 1, "\(runs)")
            // Whatever is prepared is in the list whose generic plans PostgresPlanTests checks.
            #expect(Set(runs.keys).isSubset(of: preparedStatements.map { $0.name }), "\(runs)")
            await store.close()
        } catch {
            await store.close()
            throw error
        }
    }

    /// A completion whose remembered ledger head another node moved on is refused with the
    /// stored head, chained onto it and committed again by the function: the long way (its
    /// opening query) runs only for the first append, when this node knows no head yet.
    @Test func aMovedLedgerHeadIsChainedOntoWithoutTheLongWay() async throws {
        let database = try PostgresCluster.newDatabase()
        let first = try await PostgresWorkflowStore.open(try PostgresCluster.configuration(database, maximumConnections: 1))
        let other = try await PostgresWorkflowStore.open(try PostgresCluster.configuration(database))
        do {
            try await account(first, "acme")
            func append(_ store: PostgresWorkflowStore, _ envelope: String) async throws {
                try await store.commit(StoreChange(account: "acme", ledgerAppend: LedgerAppend(
                    envelope: envelope, envelopeHead: String(repeating: "e", count: 64), envelopeEvents: 4, at: now)))
            }
            try await append(first, "env_1")
            try await append(other, "env_2")
            try await append(first, "env_3")
            let runs = Dictionary(try await first.preparedStatementRuns().map { ($0.name, $0.generic + $0.custom) }, uniquingKeysWith: +)
            #expect(runs[String(reflecting: CommitStatements.Opening.self)] == 1, "\(runs)")
            #expect(runs[String(reflecting: OneStatementCommit.Call.self)] == 2, "refused once, then committed: \(runs)")
            let ledger = try await other.ledger(account: "acme")
            #expect(ledger.map(\.envelope) == ["env_1", "env_2", "env_3"] && ledger[2].previousHash == ledger[1].hash)
            #expect(OneStatementCommit.storedLedgerHead("ledger head 0 ") == nil)
            #expect(OneStatementCommit.storedLedgerHead("ledger head 2 \(ledger[1].hash)")?.hash == ledger[1].hash)
        } catch {
            await first.close()
            await other.close()
            throw error
        }
        await first.close()
        await other.close()
    }

    @Test func documentsAreCheckedByTheDatabase() async throws {
        let database = try PostgresCluster.newDatabase()
        try await PostgresCluster.withStore(database: database) { store in
            let hash = try await store.documents.put(Array("%PDF-1.7 signed".utf8), heldBy: DocumentHolder(account: "acme", envelope: "env_1"))
            // A row whose key is not its bytes' SHA-256 cannot exist, whoever writes it.
            let forged = try PostgresCluster.server.psql(
                "INSERT INTO documents (sha256, bytes) VALUES ('\(String(repeating: "0", count: 64))', '\\x00')", database: database)
            #expect(forged.status != 0 && forged.stderr.contains("documents_sha256_check"), "psql said: \(forged.stderr)")
            await #expect(throws: WorkflowError(.invalidRequest, "")) { _ = try await store.documents.get("not a hash") }
            #expect(try await store.documents.get(hash) == Array("%PDF-1.7 signed".utf8))
        }
    }

    @Test func aDatabaseThatGoesAwayFailsCallsAfterThePatienceNotThePoolsMinute() async throws {
        // A server of its own, to stop: the pool then fails to connect, and without a bound a
        // lease waits until its circuit breaker trips, a minute later.
        let server = try PostgresServer.start()
        defer { server.stop() }
        try server.createDatabase("away")
        var configuration = PostgresStoreConfiguration(endpoint: .tcp(host: "127.0.0.1", port: server.port), username: server.user,
                                                       database: "away", maximumConnections: 2)
        configuration.connectionPatience = .seconds(2)
        let store = try await PostgresWorkflowStore.open(configuration)
        // Under the suite's load a first connection can take longer than 2 s to make; a call
        // that got none did nothing, so it is tried again.
        for attempt in 1...10 {
            do {
                try await account(store, "acme")
                break
            } catch let error as WorkflowError where error.code == .store && attempt < 10 {
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        #expect(try await store.account(id: "acme") != nil)
        _ = try server.run("pg_ctl", ["-D", server.directory.appendingPathComponent("data").path, "-m", "fast", "-w", "stop"])
        // The pooled connections die with the server (their calls fail at once); then the pool
        // has none to give, and a call waits the patience.
        var reasons: [String] = []
        for _ in 0..<6 {
            do {
                _ = try await store.account(id: "acme")
                Issue.record("a read succeeded with the server stopped")
            } catch let error as WorkflowError {
                #expect(error.code == .store, "\(error)")
                reasons.append(error.reason)
            }
        }
        #expect(reasons.contains { $0.contains("gave no connection within 2 s (it may be down or restarting); retry shortly") }, "\(reasons)")
        // Back up, the same store serves again (and closes cleanly, its pool connected).
        let data = server.directory.appendingPathComponent("data").path
        let restarted = try server.run("pg_ctl", ["-D", data, "-l", server.directory.appendingPathComponent("server.log").path, "-o",
                                      "-p \(server.port) -k \(server.directory.path) -c listen_addresses=127.0.0.1", "-w", "-t", "60", "start"],
                           detached: true)
        #expect(restarted.status == 0, "\(restarted.stderr) \(server.logTail())")
        var served = false
        var lastError = ""
        for _ in 0..<40 where !served {
            do {
                served = try await store.account(id: "acme") != nil
            } catch {
                lastError = "\(error)"
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        #expect(served, "the store did not serve again once the database was back: \(lastError)")
        await store.close()
    }

    @Test func aStoreClosesPromptlyWhileItsDatabaseIsDown() async throws {
        // `serve` closes its store on SIGTERM, which an operator may send because the database
        // went away: the close must not wait for a server that is not coming back.
        let server = try PostgresServer.start()
        defer { server.stop() }
        try server.createDatabase("gone")
        var configuration = PostgresStoreConfiguration(endpoint: .tcp(host: "127.0.0.1", port: server.port), username: server.user,
                                                       database: "gone", maximumConnections: 2)
        configuration.connectionPatience = .seconds(60)
        let store = try await PostgresWorkflowStore.open(configuration)
        try await account(store, "acme")
        _ = try server.run("pg_ctl", ["-D", server.directory.appendingPathComponent("data").path, "-m", "fast", "-w", "stop"])
        // Calls still waiting for a connection when the close comes.
        for _ in 0..<3 { Task { _ = try? await store.account(id: "acme") } }
        try await Task.sleep(for: .milliseconds(500))
        // Closed in a task of its own, so that a close that never returns fails this test
        // instead of hanging the suite.
        let closed = ClosedFlag()
        Task { await store.close(); await closed.set() }
        let deadline = ContinuousClock.now + .seconds(30)
        while !(await closed.value), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(await closed.value, "closing the store with its database down took over 30 s")
    }

    private actor ClosedFlag {
        private(set) var value = false
        func set() { value = true }
    }

    @Test func anUnreachableServerIsAClearStoreError() async throws {
        let port = try freeLoopbackPort()
        let configuration = PostgresStoreConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port), username: "nobody", database: "none")
        do {
            let store = try await PostgresWorkflowStore.open(configuration)
            await store.close()
            Issue.record("opening a store with no server succeeded")
        } catch let error as WorkflowError {
            #expect(error.code == .store)
            #expect(error.reason.contains("127.0.0.1:\(port)"), "\(error.reason)")
        }
    }

    @Test(arguments: [
        ("postgres://ada:secret@db.example.com:6543/countersign", PostgresStoreConfiguration(
            endpoint: .tcp(host: "db.example.com", port: 6543), username: "ada", password: "secret", database: "countersign")),
        ("postgresql://ada@localhost/cs", PostgresStoreConfiguration(
            endpoint: .tcp(host: "localhost", port: 5432), username: "ada", database: "cs")),
        ("postgres://ada@/cs?host=/var/run/postgresql&port=5433", PostgresStoreConfiguration(
            endpoint: .unixSocket(path: "/var/run/postgresql/.s.PGSQL.5433"), username: "ada", database: "cs")),
        ("postgres://ada@localhost/cs?sslmode=disable", PostgresStoreConfiguration(
            endpoint: .tcp(host: "localhost", port: 5432), username: "ada", database: "cs")),
        ("postgres://ada@[::1]:5433/cs", PostgresStoreConfiguration(
            endpoint: .tcp(host: "::1", port: 5433), username: "ada", database: "cs")),
    ])
    func connectionURLs(_ url: String, _ expected: PostgresStoreConfiguration) throws {
        #expect(try PostgresStoreConfiguration(url: url) == expected)
    }

    @Test(arguments: ["mysql://ada@host/db", "postgres://ada@host/", "postgres://host/db", "postgres://ada@/db"])
    func badConnectionURLs(_ url: String) {
        #expect(throws: WorkflowError(.invalidRequest, "")) { try PostgresStoreConfiguration(url: url) }
    }

    /// What the URL asks for and the store would not do is refused, not ignored: TLS it does not
    /// speak, a parameter it does not read.
    @Test(arguments: [("postgres://ada@db/cs?sslmode=verify-full", "sslmode=verify-full: Countersign does not speak TLS"),
                      ("postgres://ada@db/cs?sslmode=require", "sslmode=require"),
                      ("postgres://ada@db/cs?application_name=cs", "parameter 'application_name' is not one Countersign reads"),
                      // What libpq would read otherwise than we do, or what would reach the server unasked.
                      ("postgres://ada@db/cs?sslmode=disable&sslmode=require", "gives 'sslmode' more than once"),
                      ("postgres://u%00options%00-c%20search_path%3Devil@db/cs", "the URL's user holds a control character"),
                      ("postgres://ada:pw%0A@db/cs", "the URL's password holds a control character"),
                      ("postgres://ada@db/cs?port=65537", "port 65537 is not between 1 and 65535"),
                      ("postgres://ada@db/cs?port=x", "port 'x' is not a number")])
    func parametersNotHonouredAreRefused(_ url: String, _ says: String) {
        #expect { try PostgresStoreConfiguration(url: url) } throws: { ($0 as? WorkflowError)?.reason.contains(says) == true }
    }
}

/// The commit function (`OneStatementCommit`) and the long way store the same rows: an
/// envelope's life — created with CRM metadata and signing links, changed (a key and a link
/// replaced), a job finished, completed onto the ledger twice — committed both ways into two
/// databases, whose tables then read the same, byte for byte — except the envelope's JSON body,
/// compared as a JSON value: a dictionary's keys (the CRM metadata) come out of Swift in an order
/// that differs between two dictionaries with the same entries, whichever way they are stored.
@Suite(.postgresCluster) struct PostgresCommitWaysTests {
    static let tables = [
        "envelopes": "account, id, state, revision, created_at, body::jsonb",
        "envelope_metadata": "account, envelope, key, value",
        "recipient_tokens": "token_hash, account, envelope, recipient",
        "events": "account, stream, sequence, type, at, actor, data, personal_sha256, previous_hash, hash",
        "event_personal": "account, stream, sequence, personal",
        "jobs": "id, account, kind, envelope, encode(payload, 'hex'), run_at, attempts, maximum_attempts, state, last_error, position",
        "ledger": "account, sequence, envelope, envelope_head, envelope_events, at, previous_hash, hash",
        "webhook_deliveries": """
            account, id, endpoint, message, type, stream, sequence, encode(payload, 'hex'), state, attempts, created_at,
            next_attempt_at, last_error, replay_of, revision
            """,
    ]

    @Test func bothWaysStoreTheSameRows() async throws {
        var dumps: [String] = []
        for oneStatement in [true, false] {
            let database = try PostgresCluster.newDatabase()
            var configuration = try PostgresCluster.configuration(database)
            configuration.commitsInOneStatement = oneStatement
            let store = try await PostgresWorkflowStore.open(configuration)
            do {
                try await account(store, "acme")
                try await Self.life(store)
                await store.close()
            } catch {
                await store.close()
                throw error
            }
            var dump = ""
            for (table, columns) in Self.tables.sorted(by: { $0.key < $1.key }) {
                let rows = try PostgresCluster.server.psql("SELECT \(columns) FROM \(table) ORDER BY 1, 2, 3", database: database)
                try rows.requireSuccess()
                dump += "\(table):\n\(rows.stdout)"
            }
            dumps.append(dump)
        }
        #expect(dumps[0].contains("envelope.completed") && dumps[0].contains("lead_id"), "the life was stored:\n\(dumps[0])")
        #expect(dumps[0] == dumps[1], "one statement:\n\(dumps[0])\nthe long way:\n\(dumps[1])")
    }

    /// Every kind of write the function makes, each commit following the stored rows.
    static func life(_ store: PostgresWorkflowStore) async throws {
        var envelope = Envelope(id: "env_1", account: "acme", subject: "Service agreement",
                                template: TemplateReference(templateID: "t", version: "1", sha256: String(repeating: "c", count: 64)),
                                data: ["company_name": "Acme"], createdAt: now, createdBy: "key_acme",
                                metadata: ["lead_id": "L-1", "owner": "ada"])
        var signer = Recipient(id: "r1", name: "Ada", email: "ada@example.com", role: .signer, routingOrder: 1)
        signer.tokenHashes = [String(repeating: "1", count: 64)]
        envelope.recipients = [signer]
        var previous = WorkflowEvent.genesis
        func events(_ types: [String]) -> [WorkflowEvent] {
            types.map { type in
                let event = WorkflowEvent.make(account: "acme", stream: "env_1", sequence: envelope.eventCount + 1, type: type, at: now,
                                               actor: .system, data: ["state": envelope.state.rawValue],
                                               personal: ["email": "ada@example.com"], previousHash: previous)
                envelope.eventCount += 1
                envelope.headHash = event.hash
                previous = event.hash
                return event
            }
        }
        let created = events(["envelope.created", "envelope.sent"])
        try await store.commit(StoreChange(account: "acme", envelope: envelope, events: created, jobs: [
            Job(id: "job_mail", account: "acme", kind: .email, envelope: "env_1", payload: Data("mail".utf8), runAt: now),
            Job(id: "job_done", account: "acme", kind: .completion, envelope: "env_1", runAt: now.addingTimeInterval(5)),
        ]))
        var changed = envelope
        changed.revision = 1
        changed.metadata = ["lead_id": "L-2", "stage": "won"]
        changed.recipients[0].tokenHashes = [String(repeating: "2", count: 64)]
        envelope = changed
        let viewed = events(["recipient.viewed"])
        try await store.commit(StoreChange(account: "acme", envelope: changed, previousEnvelope: nil, events: viewed,
                                           webhookDeliveries: [WebhookDelivery(
                                               id: "whd_1", account: "acme", endpoint: "whe_1", message: "msg_env_1_3",
                                               type: "recipient.viewed", stream: "env_1", sequence: 3,
                                               payload: Data("{\"type\":\"recipient.viewed\"}".utf8), createdAt: now)]))
        var completed = envelope
        completed.revision = 2
        completed.state = .completed
        envelope = completed
        let done = events(["envelope.completed"])
        try await store.commit(StoreChange(account: "acme", envelope: completed, previousEnvelope: changed, events: done,
                                           jobs: [Job(id: "job_cc", account: "acme", kind: .email, envelope: "env_1", runAt: now)],
                                           finishedJobs: ["job_done"],
                                           ledgerAppend: LedgerAppend(envelope: "env_1", envelopeHead: envelope.headHash,
                                                                      envelopeEvents: envelope.eventCount, at: now)))
        try await store.commit(StoreChange(account: "acme", ledgerAppend: LedgerAppend(
            envelope: "env_2", envelopeHead: String(repeating: "d", count: 64), envelopeEvents: 3, at: now.addingTimeInterval(60))))
    }
}
