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
        #expect(limit["envelopes"] as? Int == 3 && limit["limit"] as? String == "seal" && (limit["rate"] as? Double ?? 0) > 0, "\(limit)")
        let signature = try bench(["limit", "--envelopes", "3", "--workers", "1", "--limit", "signature",
                                   "--dir", directory.appendingPathComponent("l").path])
        #expect(signature["limit"] as? String == "signature" && (signature["rate"] as? Double ?? 0) > 0, "\(signature)")
        // A bad argument is a usage error, not a run.
        let bad = try runCommand(Self.executable.path, ["workflow", "--envelopes", "0", "--workers", "1", "--dir", directory.path])
        #expect(bad.status == 64 && bad.stderr.contains("--envelopes"))
        let noClients = try runCommand(Self.executable.path, ["workflow", "--envelopes", "1", "--workers", "1", "--clients", "0", "--dir", directory.path])
        #expect(noClients.status == 64 && noClients.stderr.contains("--clients"))
        let noLimit = try runCommand(Self.executable.path, ["limit", "--envelopes", "1", "--workers", "1", "--limit", "sign", "--dir", directory.path])
        #expect(noLimit.status == 64 && noLimit.stderr.contains("--limit"))
    }

    /// The limit makes what the workflow's completion makes, less the marks and the store: the
    /// contract with its Certificate of Completion, sealed; the signature limit the contract signed.
    @Test func theLimitsDocumentsAreTheContractWithItsCertificateSealed() throws {
        let directory = try TestEnvironment.scratchDirectory("bench-limit")
        defer { try? FileManager.default.removeItem(at: directory) }
        let benchmark = WorkflowBenchmark(templates: TestEnvironment.root.appendingPathComponent("Templates"),
                                          leads: TestEnvironment.fixtures.appendingPathComponent("leads.csv"))
        let seal = try LimitDocuments(benchmark: benchmark, directory: directory, limit: .seal)
        let sealed = try seal.maker().document(3)
        let report = PDFVerifier(trustAnchors: seal.trustAnchors).verify(bytes: sealed, name: "limit.pdf")
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.audit?.envelopeId == "env_bench3" && report.audit?.chainIntact == true
                && report.audit?.documentHashMatches == true && report.audit?.sentDocumentMatches == true, "\(report.text)")
        let file = directory.appendingPathComponent("limit.pdf")
        try Data(sealed).write(to: file)
        let text = try runCommand("pdftotext", ["-layout", file.path, "-"]).stdout
        #expect(text.contains("Certificate of Completion") && text.contains("Customer 3") && text.contains("Northbeam Sales"), "\(text)")

        let signature = try LimitDocuments(benchmark: benchmark, directory: directory, limit: .signature)
        let signed = try signature.maker().document(3)
        let bare = PDFVerifier(trustAnchors: signature.trustAnchors).verify(bytes: signed, name: "limit.pdf")
        #expect(bare.verdict == .passed && bare.audit == nil, "\(bare.text)")
        #expect(signed.count < sealed.count)
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
