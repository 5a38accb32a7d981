import Foundation
@testable import Server
import TestSupport
import Testing

/// docs/api.md's examples, run for real.
@Suite("docs/api.md")
struct DocumentationTests {
    static let document = TestEnvironment.root.appendingPathComponent("docs/api.md")

    static func block(_ language: String) throws -> String {
        let text = try String(contentsOf: document, encoding: .utf8)
        return try #require(text.components(separatedBy: "```\(language)\n").dropFirst().first?.components(separatedBy: "\n```").first)
    }

    @Test("the configuration example loads as documented")
    func configurationExample() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let file = directory.appendingPathComponent("serve.json")
        try Data(try Self.block("json").utf8).write(to: file)
        let configuration = try ServerConfiguration.load(file: file.path, environment: [:])
        #expect(configuration.port == 8443)
        #expect(configuration.tls?.key == directory.appendingPathComponent("tls/privkey.pem").path)
        #expect(configuration.worker.smtp == "127.0.0.1:2525")
        // Every key of the example is in the table, and every key of the table is a real key.
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        #expect(configuration.store == "postgres://countersign@db.internal:5432/countersign")
        #expect(configuration.pages.sessionKeyFile == directory.appendingPathComponent("session.key").path)
        #expect(configuration.pages.frameAncestors["acc_example"] == ["https://crm.northbeam.example"])
        #expect(configuration.seal.p12 == directory.appendingPathComponent("seal/northbeam-seal.p12").path)
        #expect(configuration.seal.trust.count == 2 && configuration.seal.tsa == "http://tsa.northbeam.example/tsa")
        let keys = ServerConfiguration.CodingKeys.allCases.map(\.rawValue).filter { !["worker", "pages", "seal"].contains($0) }
            + ServerConfiguration.Worker.CodingKeys.allCases.map { "worker." + $0.rawValue }
            + ServerConfiguration.Pages.CodingKeys.allCases.map { "pages." + $0.rawValue }
            + ServerConfiguration.Seal.CodingKeys.allCases.map { "seal." + $0.rawValue }
        for key in keys {
            let rows = text.split(separator: "\n").filter { $0.hasPrefix("| `") }
            #expect(rows.contains { $0.split(separator: "|").first?.contains("`\(key)`") == true }, "\(key) is documented")
        }
        for (variable, _) in ServerConfiguration.environmentKeys { #expect(text.contains(variable), "\(variable) is documented") }
    }

    @Test("the routes, methods and query parameters the service tells apart are docs/openapi.yaml's")
    func knownRoutesAreTheSchemas() throws {
        let script = """
            import json, re, sys, yaml
            d = yaml.safe_load(open(sys.argv[1]))
            shared = d.get("components", {}).get("parameters", {})
            resolve = lambda p: shared[p["$ref"].split("/")[-1]] if "$ref" in p else p
            routes = {}
            for path, operations in d["paths"].items():
                common = [resolve(p) for p in operations.get("parameters", [])]
                route = routes.setdefault(re.sub(r"[{][^}]*[}]", "{}", path), {})
                for method, operation in operations.items():
                    if method not in ("get", "post", "put", "patch", "delete"): continue
                    parameters = common + [resolve(p) for p in operation.get("parameters", [])]
                    route[method.upper()] = sorted(p["name"] for p in parameters if p.get("in") == "query")
            print(json.dumps(routes))
            """
        let python = TestEnvironment.venv.appendingPathComponent("bin/python").path
        let result = try runCommand(python, ["-c", script, TestEnvironment.root.appendingPathComponent("docs/openapi.yaml").path])
        #expect(result.status == 0, "\(result.stderr)")
        let documented = try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: [String: [String]]])
        #expect(documented == KnownRoutes.routes.mapValues { $0.mapValues { $0.sorted() } })
    }

    @Test("the curl session runs against a live server")
    func curlSession() async throws {
        let fixture = try await ServerFixture.start()
        defer { Task { try await fixture.stop() } }
        let directory = try TestEnvironment.scratchDirectory()
        let script = directory.appendingPathComponent("session.sh")
        try Data(("set -euo pipefail\ncd '\(directory.path)'\n" + (try Self.block("bash"))).utf8).write(to: script)
        var variables = ProcessInfo.processInfo.environment
        variables["COUNTERSIGN_URL"] = "http://127.0.0.1:\(fixture.port)"
        variables["COUNTERSIGN_API_KEY"] = fixture.keys[.agent]
        let environment = variables
        let result = try await RawHTTP.offThread {
            try runCommand("/bin/bash", [script.path], environment: environment, timeout: 300)
        }
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "sent")
        // The fixture listens on a free port; its publicURL is the documented default.
        #expect(lines.contains { $0.hasPrefix(fixture.server.configuration.publicURL + "/v1/embedded/cse_") })
        #expect(lines.contains("recipient.reminded"))
        #expect(lines.last == "voided")
        let pdf = try Data(contentsOf: directory.appendingPathComponent("agreement.pdf"))
        #expect(pdf.starts(with: Data("%PDF-".utf8)))
    }
}
