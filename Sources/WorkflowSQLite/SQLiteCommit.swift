import Foundation
import GRDB
public import Workflow

extension SQLiteWorkflowStore {
    public func commit(_ change: StoreChange) async throws {
        let cache = envelopeCache, files = self.files
        // Everything that needs no database — checking ownership and the events' hashes, encoding
        // the rows — is done before the transaction, so the one writer is held only for the SQL
        // (on the benchmark's workload this was two thirds of the time it was held).
        let envelopeText = try change.envelope.map { envelope in
            guard envelope.account == change.account else {
                throw WorkflowError(.invalidRequest, "envelope \(envelope.id) belongs to another account")
            }
            return try RowJSON.encode(envelope)
        }
        let events = try change.events.map { try EventRow($0, account: change.account) }
        if let job = change.jobs.first(where: { $0.account != change.account }) {
            throw WorkflowError(.invalidRequest, "job \(job.id) belongs to another account")
        }
        let templateBody = try change.templateVersion.map(Self.encode)
        let clauseBody = try change.clauseVersion.map(Self.encode)
        try await write { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM accounts WHERE id = ?"), arguments: [change.account]) != nil else {
                throw WorkflowError(.notFound, "no account \(change.account)")
            }
            var change = change
            if change.webhookOutbox != nil {
                change = change.withWebhookOutbox(endpoints: try Self.webhookEndpoints(account: change.account, db))
            }
            if let envelope = change.envelope, let envelopeText {
                try Self.write(envelope: envelope, text: envelopeText, previous: change.previousEnvelope, account: change.account, db)
                try Self.hold(documentsOf: envelope, previous: change.previousEnvelope, files: files, db)
                // Remembered even if the transaction rolls back: the row then keeps its old text,
                // which does not match, so the next read decodes it.
                cache.remember(envelope, text: envelopeText)
            }
            if let version = change.templateVersion, let templateBody {
                try Self.writeVersioned(table: "template_versions", idColumn: "template_id", account: change.account,
                                        owner: version.account, id: version.templateID, version: version.version,
                                        state: version.state.rawValue, revision: version.revision, body: templateBody, db)
            }
            if let version = change.clauseVersion, let clauseBody {
                try Self.writeVersioned(table: "clause_versions", idColumn: "clause_id", account: change.account,
                                        owner: version.account, id: version.clauseID, version: version.version,
                                        state: version.state.rawValue, revision: version.revision, body: clauseBody, db)
            }
            try Self.append(events: events, account: change.account, db)
            for job in change.jobs { try Self.insert(job: job, db) }
            for id in change.finishedJobs {
                try db.run(sql: "UPDATE jobs SET state = 'done', leased_until = NULL WHERE id = ? AND account = ? AND state = 'pending'",
                               arguments: [id, change.account])
                guard db.changesCount == 1 else {
                    throw WorkflowError(.conflict, "job \(id) is no longer pending (another worker finished it)")
                }
            }
            if change.ledgerEntry != nil || change.ledgerAppend != nil {
                try Self.append(ledger: change.ledgerEntry, or: change.ledgerAppend, account: change.account, db)
            }
            for stream in change.purgePersonalData {
                try db.run(sql: "DELETE FROM event_personal WHERE account = ? AND stream = ?", arguments: [change.account, stream])
                try Self.purgeWebhookPayloads(stream: stream, account: change.account, db)
                // The outbox kept each e-mail whole (names, addresses, signing links); a bulk row
                // its CSV values: neither outlives the envelope's personal data.
                try db.run(sql: "DELETE FROM jobs WHERE account = ? AND envelope = ? AND kind = 'email'", arguments: [change.account, stream])
                try db.run(sql: "UPDATE bulk_rows SET row_values = '{}' WHERE account = ? AND envelope = ?", arguments: [change.account, stream])
                // A stored API response (an idempotency record) that names the envelope holds its
                // names and addresses: it goes too, however long ago it should have expired.
                // Records are scoped by API key (`IdempotencyRecord.scope`), or by the account alone.
                let scopes = IdempotencyRecord.accountScopes(change.account)
                try db.run(sql: "DELETE FROM idempotency_keys WHERE account >= ? AND account < ? AND instr(body, CAST(? AS BLOB)) > 0",
                           arguments: [scopes.lower, scopes.upper, stream])
                try db.run(sql: "DELETE FROM idempotency_keys WHERE account = ? AND instr(body, CAST(? AS BLOB)) > 0",
                           arguments: [change.account, stream])
            }
            try Self.writeWebhooks(change, db)
        }
    }

    /// Records the envelope's holds on the documents it names that `previous` (the revision
    /// before, when given) did not, after checking each file is there: a purge of another
    /// envelope that released the same bytes after this process stored them deleted the file,
    /// and the envelope must not be stored naming it (a conflict: made again, it stores the bytes
    /// again). Holds end only through `DocumentStore.release`.
    static func hold(documentsOf envelope: Envelope, previous: Envelope?, files: FileDocumentStore, _ db: Database) throws {
        var held = Set(envelope.heldDocuments)
        if let previous, previous.id == envelope.id, previous.revision == envelope.revision - 1 {
            held.subtract(previous.heldDocuments)
        }
        for hash in held.sorted() {
            guard access(try files.url(for: hash).path, F_OK) == 0 else {
                throw WorkflowError(.conflict, "document \(hash.prefix(12))… of envelope \(envelope.id) was deleted by a purge after it was stored; make the request again")
            }
            try db.run(sql: "INSERT OR IGNORE INTO document_holders (sha256, account, envelope) VALUES (?, ?, ?)",
                       arguments: [hash, envelope.account, envelope.id])
        }
    }

    /// Writes the envelope row (`body`, its encoding) and its index rows.
    static func write(envelope: Envelope, text body: String, previous: Envelope?, account: String, _ db: Database) throws {
        if envelope.revision == 0 {
            try db.run(sql: "INSERT INTO envelopes (account, id, state, revision, created_at, body) VALUES (?, ?, ?, 0, ?, ?)",
                           arguments: [account, envelope.id, envelope.state.rawValue, envelope.createdAt.timeIntervalSince1970, body])
        } else {
            try db.run(sql: "UPDATE envelopes SET state = ?, revision = ?, body = ? WHERE account = ? AND id = ? AND revision = ?",
                           arguments: [envelope.state.rawValue, envelope.revision, body, account, envelope.id, envelope.revision - 1])
            guard db.changesCount == 1 else {
                throw WorkflowError(.conflict, "envelope \(envelope.id) changed since it was read (expected revision \(envelope.revision - 1)); read it again and retry")
            }
        }
        let writes = EnvelopeIndexWrites(envelope: envelope, previous: previous)
        if writes.deleteAll {
            try db.run(sql: "DELETE FROM envelope_metadata WHERE account = ? AND envelope = ?", arguments: [account, envelope.id])
            try db.run(sql: "DELETE FROM recipient_tokens WHERE account = ? AND envelope = ?", arguments: [account, envelope.id])
        }
        for key in writes.deletedMetadataKeys {
            try db.run(sql: "DELETE FROM envelope_metadata WHERE account = ? AND envelope = ? AND key = ?", arguments: [account, envelope.id, key])
        }
        for (key, value) in writes.insertedMetadata {
            try db.run(sql: "INSERT INTO envelope_metadata (account, envelope, key, value) VALUES (?, ?, ?, ?)",
                       arguments: [account, envelope.id, key, value])
        }
        for tokenHash in writes.deletedTokenHashes {
            try db.run(sql: "DELETE FROM recipient_tokens WHERE token_hash = ? AND account = ? AND envelope = ?",
                       arguments: [tokenHash, account, envelope.id])
        }
        for (tokenHash, recipient) in writes.insertedTokens {
            try db.run(sql: "INSERT INTO recipient_tokens (token_hash, account, envelope, recipient) VALUES (?, ?, ?, ?)",
                       arguments: [tokenHash, account, envelope.id, recipient])
        }
    }

    static func writeVersioned(table: String, idColumn: String, account: String, owner: String, id: String, version: String,
                               state: String, revision: Int, body: String, _ db: Database) throws {
        guard owner == account else { throw WorkflowError(.invalidRequest, "\(id)@\(version) belongs to another account") }
        if revision == 0 {
            try db.run(sql: "INSERT INTO \(table) (account, \(idColumn), version, state, revision, body) VALUES (?, ?, ?, ?, 0, ?)",
                           arguments: [account, id, version, state, body])
        } else {
            try db.run(sql: """
                UPDATE \(table) SET state = ?, revision = ?, body = ? WHERE account = ? AND \(idColumn) = ? AND version = ? AND revision = ?
                """, arguments: [state, revision, body, account, id, version, revision - 1])
            guard db.changesCount == 1 else {
                throw WorkflowError(.conflict, "\(id)@\(version) changed since it was read; read it again and retry")
            }
        }
    }

    /// An event checked and encoded for its rows, before the transaction.
    struct EventRow {
        let event: WorkflowEvent
        let at, actor, data: String
        let personal: String?

        /// Refuses an event of another account or one whose hash is not its own.
        init(_ event: WorkflowEvent, account: String) throws {
            guard event.account == account else {
                throw WorkflowError(.invalidRequest, "event \(event.sequence) of \(event.stream) belongs to another account than the change's")
            }
            guard event.hash == event.computedHash else {
                throw WorkflowError(.evidence, "event \(event.sequence) of \(event.stream) carries a hash that is not its own")
            }
            self.event = event
            at = ISOTime.string(event.at)
            actor = event.actor.storedJSON
            data = StringMapJSON.encode(event.data)
            personal = event.personal.map(StringMapJSON.encode)
        }
    }

    /// Appends events, each chained to the stream's stored head (a gap, a fork or a wrong
    /// previous hash is refused as a conflict).
    static func append(events: [EventRow], account: String, _ db: Database) throws {
        for row in events {
            let event = row.event
            let head = try Row.fetchOne(db.cachedStatement(sql: "SELECT sequence, hash FROM events WHERE account = ? AND stream = ? ORDER BY sequence DESC LIMIT 1"),
                                        arguments: [account, event.stream])
            let headSequence: Int = head?["sequence"] ?? 0
            let headHash: String = head?["hash"] ?? WorkflowEvent.genesis
            guard event.sequence == headSequence + 1, event.previousHash == headHash else {
                throw WorkflowError(.conflict, "event \(event.sequence) of \(event.stream) does not follow the stored head (\(headSequence)); read the envelope again and retry")
            }
            try db.run(sql: """
                INSERT INTO events (account, stream, sequence, type, at, actor, data, personal_sha256, previous_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [account, event.stream, event.sequence, event.type, row.at,
                                 row.actor, row.data, event.personalSHA256, event.previousHash, event.hash])
            if let personal = row.personal {
                try db.run(sql: "INSERT INTO event_personal (account, stream, sequence, personal) VALUES (?, ?, ?, ?)",
                               arguments: [account, event.stream, event.sequence, personal])
            }
        }
    }

    /// Appends `given` if it follows the stored head (else a `conflict`), or chains `append`
    /// onto that head.
    static func append(ledger given: LedgerEntry?, or append: LedgerAppend?, account: String, _ db: Database) throws {
        let head = try Row.fetchOne(db.cachedStatement(sql: "SELECT sequence, hash FROM ledger WHERE account = ? ORDER BY sequence DESC LIMIT 1"),
                                    arguments: [account]).map { (sequence: $0["sequence"] as Int, hash: $0["hash"] as String) }
        guard (given == nil) != (append == nil) else {
            throw WorkflowError(.invalidRequest, "a change carries a ledger entry and a ledger append; it may carry one")
        }
        let entry = given ?? append!.entry(account: account, after: head)
        guard entry.account == account, entry.sequence == (head?.sequence ?? 0) + 1,
              entry.previousHash == (head?.hash ?? WorkflowEvent.genesis), entry.hash == entry.computedHash else {
            throw WorkflowError(.conflict, "ledger entry \(entry.sequence) does not follow the stored ledger head; retry")
        }
        try db.run(sql: """
            INSERT INTO ledger (account, sequence, envelope, envelope_head, envelope_events, at, previous_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [account, entry.sequence, entry.envelope, entry.envelopeHead, entry.envelopeEvents,
                             ISOTime.string(entry.at), entry.previousHash, entry.hash])
    }

    static func insert(job: Job, _ db: Database) throws {
        try db.run(sql: """
            INSERT INTO jobs (id, account, kind, envelope, payload, run_at, attempts, maximum_attempts, state, last_error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [job.id, job.account, job.kind.rawValue, job.envelope, job.payload, job.runAt.timeIntervalSince1970,
                             job.attempts, job.maximumAttempts, job.state.rawValue, job.lastError])
    }
}
