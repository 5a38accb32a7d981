import PostgresNIO
import Workflow

/// A statement the store runs for every envelope, sent as a named prepared statement.
///
/// An unnamed query (`connection.query`) is parsed, analysed and planned by the server every
/// time it runs; in the workflow benchmark that was a seventh of all CPU on the machine
/// (docs/performance.md, session 13). PostgresNIO prepares a named statement on a connection
/// the first time it runs there (the name is the Swift type's) and afterwards sends only its
/// parameters; the server keeps the parse tree and one generic plan (below).
///
/// Each statement is a type holding its parameters in the order of `$1`, `$2`, …. Every
/// parameter's type is fixed in the SQL (a column it is compared with or an explicit cast), so
/// the server infers what PostgresNIO sends: `String` as text, `Int` as bigint, `Double` as
/// double precision, arrays as the matching array type.
///
/// The server plans a prepared statement's first five runs for their values and then keeps its
/// generic plan, made for any parameters, unless plans for the values keep looking cheaper. So
/// every statement here must have a generic plan as good as any — made on empty tables (a new
/// database's first runs) or on large ones, `PostgresPlanTests` checks both — and a statement
/// whose best plan depends on its values stays an unnamed query. (`plan_cache_mode =
/// force_generic_plan` for the store's connections was tried and dropped: the server applies it
/// to unnamed statements too, and the service benchmark's sending phase took 58.7 s instead of
/// 7.8 s.)
protocol PreparedStoreStatement: PostgresPreparedStatement where Row == PostgresRow {
    var bindings: PostgresBindings { get }
}

extension PreparedStoreStatement {
    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

extension PostgresWorkflowStore {
    /// Every row of a prepared statement, for reading its columns by name (`value(_:)`).
    static func rows(_ connection: PostgresConnection, _ statement: some PreparedStoreStatement,
                     logger: Logger) async throws -> [PostgresRandomAccessRow] {
        var rows: [PostgresRandomAccessRow] = []
        for try await row in try await connection.execute(statement, logger: logger) { rows.append(row.makeRandomAccess()) }
        return rows
    }

    /// How many rows a prepared statement returned (`RETURNING 1` counts the rows it touched).
    static func count(_ connection: PostgresConnection, _ statement: some PreparedStoreStatement,
                      logger: Logger) async throws -> Int {
        var count = 0
        for try await _ in try await connection.execute(statement, logger: logger) { count += 1 }
        return count
    }
}

/// Every prepared statement of the store (`PostgresPlanTests` checks each one's generic plan).
let preparedStatements: [any PreparedStoreStatement.Type] = [
    CommitStatements.Opening.self, CommitStatements.InsertEnvelope.self, CommitStatements.UpdateEnvelope.self,
    CommitStatements.InsertMetadata.self, CommitStatements.InsertTokens.self, CommitStatements.AppendEvents.self,
    CommitStatements.InsertJobs.self, CommitStatements.InsertJob.self, CommitStatements.AppendLedger.self,
    ReadStatements.EnvelopeByID.self, ReadStatements.EnvelopeByToken.self, ReadStatements.TemplateVersionByID.self,
    ReadStatements.EventsOfStream.self, ReadStatements.JobsOfEnvelope.self, ReadStatements.LedgerHead.self,
    DocumentStatements.Put.self, DocumentStatements.Get.self, OneStatementCommit.Call.self,
]

/// Builds a statement's bindings in parameter order.
struct Bindings {
    private(set) var value = PostgresBindings()

    init(_ build: (inout Bindings) -> Void) { build(&self) }

