import Foundation
import PostgresNIO
public import Workflow

extension PostgresWorkflowStore {
    /// Commits a change in one transaction (READ COMMITTED): a stale revision updates no row and
    /// is a `conflict`; an event or ledger entry at a sequence someone else took first violates
    /// the primary key, also a `conflict`. The webhook outbox (endpoint, deliveries, attempts)
    /// is written in the same transaction. Either everything is stored or nothing.
    public func commit(_ change: StoreChange) async throws {
        let logger = self.logger
        let cache = envelopeCache
        try await transaction("committing a change to account \(change.account)") { connection in
            // One round trip checks the account, reads the head of the first event stream, the
            // account's webhook endpoints (when the change has a webhook outbox to make) and the
            // ledger's head (when it appends to the ledger), and marks the finished jobs done
            // (each must still be pending: another worker may have finished it).
            let firstStream = change.events.first?.stream
            let wantsEndpoints = change.webhookOutbox != nil, wantsLedger = change.ledgerEntry != nil
            let opening = try await Self.rows(connection, """
                WITH finished AS (
                    UPDATE jobs SET state = 'done', leased_until = NULL
                    WHERE id = ANY(\(change.finishedJobs)) AND account = \(change.account) AND state = 'pending' RETURNING id)
                SELECT EXISTS (SELECT 1 FROM accounts WHERE id = \(change.account)) AS account, head.sequence, head.hash,
                       ARRAY(SELECT id FROM finished) AS finished,
                       ARRAY(SELECT body::text FROM webhook_endpoints
                             WHERE \(wantsEndpoints) AND account = \(change.account) ORDER BY id) AS endpoints,
                       ledger.sequence AS ledger_sequence, ledger.hash AS ledger_hash
                FROM (SELECT 1) AS one LEFT JOIN LATERAL (
                    SELECT sequence, hash FROM events WHERE account = \(change.account) AND stream = \(firstStream)
                    ORDER BY sequence DESC LIMIT 1) AS head ON true
                LEFT JOIN LATERAL (
                    SELECT sequence, hash FROM ledger WHERE \(wantsLedger) AND account = \(change.account)
                    ORDER BY sequence DESC LIMIT 1) AS ledger ON true
                """, logger: logger).first
            guard let opening, try opening.value("account", as: Bool.self) else {
                throw WorkflowError(.notFound, "no account \(change.account)")
            }
            var change = change
            if wantsEndpoints {
                let endpoints = try opening.value("endpoints", as: [String].self).map { try Self.decode(WebhookEndpoint.self, $0) }
                change = change.withWebhookOutbox(endpoints: endpoints)
            }
            let finished = Set(try opening.value("finished", as: [String].self))
            if let id = change.finishedJobs.first(where: { !finished.contains($0) }) {
                throw WorkflowError(.conflict, "job \(id) is no longer pending (another worker finished it)")
            }
            var knownHeads: [String: (sequence: Int, hash: String)] = [:]
            if let firstStream {
                knownHeads[firstStream] = (try opening.value("sequence", as: Int?.self) ?? 0,
                                           try opening.value("hash", as: String?.self) ?? WorkflowEvent.genesis)
            }
            if let envelope = change.envelope {
                let text = try await Self.write(envelope: envelope, previous: change.previousEnvelope, account: change.account,
                                                connection, logger)
                // Remembered even if the transaction rolls back: the row then keeps its old text,
                // which does not match, so the next read decodes it.
                cache.remember(envelope, text: text)
            }
            if let version = change.templateVersion {
                try await Self.writeVersioned(table: "template_versions", idColumn: "template_id", account: change.account,
                                              owner: version.account, id: version.templateID, version: version.version,
                                              state: version.state.rawValue, revision: version.revision,
                                              body: try Self.encode(version), connection, logger)
            }
            if let version = change.clauseVersion {
                try await Self.writeVersioned(table: "clause_versions", idColumn: "clause_id", account: change.account,
                                              owner: version.account, id: version.clauseID, version: version.version,
                                              state: version.state.rawValue, revision: version.revision,
                                              body: try Self.encode(version), connection, logger)
            }
            try await Self.append(events: change.events, account: change.account, knownHeads: knownHeads, connection, logger)
            for job in change.jobs where job.account != change.account {
                throw WorkflowError(.invalidRequest, "job \(job.id) belongs to another account")
            }
            try await Self.insert(jobs: change.jobs, connection, logger)
            if let entry = change.ledgerEntry {
                let head = (try opening.value("ledger_sequence", as: Int?.self) ?? 0,
                            try opening.value("ledger_hash", as: String?.self) ?? WorkflowEvent.genesis)
                try await Self.append(ledger: entry, account: change.account, head: head, connection, logger)
            }
            for stream in change.purgePersonalData {
                try await connection.query("DELETE FROM event_personal WHERE account = \(change.account) AND stream = \(stream)",
                                           logger: logger)
                try await Self.purgeWebhookPayloads(stream: stream, account: change.account, connection, logger)
            }
            try await Self.writeWebhooks(change, connection, logger)
        }
    }

