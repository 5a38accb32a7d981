import Foundation
import Testing
import TestSupport
import Workflow
import WorkflowPostgres

/// The examples of docs/workflow.md, "The PostgreSQL store", run against the test server.
@Suite(.postgresCluster) struct PostgresDocumentationTests {
    /// The fenced blocks with `language` in the section, in order.
    static func blocks(_ language: String) throws -> [String] {
        let text = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/workflow.md"), encoding: .utf8)
        guard let start = text.range(of: "### The PostgreSQL store") else { throw PostgresServerError(reason: "no PostgreSQL section") }
        let section = text[start.upperBound...].components(separatedBy: "\n## ").first ?? ""
        var blocks: [String] = []
        var current: [Substring]?
        for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```\(language)" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func theOpeningExampleReadsItsURLAndOpensAStore() async throws {
        let example = try #require(try Self.blocks("swift").first)
        let url = try #require(example.components(separatedBy: "url: \"").dropFirst().first?.components(separatedBy: "\"").first)
        let configuration = try PostgresStoreConfiguration(url: url)
        #expect(configuration == PostgresStoreConfiguration(endpoint: .tcp(host: "db.internal", port: 5432), username: "countersign",
                                                            password: "secret", database: "countersign"))
        // The same form of URL, pointed at the test server, opens a working store.
        let server = try PostgresCluster.server
        let database = try PostgresCluster.newDatabase()
        let store = try await PostgresWorkflowStore.open(
            try PostgresStoreConfiguration(url: "postgres://\(server.user):secret@127.0.0.1:\(server.port)/\(database)"))
        #expect(try await store.accounts().isEmpty)
        await store.close()
    }

    @Test func theClaimStatementClaimsOnlyDueUnleasedJobs() async throws {
        let statement = try #require(try Self.blocks("sql").first)
        let database = try PostgresCluster.newDatabase()
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        try await PostgresCluster.withStore(database: database) { store in
            try await store.createAccount(Account(id: "acme", name: "Acme", createdAt: now), firstKey: APIKeyRecord(
                id: "key_1", account: "acme", role: .admin, name: "k", secretHash: String(repeating: "a", count: 64), createdAt: now))
            try await store.commit(StoreChange(account: "acme", jobs: [
                Job(id: "job_due", account: "acme", kind: .email, envelope: "", runAt: now),
                Job(id: "job_later", account: "acme", kind: .email, envelope: "", runAt: now.addingTimeInterval(60)),
                Job(id: "job_leased", account: "acme", kind: .email, envelope: "", runAt: now),
                Job(id: "job_reminder", account: "acme", kind: .reminder, envelope: "", runAt: now),
            ]))
        }
        // job_later is not due yet; job_leased is due but another worker's lease on it still runs;
        // job_reminder is due, but not of a kind this claim runs.
        let sql = statement
            .replacingOccurrences(of: "$now", with: String(now.timeIntervalSince1970))
            .replacingOccurrences(of: "$lease", with: "60")
            .replacingOccurrences(of: "$worker", with: "'doc'")
            .replacingOccurrences(of: "$limit", with: "10")
            .replacingOccurrences(of: "$kinds", with: "ARRAY['email', 'completion']")
            .replacingOccurrences(of: "RETURNING …", with: "RETURNING jobs.id")
        try PostgresCluster.server.psql("UPDATE jobs SET leased_until = \(now.timeIntervalSince1970 + 30) WHERE id = 'job_leased'",
                                        database: database).requireSuccess()
        let claimed = try PostgresCluster.server.psql(sql, database: database)
        try claimed.requireSuccess()
        #expect(claimed.stdout.split(separator: "\n").filter { $0.hasPrefix("job_") } == ["job_due"], "claimed: \(claimed.stdout)")
    }
}

extension PostgresDocumentationTests {
    @Test func theBulkRowClaimStatementClaimsOnlyPendingUnleasedRows() async throws {
        let blocks = try Self.blocks("sql")
        try #require(blocks.count >= 2, "the section shows the job claim and the bulk row claim")
        let database = try PostgresCluster.newDatabase()
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        try await PostgresCluster.withStore(database: database) { store in
            try await store.createAccount(Account(id: "acme", name: "Acme", createdAt: now), firstKey: APIKeyRecord(
                id: "key_1", account: "acme", role: .admin, name: "k", secretHash: String(repeating: "a", count: 64), createdAt: now))
            let spec = BulkSpec(templateID: "t", templateVersion: "1", subject: "s",
                                recipients: [RecipientRequest(name: "n", email: "{{email}}", role: .signer)])
            for bulk in ["blk_1", "blk_2"] {
                try await store.insertBulkSend(BulkSend(id: bulk, account: "acme", spec: spec, createdAt: now, createdBy: "key_1"))
                _ = try await store.appendBulkRows(account: "acme", bulk: bulk, rows: ["done", "leased", "free", "expired"].map {
                    BulkRow(key: $0, values: [:])
                }, jobs: [])
            }
            try await store.finishBulkRow(account: "acme", bulk: "blk_1", sequence: 1, envelope: "env_1", error: nil)
        }
        // In blk_1: row 1 is finished, row 2's lease still runs, row 3 was never leased, row 4's
        // lease ran out. blk_2's rows belong to another bulk send.
        try PostgresCluster.server.psql("""
            UPDATE bulk_rows SET lease_until = CASE sequence WHEN 2 THEN \(now.timeIntervalSince1970 + 30)
                                                             ELSE \(now.timeIntervalSince1970 - 30) END
            WHERE bulk = 'blk_1' AND sequence IN (2, 4)
            """, database: database).requireSuccess()
        func claim(limit: Int) throws -> [Substring] {
            let sql = blocks[1]
                .replacingOccurrences(of: "$until", with: String(now.timeIntervalSince1970 + 300))
                .replacingOccurrences(of: "$now", with: String(now.timeIntervalSince1970))
                .replacingOccurrences(of: "$account", with: "'acme'")
                .replacingOccurrences(of: "$bulk", with: "'blk_1'")
                .replacingOccurrences(of: "$limit", with: String(limit))
                .replacingOccurrences(of: "RETURNING …", with: "RETURNING 'row ' || bulk_rows.key")
            let claimed = try PostgresCluster.server.psql(sql, database: database)
            try claimed.requireSuccess()
            return claimed.stdout.split(separator: "\n").filter { $0.hasPrefix("row ") }.sorted()
        }
        // Two rows may be claimed; a limit of one leases one, the lowest, and the next claim the other.
        #expect(try claim(limit: 1) == ["row free"])
        #expect(try claim(limit: 10) == ["row expired"])
        #expect(try claim(limit: 10).isEmpty, "every claimable row is leased")
    }
}

extension CommandResult {
    func requireSuccess() throws {
        guard status == 0 else { throw PostgresServerError(reason: "psql failed: \(stderr)") }
    }
}