    mutating func add<Value: PostgresDynamicTypeEncodable>(_ parameter: Value) { value.append(parameter) }
    mutating func add<Value: PostgresDynamicTypeEncodable>(_ parameter: Value?) { value.append(parameter) }
}

/// The statements of `commit(_:)`.
enum CommitStatements {
    /// Checks the account, marks the first finished job done (it must still be pending), and reads
    /// the head of the first event stream, the account's webhook endpoints (when wanted) and the
    /// ledger's head (when wanted). One row.
    ///
    /// It marks at most one finished job (`id = $1`, NULL for none), found through the primary
    /// key only. Matching an array (`id = ANY($1)`, or a join with `unnest($1)`) leaves the row
    /// count to the table's statistics, and with statistics older than the table's growth the
    /// generic plan read every pending job through the state index on every commit (37 ms each
    /// after 6 000 envelopes). The account and state are tested as one `IS TRUE` condition,
    /// which no index can answer: written as plain `account = $2 AND state = 'pending'`, the
    /// generic plan made early in a new database, on a nearly empty table, chose `jobs_claim`
    /// for the state and kept reading every pending job as the table grew. More finished jobs are marked by a
    /// query planned for its values (`PostgresWorkflowStore.commit`).
    struct Opening: PreparedStoreStatement {
        static let sql = """
            WITH finished AS (
                UPDATE jobs SET state = 'done', leased_until = NULL
                WHERE id = $1::text AND (account = $2 AND state = 'pending') IS TRUE RETURNING id)
            SELECT EXISTS (SELECT 1 FROM accounts WHERE id = $2) AS account, head.sequence, head.hash,
                   ARRAY(SELECT id FROM finished) AS finished,
                   ARRAY(SELECT body::text FROM webhook_endpoints WHERE $4::boolean AND account = $2 ORDER BY id) AS endpoints,
                   ledger.sequence AS ledger_sequence, ledger.hash AS ledger_hash
            FROM (SELECT 1) AS one LEFT JOIN LATERAL (
                SELECT sequence, hash FROM events WHERE account = $2 AND stream = $3::text
                ORDER BY sequence DESC LIMIT 1) AS head ON true
            LEFT JOIN LATERAL (
                SELECT sequence, hash FROM ledger WHERE $5::boolean AND account = $2
                ORDER BY sequence DESC LIMIT 1) AS ledger ON true
            """
        let bindings: PostgresBindings
        init(finishedJob: String?, account: String, firstStream: String?, wantsEndpoints: Bool, wantsLedger: Bool) {
            bindings = Bindings {
                $0.add(finishedJob); $0.add(account); $0.add(firstStream); $0.add(wantsEndpoints); $0.add(wantsLedger)
            }.value
        }
    }

    /// A new envelope row (revision 0).
    struct InsertEnvelope: PreparedStoreStatement {
        static let sql = """
            INSERT INTO envelopes (account, id, state, revision, created_at, body) VALUES ($1, $2, $3, 0, $4, $5)
            """
        let bindings: PostgresBindings
        init(account: String, id: String, state: String, createdAt: Double, body: String) {
            bindings = Bindings { $0.add(account); $0.add(id); $0.add(state); $0.add(createdAt); $0.add(body) }.value
        }
    }

    /// The envelope row at `revision`, only if the stored row is at `revision - 1`
    /// (`RETURNING 1`: no row means someone changed it first).
    struct UpdateEnvelope: PreparedStoreStatement {
        static let sql = """
            UPDATE envelopes SET state = $3, revision = $4, body = $5
            WHERE account = $1 AND id = $2 AND revision = $4 - 1 RETURNING 1
            """
        let bindings: PostgresBindings
        init(account: String, id: String, state: String, revision: Int, body: String) {
            bindings = Bindings { $0.add(account); $0.add(id); $0.add(state); $0.add(revision); $0.add(body) }.value
        }
    }

    /// An envelope's new CRM metadata rows.
    struct InsertMetadata: PreparedStoreStatement {
        static let sql = """
            INSERT INTO envelope_metadata (account, envelope, key, value)
            SELECT $1, $2, key, value FROM unnest($3::text[], $4::text[]) AS row(key, value)
            """
        let bindings: PostgresBindings
        init(account: String, envelope: String, keys: [String], values: [String]) {
            bindings = Bindings { $0.add(account); $0.add(envelope); $0.add(keys); $0.add(values) }.value
        }
    }

    /// An envelope's new signing-link token hashes.
    struct InsertTokens: PreparedStoreStatement {
        static let sql = """
            INSERT INTO recipient_tokens (token_hash, account, envelope, recipient)
            SELECT token_hash, $1, $2, recipient FROM unnest($3::text[], $4::text[]) AS row(token_hash, recipient)
            """
        let bindings: PostgresBindings
        init(account: String, envelope: String, tokenHashes: [String], recipients: [String]) {
            bindings = Bindings { $0.add(account); $0.add(envelope); $0.add(tokenHashes); $0.add(recipients) }.value
        }
    }

