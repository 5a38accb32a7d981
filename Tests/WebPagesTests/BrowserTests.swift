import Foundation
import Hummingbird
import Synchronization
import Testing
import TestSupport
import Verification
import WebPages
import Workflow

/// The pages in real headless Chromium (Debian's chromium + chromium-driver, Selenium and
/// axe-core from the venv): Tests/Browser/signing_flows.py drives the flows; this test serves
/// the pages on loopback, delivers the outbox to a real SMTP server the script reads, and then
/// checks what the flows left behind: the sealed PDF (our verifier and pdfsig) and the events.
@Suite(.serialized) struct BrowserTests {
    static var python: URL { TestEnvironment.venv.appendingPathComponent("bin/python") }

    @Test func signersAndAnAgentCompleteTheFlowsInHeadlessChromium() async throws {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw TestTSAError("\(tool) is missing: run `source scripts/lib/common.sh; ensure_system_packages` (chromium, chromium-driver)")
        }
        let check = try runCommand(Self.python.path, ["-c", "import selenium, axe_core_python"])
        guard check.status == 0 else {
            throw TestTSAError("the venv lacks Selenium or axe-core-python: run `source scripts/lib/common.sh; ensure_venv`")
        }
        let smtp = try LoopbackSMTPServer()
        defer { smtp.stop() }
        let port = try LoopbackHTTPServer.freePort()
        let base = "http://127.0.0.1:\(port)"
        let fixture = try await PagesFixture.make(signingURL: base + "/s/")
        let signing = try await fixture.sentEnvelope(lead: "LD-000100")
        let declining = try await fixture.sentEnvelope(customer: "decliner@example.com", authentication: .link, lead: "LD-000200")
        let voiding = try await fixture.sentEnvelope(customer: "voided@example.com", authentication: .link, lead: "LD-000300")

