public import Foundation
import PostgresNIO
public import Workflow

extension PostgresWorkflowStore {
    // MARK: EnvelopeStore reads

    public func envelope(account: String, id: String) async throws -> Envelope? {
        let cache = envelopeCache
        return try await run("reading envelope \(id)") { connection in
            try await Self.rows(connection, ReadStatements.EnvelopeByID(account: account, id: id), logger: self.logger)
                .first.map { row in try row.value("body", as: String.self) }.map { text in try cache.envelope(account: account, id: id, text: text) { try Self.decode(Envelope.self, $0) } }
        }
    }

    public func envelopes(account: String, query: EnvelopeQuery) async throws -> [Envelope] {
        let states = query.states.map { $0.map(\.rawValue).sorted() }
        return try await bodies("listing envelopes", """
            SELECT e.body FROM envelopes e
            WHERE e.account = \(account)
              AND (\(states)::text[] IS NULL OR e.state = ANY(\(states)::text[]))
              AND (\(query.after)::text IS NULL OR e.id > \(query.after))
              AND (\(query.metadataKey)::text IS NULL OR EXISTS (
                    SELECT 1 FROM envelope_metadata m WHERE m.account = e.account AND m.envelope = e.id
                      AND m.key = \(query.metadataKey) AND (\(query.metadataValue)::text IS NULL OR m.value = \(query.metadataValue))))
            ORDER BY e.id LIMIT \(max(0, query.limit))
            """, as: Envelope.self)
    }

    public func recipient(tokenHash: String) async throws -> (account: String, envelope: String, recipient: String)? {
        try await run("finding a recipient token") { connection in
            try await Self.rows(connection, "SELECT account, envelope, recipient FROM recipient_tokens WHERE token_hash = \(tokenHash)",
                                logger: self.logger).first.map { row in
                (account: try row.value("account"), envelope: try row.value("envelope"), recipient: try row.value("recipient"))
            }
        }
    }

    public func envelope(tokenHash: String) async throws -> (recipient: String, envelope: Envelope)? {
        let cache = envelopeCache
        return try await run("finding a recipient token's envelope") { connection in
            guard let row = try await Self.rows(connection, ReadStatements.EnvelopeByToken(tokenHash: tokenHash),
                                                logger: self.logger).first else { return nil }
            let account: String = try row.value("account"), id: String = try row.value("envelope")
            let envelope = try cache.envelope(account: account, id: id, text: try row.value("body")) { try Self.decode(Envelope.self, $0) }
            return (try row.value("recipient"), envelope)
        }
    }

    public func templateVersion(account: String, templateID: String, version: String) async throws -> TemplateVersion? {
        let cache = templateCache, key = RowDecodeCache<TemplateVersion>.key(account, templateID, version)
        return try await run("reading template \(templateID)@\(version)") { connection in
            try await Self.rows(connection, ReadStatements.TemplateVersionByID(account: account, templateID: templateID, version: version),
                                logger: self.logger).first.map { row in
                try cache.value(key: key, text: try row.value("body")) { try Self.decode(TemplateVersion.self, $0) }
            }
        }
    }

    public func templateVersions(account: String, templateID: String?) async throws -> [TemplateVersion] {
        try await bodies("listing template versions", """
            SELECT body FROM template_versions WHERE account = \(account) AND (\(templateID)::text IS NULL OR template_id = \(templateID))
            ORDER BY template_id, version
            """, as: TemplateVersion.self)
    }

    public func clauseVersion(account: String, clauseID: String, version: String) async throws -> ClauseVersion? {
        try await bodies("reading clause \(clauseID)@\(version)", """
            SELECT body FROM clause_versions WHERE account = \(account) AND clause_id = \(clauseID) AND version = \(version)
            """, as: ClauseVersion.self).first
    }

    public func clauseVersions(account: String, clauseID: String?) async throws -> [ClauseVersion] {
        try await bodies("listing clause versions", """
            SELECT body FROM clause_versions WHERE account = \(account) AND (\(clauseID)::text IS NULL OR clause_id = \(clauseID))
            ORDER BY clause_id, version
            """, as: ClauseVersion.self)
    }

    /// The JSON `body` column of each row, decoded.
    private func bodies<T: Decodable & Sendable>(_ what: String, _ query: PostgresQuery, as type: T.Type) async throws -> [T] {
        try await run(what) { connection in
            try await Self.column(connection, query, logger: self.logger, as: String.self).map { try Self.decode(T.self, $0) }
        }
    }

    // MARK: EventLog

    public func events(account: String, stream: String) async throws -> [WorkflowEvent] {
        try await run("reading the events of \(stream)") { connection in
            try await Self.rows(connection, ReadStatements.EventsOfStream(account: account, stream: stream), logger: self.logger).map { row in
                let sequence: Int = try row.value("sequence")
                return WorkflowEvent(account: try row.value("account"), stream: try row.value("stream"), sequence: sequence,
                                     type: try row.value("type"), at: try Self.isoDate(try row.value("at"), "event \(sequence) of \(stream)"),
                                     actor: try Self.actor(try row.value("actor")), data: try Self.stringMap(try row.value("data")),
                                     personal: try (try row.value("personal", as: String?.self)).map(Self.stringMap),
                                     personalSHA256: try row.value("personal_sha256"), previousHash: try row.value("previous_hash"),
                                     hash: try row.value("hash"))
            }
        }
    }