    /// Events and their personal data in one statement (a data-modifying CTE, which PostgreSQL
    /// always runs to completion).
    struct AppendEvents: PreparedStoreStatement {
        static let sql = """
            WITH appended AS (
                INSERT INTO events (account, stream, sequence, type, at, actor, data, personal_sha256, previous_hash, hash)
                SELECT $1, stream, sequence, type, at, actor, data, personal_sha256, previous_hash, hash
                FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                            $10::text[])
                    AS row(stream, sequence, type, at, actor, data, personal_sha256, previous_hash, hash)
                RETURNING 1)
            INSERT INTO event_personal (account, stream, sequence, personal)
            SELECT $1, stream, sequence, personal
            FROM unnest($11::text[], $12::bigint[], $13::text[]) AS row(stream, sequence, personal)
            """
        let bindings: PostgresBindings
        init(account: String, streams: [String], sequences: [Int], types: [String], times: [String], actors: [String],
             data: [String], personalSHA256: [String], previousHashes: [String], hashes: [String],
             personalStreams: [String], personalSequences: [Int], personal: [String]) {
            bindings = Bindings {
                $0.add(account); $0.add(streams); $0.add(sequences); $0.add(types); $0.add(times); $0.add(actors); $0.add(data)
                $0.add(personalSHA256); $0.add(previousHashes); $0.add(hashes)
                $0.add(personalStreams); $0.add(personalSequences); $0.add(personal)
            }.value
        }
    }

    /// New jobs, in the order given (their `position` is the claim order).
    struct InsertJobs: PreparedStoreStatement {
        static let sql = """
            INSERT INTO jobs (id, account, kind, envelope, payload, run_at, attempts, maximum_attempts, state)
            SELECT id, account, kind, envelope, payload, run_at, attempts, maximum_attempts, state
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::float8[], $7::bigint[], $8::bigint[],
                        $9::text[])
                WITH ORDINALITY AS row(id, account, kind, envelope, payload, run_at, attempts, maximum_attempts, state, number)
            ORDER BY number
            """
        let bindings: PostgresBindings
        init(ids: [String], accounts: [String], kinds: [String], envelopes: [String], payloads: [ByteBuffer],
             runAt: [Double], attempts: [Int], maximumAttempts: [Int], states: [String]) {
            bindings = Bindings {
                $0.add(ids); $0.add(accounts); $0.add(kinds); $0.add(envelopes); $0.add(payloads); $0.add(runAt)
                $0.add(attempts); $0.add(maximumAttempts); $0.add(states)
            }.value
        }
    }

    /// One new job (it may carry an error, which the arrays of `InsertJobs` cannot hold as NULL).
    struct InsertJob: PreparedStoreStatement {
        static let sql = """
            INSERT INTO jobs (id, account, kind, envelope, payload, run_at, attempts, maximum_attempts, state, last_error)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """
        let bindings: PostgresBindings
        init(id: String, account: String, kind: String, envelope: String, payload: ByteBuffer, runAt: Double, attempts: Int,
             maximumAttempts: Int, state: String, lastError: String?) {
            bindings = Bindings {
                $0.add(id); $0.add(account); $0.add(kind); $0.add(envelope); $0.add(payload); $0.add(runAt); $0.add(attempts)
                $0.add(maximumAttempts); $0.add(state); $0.add(lastError)
            }.value
        }
    }

    /// One ledger entry.
    struct AppendLedger: PreparedStoreStatement {
        static let sql = """
            INSERT INTO ledger (account, sequence, envelope, envelope_head, envelope_events, at, previous_hash, hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """
        let bindings: PostgresBindings
        init(_ entry: LedgerEntryValues) {
            bindings = Bindings {
                $0.add(entry.account); $0.add(entry.sequence); $0.add(entry.envelope); $0.add(entry.envelopeHead)
                $0.add(entry.envelopeEvents); $0.add(entry.at); $0.add(entry.previousHash); $0.add(entry.hash)
            }.value
        }
    }

    /// A ledger entry's columns as stored (its time as ISO 8601 text).
    struct LedgerEntryValues {
        var account: String, sequence: Int, envelope: String, envelopeHead: String, envelopeEvents: Int, at: String
        var previousHash: String, hash: String
    }
}

/// The reads every envelope makes: its row (by id or by a signer's token), its template, its
/// events, its jobs and the ledger's head. (A worker's claim stays a query planned for its
/// values: a generic plan cannot know that `LIMIT $3` is small, and chose to read all of `jobs`.)
enum ReadStatements {
    struct EnvelopeByID: PreparedStoreStatement {
        static let sql = "SELECT body FROM envelopes WHERE account = $1 AND id = $2"
        let bindings: PostgresBindings
        init(account: String, id: String) { bindings = Bindings { $0.add(account); $0.add(id) }.value }
    }

    struct EnvelopeByToken: PreparedStoreStatement {
        static let sql = """
            SELECT t.account, t.envelope, t.recipient, e.body
            FROM recipient_tokens t JOIN envelopes e ON e.account = t.account AND e.id = t.envelope
            WHERE t.token_hash = $1
            """
        let bindings: PostgresBindings
        init(tokenHash: String) { bindings = Bindings { $0.add(tokenHash) }.value }
    }