        let router = Router(context: PagesTestContext.self)
        router.addRoutes(fixture.pages.routes())
        let serving = ServingState()
        let app = Application(router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port)),
                              onServerRunning: { _ in serving.set(listening: true) })
        let worker = WorkflowWorker(engine: fixture.engine, smtp: SMTPClient(host: "127.0.0.1", port: smtp.port))
        let screenshots = fixture.directory.appendingPathComponent("screenshots")
        let configuration: [String: Any] = [
            "base": base, "maildir": smtp.mailDirectory.path, "agentKey": fixture.agentKey, "screenshots": screenshots.path,
            "envelopes": [
                "sign": ["customer": "gabriel.cote@crescentcapital.ca", "company": "jamie.chen@northbeam.example"],
                "decline": ["customer": "decliner@example.com"],
                "void": ["customer": "voided@example.com", "lead": "LD-000300"],
            ],
        ]
        let environment = ["CS_BROWSER_CONFIG": String(decoding: try JSONSerialization.data(withJSONObject: configuration), as: UTF8.self)]
        let script = TestEnvironment.root.appendingPathComponent("Tests/Browser/signing_flows.py")

        let result = try await withThrowingTaskGroup(of: ScriptResult?.self) { group in
            group.addTask {
                do { try await app.runService() } catch { serving.set(failure: "\(error)") }
                return nil
            }
            group.addTask {
                // The worker: e-mail, completion — as `countersign worker` would, every half second.
                while !Task.isCancelled {
                    _ = try? await worker.runDue()
                    try? await Task.sleep(for: .milliseconds(500))
                }
                return nil
            }
            // The script starts once the pages are served: on a loaded machine the server can
            // take longer to listen than the first e-mail takes to arrive.
            if let failure = try await serving.waitUntilListening(seconds: 60) {
                group.cancelAll()
                throw TestTSAError("the pages' server did not start on port \(port): \(failure)")
            }
            let outcome = try await Self.run(Self.python.path, [script.path], environment: environment, timeout: 600)
            group.cancelAll()
            return outcome
        }
        print("browser flows: \(result.stdout)\nscreenshots: \(screenshots.path)")
        #expect(result.status == 0, "the browser script failed:\n\(result.stderr.suffix(6000))\n\(result.stdout.suffix(2000))")
        guard result.status == 0 else { return }

        // The two-signer envelope is completed and sealed; our verifier and pdfsig agree.
        let completed = try await fixture.engine.envelope(fixture.agent, id: signing.id)
        #expect(completed.state == .completed)
        let hash = try #require(completed.documents.first?.sealedSHA256)
        let bytes = try #require(try await fixture.store.documents.get(hash))
        let report = PDFVerifier(trustAnchors: fixture.trust).verify(bytes: bytes)
        #expect(report.verdict == .passed, "\(report.text)")
        let file = fixture.directory.appendingPathComponent("sealed.pdf")
        try Data(bytes).write(to: file)
        let pdfsig = try runCommand("pdfsig", [file.path]).stdout
        #expect(pdfsig.contains("Signature is Valid"), "\(pdfsig)")
        let events = try await fixture.engine.events(fixture.agent, envelope: signing.id)
        let adopted = events.filter { $0.type == "recipient.adopted_signature" }.map { $0.data["kind"] ?? "" }
        #expect(adopted == ["drawn", "typed"], "the customer drew, the company typed: \(adopted)")
        // The company picked Kaushan Script with the keyboard: recorded, and drawn in the sealed PDF.
        let fonts = events.filter { $0.type == "recipient.adopted_signature" }.map { $0.data["font"] }
        #expect(fonts == [nil, "kaushan-script"], "\(fonts)")
        let embedded = try runCommand("pdffonts", [file.path]).stdout
        #expect(embedded.contains("+KaushanScript"), "\(embedded)")
        #expect(events.contains { $0.type == "authentication.failed" } && events.filter { $0.type == "recipient.signed" }.count == 2)
        // Who signed, for the Certificate of Completion: the browser's user agent and address.
        for signed in events.filter({ $0.type == "recipient.signed" || $0.type == "recipient.consented" }) {
            #expect(signed.personal?["userAgent"]?.contains("Chrome") == true && signed.personal?["ip"] == "127.0.0.1",
                    "\(signed.type): \(signed.personal ?? [:])")
        }

        let declined = try await fixture.engine.envelope(fixture.agent, id: declining.id)
        #expect(declined.state == .declined && declined.recipients[0].declineReason == "The seat count is wrong.")
        let voided = try await fixture.engine.envelope(fixture.agent, id: voiding.id)
        #expect(voided.state == .voided && voided.finishReason == "Customer asked for a new quote")
        let voidEvents = try await fixture.engine.events(fixture.agent, envelope: voiding.id).map(\.type)
        #expect(voidEvents.contains("recipient.reminded") && voidEvents.contains("envelope.voided"))
        let audit = try await AuditVerifier(store: fixture.store, trustAnchors: fixture.trust).verify()
        #expect(audit.isIntact, "\(audit.findings)")
    }

    /// Runs a program without blocking a thread of the cooperative pool (the server needs them).
    /// Whether the test's server listens yet, or why it stopped.
    final class ServingState: Sendable {
        private let state = Mutex<(listening: Bool, failure: String?)>((false, nil))

        func set(listening: Bool = false, failure: String? = nil) {
            state.withLock { state in
                if listening { state.listening = true }
                if let failure { state.failure = failure }
            }
        }

        /// Nil once the server listens; the reason when it failed or did not listen in time.
        func waitUntilListening(seconds: Double) async throws -> String? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let (up, failed) = state.withLock { ($0.listening, $0.failure) }
                if let failed { return failed }
                if up { return nil }
                try await Task.sleep(for: .milliseconds(20))
            }
            return "not listening after \(Int(seconds)) s"
        }
    }

    struct ScriptResult: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String], timeout: TimeInterval) async throws -> ScriptResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let directory = try TestEnvironment.scratchDirectory("browser-output")
        let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                throw TestTSAError("\(arguments.joined(separator: " ")) ran longer than \(Int(timeout)) s")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return ScriptResult(status: process.terminationStatus, stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }
}
