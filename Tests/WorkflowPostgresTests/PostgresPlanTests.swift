import Foundation
import Testing
import TestSupport
@testable import WorkflowPostgres
import Workflow

/// A prepared statement is soon run with one plan for any parameters (its generic plan, made
/// early in a connection's life), so a plan that is fine for the tables of that moment can read
/// a whole table later. Each prepared statement's generic plan is checked as
/// made on a database with thousands of rows in every table that grows with the envelopes, and
/// on a new, empty database: it must reach them through an index on the row's own key, never by
/// a sequential scan or through a secondary index such as `jobs_due` or `jobs_claim`, which hold
/// every pending job of every envelope.
@Suite(.postgresCluster) struct PostgresPlanTests {
    static let growingTables = ["envelopes", "envelope_metadata", "recipient_tokens", "events", "event_personal", "jobs", "ledger",
                                "documents"]

    static let secondaryIndexes = ["jobs_due", "jobs_claim", "jobs_envelope", "envelopes_state", "envelope_metadata_value",
                                   "recipient_tokens_envelope"]

    static let rows = """
        INSERT INTO accounts VALUES ('acme', 'Acme', 0);
        INSERT INTO envelopes SELECT 'acme', 'env_' || g, 'sent', 1, 0, '{}' FROM generate_series(1, 5000) g;
        INSERT INTO envelope_metadata SELECT 'acme', 'env_' || g, 'crm', 'deal_' || g FROM generate_series(1, 5000) g;
        INSERT INTO recipient_tokens SELECT md5(g::text), 'acme', 'env_' || g, 'signer' FROM generate_series(1, 5000) g;
        INSERT INTO events SELECT 'acme', 'env_' || g % 1000, g, 'noted', '2026-12-06T00:00:00Z', '{}', '{}', 'p', 'h' || g - 1, 'h' || g
            FROM generate_series(1, 5000) g;
        INSERT INTO event_personal SELECT 'acme', 'env_' || g % 1000, g, '{}' FROM generate_series(1, 5000) g;
        INSERT INTO jobs (id, account, kind, envelope, payload, run_at, attempts, maximum_attempts, state)
            SELECT 'job_' || g, 'acme', CASE WHEN g > 4000 THEN 'completion' ELSE 'email' END, 'env_' || g % 1000, '\\x00', g, 0, 5,
                   CASE WHEN g <= 4000 OR g % 2 = 0 THEN 'pending' ELSE 'done' END
            FROM generate_series(1, 5000) g;
        INSERT INTO ledger SELECT 'acme', g, 'env_' || g, 'h', 1, '2026-12-06T00:00:00Z', 'l' || g - 1, 'l' || g FROM generate_series(1, 5000) g;
        INSERT INTO documents SELECT encode(sha256(int4send(g)), 'hex'), int4send(g) FROM generate_series(1, 5000) g;
        ANALYZE;
        """

    /// A new database with the store's schema, empty or with thousands of rows in every growing table.
    static func database(filled: Bool) async throws -> String {
        if filled { return try await filledDatabase() }
        let database = try PostgresCluster.newDatabase()
        try await PostgresCluster.withStore(database: database) { _ in }
        return database
    }

    /// A new database with the store's schema and thousands of rows in every growing table.
    static func filledDatabase() async throws -> String {
        let database = try PostgresCluster.newDatabase()
        try await PostgresCluster.withStore(database: database) { _ in }
        let filled = try PostgresCluster.server.psql(Self.rows, database: database)
        try #require(filled.status == 0, "psql said: \(filled.stderr)")
        return database
    }

    /// The worker's claim (docs/workflow.md) with 4 000 e-mails, a kind it does not run, due
    /// before the completions: each wanted kind is one range of `jobs_claim`, never a walk of
    /// every due job in time order.
    @Test func theClaimReadsEachWantedKindThroughItsIndex() async throws {
        let database = try await Self.filledDatabase()
        let statement = try #require(try PostgresDocumentationTests.blocks("sql").first)
        let sql = statement
            .replacingOccurrences(of: "$now", with: "100000").replacingOccurrences(of: "$lease", with: "60")
            .replacingOccurrences(of: "$worker", with: "'plan'").replacingOccurrences(of: "$limit", with: "2")
            .replacingOccurrences(of: "$kinds", with: "ARRAY['completion', 'reminder']")
            .replacingOccurrences(of: "RETURNING …", with: "RETURNING jobs.id")
        let plan = try PostgresCluster.server.psql("EXPLAIN \(sql)", database: database)
        try #require(plan.status == 0, "psql said \(plan.stderr)")
        #expect(plan.stdout.contains(" jobs_claim "), "\(plan.stdout)")
        #expect(!plan.stdout.contains(" jobs_due ") && !plan.stdout.contains("Seq Scan on jobs "), "\(plan.stdout)")
    }