    /// An event's stored actor: read directly, `JSONDecoder` for text another writer made
    /// (PostgreSQL's `jsonb` output, with its spaces, reads directly too).
    static func actor(_ text: String) throws -> EventActor {
        try EventActor(storedJSON: text) ?? decode(EventActor.self, text)
    }

    /// An event's stored data or personal data: read directly, `JSONDecoder` otherwise.
    static func stringMap(_ text: String) throws -> [String: String] {
        try StringMapJSON.decode(text) ?? decode([String: String].self, text)
    }

    public func streams(account: String) async throws -> [String] {
        try await run("listing the event streams of \(account)") { connection in
            try await Self.column(connection, "SELECT DISTINCT stream FROM events WHERE account = \(account) ORDER BY stream",
                               logger: self.logger, as: String.self)
        }
    }

    public func ledger(account: String) async throws -> [LedgerEntry] {
        try await run("reading the ledger of \(account)") { connection in
            try await Self.rows(connection, """
                SELECT \(unescaped: Self.ledgerColumns) FROM ledger WHERE account = \(account) ORDER BY sequence
                """, logger: self.logger).map(Self.ledgerEntry)
        }
    }

    public func ledgerHead(account: String) async throws -> LedgerEntry? {
        try await run("reading the ledger head of \(account)") { connection in
            try await Self.rows(connection, ReadStatements.LedgerHead(account: account), logger: self.logger).map(Self.ledgerEntry).first
        }
    }

    static let ledgerColumns = "account, sequence, envelope, envelope_head, envelope_events, at, previous_hash, hash"

    static func ledgerEntry(_ row: PostgresRandomAccessRow) throws -> LedgerEntry {
        let sequence: Int = try row.value("sequence")
        return LedgerEntry(account: try row.value("account"), sequence: sequence, envelope: try row.value("envelope"),
                           envelopeHead: try row.value("envelope_head"), envelopeEvents: try row.value("envelope_events"),
                           at: try Self.isoDate(try row.value("at"), "ledger entry \(sequence)"),
                           previousHash: try row.value("previous_hash"), hash: try row.value("hash"))
    }

    public func anchors(account: String) async throws -> [LedgerAnchor] {
        try await run("reading the ledger anchors of \(account)") { connection in
            try await Self.rows(connection, "SELECT account, sequence, head, token, at FROM ledger_anchors WHERE account = \(account) ORDER BY sequence",
                                logger: self.logger).map { row in
                LedgerAnchor(account: try row.value("account"), sequence: try row.value("sequence"), head: try row.value("head"),
                             token: try row.value("token"), at: Self.date(try row.value("at")))
            }
        }
    }

    public func insertAnchor(_ anchor: LedgerAnchor) async throws {
        try await run("storing a ledger anchor") { connection in
            _ = try await connection.query("""
                INSERT INTO ledger_anchors (account, sequence, head, token, at)
                VALUES (\(anchor.account), \(anchor.sequence), \(anchor.head), \(anchor.token), \(Self.seconds(anchor.at)))
                """, logger: self.logger)
        }
    }

    // MARK: JobQueue

    /// Claims due jobs in one statement: the `SELECT … FOR UPDATE SKIP LOCKED` passes over rows
    /// another worker's claim has locked, so concurrent workers never take the same job, and the
    /// lease lets another worker take it again once it runs out (a crashed worker). The selection
    /// is a `MATERIALIZED` CTE, run exactly once (as an `IN (…)` subquery a nested-loop plan may
    /// rescan it per row and lease more than `limit` jobs). Each kind's due jobs are one range of
    /// the `jobs_claim` index, read separately: one scan of all kinds in time order walks past
    /// every due job of the kinds this worker does not run (e-mails waiting for a worker with a
    /// relay: 55 ms a claim with 18 000 of them).
    public func claimJobs(now: Date, limit: Int, lease: TimeInterval, worker: String, kinds: Set<Job.Kind>) async throws -> [Job] {
        let at = Self.seconds(now)
        let ordered = kinds.sorted { $0.rawValue < $1.rawValue }
        let kindNames = ordered.map(\.rawValue), priorities = ordered.map(\.claimPriority)
        return try await run("claiming jobs") { connection in
            // Not prepared: see ReadStatements. Kinds by `Job.Kind.claimPriority`, then time.
            try await Self.rows(connection, """
                WITH claimed AS MATERIALIZED (
                    SELECT due.id FROM unnest(\(kindNames)::text[], \(priorities)::bigint[]) AS wanted(kind, priority) CROSS JOIN LATERAL (
                        SELECT id, run_at FROM jobs
                        WHERE state = 'pending' AND kind = wanted.kind AND run_at <= \(at)
                          AND (leased_until IS NULL OR leased_until <= \(at))
                        ORDER BY run_at, id LIMIT \(max(0, limit)) FOR UPDATE SKIP LOCKED) AS due
                    ORDER BY wanted.priority, due.run_at, due.id LIMIT \(max(0, limit)))
                UPDATE jobs SET leased_until = \(at + lease), leased_by = \(worker), attempts = jobs.attempts + 1
                FROM claimed WHERE jobs.id = claimed.id
                RETURNING \(unescaped: Self.qualified(Self.jobColumns, "jobs"))
                """, logger: self.logger).map(Self.job).sorted { ($0.runAt, $0.id) < ($1.runAt, $1.id) }
        }
    }