    struct TemplateVersionByID: PreparedStoreStatement {
        static let sql = "SELECT body FROM template_versions WHERE account = $1 AND template_id = $2 AND version = $3"
        let bindings: PostgresBindings
        init(account: String, templateID: String, version: String) {
            bindings = Bindings { $0.add(account); $0.add(templateID); $0.add(version) }.value
        }
    }

    struct EventsOfStream: PreparedStoreStatement {
        static let sql = """
            SELECT e.account, e.stream, e.sequence, e.type, e.at, e.actor, e.data, p.personal, e.personal_sha256,
                   e.previous_hash, e.hash
            FROM events e LEFT JOIN event_personal p ON p.account = e.account AND p.stream = e.stream AND p.sequence = e.sequence
            WHERE e.account = $1 AND e.stream = $2 ORDER BY e.sequence
            """
        let bindings: PostgresBindings
        init(account: String, stream: String) { bindings = Bindings { $0.add(account); $0.add(stream) }.value }
    }

    /// The jobs of one kind for one envelope, in claim order (a signer's e-mails in the outbox).
    struct JobsOfEnvelope: PreparedStoreStatement {
        static let sql = """
            SELECT \(PostgresWorkflowStore.jobColumns) FROM jobs WHERE account = $1 AND envelope = $2 AND kind = $3 ORDER BY position
            """
        let bindings: PostgresBindings
        init(account: String, envelope: String, kind: String) {
            bindings = Bindings { $0.add(account); $0.add(envelope); $0.add(kind) }.value
        }
    }

    /// The account's last ledger entry.
    struct LedgerHead: PreparedStoreStatement {
        static let sql = """
            SELECT \(PostgresWorkflowStore.ledgerColumns) FROM ledger WHERE account = $1 ORDER BY sequence DESC LIMIT 1
            """
        let bindings: PostgresBindings
        init(account: String) { bindings = Bindings { $0.add(account) }.value }
    }
}

/// The document store's statements.
enum DocumentStatements {
    /// Stores a document and its holder in one transaction, under a shared advisory lock on the
    /// hash; `release` takes the same lock exclusively, so the two never interleave: a release
    /// either runs first (and a put after it stores the bytes again) or sees the new hold.
    /// Every statement of a PL/pgSQL function takes a fresh snapshot (READ COMMITTED), so the
    /// release's check reads every hold committed before it got the lock.
    static let putFunction = """
        CREATE FUNCTION countersign_put_document(p_sha256 text, p_bytes bytea, p_account text, p_envelope text)
        RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock_shared(hashtextextended(p_sha256, 0));
            INSERT INTO document_holders (sha256, account, envelope) VALUES (p_sha256, p_account, p_envelope)
                ON CONFLICT DO NOTHING;
            INSERT INTO documents (sha256, bytes) VALUES (p_sha256, p_bytes) ON CONFLICT (sha256) DO NOTHING;
        END $$
        """

    /// Ends one hold and deletes the bytes when none is left; true when deleted.
    static let releaseFunction = """
        CREATE FUNCTION countersign_release_document(p_sha256 text, p_account text, p_envelope text)
        RETURNS boolean LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtextextended(p_sha256, 0));
            DELETE FROM document_holders WHERE sha256 = p_sha256 AND account = p_account AND envelope = p_envelope;
            IF EXISTS (SELECT 1 FROM document_holders WHERE sha256 = p_sha256) THEN
                RETURN false;
            END IF;
            DELETE FROM documents WHERE sha256 = p_sha256;
            RETURN FOUND;
        END $$
        """

    struct Put: PreparedStoreStatement {
        static let sql = "SELECT countersign_put_document($1, $2, $3, $4)"
        let bindings: PostgresBindings
        init(sha256: String, bytes: ByteBuffer, holder: DocumentHolder) {
            bindings = Bindings { $0.add(sha256); $0.add(bytes); $0.add(holder.account); $0.add(holder.envelope) }.value
        }
    }

    struct Get: PreparedStoreStatement {
        static let sql = "SELECT bytes FROM documents WHERE sha256 = $1"
        let bindings: PostgresBindings
        init(sha256: String) { bindings = Bindings { $0.add(sha256) }.value }
    }
}

extension PostgresWorkflowStore {
    /// The statements prepared on one pooled connection and how often each ran there with its
    /// generic plan and with a plan made for the run's values (`pg_prepared_statements`). For
    /// tests, with a pool of one connection.
    func preparedStatementRuns() async throws -> [(name: String, generic: Int, custom: Int)] {
        try await run("listing prepared statements") { connection in
            try await Self.rows(connection, "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements",
                                logger: self.logger).map { (try $0.value("name"), try $0.value("generic_plans"), try $0.value("custom_plans")) }
        }
    }
}
