import Foundation
import TestSupport
import Testing

/// docs/openapi.yaml against the live server with schemathesis (PyPI, in the test venv): every
/// operation with generated and boundary inputs, as an admin key; no answer may be a 5xx, and
/// every answer's status, media type, headers and body must be the ones the contract declares.
@Suite("OpenAPI contract (schemathesis)")
struct ContractTests {
    static var schemathesis: URL { TestEnvironment.venv.appendingPathComponent("bin/schemathesis") }

    /// One worker: hypothesis describes its strategies' lambdas from their source, and two
    /// threads doing that at once have crashed it (a SyntaxError inside hypothesis, not a finding).
    @Test("schemathesis finds no 5xx and no answer outside docs/openapi.yaml")
    func schemathesisRun() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.schemathesis.path), "run scripts/lib/common.sh's ensure_venv")
        let fixture = try await ServerFixture.start()
        defer { Task { try await fixture.stop() } }
        // Something for the generated requests to find: a sent envelope.
        _ = try await fixture.createEnvelope(send: true)
        let report = try TestEnvironment.scratchDirectory()
        let arguments = [
            "run", TestEnvironment.root.appendingPathComponent("docs/openapi.yaml").path,
            "--url", "http://127.0.0.1:\(fixture.port)",
            "--header", "Authorization: Bearer \(fixture.keys[.admin]!)",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance",
            "--phases", "examples,coverage,fuzzing",
            "--max-examples", "12", "--seed", "20261203", "--generation-database", "none", "--workers", "1",
            "--max-time", "240", "--request-timeout", "30", "--no-color",
            "--report", "junit", "--report-dir", report.path,
        ]
        let result = try await RawHTTP.offThread {
            try runCommand(Self.schemathesis.path, arguments, timeout: 420)
        }
        #expect(result.status == 0, "\(result.stdout.suffix(8000))\n\(result.stderr.suffix(2000))")
        #expect(result.stdout.contains("passed") || result.stdout.contains("PASSED"), "\(result.stdout.suffix(2000))")
    }
}