    /// Writes the envelope row and its index rows; returns the row's text.
    static func write(envelope: Envelope, previous: Envelope?, account: String, _ connection: PostgresConnection,
                      _ logger: Logger) async throws -> String {
        guard envelope.account == account else {
            throw WorkflowError(.invalidRequest, "envelope \(envelope.id) belongs to another account")
        }
        let body = try RowJSON.encode(envelope)
        if envelope.revision == 0 {
            try await connection.query("""
                INSERT INTO envelopes (account, id, state, revision, created_at, body)
                VALUES (\(account), \(envelope.id), \(envelope.state.rawValue), 0, \(seconds(envelope.createdAt)), \(body))
                """, logger: logger)
        } else {
            let updated = try await count(connection, """
                UPDATE envelopes SET state = \(envelope.state.rawValue), revision = \(envelope.revision), body = \(body)
                WHERE account = \(account) AND id = \(envelope.id) AND revision = \(envelope.revision - 1) RETURNING 1
                """, logger: logger)
            guard updated == 1 else {
                throw WorkflowError(.conflict, "envelope \(envelope.id) changed since it was read (expected revision \(envelope.revision - 1)); read it again and retry")
            }
        }
        // Each kind of row is written by one statement (arrays unnested), whatever its count:
        // every statement is a round trip to the server.
        let writes = EnvelopeIndexWrites(envelope: envelope, previous: previous)
        if writes.deleteAll {
            try await connection.query("DELETE FROM envelope_metadata WHERE account = \(account) AND envelope = \(envelope.id)", logger: logger)
            try await connection.query("DELETE FROM recipient_tokens WHERE account = \(account) AND envelope = \(envelope.id)", logger: logger)
        }
        if !writes.deletedMetadataKeys.isEmpty {
            try await connection.query("""
                DELETE FROM envelope_metadata WHERE account = \(account) AND envelope = \(envelope.id) AND key = ANY(\(writes.deletedMetadataKeys))
                """, logger: logger)
        }
        if !writes.insertedMetadata.isEmpty {
            try await connection.query("""
                INSERT INTO envelope_metadata (account, envelope, key, value)
                SELECT \(account), \(envelope.id), key, value
                FROM unnest(\(writes.insertedMetadata.map(\.key))::text[], \(writes.insertedMetadata.map(\.value))::text[]) AS row(key, value)
                """, logger: logger)
        }
        if !writes.deletedTokenHashes.isEmpty {
            try await connection.query("""
                DELETE FROM recipient_tokens
                WHERE account = \(account) AND envelope = \(envelope.id) AND token_hash = ANY(\(writes.deletedTokenHashes))
                """, logger: logger)
        }
        if !writes.insertedTokens.isEmpty {
            try await connection.query("""
                INSERT INTO recipient_tokens (token_hash, account, envelope, recipient)
                SELECT token_hash, \(account), \(envelope.id), recipient
                FROM unnest(\(writes.insertedTokens.map(\.tokenHash))::text[], \(writes.insertedTokens.map(\.recipient))::text[])
                    AS row(token_hash, recipient)
                """, logger: logger)
        }
        return body
    }

