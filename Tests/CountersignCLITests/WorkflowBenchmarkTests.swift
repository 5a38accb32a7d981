import Countersign
import Foundation
import Testing
import TestSupport

/// `scripts/bench workflow` at a small size: the same executable and library code path the script
/// runs at full size, on SQLite and on a real PostgreSQL server.
@Suite struct WorkflowBenchmarkTests {
    static var executable: URL {
        TestEnvironment.countersignExecutable.deletingLastPathComponent().appendingPathComponent("WorkflowBench")
    }

    func bench(_ arguments: [String]) throws -> [String: Any] {
        let result = try runCommand(Self.executable.path, arguments + ["--root", TestEnvironment.root.path], timeout: 600)
        #expect(result.status == 0, "WorkflowBench \(arguments.joined(separator: " ")): \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
    }

    @Test func theBenchmarkRunsEnvelopesToSealedCompletionAndTheLimit() throws {
        let directory = try TestEnvironment.scratchDirectory("bench")
        defer { try? FileManager.default.removeItem(at: directory) }
        // More clients than envelopes: each envelope is still made, signed and completed once.
        let workflow = try bench(["workflow", "--envelopes", "3", "--workers", "2", "--clients", "4",
                                  "--dir", directory.appendingPathComponent("w").path])
        #expect(workflow["envelopes"] as? Int == 3 && workflow["clients"] as? Int == 4 && (workflow["rate"] as? Double ?? 0) > 0, "\(workflow)")
        let limit = try bench(["limit", "--envelopes", "3", "--workers", "2", "--dir", directory.appendingPathComponent("l").path])
        #expect(limit["envelopes"] as? Int == 3 && (limit["rate"] as? Double ?? 0) > 0, "\(limit)")
        // A bad argument is a usage error, not a run.
        let bad = try runCommand(Self.executable.path, ["workflow", "--envelopes", "0", "--workers", "1", "--dir", directory.path])
        #expect(bad.status == 64 && bad.stderr.contains("--envelopes"))
        let noClients = try runCommand(Self.executable.path, ["workflow", "--envelopes", "1", "--workers", "1", "--clients", "0", "--dir", directory.path])
        #expect(noClients.status == 64 && noClients.stderr.contains("--clients"))
    }

    @Test func theBenchmarkRunsOnPostgreSQL() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        try server.createDatabase("bench")
        let directory = try TestEnvironment.scratchDirectory("bench-postgres")
        defer { try? FileManager.default.removeItem(at: directory) }
        let benchmark = WorkflowBenchmark(templates: TestEnvironment.root.appendingPathComponent("Templates"),
                                          leads: TestEnvironment.fixtures.appendingPathComponent("leads.csv"))
        let measurement = try await benchmark.runWorkflow(
            directory: directory, store: try WorkflowStoreLocation("postgres://\(server.user)@127.0.0.1:\(server.port)/bench"),
            envelopes: 3, workers: 2)
        #expect(measurement.envelopes == 3 && measurement.rate > 0)
    }
}
