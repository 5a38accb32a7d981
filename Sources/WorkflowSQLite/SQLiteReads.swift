public import Foundation
import GRDB
public import Workflow

extension SQLiteWorkflowStore {
    // MARK: EnvelopeStore reads

    public func envelope(account: String, id: String) async throws -> Envelope? {
        let cache = envelopeCache
        return try await read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT body FROM envelopes WHERE account = ? AND id = ?"), arguments: [account, id])
                .map { text in try cache.envelope(account: account, id: id, text: text) { try Self.decode(Envelope.self, $0) } }
        }
    }

    public func envelopes(account: String, query: EnvelopeQuery) async throws -> [Envelope] {
        try await read { db in
            var sql = "SELECT e.body FROM envelopes e"
            var arguments: StatementArguments = []
            if let key = query.metadataKey {
                sql += " JOIN envelope_metadata m ON m.account = e.account AND m.envelope = e.id AND m.key = ?"
                arguments += [key]
                if let value = query.metadataValue {
                    sql += " AND m.value = ?"
                    arguments += [value]
                }
            }
            sql += " WHERE e.account = ?"
            arguments += [account]
            if let states = query.states {
                sql += " AND e.state IN (\(states.map { _ in "?" }.joined(separator: ",")))"
                for state in states.map(\.rawValue).sorted() { arguments += [state] }
            }
            if let after = query.after {
                sql += " AND e.id > ?"
                arguments += [after]
            }
            sql += " ORDER BY e.id LIMIT ?"
            arguments += [max(0, query.limit)]
            return try String.fetchAll(db, sql: sql, arguments: arguments).map { try Self.decode(Envelope.self, $0) }
        }
    }

    public func recipient(tokenHash: String) async throws -> (account: String, envelope: String, recipient: String)? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT account, envelope, recipient FROM recipient_tokens WHERE token_hash = ?"),
                             arguments: [tokenHash]).map { row in (row["account"], row["envelope"], row["recipient"]) }
        }
    }

    public func envelope(tokenHash: String) async throws -> (recipient: String, envelope: Envelope)? {
        let cache = envelopeCache
        return try await read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT t.account, t.envelope, t.recipient, e.body
                FROM recipient_tokens t JOIN envelopes e ON e.account = t.account AND e.id = t.envelope
                WHERE t.token_hash = ?
                """), arguments: [tokenHash]) else { return nil }
            // By position (the SELECT's order): GRDB's lookup by name lowercases names each time.
            let account: String = row[0], id: String = row[1], recipient: String = row[2], text: String = row[3]
            let envelope = try cache.envelope(account: account, id: id, text: text) { try Self.decode(Envelope.self, $0) }
            return (recipient, envelope)
        }
    }

    public func templateVersion(account: String, templateID: String, version: String) async throws -> TemplateVersion? {
        let cache = templateCache, key = RowDecodeCache<TemplateVersion>.key(account, templateID, version)
        return try await read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT body FROM template_versions WHERE account = ? AND template_id = ? AND version = ?"),
                                arguments: [account, templateID, version])
                .map { text in try cache.value(key: key, text: text) { try Self.decode(TemplateVersion.self, $0) } }
        }
    }

    public func templateVersions(account: String, templateID: String?) async throws -> [TemplateVersion] {
        try await read { db in
            try String.fetchAll(db.cachedStatement(sql: """
                SELECT body FROM template_versions WHERE account = ? AND (? IS NULL OR template_id = ?) ORDER BY template_id, version
                """), arguments: [account, templateID, templateID]).map { try Self.decode(TemplateVersion.self, $0) }
        }
    }

    public func clauseVersion(account: String, clauseID: String, version: String) async throws -> ClauseVersion? {
        try await read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT body FROM clause_versions WHERE account = ? AND clause_id = ? AND version = ?"),
                                arguments: [account, clauseID, version]).map { try Self.decode(ClauseVersion.self, $0) }
        }
    }

    public func clauseVersions(account: String, clauseID: String?) async throws -> [ClauseVersion] {
        try await read { db in
            try String.fetchAll(db.cachedStatement(sql: """
                SELECT body FROM clause_versions WHERE account = ? AND (? IS NULL OR clause_id = ?) ORDER BY clause_id, version
                """), arguments: [account, clauseID, clauseID]).map { try Self.decode(ClauseVersion.self, $0) }
        }
    }

    // MARK: EventLog

    public func events(account: String, stream: String) async throws -> [WorkflowEvent] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT e.*, p.personal FROM events e LEFT JOIN event_personal p
                  ON p.account = e.account AND p.stream = e.stream AND p.sequence = e.sequence
                WHERE e.account = ? AND e.stream = ? ORDER BY e.sequence
                """), arguments: [account, stream]).map(Self.event)
        }
    }

    static func event(_ row: Row) throws -> WorkflowEvent {
        let at: String = row["at"]
        guard let date = ISOTime.date(at) else {
            throw WorkflowError(.evidence, "event \(row["sequence"] as Int) of \(row["stream"] as String) has a bad time '\(at)'")
        }
        return WorkflowEvent(account: row["account"], stream: row["stream"], sequence: row["sequence"], type: row["type"],
                             at: date, actor: try actor(row["actor"]), data: try stringMap(row["data"]),
                             personal: try (row["personal"] as String?).map(stringMap),
                             personalSHA256: row["personal_sha256"], previousHash: row["previous_hash"], hash: row["hash"])
    }

    /// An event's stored actor: read directly, `JSONDecoder` for text another writer made.
    static func actor(_ text: String) throws -> EventActor {
        try EventActor(storedJSON: text) ?? decode(EventActor.self, text)
    }

    /// An event's stored data or personal data: read directly, `JSONDecoder` for text another
    /// writer made (which also says what is wrong with text that is not such an object).
    static func stringMap(_ text: String) throws -> [String: String] {
        try StringMapJSON.decode(text) ?? decode([String: String].self, text)
    }

    public func streams(account: String) async throws -> [String] {
        try await read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT stream FROM events WHERE account = ? ORDER BY stream"), arguments: [account])
        }
    }

    public func ledger(account: String) async throws -> [LedgerEntry] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM ledger WHERE account = ? ORDER BY sequence"), arguments: [account]).map(Self.ledgerEntry)
        }
    }

    public func ledgerHead(account: String) async throws -> LedgerEntry? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM ledger WHERE account = ? ORDER BY sequence DESC LIMIT 1"), arguments: [account])
                .map(Self.ledgerEntry)
        }
    }

    static func ledgerEntry(_ row: Row) -> LedgerEntry {
        LedgerEntry(account: row["account"], sequence: row["sequence"], envelope: row["envelope"],
                    envelopeHead: row["envelope_head"], envelopeEvents: row["envelope_events"],
                    at: ISOTime.date(row["at"]) ?? .distantPast,
                    previousHash: row["previous_hash"], hash: row["hash"])
    }

    public func anchors(account: String) async throws -> [LedgerAnchor] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM ledger_anchors WHERE account = ? ORDER BY sequence"), arguments: [account]).map { row in
                LedgerAnchor(account: row["account"], sequence: row["sequence"], head: row["head"], token: row["token"],
                             at: Date(timeIntervalSince1970: row["at"]))
            }
        }
    }

    public func insertAnchor(_ anchor: LedgerAnchor) async throws {
        try await write { db in
            try db.run(sql: "INSERT INTO ledger_anchors (account, sequence, head, token, at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [anchor.account, anchor.sequence, anchor.head, anchor.token, anchor.at.timeIntervalSince1970])
        }
    }

    // MARK: JobQueue

    /// `Job.Kind.claimPriority` as SQL over the `kind` column.
    static let claimPriority = "CASE kind " + Job.Kind.allCases.map { "WHEN '\($0.rawValue)' THEN \($0.claimPriority)" }.joined(separator: " ")
        + " ELSE 9 END"

    public func claimJobs(now: Date, limit: Int, lease: TimeInterval, worker: String, kinds: Set<Job.Kind>) async throws -> [Job] {
        let kindNames = kinds.map(\.rawValue).sorted()
        if kindNames.isEmpty { return [] }
        return try await write { db in
            // One write transaction: SQLite has one writer at a time, so no other claimer sees these rows unleased.
            let placeholders = Array(repeating: "?", count: kindNames.count).joined(separator: ", ")
            var arguments: [any DatabaseValueConvertible] = [now.timeIntervalSince1970, now.timeIntervalSince1970]
            arguments += kindNames as [any DatabaseValueConvertible]
            arguments.append(limit)
            // INDEXED BY jobs_claim (state, kind, run_at): SQLite's planner otherwise takes jobs_due
            // and walks every due job of every kind, e-mails this worker does not deliver included,
            // so each claim grew with the backlog of jobs left for other workers.
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Self.jobColumns) FROM jobs INDEXED BY jobs_claim
                WHERE state = 'pending' AND run_at <= ? AND (leased_until IS NULL OR leased_until <= ?)
                  AND kind IN (\(placeholders))
                ORDER BY \(Self.claimPriority), run_at, id LIMIT ?
                """), arguments: StatementArguments(arguments))
            var jobs: [Job] = []
            for row in rows {
                var job = try Self.job(row)
                job.attempts += 1
                try db.run(sql: "UPDATE jobs SET leased_until = ?, leased_by = ?, attempts = ? WHERE id = ?",
                               arguments: [now.addingTimeInterval(lease).timeIntervalSince1970, worker, job.attempts, job.id])
                jobs.append(job)
            }
            return jobs
        }
    }

    public func finishJob(id: String) async throws {
        try await write { db in
            try db.run(sql: "UPDATE jobs SET state = 'done', leased_until = NULL WHERE id = ? AND state = 'pending'", arguments: [id])
        }
    }

    public func finishDeliveries(_ deliveries: [(id: String, payload: Data)]) async throws {
        guard !deliveries.isEmpty else { return }
        let rows = deliveries.map { (id: $0.id, payload: $0.payload) }
        try await write { db in
            for row in rows {
                try db.run(sql: "UPDATE jobs SET state = 'done', leased_until = NULL, payload = ? WHERE id = ? AND state = 'pending'",
                           arguments: [row.payload, row.id])
            }
        }
    }

    public func failJob(id: String, error: String, retryAt: Date?) async throws {
        try await write { db in
            try db.run(sql: """
                UPDATE jobs SET last_error = ?, leased_until = NULL, run_at = coalesce(?, run_at),
                  state = CASE WHEN ? IS NULL OR attempts >= maximum_attempts THEN 'failed' ELSE 'pending' END
                WHERE id = ? AND state = 'pending'
                """, arguments: [error, retryAt?.timeIntervalSince1970, retryAt?.timeIntervalSince1970, id])
        }
    }

    public func jobs(account: String, kind: Job.Kind?, envelope: String?) async throws -> [Job] {
        // Only the filters given, so that SQLite uses jobs_envelope (account, envelope): with
        // `? IS NULL OR envelope = ?` it reads every job of the account.
        let filters = [("account", account), ("kind", kind?.rawValue), ("envelope", envelope)].compactMap { column, value in
            value.map { (column, $0) }
        }
        let sql = "SELECT \(Self.jobColumns) FROM jobs WHERE \(filters.map { "\($0.0) = ?" }.joined(separator: " AND ")) ORDER BY rowid"
        let values = filters.map(\.1)
        return try await read { db in
            // Cached: a signer reading its e-mails runs this for every action, and parsing and
            // planning it each time was most of the read (there are eight shapes at most).
            try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(values)).map(Self.job)
        }
    }

    /// The columns `job(_:)` reads, in its order (by position: GRDB's lookup by name compares
    /// names case-insensitively, a lowercased copy each time).
    static let jobColumns = "id, account, kind, envelope, payload, run_at, maximum_attempts, attempts, state, last_error"

    static func job(_ row: Row) throws -> Job {
        guard let kind = Job.Kind(rawValue: row[2]), let state = Job.State(rawValue: row[8]) else {
            throw WorkflowError(.store, "job \(row[0] as String) has an unknown kind or state")
        }
        var job = Job(id: row[0], account: row[1], kind: kind, envelope: row[3], payload: row[4],
                      runAt: Date(timeIntervalSince1970: row[5]), maximumAttempts: row[6])
        job.attempts = row[7]
        job.state = state
        job.lastError = row[9]
        return job
    }
}