    public func finishJob(id: String) async throws {
        try await run("finishing job \(id)") { connection in
            _ = try await connection.query("UPDATE jobs SET state = 'done', leased_until = NULL WHERE id = \(id) AND state = 'pending'", logger: self.logger)
        }
    }

    public func finishJobs(ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await run("finishing jobs \(ids.prefix(3).joined(separator: ", "))\(ids.count > 3 ? ", …" : "")") { connection in
            _ = try await connection.query("UPDATE jobs SET state = 'done', leased_until = NULL WHERE id = ANY(\(ids)) AND state = 'pending'",
                                           logger: self.logger)
        }
    }

    public func finishDeliveries(_ deliveries: [(id: String, payload: Data)]) async throws {
        guard !deliveries.isEmpty else { return }
        let ids = deliveries.map(\.id), payloads = deliveries.map { ByteBuffer(bytes: $0.payload) }
        try await run("finishing delivered e-mails \(ids.prefix(3).joined(separator: ", "))\(ids.count > 3 ? ", …" : "")") { connection in
            _ = try await connection.query("""
                UPDATE jobs SET state = 'done', leased_until = NULL, payload = delivered.payload
                FROM unnest(\(ids)::text[], \(payloads)::bytea[]) AS delivered(id, payload)
                WHERE jobs.id = delivered.id AND jobs.state = 'pending'
                """, logger: self.logger)
        }
    }

    public func failJob(id: String, error: String, retryAt: Date?) async throws {
        let runAt = retryAt.map(Self.seconds)
        try await run("recording the failure of job \(id)") { connection in
            _ = try await connection.query("""
                UPDATE jobs SET last_error = \(error), leased_until = NULL, run_at = coalesce(\(runAt)::float8, run_at),
                  state = CASE WHEN \(runAt)::float8 IS NULL OR attempts >= maximum_attempts THEN 'failed' ELSE 'pending' END
                WHERE id = \(id) AND state = 'pending'
                """, logger: self.logger)
        }
    }

    public func jobs(account: String, kind: Job.Kind?, envelope: String?) async throws -> [Job] {
        let kindName = kind?.rawValue
        return try await run("listing the jobs of \(account)") { connection in
            // A kind and an envelope (a signer reading its e-mails, a worker checking its job) is
            // prepared; the optional filters stay a query planned for its values, since a generic
            // plan of "IS NULL OR" cannot use the envelope's index.
            if let kindName, let envelope {
                return try await Self.rows(connection, ReadStatements.JobsOfEnvelope(account: account, envelope: envelope, kind: kindName),
                                           logger: self.logger).map(Self.job)
            }
            return try await Self.rows(connection, """
                SELECT \(unescaped: Self.jobColumns) FROM jobs
                WHERE account = \(account) AND (\(kindName)::text IS NULL OR kind = \(kindName)) AND (\(envelope)::text IS NULL OR envelope = \(envelope))
                ORDER BY position
                """, logger: self.logger).map(Self.job)
        }
    }

    static let jobColumns = "id, account, kind, envelope, payload, run_at, attempts, maximum_attempts, state, last_error"

    /// A column list with every column prefixed by its table (for a `RETURNING` after a join).
    static func qualified(_ columns: String, _ table: String) -> String {
        columns.split(separator: ",").map { "\(table).\($0.trimmingCharacters(in: .whitespaces))" }.joined(separator: ", ")
    }

    static func job(_ row: PostgresRandomAccessRow) throws -> Job {
        let id: String = try row.value("id"), kindName: String = try row.value("kind"), stateName: String = try row.value("state")
        guard let kind = Job.Kind(rawValue: kindName), let state = Job.State(rawValue: stateName) else {
            throw WorkflowError(.store, "job \(id) has an unknown kind '\(kindName)' or state '\(stateName)'")
        }
        var job = Job(id: id, account: try row.value("account"), kind: kind, envelope: try row.value("envelope"),
                      payload: try row.value("payload"), runAt: date(try row.value("run_at")), maximumAttempts: try row.value("maximum_attempts"))
        job.attempts = try row.value("attempts")
        job.state = state
        job.lastError = try row.value("last_error")
        return job
    }
}