    static func writeVersioned(table: String, idColumn: String, account: String, owner: String, id: String, version: String,
                               state: String, revision: Int, body: String, _ connection: PostgresConnection,
                               _ logger: Logger) async throws {
        guard owner == account else { throw WorkflowError(.invalidRequest, "\(id)@\(version) belongs to another account") }
        if revision == 0 {
            try await connection.query("""
                INSERT INTO \(unescaped: table) (account, \(unescaped: idColumn), version, state, revision, body)
                VALUES (\(account), \(id), \(version), \(state), 0, \(body))
                """, logger: logger)
        } else {
            let updated = try await count(connection, """
                UPDATE \(unescaped: table) SET state = \(state), revision = \(revision), body = \(body)
                WHERE account = \(account) AND \(unescaped: idColumn) = \(id) AND version = \(version) AND revision = \(revision - 1)
                RETURNING 1
                """, logger: logger)
            guard updated == 1 else {
                throw WorkflowError(.conflict, "\(id)@\(version) changed since it was read; read it again and retry")
            }
        }
    }

    /// Appends events, each chained to the stream's stored head or to the event before it in
    /// the change (a gap, a fork or a wrong previous hash is refused as a conflict; a writer that
    /// took the same sequence first makes the insert violate the primary key, also a conflict).
    /// One head read per stream not in `knownHeads` (heads this transaction has read already),
    /// then one statement for all events and their personal data.
    static func append(events: [WorkflowEvent], account: String, knownHeads: [String: (sequence: Int, hash: String)] = [:],
                       _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard !events.isEmpty else { return }
        var heads = knownHeads
        for event in events {
            guard event.account == account else {
                throw WorkflowError(.invalidRequest, "event \(event.sequence) of \(event.stream) belongs to another account than the change's")
            }
            if heads[event.stream] == nil {
                let head = try await rows(connection, """
                    SELECT sequence, hash FROM events WHERE account = \(account) AND stream = \(event.stream) ORDER BY sequence DESC LIMIT 1
                    """, logger: logger).first
                heads[event.stream] = (try head?.value("sequence", as: Int.self) ?? 0,
                                       try head?.value("hash", as: String.self) ?? WorkflowEvent.genesis)
            }
            let head = heads[event.stream]!
            guard event.sequence == head.sequence + 1, event.previousHash == head.hash else {
                throw WorkflowError(.conflict, "event \(event.sequence) of \(event.stream) does not follow the stored head (\(head.sequence)); read the envelope again and retry")
            }
            guard event.hash == event.computedHash else {
                throw WorkflowError(.evidence, "event \(event.sequence) of \(event.stream) carries a hash that is not its own")
            }
            heads[event.stream] = (event.sequence, event.hash)
        }
        // The events and their personal data in one statement (a data-modifying CTE, which
        // PostgreSQL always runs to completion): every statement is a round trip.
        let personal = events.compactMap { event in event.personal.map { (event: event, data: $0) } }
        try await connection.query("""
            WITH appended AS (
                INSERT INTO events (account, stream, sequence, type, at, actor, data, personal_sha256, previous_hash, hash)
                SELECT \(account), stream, sequence, type, at, actor, data, personal_sha256, previous_hash, hash
                FROM unnest(\(events.map(\.stream))::text[], \(events.map(\.sequence))::bigint[], \(events.map(\.type))::text[],
                            \(events.map { iso($0.at) })::text[], \(try events.map { try encode($0.actor) })::text[],
                            \(try events.map { try encode($0.data) })::text[], \(events.map(\.personalSHA256))::text[],
                            \(events.map(\.previousHash))::text[], \(events.map(\.hash))::text[])
                    AS row(stream, sequence, type, at, actor, data, personal_sha256, previous_hash, hash)
                RETURNING 1)
            INSERT INTO event_personal (account, stream, sequence, personal)
            SELECT \(account), stream, sequence, personal
            FROM unnest(\(personal.map(\.event.stream))::text[], \(personal.map(\.event.sequence))::bigint[],
                        \(try personal.map { try encode($0.data) })::text[]) AS row(stream, sequence, personal)
            """, logger: logger)
    }

