import Foundation
import PostgresNIO
import Synchronization
import Workflow

/// Most commits in one round trip: a server-side function, `countersign_commit`, makes the
/// checks and writes of `PostgresWorkflowStore.commit` for the common kinds of change, called as
/// one statement, which PostgreSQL runs as one transaction.
///
/// Why: every statement is a round trip, and a round trip costs both sides far more CPU than
/// these statements' work (docs/performance.md, sessions 13–18). The multi-statement commit is
/// `BEGIN`, an opening query, the envelope's update, the events, the jobs and `COMMIT`: six
/// round trips for most transitions, twelve transitions an envelope.
///
/// The function makes the same checks in the same order, and refuses with its own SQLSTATEs:
/// `CS404` (no such account), `CS409` (a conflict: a stale revision, a job another worker
/// finished, events that do not follow the stored head) and `CS412` (what this process last read
/// of the account — its webhook endpoints, its ledger's head — is not what is stored; the change
/// is then committed the long way, which reads them in its transaction). A primary key taken
/// first is a unique violation, a conflict, as before.
///
/// A completion's ledger entry is chained onto the head this process last stored or read for
/// the account (`AccountMemory`): one sealing process per account always has it right; when
/// another process moved the head on, the refusal names the stored head, and the entry is
/// chained onto it and committed again (`commit(_:in:)`).
///
/// New webhook deliveries (the outbox of a change's events, or given) go in as one JSON array.
///
/// What it does not do takes the long way: template and clause versions, purges, the other
/// webhook writes (an endpoint, attempts, a delivery's progress), events of several streams,
/// several finished jobs and jobs carrying an error.
enum OneStatementCommit {
    /// The function's SQLSTATEs (mapped by `PostgresWorkflowStore.mapped`, except `staleMemory`).
    static let notFound = "CS404", conflict = "CS409", staleMemory = "CS412"

