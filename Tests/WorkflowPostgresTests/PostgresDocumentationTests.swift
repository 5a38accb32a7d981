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
            .replacingOccurrences(of: "RETURNING …", with: "RETURNING id")
        try PostgresCluster.server.psql("UPDATE jobs SET leased_until = \(now.timeIntervalSince1970 + 30) WHERE id = 'job_leased'",
                                        database: database).requireSuccess()
        let claimed = try PostgresCluster.server.psql(sql, database: database)
        try claimed.requireSuccess()
        #expect(claimed.stdout.split(separator: "\n").filter { $0.hasPrefix("job_") } == ["job_due"], "claimed: \(claimed.stdout)")
    }
}

extension CommandResult {
    func requireSuccess() throws {
        guard status == 0 else { throw PostgresServerError(reason: "psql failed: \(stderr)") }
    }
}