    /// Appends a ledger entry after `head` (read in the commit's opening query): the sequence
    /// and hash of the account's last entry, or 0 and the genesis hash.
    static func append(ledger entry: LedgerEntry, account: String, head: (sequence: Int, hash: String),
                       _ connection: PostgresConnection, _ logger: Logger) async throws {
        let (headSequence, headHash) = head
        guard entry.account == account, entry.sequence == headSequence + 1, entry.previousHash == headHash,
              entry.hash == entry.computedHash else {
            throw WorkflowError(.conflict, "ledger entry \(entry.sequence) does not follow the stored ledger head; retry")
        }
        try await connection.query("""
            INSERT INTO ledger (account, sequence, envelope, envelope_head, envelope_events, at, previous_hash, hash)
            VALUES (\(account), \(entry.sequence), \(entry.envelope), \(entry.envelopeHead), \(entry.envelopeEvents),
                    \(iso(entry.at)), \(entry.previousHash), \(entry.hash))
            """, logger: logger)
    }

    /// New jobs in one statement (unnested arrays, in the order given: their `position` is the
    /// claim order), or row by row when one carries an error (arrays hold no NULLs).
    static func insert(jobs: [Job], _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard jobs.count > 1, jobs.allSatisfy({ $0.lastError == nil }) else {
            for job in jobs { try await insert(job: job, connection, logger) }
            return
        }
        try await connection.query("""
            INSERT INTO jobs (id, account, kind, envelope, payload, run_at, attempts, maximum_attempts, state)
            SELECT id, account, kind, envelope, payload, run_at, attempts, maximum_attempts, state
            FROM unnest(\(jobs.map(\.id))::text[], \(jobs.map(\.account))::text[], \(jobs.map(\.kind.rawValue))::text[],
                        \(jobs.map(\.envelope))::text[], \(jobs.map { ByteBuffer(bytes: $0.payload) })::bytea[],
                        \(jobs.map { seconds($0.runAt) })::float8[], \(jobs.map(\.attempts))::bigint[],
                        \(jobs.map(\.maximumAttempts))::bigint[], \(jobs.map(\.state.rawValue))::text[])
                WITH ORDINALITY AS row(id, account, kind, envelope, payload, run_at, attempts, maximum_attempts, state, number)
            ORDER BY number
            """, logger: logger)
    }

    static func insert(job: Job, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO jobs (id, account, kind, envelope, payload, run_at, attempts, maximum_attempts, state, last_error)
            VALUES (\(job.id), \(job.account), \(job.kind.rawValue), \(job.envelope), \(job.payload), \(seconds(job.runAt)),
                    \(job.attempts), \(job.maximumAttempts), \(job.state.rawValue), \(job.lastError))
            """, logger: logger)
    }

    /// Event and ledger times as the SQLite store writes them: ISO 8601, UTC, whole seconds.
    static func iso(_ date: Date) -> String {
        ISOTime.string(date)
    }

    static func isoDate(_ text: String, _ what: String) throws -> Date {
        guard let date = ISOTime.date(text) else {
            throw WorkflowError(.evidence, "\(what) has a bad time '\(text)'")
        }
        return date
    }
}
