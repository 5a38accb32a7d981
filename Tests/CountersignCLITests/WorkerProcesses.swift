import Countersign
import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A workflow home for the multi-process tests: the CLI sets it up (account, template library)
/// on a store given by `--store` (a PostgreSQL URL or an SQLite folder), `countersign worker`
/// processes run its jobs, and the test acts as the signers through the library on the same store.
struct WorkerHarness {
    let home: URL
    /// The `--store` argument (nil: the home's own SQLite store, the default).
    let store: String?
    let key: String
    let workflow: WorkflowHome
    let principal: Principal

    /// Runs the CLI with the home, the store and the key.
    static func countersign(_ arguments: [String], home: URL, store: String?, key: String? = nil) throws -> CommandResult {
        var environment = ProcessInfo.processInfo.environment
        environment["COUNTERSIGN_API_KEY"] = key
        environment["COUNTERSIGN_STORE"] = nil
        return try runCommand(TestEnvironment.countersignExecutable.path,
                              arguments + ["--home", home.path, "--json"] + (store.map { ["--store", $0] } ?? []),
                              environment: environment, timeout: 300)
    }

    static func make(store: String?) async throws -> WorkerHarness {
        let home = try TestEnvironment.scratchDirectory("workers")
        let account = try countersign(["account", "create", "--name", "Northbeam"], home: home, store: store)
        guard account.status == 0, let object = try JSONSerialization.jsonObject(with: account.stdoutData) as? [String: Any],
              let key = object["key"] as? String else {
            throw HarnessError("account create failed (\(account.status)): \(account.stderr)")
        }
        let imported = try countersign(["template", "import", TestEnvironment.root.appendingPathComponent("Templates").path, "--publish"],
                                       home: home, store: store, key: key)
        guard imported.status == 0 else { throw HarnessError("template import failed: \(imported.stderr)") }
        let workflow = try await WorkflowHome.open(directory: home, store: try store.map(WorkflowStoreLocation.init))
        let principal = try await workflow.engine.authenticate(apiKey: key, onBehalfOf: "tests@northbeam.example")
        return WorkerHarness(home: home, store: store, key: key, workflow: workflow, principal: principal)
    }

    /// Creates, sends and has both signers sign `count` envelopes (service-agreement@3, the first
    /// leads' data; the customer signs first, then the company); their completion is queued.
    /// With `smtp`, the signers read their links from the messages it received (workers that
    /// deliver are running, and a delivered message's stored copy no longer holds its link).
    func signedEnvelopes(_ count: Int, smtp: LoopbackSMTPServer? = nil) async throws -> [String] {
        var ids: [String] = []
        let context = RequestContext(ip: "203.0.113.9", userAgent: "WorkerTests/1.0")
        for index in 0..<count {
            let customer = "customer\(index)@crescent.example"
            let envelope = try await workflow.engine.createEnvelope(principal, EnvelopeRequest(
                templateID: "service-agreement", templateVersion: "3", subject: "Service Agreement \(index)", message: nil,
                data: ["lead_id": "LD-\(100_000 + index)", "company_name": "Crescent \(index) Inc.", "contact_first_name": "Gabriel",
                       "contact_last_name": "Côté", "contact_email": customer, "plan": "Starter", "seats": "4", "unit_price": "15.00",
                       "discount_pct": "0", "effective_date": "2025-08-06", "term_months": "24", "owner_email": "jamie.chen@northbeam.example"],
                recipients: [
                    RecipientRequest(name: "Gabriel Côté", email: customer, role: .signer, routingOrder: 1, authentication: .link,
                                     signatureRole: "customer"),
                    RecipientRequest(name: "Jamie Chen", email: "jamie.chen@northbeam.example", role: .signer, routingOrder: 2,
                                     authentication: .link, signatureRole: "company"),
                    RecipientRequest(name: "Legal Archive", email: "archive@northbeam.example", role: .cc, routingOrder: 3),
                ], metadata: ["lead_id": "LD-\(100_000 + index)"]))
            try await workflow.engine.send(principal, envelope: envelope.id)
            let subject = "\"Service Agreement \(index)\""
            var mailbox: OutboxSigner.Mailbox?
            if let smtp {
                mailbox = { @Sendable address in smtp.texts(to: address).reversed().filter { $0.contains(subject) } }
            }
            try await OutboxSigner.sign(workflow.engine, account: principal.account, envelope: envelope.id, email: customer,
                                        name: "Gabriel Côté", context: context, mailbox: mailbox)
            try await OutboxSigner.sign(workflow.engine, account: principal.account, envelope: envelope.id,
                                        email: "jamie.chen@northbeam.example", name: "Jamie Chen", context: context, mailbox: mailbox)
            ids.append(envelope.id)
        }
        return ids
    }

    /// Starts `countersign worker` (polling every 0.2 s, a short lease so a killed worker's jobs
    /// come back quickly, and any `extra` arguments); its output goes to a log in the home.
    func startWorker(_ name: String, smtp: Int?, lease: Int = 10, arguments extra: [String] = []) throws -> WorkerProcess {
        let process = Process()
        process.executableURL = TestEnvironment.countersignExecutable
        process.arguments = ["worker", "--home", home.path, "--interval", "0.2", "--lease", String(lease), "--name", name]
            + (store.map { ["--store", $0] } ?? []) + (smtp.map { ["--smtp", "127.0.0.1:\($0)"] } ?? []) + extra
        let log = home.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        var environment = ProcessInfo.processInfo.environment
        environment["COUNTERSIGN_STORE"] = nil
        process.environment = environment
        try process.run()
        return WorkerProcess(name: name, process: process, log: log)
    }

    /// Polls the store until `condition` holds (every 50 ms, up to `timeout` seconds).
    func waitUntil(_ what: String, timeout: TimeInterval = 300, workers: [WorkerProcess] = [],
                   _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        let logs = workers.map { "\($0.name): \($0.logText().suffix(2000))" }.joined(separator: "\n")
        throw HarnessError("timed out after \(Int(timeout)) s waiting until \(what)\n\(logs)")
    }

    func jobs(_ kind: Job.Kind) async throws -> [Job] {
        try await workflow.store.jobs(account: principal.account, kind: kind, envelope: nil)
    }

    /// Every envelope completed and every e-mail sent.
    func allDone(_ count: Int) async throws -> Bool {
        guard try await completed() == count else { return false }
        return try await jobs(.email).allSatisfy { $0.state == .done }
    }

    func completed() async throws -> Int {
        try await workflow.store.envelopes(account: principal.account, query: EnvelopeQuery(states: [.completed], limit: 100_000)).count
    }
}

/// A running `countersign worker`.
struct WorkerProcess {
    let name: String
    let process: Process
    let log: URL

    /// SIGKILL: the process dies wherever it is, with no chance to clean up.
    func kill() {
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitForExit(timeout: 60)
    }

    /// Stops the worker at the end of a test. SIGKILL, not SIGTERM: a process that Foundation
    /// starts from the test runner inherits its blocked signals, SIGTERM among them.
    func stop() {
        if process.isRunning { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitForExit(timeout: 60)
    }

    func logText() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
