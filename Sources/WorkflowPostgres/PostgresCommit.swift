import Foundation
import PostgresNIO
public import Workflow

extension PostgresWorkflowStore {
    /// Commits a change in one transaction (READ COMMITTED): a stale revision updates no row and
    /// is a `conflict`; an event or ledger entry at a sequence someone else took first violates
    /// the primary key, also a `conflict`. The webhook outbox (endpoint, deliveries, attempts)
    /// is written in the same transaction. Either everything is stored or nothing.
    public func commit(_ change: StoreChange) async throws {
        // Most changes are one statement (`OneStatementCommit`); the rest take the long way.
        if try await OneStatementCommit.commit(change, in: self) { return }
        let logger = self.logger
        let cache = envelopeCache
        let memory = accountMemory
        let appended = try await transaction("committing a change to account \(change.account)") { connection -> LedgerEntry? in
            // One round trip checks the account, reads the head of the first event stream, the
            // account's webhook endpoints (when the change has a webhook outbox to make) and the
            // ledger's head (when it appends to the ledger), and marks the first finished job
            // done (each must still be pending: another worker may have finished it); a second
            // statement marks any others.
            let firstStream = change.events.first?.stream
            let wantsEndpoints = change.webhookOutbox != nil, wantsLedger = change.ledgerEntry != nil || change.ledgerAppend != nil
            let opening = try await Self.rows(connection, CommitStatements.Opening(
                finishedJob: change.finishedJobs.first, account: change.account, firstStream: firstStream,
                wantsEndpoints: wantsEndpoints, wantsLedger: wantsLedger), logger: logger).first
            guard let opening, try opening.value("account", as: Bool.self) else {
                throw WorkflowError(.notFound, "no account \(change.account)")
            }
            var change = change
            if wantsEndpoints {
                let endpoints = try opening.value("endpoints", as: [String].self).map { try Self.decode(WebhookEndpoint.self, $0) }
                memory.remember(endpoints, account: change.account)
                change = change.withWebhookOutbox(endpoints: endpoints)
            }
            var finished = Set(try opening.value("finished", as: [String].self))
            if change.finishedJobs.count > 1 {
                finished.formUnion(try await Self.column(connection, """
                    UPDATE jobs SET state = 'done', leased_until = NULL
                    WHERE id = ANY(\(Array(change.finishedJobs.dropFirst())))
                      AND (account = \(change.account) AND state = 'pending') IS TRUE -- by the key only, as in Opening
                    RETURNING id
                    """, logger: logger, as: String.self))
            }
            if let id = change.finishedJobs.first(where: { !finished.contains($0) }) {
                throw WorkflowError(.conflict, "job \(id) is no longer pending (another worker finished it)")
            }
            var knownHeads: [String: (sequence: Int, hash: String)] = [:]
            var appendedEntry: LedgerEntry?
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
            if wantsLedger {
                guard (change.ledgerEntry == nil) != (change.ledgerAppend == nil) else {
                    throw WorkflowError(.invalidRequest, "a change carries a ledger entry and a ledger append; it may carry one")
                }
                let head = try opening.value("ledger_sequence", as: Int?.self).map {
                    (sequence: $0, hash: try opening.value("ledger_hash", as: String.self))
                }
                let entry = change.ledgerEntry ?? change.ledgerAppend!.entry(account: change.account, after: head)
                try await Self.append(ledger: entry, account: change.account,
                                      head: head ?? (0, WorkflowEvent.genesis), connection, logger)
                appendedEntry = entry
            }
            for stream in change.purgePersonalData {
                try await connection.query("DELETE FROM event_personal WHERE account = \(change.account) AND stream = \(stream)",
                                           logger: logger)
                try await Self.purgeWebhookPayloads(stream: stream, account: change.account, connection, logger)
                // The outbox kept each e-mail whole (names, addresses, signing links); a bulk row
                // its CSV values: neither outlives the envelope's personal data.
                try await connection.query("DELETE FROM jobs WHERE account = \(change.account) AND envelope = \(stream) AND kind = 'email'",
                                           logger: logger)
                try await connection.query("UPDATE bulk_rows SET row_values = '{}' WHERE account = \(change.account) AND envelope = \(stream)",
                                           logger: logger)
                // A stored API response (an idempotency record) that names the envelope holds its
                // names and addresses: it goes too, however long ago it should have expired.
                // Records are scoped by API key (`IdempotencyRecord.scope`), or by the account alone.
                // By prefix, not by range: a database's collation may order ':' and ';' otherwise.
                let scopes = IdempotencyRecord.accountScopes(change.account)
                try await connection.query("""
                    DELETE FROM idempotency_keys WHERE (account = \(change.account) OR starts_with(account, \(scopes.lower)))
                        AND position(convert_to(\(stream), 'UTF8') IN body) > 0
                    """, logger: logger)
            }
            try await Self.writeWebhooks(change, connection, logger)
            return appendedEntry
        }
        if let appended { memory.remember(ledgerHead: (appended.sequence, appended.hash), account: change.account) }
    }