    /// Migration 7 creates the function.
    static let function = """
        CREATE FUNCTION countersign_commit(
            p_account text, p_finished_job text, p_endpoints text,
            p_envelope text, p_state text, p_revision bigint, p_created_at double precision, p_body text,
            p_delete_all boolean, p_deleted_keys text[], p_keys text[], p_values text[],
            p_deleted_tokens text[], p_token_hashes text[], p_token_recipients text[],
            p_stream text, p_head_sequence bigint, p_head_hash text,
            p_sequences bigint[], p_types text[], p_times text[], p_actors text[], p_data text[],
            p_personal_sha256 text[], p_previous_hashes text[], p_hashes text[],
            p_personal_sequences bigint[], p_personal text[],
            p_job_ids text[], p_job_kinds text[], p_job_envelopes text[], p_job_payloads bytea[],
            p_job_run_at double precision[], p_job_attempts bigint[], p_job_maximum_attempts bigint[], p_job_states text[],
            p_ledger_sequence bigint, p_ledger_envelope text, p_ledger_envelope_head text, p_ledger_envelope_events bigint,
            p_ledger_at text, p_ledger_previous_hash text, p_ledger_hash text, p_deliveries jsonb)
        RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            found_account boolean;
            stored_endpoints text;
            stored_sequence bigint;
            stored_hash text;
            ledger_sequence bigint;
            ledger_hash text;
        BEGIN
            -- One statement reads what the checks need, as the long way's opening query does:
            -- the account, the endpoints, the stream's head and the ledger's head. Every
            -- statement here starts an executor, so fewer statements are less work.
            SELECT EXISTS (SELECT 1 FROM accounts WHERE id = p_account),
                   (SELECT coalesce(string_agg(id || ':' || revision, ' ' ORDER BY id COLLATE "C"), '')
                    FROM webhook_endpoints WHERE p_endpoints IS NOT NULL AND account = p_account),
                   head.sequence, head.hash, ledger.sequence, ledger.hash
            INTO found_account, stored_endpoints, stored_sequence, stored_hash, ledger_sequence, ledger_hash
            FROM (SELECT 1) AS one
            LEFT JOIN LATERAL (
                SELECT sequence, hash FROM events WHERE cardinality(p_sequences) > 0 AND account = p_account AND stream = p_stream
                ORDER BY sequence DESC LIMIT 1) AS head ON true
            LEFT JOIN LATERAL (
                SELECT sequence, hash FROM ledger WHERE p_ledger_sequence IS NOT NULL AND account = p_account
                ORDER BY sequence DESC LIMIT 1) AS ledger ON true;
            IF NOT found_account THEN
                RAISE EXCEPTION 'no account %', p_account USING ERRCODE = '\(notFound)';
            END IF;
            -- By the key only (the IS TRUE form, as in the multi-statement commit's opening).
            IF p_finished_job IS NOT NULL THEN
                UPDATE jobs SET state = 'done', leased_until = NULL
                WHERE id = p_finished_job AND (account = p_account AND state = 'pending') IS TRUE;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'job % is no longer pending (another worker finished it)', p_finished_job USING ERRCODE = '\(conflict)';
                END IF;
            END IF;
            IF p_endpoints IS NOT NULL AND stored_endpoints <> p_endpoints THEN
                RAISE EXCEPTION 'the account''s webhook endpoints changed' USING ERRCODE = '\(staleMemory)';
            END IF;
            IF p_ledger_sequence IS NOT NULL AND (coalesce(ledger_sequence, 0) <> p_ledger_sequence - 1
               OR (ledger_sequence IS NOT NULL AND ledger_hash <> p_ledger_previous_hash)) THEN
                -- The stored head goes with the refusal: the caller chains onto it and calls again.
                RAISE EXCEPTION 'the account''s ledger has moved on' USING ERRCODE = '\(staleMemory)',
                    DETAIL = 'ledger head ' || coalesce(ledger_sequence, 0) || ' ' || coalesce(ledger_hash, '');
            END IF;
            IF p_envelope IS NOT NULL THEN
                IF p_revision = 0 THEN
                    INSERT INTO envelopes (account, id, state, revision, created_at, body)
                    VALUES (p_account, p_envelope, p_state, 0, p_created_at, p_body);
                ELSE
                    UPDATE envelopes SET state = p_state, revision = p_revision, body = p_body
                    WHERE account = p_account AND id = p_envelope AND revision = p_revision - 1;
                    IF NOT FOUND THEN
                        RAISE EXCEPTION 'envelope % changed since it was read (expected revision %); read it again and retry',
                            p_envelope, p_revision - 1 USING ERRCODE = '\(conflict)';
                    END IF;
                END IF;
                IF p_delete_all THEN
                    DELETE FROM envelope_metadata WHERE account = p_account AND envelope = p_envelope;
                    DELETE FROM recipient_tokens WHERE account = p_account AND envelope = p_envelope;
                END IF;
                IF cardinality(p_deleted_keys) > 0 THEN
                    DELETE FROM envelope_metadata WHERE account = p_account AND envelope = p_envelope AND key = ANY(p_deleted_keys);
                END IF;
                IF cardinality(p_keys) > 0 THEN
                    INSERT INTO envelope_metadata (account, envelope, key, value)
                    SELECT p_account, p_envelope, key, value FROM unnest(p_keys, p_values) AS row(key, value);
                END IF;
                IF cardinality(p_deleted_tokens) > 0 THEN
                    DELETE FROM recipient_tokens
                    WHERE account = p_account AND envelope = p_envelope AND token_hash = ANY(p_deleted_tokens);
                END IF;
                IF cardinality(p_token_hashes) > 0 THEN
                    INSERT INTO recipient_tokens (token_hash, account, envelope, recipient)
                    SELECT token_hash, p_account, p_envelope, recipient
                    FROM unnest(p_token_hashes, p_token_recipients) AS row(token_hash, recipient);
                END IF;
            END IF;
            IF cardinality(p_sequences) > 0 THEN
                -- The events follow the stored head (a gap or a fork is refused; a sequence someone
                -- took first violates the primary key).
                IF coalesce(stored_sequence, 0) <> p_head_sequence
                   OR (stored_sequence IS NOT NULL AND stored_hash <> p_head_hash) THEN
                    RAISE EXCEPTION 'event % of % does not follow the stored head (%); read the envelope again and retry',
                        p_head_sequence + 1, p_stream, coalesce(stored_sequence, 0) USING ERRCODE = '\(conflict)';
                END IF;
                WITH appended AS (
                    INSERT INTO events (account, stream, sequence, type, at, actor, data, personal_sha256, previous_hash, hash)
                    SELECT p_account, p_stream, sequence, type, at, actor, data, personal_sha256, previous_hash, hash
                    FROM unnest(p_sequences, p_types, p_times, p_actors, p_data, p_personal_sha256, p_previous_hashes, p_hashes)
                        AS row(sequence, type, at, actor, data, personal_sha256, previous_hash, hash)
                    RETURNING 1)
                INSERT INTO event_personal (account, stream, sequence, personal)
                SELECT p_account, p_stream, sequence, personal
                FROM unnest(p_personal_sequences, p_personal) AS row(sequence, personal);
            END IF;
            IF cardinality(p_job_ids) > 0 THEN
                INSERT INTO jobs (id, account, kind, envelope, payload, run_at, attempts, maximum_attempts, state)
                SELECT id, p_account, kind, envelope, payload, run_at, attempts, maximum_attempts, state
                FROM unnest(p_job_ids, p_job_kinds, p_job_envelopes, p_job_payloads, p_job_run_at, p_job_attempts,
                            p_job_maximum_attempts, p_job_states)
                    WITH ORDINALITY AS row(id, kind, envelope, payload, run_at, attempts, maximum_attempts, state, number)
                ORDER BY number;
            END IF;
            IF p_ledger_sequence IS NOT NULL THEN
                INSERT INTO ledger (account, sequence, envelope, envelope_head, envelope_events, at, previous_hash, hash)
                VALUES (p_account, p_ledger_sequence, p_ledger_envelope, p_ledger_envelope_head, p_ledger_envelope_events,
                        p_ledger_at, p_ledger_previous_hash, p_ledger_hash);
            END IF;
            IF p_deliveries IS NOT NULL THEN
                INSERT INTO webhook_deliveries (account, id, endpoint, message, type, stream, sequence, payload, state, attempts,
                                                created_at, next_attempt_at, last_error, replay_of, revision)
                SELECT p_account, id, endpoint, message, type, stream, sequence, decode(payload, 'base64'), state, attempts,
                       created_at, next_attempt_at, last_error, replay_of, 0
                FROM jsonb_to_recordset(p_deliveries) AS row(id text, endpoint text, message text, type text, stream text,
                    sequence bigint, payload text, state text, attempts bigint, created_at float8, next_attempt_at float8,
                    last_error text, replay_of text);
            END IF;
        END $$
        """

