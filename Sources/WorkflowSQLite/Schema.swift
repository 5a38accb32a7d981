import GRDB

/// The versioned schema of the SQLite store (docs/workflow.md, "Store schema", is the reference
/// the PostgreSQL store mirrors).
enum Schema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1-workflow") { db in
            try db.execute(sql: """
                CREATE TABLE accounts (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at REAL NOT NULL);
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY, account TEXT NOT NULL REFERENCES accounts(id), role TEXT NOT NULL,
                    name TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE, created_at REAL NOT NULL, revoked_at REAL);
                CREATE TABLE envelopes (
                    account TEXT NOT NULL REFERENCES accounts(id), id TEXT NOT NULL, state TEXT NOT NULL,
                    revision INTEGER NOT NULL, created_at REAL NOT NULL, body TEXT NOT NULL,
                    PRIMARY KEY (account, id));
                CREATE INDEX envelopes_state ON envelopes(account, state, id);
                CREATE TABLE envelope_metadata (
                    account TEXT NOT NULL, envelope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                    PRIMARY KEY (account, envelope, key));
                CREATE INDEX envelope_metadata_value ON envelope_metadata(account, key, value);
                CREATE TABLE recipient_tokens (
                    token_hash TEXT PRIMARY KEY, account TEXT NOT NULL, envelope TEXT NOT NULL, recipient TEXT NOT NULL);
                CREATE TABLE template_versions (
                    account TEXT NOT NULL REFERENCES accounts(id), template_id TEXT NOT NULL, version TEXT NOT NULL,
                    state TEXT NOT NULL, revision INTEGER NOT NULL, body TEXT NOT NULL,
                    PRIMARY KEY (account, template_id, version));
                CREATE TABLE clause_versions (
                    account TEXT NOT NULL REFERENCES accounts(id), clause_id TEXT NOT NULL, version TEXT NOT NULL,
                    state TEXT NOT NULL, revision INTEGER NOT NULL, body TEXT NOT NULL,
                    PRIMARY KEY (account, clause_id, version));
                CREATE TABLE events (
                    account TEXT NOT NULL, stream TEXT NOT NULL, sequence INTEGER NOT NULL, type TEXT NOT NULL,
                    at TEXT NOT NULL, actor TEXT NOT NULL, data TEXT NOT NULL, personal_sha256 TEXT NOT NULL,
                    previous_hash TEXT NOT NULL, hash TEXT NOT NULL,
                    PRIMARY KEY (account, stream, sequence));
                CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
                    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
                CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
                    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
                CREATE TABLE event_personal (
                    account TEXT NOT NULL, stream TEXT NOT NULL, sequence INTEGER NOT NULL, personal TEXT NOT NULL,
                    PRIMARY KEY (account, stream, sequence));
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY, account TEXT NOT NULL, kind TEXT NOT NULL, envelope TEXT NOT NULL,
                    payload BLOB NOT NULL, run_at REAL NOT NULL, attempts INTEGER NOT NULL,
                    maximum_attempts INTEGER NOT NULL, state TEXT NOT NULL, last_error TEXT,
                    leased_until REAL, leased_by TEXT);
                CREATE INDEX jobs_due ON jobs(state, run_at);
                CREATE INDEX jobs_envelope ON jobs(account, envelope);
                CREATE TABLE ledger (
                    account TEXT NOT NULL, sequence INTEGER NOT NULL, envelope TEXT NOT NULL,
                    envelope_head TEXT NOT NULL, envelope_events INTEGER NOT NULL, at TEXT NOT NULL,
                    previous_hash TEXT NOT NULL, hash TEXT NOT NULL,
                    PRIMARY KEY (account, sequence));
                CREATE TRIGGER ledger_append_only_update BEFORE UPDATE ON ledger
                    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
                CREATE TRIGGER ledger_append_only_delete BEFORE DELETE ON ledger
                    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
                CREATE TABLE ledger_anchors (
                    account TEXT NOT NULL, sequence INTEGER NOT NULL, head TEXT NOT NULL, token BLOB NOT NULL,
                    at REAL NOT NULL, PRIMARY KEY (account, sequence));
                """)
        }
        // Claiming by kind (a worker without SMTP names every kind but e-mail): the due jobs of
        // each kind are one index range, however many e-mails wait for another worker.
        migrator.registerMigration("2-jobs-by-kind") { db in
            try db.execute(sql: "CREATE INDEX jobs_claim ON jobs(state, kind, run_at)")
        }
        migrator.registerMigration("3-webhooks") { db in
            try db.execute(sql: """
                CREATE TABLE webhook_endpoints (
                    account TEXT NOT NULL REFERENCES accounts(id), id TEXT NOT NULL, enabled INTEGER NOT NULL,
                    revision INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (account, id));
                CREATE TABLE webhook_deliveries (
                    account TEXT NOT NULL REFERENCES accounts(id), id TEXT NOT NULL, endpoint TEXT NOT NULL,
                    message TEXT NOT NULL, type TEXT NOT NULL, stream TEXT NOT NULL, sequence INTEGER NOT NULL,
                    payload BLOB NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, created_at REAL NOT NULL,
                    next_attempt_at REAL, last_error TEXT, replay_of TEXT, revision INTEGER NOT NULL,
                    PRIMARY KEY (account, id));
                CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(account, endpoint, id);
                CREATE INDEX webhook_deliveries_stream ON webhook_deliveries(account, stream, id);
                CREATE TABLE webhook_attempts (
                    account TEXT NOT NULL, delivery TEXT NOT NULL, number INTEGER NOT NULL, endpoint TEXT NOT NULL,
                    at REAL NOT NULL, status INTEGER, duration_ms INTEGER NOT NULL, response_excerpt TEXT NOT NULL,
                    error TEXT, PRIMARY KEY (account, delivery, number));
                CREATE INDEX webhook_attempts_endpoint ON webhook_attempts(account, endpoint, at);
                """)
        }
        ServiceSchema.register(&migrator)
        // Found by QueryPlanTests. Every envelope write replaces the envelope's tokens: without
        // the first index that DELETE read every token of every envelope, so each commit slowed
        // as the store grew (PostgreSQL's schema always had it). Listing an account's keys read
        // every account's keys.
        migrator.registerMigration("5-indexes-for-growing-tables") { db in
            try db.execute(sql: """
                CREATE INDEX recipient_tokens_envelope ON recipient_tokens(account, envelope);
                CREATE INDEX api_keys_account ON api_keys(account, id);
                """)
        }
        // Documents are shared by every envelope that stores the same bytes; a purge deletes
        // them only when no envelope holds them any more (`SQLiteDocumentStore`). The holds of
        // the envelopes stored so far are read from their records.
        migrator.registerMigration("6-document-holders") { db in
            try db.execute(sql: """
                CREATE TABLE document_holders (
                    sha256 TEXT NOT NULL, account TEXT NOT NULL, envelope TEXT NOT NULL,
                    PRIMARY KEY (sha256, account, envelope)) WITHOUT ROWID;
                INSERT OR IGNORE INTO document_holders (sha256, account, envelope)
                SELECT held.sha256, held.account, held.id FROM (
                    SELECT json_extract(d.value, '$.sentSHA256') AS sha256, e.account, e.id, json_extract(d.value, '$.purged') AS purged
                    FROM envelopes e, json_each(e.body, '$.documents') d
                    UNION ALL
                    SELECT json_extract(d.value, '$.sealedSHA256'), e.account, e.id, json_extract(d.value, '$.purged')
                    FROM envelopes e, json_each(e.body, '$.documents') d) AS held
                WHERE held.sha256 IS NOT NULL AND coalesce(held.purged, 0) = 0;
                """)
        }
        return migrator
    }
}