    /// A connection plans each statement on its first run, which in a new database is a run on
    /// empty tables, and keeps that plan while they grow; so the plan made on empty tables (no
    /// statistics, every index as cheap as another) is checked as well as the one made on full
    /// ones.
    @Test(arguments: [false, true])
    func everyPreparedStatementHasAGenericPlanThatUsesTheKeys(filled: Bool) async throws {
        let database = try await Self.database(filled: filled)
        #expect(preparedStatements.count >= 15)
        for statement in preparedStatements {
            let sql = statement.sql
            let parameters = Set(sql.matches(of: /\$(\d+)/).compactMap { Int($0.1) }).count
            let arguments = Array(repeating: "NULL", count: parameters).joined(separator: ", ")
            let plan = try PostgresCluster.server.psql("""
                SET plan_cache_mode = force_generic_plan;
                PREPARE statement AS \(sql);
                EXPLAIN EXECUTE statement\(parameters == 0 ? "" : "(\(arguments))");
                """, database: database)
            try #require(plan.status == 0, "\(statement.name): psql said \(plan.stderr)")
            for table in Self.growingTables {
                #expect(!plan.stdout.contains("Seq Scan on \(table) "), "\(statement.name) reads all of \(table):\n\(plan.stdout)")
            }
            // A secondary index holds many rows per key (every pending job, an envelope's jobs,
            // an account's envelopes in a state): only the statement that lists by it uses it.
            let expected = statement == ReadStatements.JobsOfEnvelope.self ? ["jobs_envelope"] : []
            for index in Self.secondaryIndexes where !expected.contains(index) {
                #expect(!plan.stdout.contains(" \(index) "), "\(statement.name) reads through \(index):\n\(plan.stdout)")
            }
        }
    }

    /// The commit function's statements (`OneStatementCommit`) are planned like prepared ones
    /// and kept: each one's generic plan, shown by auto_explain for every statement the function
    /// runs, must reach the growing tables through their keys too, on a new database and on a
    /// filled one.
    @Test(arguments: [false, true])
    func theCommitFunctionsStatementsUseTheKeys(filled: Bool) async throws {
        let database = try await Self.database(filled: filled)
        if !filled {
            let seeded = try PostgresCluster.server.psql("""
                INSERT INTO accounts VALUES ('acme', 'Acme', 0);
                INSERT INTO envelopes VALUES ('acme', 'env_1', 'sent', 1, 0, '{}');
                INSERT INTO jobs (id, account, kind, envelope, payload, run_at, attempts, maximum_attempts, state)
                    VALUES ('job_4002', 'acme', 'completion', 'env_1', '\\x00', 0, 0, 5, 'pending');
                """, database: database)
            try #require(seeded.status == 0, "psql said: \(seeded.stderr)")
        }
        // Every branch of the function runs: a finished job, the endpoints' check, the envelope's
        // update with all of its index rows, events and their personal data, a job, a ledger entry and
        // a webhook delivery.
        let run = try PostgresCluster.server.psql("""
            SET plan_cache_mode = force_generic_plan;
            LOAD 'auto_explain';
            SET auto_explain.log_min_duration = 0;
            SET auto_explain.log_nested_statements = on;
            SET auto_explain.log_level = notice;
            SELECT countersign_commit('acme', 'job_4002', '', 'env_1', 'sent', 2, 0, '{}', true, '{crm}', '{crm}', '{deal}',
                '{t1}', '{t2}', '{signer}', 'env_new', 0, 'h0', '{1}', '{noted}', '{2026-12-06T00:00:00Z}', '{"{}"}', '{"{}"}',
                '{p}', '{h0}', '{h1}', '{1}', '{"{}"}', '{job_new}', '{email}', '{env_1}', '{"\\\\x00"}', '{0}', '{0}', '{5}', '{pending}',
                \(filled ? 5001 : 1), 'env_1', 'h1', 1, '2026-12-06T00:00:00Z', '\(filled ? "l5000" : WorkflowEvent.genesis)', 'l',
                '[{"id": "whd_1", "endpoint": "whe_1", "message": "msg_1", "type": "envelope.sent", "stream": "env_1",
                   "sequence": 1, "payload": "AA==", "state": "pending", "attempts": 0, "created_at": 0}]');
            """, database: database)
        try #require(run.status == 0, "psql said: \(run.stderr)")
        let plans = run.stderr.components(separatedBy: "Query Text:").dropFirst()
        #expect(plans.count > 10, "auto_explain showed the function's statements:\n\(run.stderr)")
        for plan in plans where !plan.contains("countersign_commit(") {
            for table in Self.growingTables {
                #expect(!plan.contains("Seq Scan on \(table) "), "the commit function reads all of \(table):\n\(plan)")
            }
            // Deleting an envelope's signing links finds them by envelope: few rows, its own index.
            let expected = plan.contains("DELETE FROM recipient_tokens") ? ["recipient_tokens_envelope"] : []
            for index in Self.secondaryIndexes where !expected.contains(index) {
                #expect(!plan.contains(" \(index) "), "the commit function reads through \(index):\n\(plan)")
            }
        }
    }
}