    /// Commits `change` with one call when it is of a kind the function makes; false when it
    /// must take the long way (the caller then commits it so). A ledger head another process
    /// moved on comes back with the refusal: the entry is chained onto it and the call made again
    /// (at most `ledgerAttempts` calls), so sealing processes that share an account do not each
    /// fall back to the long way whenever another one completed an envelope.
    static func commit(_ change: StoreChange, in store: PostgresWorkflowStore) async throws -> Bool {
        guard store.configuration.commitsInOneStatement else { return false }
        let account = change.account, memory = store.accountMemory, logger = store.logger
        for _ in 0..<ledgerAttempts {
            guard let prepared = try call(for: change, endpoints: memory.endpoints(account: account),
                                          ledgerHead: memory.ledgerHead(account: account)) else { return false }
            do {
                _ = try await store.lease.withConnection { connection in
                    try await PostgresWorkflowStore.count(connection, prepared.call, logger: logger)
                }
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == staleMemory {
                guard let head = storedLedgerHead(error.serverInfo?[.detail]) else {
                    memory.forget(account: account)
                    return false
                }
                memory.remember(ledgerHead: head, account: account)
                continue
            } catch {
                throw PostgresWorkflowStore.mapped(error, what: "committing a change to account \(account)", place: store.configuration.place)
            }
            // Remembered after the commit: a refused call leaves the rows as they were.
            if let envelope = change.envelope, let text = prepared.envelopeText { store.envelopeCache.remember(envelope, text: text) }
            if let entry = prepared.ledgerEntry { memory.remember(ledgerHead: (entry.sequence, entry.hash), account: account) }
            return true
        }
        return false
    }

    /// Calls a completion makes before taking the long way when the ledger keeps moving on.
    static let ledgerAttempts = 3

    /// The ledger head a `CS412` refusal names in its detail (`ledger head <sequence> <hash>`);
    /// nil for an empty ledger, or a refusal for the endpoints.
    static func storedLedgerHead(_ detail: String?) -> (sequence: Int, hash: String)? {
        guard let parts = detail?.split(separator: " "), parts.count == 4, parts[0] == "ledger", parts[1] == "head",
              let sequence = Int(parts[2]), sequence > 0, parts[3].count == 64 else { return nil }
        return (sequence, String(parts[3]))
    }

    /// The call, prepared once per connection like the store's other statements.
    struct Call: PreparedStoreStatement {
        static let sql = """
            SELECT countersign_commit($1::text, $2::text, $3::text, $4::text, $5::text, $6::bigint, $7::float8, $8::text,
                $9::boolean, $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                $16::text, $17::bigint, $18::text,
                $19::bigint[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[], $25::text[], $26::text[],
                $27::bigint[], $28::text[],
                $29::text[], $30::text[], $31::text[], $32::bytea[], $33::float8[], $34::bigint[], $35::bigint[], $36::text[],
                $37::bigint, $38::text, $39::text, $40::bigint, $41::text, $42::text, $43::text, $44::text::jsonb)
            """
        let bindings: PostgresBindings
    }

    /// The call's parameters for `change`, or nil when the change takes the long way. `endpoints`
    /// and `ledgerHead`: the account's as this process last read or stored them (nil: unknown).
    static func call(for change: StoreChange, endpoints known: KnownEndpoints?,
                     ledgerHead: (sequence: Int, hash: String)?) throws -> (call: Call, envelopeText: String?, ledgerEntry: LedgerEntry?)? {
        guard change.templateVersion == nil, change.clauseVersion == nil, change.purgePersonalData.isEmpty,
              change.webhookEndpoint == nil, change.webhookAttempts.isEmpty, change.webhookDeliveries.allSatisfy({ $0.revision == 0 }),
              change.finishedJobs.count <= 1,
              change.jobs.allSatisfy({ $0.lastError == nil }) else { return nil }
        var change = change
        var endpointsFingerprint: String?
        if change.webhookOutbox != nil {
            guard let known else { return nil }
            change = change.withWebhookOutbox(endpoints: known.endpoints)
            endpointsFingerprint = known.fingerprint
        }
        let account = change.account
        var ledgerEntry = change.ledgerEntry
        if let append = change.ledgerAppend {
            guard ledgerEntry == nil, let ledgerHead else { return nil }
            ledgerEntry = append.entry(account: account, after: ledgerHead)
        }
        if let ledgerEntry, ledgerEntry.account != account || ledgerEntry.hash != ledgerEntry.computedHash { return nil }
        let stream = change.events.first?.stream ?? ""
        guard change.events.allSatisfy({ $0.stream == stream }) else { return nil }
        for job in change.jobs where job.account != account {
            throw WorkflowError(.invalidRequest, "job \(job.id) belongs to another account")
        }
        for delivery in change.webhookDeliveries where delivery.account != account {
            throw WorkflowError(.invalidRequest, "webhook delivery \(delivery.id) belongs to another account")
        }
        let deliveries = try NewDelivery.json(change.webhookDeliveries)
        let head = try chainHead(of: change.events, account: account)
        var text: String?
        var writes: EnvelopeIndexWrites?
        if let envelope = change.envelope {
            guard envelope.account == account else {
                throw WorkflowError(.invalidRequest, "envelope \(envelope.id) belongs to another account")
            }
            text = try RowJSON.encode(envelope)
            writes = EnvelopeIndexWrites(envelope: envelope, previous: change.previousEnvelope)
        }
        let events = change.events, jobs = change.jobs, envelope = change.envelope
        let personal = events.compactMap { event in event.personal.map { (sequence: event.sequence, data: $0) } }
        let bindings = Bindings {
            $0.add(account); $0.add(change.finishedJobs.first); $0.add(endpointsFingerprint)
            $0.add(envelope?.id); $0.add(envelope?.state.rawValue); $0.add(envelope?.revision)
            $0.add(envelope.map { PostgresWorkflowStore.seconds($0.createdAt) }); $0.add(text)
            $0.add(writes?.deleteAll ?? false); $0.add(writes?.deletedMetadataKeys ?? [])
            $0.add(writes?.insertedMetadata.map(\.key) ?? []); $0.add(writes?.insertedMetadata.map(\.value) ?? [])
            $0.add(writes?.deletedTokenHashes ?? []); $0.add(writes?.insertedTokens.map(\.tokenHash) ?? [])
            $0.add(writes?.insertedTokens.map(\.recipient) ?? [])
            $0.add(stream); $0.add(head.sequence); $0.add(head.hash)
            $0.add(events.map(\.sequence)); $0.add(events.map(\.type)); $0.add(events.map { PostgresWorkflowStore.iso($0.at) })
            $0.add(events.map(\.actor.storedJSON)); $0.add(events.map { StringMapJSON.encode($0.data) })
            $0.add(events.map(\.personalSHA256)); $0.add(events.map(\.previousHash)); $0.add(events.map(\.hash))
            $0.add(personal.map(\.sequence)); $0.add(personal.map { StringMapJSON.encode($0.data) })
            $0.add(jobs.map(\.id)); $0.add(jobs.map(\.kind.rawValue)); $0.add(jobs.map(\.envelope))
            $0.add(jobs.map { ByteBuffer(bytes: $0.payload) }); $0.add(jobs.map { PostgresWorkflowStore.seconds($0.runAt) })
            $0.add(jobs.map(\.attempts)); $0.add(jobs.map(\.maximumAttempts)); $0.add(jobs.map(\.state.rawValue))
            $0.add(ledgerEntry?.sequence); $0.add(ledgerEntry?.envelope); $0.add(ledgerEntry?.envelopeHead)
            $0.add(ledgerEntry?.envelopeEvents); $0.add(ledgerEntry.map { PostgresWorkflowStore.iso($0.at) })
            $0.add(ledgerEntry?.previousHash); $0.add(ledgerEntry?.hash); $0.add(deliveries)
        }.value
        return (Call(bindings: bindings), text, ledgerEntry)
    }

    /// A new webhook delivery's columns, for `jsonb_to_recordset` (arrays hold no NULLs; the
    /// payload in Base64, as `JSONEncoder` writes `Data`).
    struct NewDelivery: Encodable {
        var id, endpoint, message, type, stream: String
        var sequence: Int
        var payload: Data
        var state: String
        var attempts: Int
        var created_at: Double
        var next_attempt_at: Double?
        var last_error, replay_of: String?

        /// The JSON array of `deliveries`, or nil for none.
        static func json(_ deliveries: [WebhookDelivery]) throws -> String? {
            guard !deliveries.isEmpty else { return nil }
            return try PostgresWorkflowStore.encode(deliveries.map {
                NewDelivery(id: $0.id, endpoint: $0.endpoint, message: $0.message, type: $0.type, stream: $0.stream,
                            sequence: $0.sequence, payload: $0.payload, state: $0.state.rawValue, attempts: $0.attempts,
                            created_at: PostgresWorkflowStore.seconds($0.createdAt),
                            next_attempt_at: $0.nextAttemptAt.map(PostgresWorkflowStore.seconds),
                            last_error: $0.lastError, replay_of: $0.replayOf)
            })
        }
    }

    /// The stored head the events of one stream must follow — the sequence before the first and
    /// the hash it names — after checking that they follow each other and carry their own hashes.
    static func chainHead(of events: [WorkflowEvent], account: String) throws -> (sequence: Int, hash: String) {
        guard let first = events.first else { return (0, WorkflowEvent.genesis) }
        var previous: WorkflowEvent?
        for event in events {
            guard event.account == account else {
                throw WorkflowError(.invalidRequest, "event \(event.sequence) of \(event.stream) belongs to another account than the change's")
            }
            if let previous, event.sequence != previous.sequence + 1 || event.previousHash != previous.hash {
                throw WorkflowError(.conflict, "event \(event.sequence) of \(event.stream) does not follow event \(previous.sequence) of the same change")
            }
            guard event.hash == event.computedHash else {
                throw WorkflowError(.evidence, "event \(event.sequence) of \(event.stream) carries a hash that is not its own")
            }
            previous = event
        }
        if first.sequence == 1, first.previousHash != WorkflowEvent.genesis {
            throw WorkflowError(.conflict, "event 1 of \(first.stream) does not follow the stored head (0); read the envelope again and retry")
        }
        return (first.sequence - 1, first.previousHash)
    }

    /// An account's webhook endpoints as this process last read them in a commit, and their
    /// fingerprint (`id:revision`, by id, space-separated), which the function compares with the
    /// stored endpoints': every change to an endpoint raises its revision.
    struct KnownEndpoints: Sendable {
        var endpoints: [WebhookEndpoint]
        var fingerprint: String

        init(_ endpoints: [WebhookEndpoint]) {
            self.endpoints = endpoints
            fingerprint = endpoints.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
                .map { "\($0.id):\($0.revision)" }.joined(separator: " ")
        }
    }

    /// What this process last read or stored of each account: its webhook endpoints and its
    /// ledger's head (bounded: emptied when it holds too many accounts). The function checks
    /// both against the stored rows, so a stale memory costs a fall back, never a wrong commit.
    final class AccountMemory: Sendable {
        private struct Known {
            var endpoints: KnownEndpoints?
            var ledgerHead: (sequence: Int, hash: String)?
        }
        private let known = Mutex<[String: Known]>([:])
        static let capacity = 10_000

        func endpoints(account: String) -> KnownEndpoints? { known.withLock { $0[account]?.endpoints } }

        func ledgerHead(account: String) -> (sequence: Int, hash: String)? { known.withLock { $0[account]?.ledgerHead } }

        func remember(_ endpoints: [WebhookEndpoint], account: String) {
            let entry = KnownEndpoints(endpoints)
            update(account) { $0.endpoints = entry }
        }

        func remember(ledgerHead: (sequence: Int, hash: String), account: String) {
            update(account) { $0.ledgerHead = ledgerHead }
        }

        func forget(account: String) { _ = known.withLock { $0.removeValue(forKey: account) } }

        private func update(_ account: String, _ change: (inout Known) -> Void) {
            known.withLock {
                if $0.count >= Self.capacity, $0[account] == nil { $0.removeAll() }
                change(&$0[account, default: Known()])
            }
        }
    }
}
