import PostgresNIO
import Workflow

/// The versioned schema of the PostgreSQL store: the SQLite store's tables (docs/workflow.md,
/// "Store schema") in PostgreSQL types, plus the documents table. Each migration runs once, in
/// its own transaction, recorded in `schema_migrations`; an advisory lock serialises processes
/// that start together.
enum PostgresSchema {
    struct Migration {
        let version: Int
        let name: String
        let statements: [String]
    }

    /// The lock key every migrating process takes (`pg_advisory_xact_lock`).
    static let lockKey = 0x436f_756e_7465_72  // "Counter"

    static let migrations: [Migration] = [
        Migration(version: 1, name: "workflow", statements: [
            """
            CREATE TABLE accounts (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL)
            """,
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY, account TEXT NOT NULL REFERENCES accounts(id), role TEXT NOT NULL,
                name TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE, created_at DOUBLE PRECISION NOT NULL,
                revoked_at DOUBLE PRECISION)
            """,
            """
            CREATE TABLE envelopes (
                account TEXT NOT NULL REFERENCES accounts(id), id TEXT NOT NULL, state TEXT NOT NULL,
                revision BIGINT NOT NULL, created_at DOUBLE PRECISION NOT NULL, body TEXT NOT NULL,
                PRIMARY KEY (account, id))
            """,
            "CREATE INDEX envelopes_state ON envelopes(account, state, id)",
            """
            CREATE TABLE envelope_metadata (
                account TEXT NOT NULL, envelope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                PRIMARY KEY (account, envelope, key))
            """,
            "CREATE INDEX envelope_metadata_value ON envelope_metadata(account, key, value)",
            """
            CREATE TABLE recipient_tokens (
                token_hash TEXT PRIMARY KEY, account TEXT NOT NULL, envelope TEXT NOT NULL, recipient TEXT NOT NULL)
            """,
            "CREATE INDEX recipient_tokens_envelope ON recipient_tokens(account, envelope)",
            """
            CREATE TABLE template_versions (
                account TEXT NOT NULL REFERENCES accounts(id), template_id TEXT NOT NULL, version TEXT NOT NULL,
                state TEXT NOT NULL, revision BIGINT NOT NULL, body TEXT NOT NULL,
                PRIMARY KEY (account, template_id, version))
            """,
            """
            CREATE TABLE clause_versions (
                account TEXT NOT NULL REFERENCES accounts(id), clause_id TEXT NOT NULL, version TEXT NOT NULL,
                state TEXT NOT NULL, revision BIGINT NOT NULL, body TEXT NOT NULL,
                PRIMARY KEY (account, clause_id, version))
            """,
            """
            CREATE TABLE events (
                account TEXT NOT NULL, stream TEXT NOT NULL, sequence BIGINT NOT NULL, type TEXT NOT NULL,
                at TEXT NOT NULL, actor TEXT NOT NULL, data TEXT NOT NULL, personal_sha256 TEXT NOT NULL,
                previous_hash TEXT NOT NULL, hash TEXT NOT NULL,
                PRIMARY KEY (account, stream, sequence))
            """,
            """
            CREATE TABLE event_personal (
                account TEXT NOT NULL, stream TEXT NOT NULL, sequence BIGINT NOT NULL, personal TEXT NOT NULL,
                PRIMARY KEY (account, stream, sequence))
            """,
            """
            CREATE TABLE jobs (
                id TEXT PRIMARY KEY, account TEXT NOT NULL, kind TEXT NOT NULL, envelope TEXT NOT NULL,
                payload BYTEA NOT NULL, run_at DOUBLE PRECISION NOT NULL, attempts BIGINT NOT NULL,
                maximum_attempts BIGINT NOT NULL, state TEXT NOT NULL, last_error TEXT,
                leased_until DOUBLE PRECISION, leased_by TEXT,
                position BIGINT GENERATED ALWAYS AS IDENTITY)
            """,
            "CREATE INDEX jobs_due ON jobs(state, run_at)",
            "CREATE INDEX jobs_envelope ON jobs(account, envelope)",
            """
            CREATE TABLE ledger (
                account TEXT NOT NULL, sequence BIGINT NOT NULL, envelope TEXT NOT NULL,
                envelope_head TEXT NOT NULL, envelope_events BIGINT NOT NULL, at TEXT NOT NULL,
                previous_hash TEXT NOT NULL, hash TEXT NOT NULL,
                PRIMARY KEY (account, sequence))
            """,
            """
            CREATE TABLE ledger_anchors (
                account TEXT NOT NULL, sequence BIGINT NOT NULL, head TEXT NOT NULL, token BYTEA NOT NULL,
                at DOUBLE PRECISION NOT NULL, PRIMARY KEY (account, sequence))
            """,
            // Evidence is append-only whoever connects: one function refuses, triggers call it
            // for every row updated or deleted and for TRUNCATE.
            """
            CREATE FUNCTION refuse_evidence_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
            END $$
            """,
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION refuse_evidence_change()",
            "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION refuse_evidence_change()",
            "CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger FOR EACH ROW EXECUTE FUNCTION refuse_evidence_change()",
            "CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger FOR EACH STATEMENT EXECUTE FUNCTION refuse_evidence_change()",
            // Documents, content-addressed: the database itself checks that the key is the bytes' SHA-256.
            """
            CREATE TABLE documents (
                sha256 TEXT PRIMARY KEY, bytes BYTEA NOT NULL,
                CONSTRAINT documents_sha256_check CHECK (sha256 = encode(sha256(bytes), 'hex')))
            """,
        ]),
        // Claiming by kind (a worker without SMTP names every kind but e-mail): the due jobs of
        // each kind are one index range, however many e-mails wait for another worker.
        Migration(version: 2, name: "jobs-by-kind", statements: [
            "CREATE INDEX jobs_claim ON jobs(state, kind, run_at)",
        ]),
        // Webhook endpoints (a jsonb body with their secrets), the delivery outbox and the attempt log.
        Migration(version: 3, name: "webhooks", statements: [
            """
            CREATE TABLE webhook_endpoints (
                account TEXT NOT NULL REFERENCES accounts(id), id TEXT NOT NULL, enabled BOOLEAN NOT NULL,
                revision BIGINT NOT NULL, body JSONB NOT NULL, PRIMARY KEY (account, id))
            """,
            """
            CREATE TABLE webhook_deliveries (
                account TEXT NOT NULL REFERENCES accounts(id), id TEXT NOT NULL, endpoint TEXT NOT NULL,
                message TEXT NOT NULL, type TEXT NOT NULL, stream TEXT NOT NULL, sequence BIGINT NOT NULL,
                payload BYTEA NOT NULL, state TEXT NOT NULL, attempts BIGINT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
                next_attempt_at DOUBLE PRECISION, last_error TEXT, replay_of TEXT, revision BIGINT NOT NULL,
                PRIMARY KEY (account, id))
            """,
            "CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(account, endpoint, id)",
            "CREATE INDEX webhook_deliveries_stream ON webhook_deliveries(account, stream, id)",
            """
            CREATE TABLE webhook_attempts (
                account TEXT NOT NULL, delivery TEXT NOT NULL, number BIGINT NOT NULL, endpoint TEXT NOT NULL,
                at DOUBLE PRECISION NOT NULL, status INTEGER, duration_ms BIGINT NOT NULL, response_excerpt TEXT NOT NULL,
                error TEXT, PRIMARY KEY (account, delivery, number))
            """,
            "CREATE INDEX webhook_attempts_endpoint ON webhook_attempts(account, endpoint, at)",
        ]),
        // The service's records: idempotency keys, embedded signing links, bulk sends and their rows.
        Migration(version: 4, name: "service", statements: [
            """
            CREATE TABLE idempotency_keys (
                account TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, status INTEGER NOT NULL,
                headers JSONB NOT NULL, body BYTEA NOT NULL, created_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (account, key))
            """,
            "CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at)",
            """
            CREATE TABLE embedded_links (
                secret_hash TEXT PRIMARY KEY, account TEXT NOT NULL, envelope TEXT NOT NULL, recipient TEXT NOT NULL,
                created_by TEXT NOT NULL, expires_at DOUBLE PRECISION NOT NULL, used_at DOUBLE PRECISION)
            """,
            """
            CREATE TABLE bulk_sends (
                account TEXT NOT NULL, id TEXT NOT NULL, spec JSONB NOT NULL, created_at DOUBLE PRECISION NOT NULL,
                created_by TEXT NOT NULL, PRIMARY KEY (account, id))
            """,
            """
            CREATE TABLE bulk_rows (
                account TEXT NOT NULL, bulk TEXT NOT NULL, sequence BIGINT NOT NULL, key TEXT NOT NULL, row_values JSONB NOT NULL,
                state TEXT NOT NULL, envelope TEXT, error TEXT, lease_until DOUBLE PRECISION,
                PRIMARY KEY (account, bulk, sequence), UNIQUE (account, bulk, key))
            """,
            "CREATE INDEX bulk_rows_state ON bulk_rows(account, bulk, state, sequence)",
        ]),
        // Listing an account's keys read every account's keys (QueryPlanTests found it in SQLite).
        Migration(version: 5, name: "keys-by-account", statements: [
            "CREATE INDEX api_keys_account ON api_keys(account, id)",
        ]),
        // PDFs are compressed already: PostgreSQL's pglz tried each one (about 100 KB, twice an
        // envelope) before storing it as it was, a tenth of the server's CPU in the workflow
        // benchmark. Stored out of line, uncompressed, from now on.
        Migration(version: 6, name: "documents-uncompressed", statements: [
            "ALTER TABLE documents ALTER COLUMN bytes SET STORAGE EXTERNAL",
        ]),
        // Most commits as one statement, one round trip (`OneStatementCommit`).
        Migration(version: 7, name: "commit-function", statements: [OneStatementCommit.function]),
        // An envelope's row (a few kilobytes of JSON, rewritten by most commits) went through
        // pglz on every update (2 % of all CPU in the workflow benchmark, docs/performance.md):
        // rows up to a page are now stored as they are.
        Migration(version: 8, name: "envelopes-uncompressed", statements: [
            "ALTER TABLE envelopes SET (toast_tuple_target = 8160)",
        ]),
        // A job due now, inserted by any process, wakes the workers listening on the channel
        // (`PostgresWorkflowStore.listenForQueuedJobs`); one notification a transaction, as
        // PostgreSQL folds identical ones. Jobs due later wait for the workers' polls.
        Migration(version: 9, name: "jobs-queued-notify", statements: [
            """
            CREATE FUNCTION countersign_jobs_queued() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(PostgresWorkflowStore.queuedJobsChannel)', '');
                RETURN NULL;
            END $$
            """,
            """
            CREATE TRIGGER jobs_queued AFTER INSERT ON jobs FOR EACH ROW
                WHEN (NEW.state = 'pending' AND NEW.run_at <= extract(epoch FROM clock_timestamp()) + 5)
                EXECUTE FUNCTION countersign_jobs_queued()
            """,
        ]),
        // Documents are shared by every envelope that stores the same bytes; a purge deletes
        // them only when no envelope holds them any more (`DocumentStore.release`). The holds of
        // the envelopes stored so far are read from their records.
        Migration(version: 10, name: "document-holders", statements: [
            """
            CREATE TABLE document_holders (
                sha256 TEXT NOT NULL, account TEXT NOT NULL, envelope TEXT NOT NULL,
                PRIMARY KEY (sha256, account, envelope))
            """,
            """
            INSERT INTO document_holders (sha256, account, envelope)
            SELECT DISTINCT held.sha256, e.account, e.id
            FROM envelopes e, jsonb_array_elements(e.body::jsonb -> 'documents') AS d,
                 LATERAL (VALUES (d ->> 'sentSHA256'), (d ->> 'sealedSHA256')) AS held(sha256)
            WHERE held.sha256 IS NOT NULL AND NOT coalesce((d ->> 'purged')::boolean, false)
            """,
            DocumentStatements.putFunction, DocumentStatements.releaseFunction,
        ]),
    ]

    /// Applies every migration the database has not recorded, in order.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        do {
            try await migrateInTransaction(connection, logger: logger)
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }

    private static func migrateInTransaction(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger)
            let applied = Set(try await PostgresWorkflowStore.column(connection, "SELECT version FROM schema_migrations", logger: logger,
                                                                  as: Int.self))
            if let newest = applied.max(), newest > (migrations.map(\.version).max() ?? 0) {
                throw WorkflowError(.store, "the database's schema is version \(newest), newer than this program knows; upgrade countersign")
            }
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("""
                    INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))
                    """, logger: logger)
            }
        }
    }
}