    /// Writes the envelope row and its index rows; returns the row's text.
    static func write(envelope: Envelope, previous: Envelope?, account: String, _ connection: PostgresConnection,
                      _ logger: Logger) async throws -> String {
        guard envelope.account == account else {
            throw WorkflowError(.invalidRequest, "envelope \(envelope.id) belongs to another account")
        }
        let body = try RowJSON.encode(envelope)
        let state = envelope.state.rawValue
        if envelope.revision == 0 {
            _ = try await rows(connection, CommitStatements.InsertEnvelope(account: account, id: envelope.id, state: state,
                                                                           createdAt: seconds(envelope.createdAt), body: body),
                               logger: logger)
        } else {
            let updated = try await count(connection, CommitStatements.UpdateEnvelope(
                account: account, id: envelope.id, state: state, revision: envelope.revision, body: body), logger: logger)
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
            _ = try await rows(connection, CommitStatements.InsertMetadata(
                account: account, envelope: envelope.id, keys: writes.insertedMetadata.map(\.key),
                values: writes.insertedMetadata.map(\.value)), logger: logger)
        }
        if !writes.deletedTokenHashes.isEmpty {
            try await connection.query("""
                DELETE FROM recipient_tokens
                WHERE account = \(account) AND envelope = \(envelope.id) AND token_hash = ANY(\(writes.deletedTokenHashes))
                """, logger: logger)
        }
        if !writes.insertedTokens.isEmpty {
            _ = try await rows(connection, CommitStatements.InsertTokens(
                account: account, envelope: envelope.id, tokenHashes: writes.insertedTokens.map(\.tokenHash),
                recipients: writes.insertedTokens.map(\.recipient)), logger: logger)
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
        _ = try await rows(connection, CommitStatements.AppendEvents(
            account: account, streams: events.map(\.stream), sequences: events.map(\.sequence), types: events.map(\.type),
            times: events.map { iso($0.at) }, actors: events.map(\.actor.storedJSON),
            data: events.map { StringMapJSON.encode($0.data) }, personalSHA256: events.map(\.personalSHA256),
            previousHashes: events.map(\.previousHash), hashes: events.map(\.hash),
            personalStreams: personal.map(\.event.stream), personalSequences: personal.map(\.event.sequence),
            personal: personal.map { StringMapJSON.encode($0.data) }), logger: logger)
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
        _ = try await rows(connection, CommitStatements.AppendLedger(.init(
            account: account, sequence: entry.sequence, envelope: entry.envelope, envelopeHead: entry.envelopeHead,
            envelopeEvents: entry.envelopeEvents, at: iso(entry.at), previousHash: entry.previousHash, hash: entry.hash)),
            logger: logger)
    }

    /// New jobs in one statement (unnested arrays, in the order given: their `position` is the
    /// claim order), or row by row when one carries an error (arrays hold no NULLs).
    static func insert(jobs: [Job], _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard jobs.count > 1, jobs.allSatisfy({ $0.lastError == nil }) else {
            for job in jobs { try await insert(job: job, connection, logger) }
            return
        }
        _ = try await rows(connection, CommitStatements.InsertJobs(
            ids: jobs.map(\.id), accounts: jobs.map(\.account), kinds: jobs.map(\.kind.rawValue), envelopes: jobs.map(\.envelope),
            payloads: jobs.map { ByteBuffer(bytes: $0.payload) }, runAt: jobs.map { seconds($0.runAt) },
            attempts: jobs.map(\.attempts), maximumAttempts: jobs.map(\.maximumAttempts), states: jobs.map(\.state.rawValue)),
            logger: logger)
    }

    static func insert(job: Job, _ connection: PostgresConnection, _ logger: Logger) async throws {
        _ = try await rows(connection, CommitStatements.InsertJob(
            id: job.id, account: job.account, kind: job.kind.rawValue, envelope: job.envelope, payload: ByteBuffer(bytes: job.payload),
            runAt: seconds(job.runAt), attempts: job.attempts, maximumAttempts: job.maximumAttempts, state: job.state.rawValue,
            lastError: job.lastError), logger: logger)
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
