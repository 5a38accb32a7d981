import Countersign
import Foundation
import Testing
import TestSupport

/// Many `countersign worker` processes on one store, and workers killed with SIGKILL in the middle
/// of a completion and of an e-mail delivery: every envelope still completes exactly once, every
/// e-mail is delivered (at least once, the same Message-ID when twice), and the evidence verifies.
/// On the embedded SQLite store and on a real PostgreSQL server on loopback.
@Suite(.serialized) struct WorkerCrashTests {
    enum StoreKind: String, CaseIterable, CustomStringConvertible {
        case sqlite, postgres
        var description: String { rawValue }
    }

    /// Runs `body` with a `--store` value for the kind: nil (the home's SQLite store) or a new
    /// database on a throwaway PostgreSQL cluster, stopped afterwards.
    func withStore(_ kind: StoreKind, _ body: (String?) async throws -> Void) async throws {
        switch kind {
        case .sqlite:
            try await body(nil)
        case .postgres:
            let server = try PostgresServer.start()
            defer { server.stop() }
            try server.createDatabase("workers")
            try await body("postgres://\(server.user)@127.0.0.1:\(server.port)/workers")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func twoWorkerProcessesCompleteEveryEnvelopeOnce(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let harness = try await WorkerHarness.make(store: store)
            let smtp = try LoopbackSMTPServer()
            defer { smtp.stop() }
            let ids = try await harness.signedEnvelopes(6)
            let workers = try [harness.startWorker("w1", smtp: smtp.port), harness.startWorker("w2", smtp: smtp.port)]
            defer { workers.forEach { $0.stop() } }
            try await harness.waitUntil("all 6 envelopes are completed and every e-mail is sent", workers: workers) {
                try await harness.allDone(ids.count)
            }
            workers.forEach { $0.stop() }
            try await checkExactlyOnce(harness, ids: ids, smtp: smtp)
            // Both processes took work from the shared queue.
            for worker in workers {
                let passes = worker.logText().split(separator: "\n").filter { $0.hasPrefix("ran ") }
                #expect(!passes.isEmpty, "\(worker.name) ran nothing: \(worker.logText())")
            }
            await harness.workflow.close()
        }
    }

    @Test func anIdleWorkerOnPostgreSQLWakesWhenAnotherProcessQueuesACompletion() async throws {
        try await withStore(.postgres) { store in
            let harness = try await WorkerHarness.make(store: store)
            // Polling once an hour: only PostgreSQL's notification can start the seal within
            // the minute this test waits. The worker starts, finds nothing and goes idle first.
            let worker = try harness.startWorker("idle", smtp: nil, arguments: ["--interval", "3600"])
            defer { worker.stop() }
            try await harness.waitUntil("the worker has started", timeout: 60, workers: [worker]) {
                worker.logText().contains("sealing with")
            }
            try await Task.sleep(for: .seconds(3))
            let ids = try await harness.signedEnvelopes(1)
            try await harness.waitUntil("the envelope is completed", timeout: 60, workers: [worker]) {
                try await harness.completed() == ids.count
            }
            await harness.workflow.close()
        }
    }

    @Test(arguments: StoreKind.allCases)
    func workersKilledMidCompletionAndMidDeliveryLoseNothing(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let harness = try await WorkerHarness.make(store: store)
            // A slow relay: each message is held half a second in DATA, so a worker can die mid-delivery.
            let smtp = try LoopbackSMTPServer(delay: 0.5)
            defer { smtp.stop() }
            let ids = try await harness.signedEnvelopes(4)

            // 1. A worker without SMTP takes only the completions; it dies while one is sealing.
            // Its time-stamp authority accepts the connection and never answers, so the seal
            // waits (30 s) inside the completion: a window the test cannot miss, however fast
            // or loaded the machine (a fast sealer used to finish everything between two polls).
            let silentTSA = try TestTSA(mode: .silent)
            defer { silentTSA.stop() }
            let sealer = try harness.startWorker("sealer", smtp: nil, arguments: ["--tsa", silentTSA.url.absoluteString])
            try await harness.waitUntil("a completion job is claimed", workers: [sealer]) {
                try await harness.jobs(.completion).contains { $0.state == .pending && $0.attempts >= 1 }
            }
            sealer.kill()
            let interrupted = try await harness.jobs(.completion).filter { $0.state == .pending && $0.attempts >= 1 }
            #expect(!interrupted.isEmpty, "the worker was killed with a completion in progress")
            #expect(try await harness.completed() < ids.count, "killed before it completed everything")
            #expect(try await harness.jobs(.email).allSatisfy { $0.attempts == 0 }, "a worker without SMTP never leases e-mail")

            // 2. A worker with SMTP dies while the relay holds a message in DATA.
            let mailer = try harness.startWorker("mailer", smtp: smtp.port)
            try await harness.waitUntil("a delivery is in progress", workers: [mailer]) {
                smtp.deliveries().contains { $0.hasPrefix("DATA ") }
            }
            mailer.kill()
            let started = Set(smtp.deliveries().filter { $0.hasPrefix("DATA ") }.map { String($0.dropFirst(5)) })
            let unfinished = try await harness.jobs(.email).filter { $0.state == .pending }.map(\.payload)
                .map { try JSONDecoder().decode(MailMessage.self, from: $0).messageID }
            #expect(!started.isDisjoint(with: unfinished), "the worker was killed with a delivery in progress")

            // 3. Two workers restart and finish once the dead workers' leases run out.
            let workers = try [harness.startWorker("w1", smtp: smtp.port), harness.startWorker("w2", smtp: smtp.port)]
            defer { workers.forEach { $0.stop() } }
            try await harness.waitUntil("every envelope is completed and every e-mail is sent", workers: workers) {
                try await harness.allDone(ids.count)
            }
            workers.forEach { $0.stop() }
            try await checkExactlyOnce(harness, ids: ids, smtp: smtp)
            #expect(try await harness.jobs(.completion).contains { $0.attempts >= 2 }, "a killed completion ran again")
            await harness.workflow.close()
        }
    }

    /// Every envelope completed once (one completion event, one ledger entry, its job done), every
    /// queued e-mail delivered (a repeat carries the same Message-ID), and `audit verify` passes.
    func checkExactlyOnce(_ harness: WorkerHarness, ids: [String], smtp: LoopbackSMTPServer) async throws {
        let store = harness.workflow.store
        let account = harness.principal.account
        for id in ids {
            let envelope = try #require(try await store.envelope(account: account, id: id))
            #expect(envelope.state == .completed && envelope.documents.allSatisfy { $0.sealedSHA256 != nil })
            let completions = try await store.events(account: account, stream: id).filter { $0.type == "envelope.completed" }
            #expect(completions.count == 1, "\(id) completed \(completions.count) times")
        }
        let ledger = try await store.ledger(account: account)
        #expect(ledger.count == ids.count && Set(ledger.map(\.envelope)) == Set(ids), "one ledger entry per envelope: \(ledger.map(\.envelope))")
        #expect(try await harness.jobs(.completion).allSatisfy { $0.state == .done })

        let queued = try await harness.jobs(.email).map { try JSONDecoder().decode(MailMessage.self, from: $0.payload).messageID }
        let delivered = smtp.messageIDs()
        #expect(Set(queued).count == queued.count, "each queued e-mail has its own Message-ID")
        #expect(Set(delivered) == Set(queued), "no e-mail lost, none invented: missing \(Set(queued).subtracting(delivered))")
        #expect(delivered.count >= queued.count)

        let audit = try WorkerHarness.countersign(["audit", "verify"], home: harness.home, store: harness.store, key: harness.key)
        #expect(audit.status == 0 && audit.stdout.contains("\"intact\":true"), "\(audit.stdout) \(audit.stderr)")
    }
}

/// docs/workflow.md, "Many workers": the commands run as written against a test PostgreSQL server
/// (its URL and the loopback SMTP port put in place of the documented ones).
@Suite struct ManyWorkersDocumentationTests {
    static func block() throws -> [String] {
        let text = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/workflow.md"), encoding: .utf8)
        guard let section = text.components(separatedBy: "### Many workers").dropFirst().first,
              let block = section.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "\n```").first else {
            throw HarnessError("docs/workflow.md has no sh block under \"### Many workers\"")
        }
        return block.split(separator: "\n").map(String.init)
    }

    @Test func theDocumentedWorkersCompleteEnvelopesOnPostgreSQL() async throws {
        let lines = try Self.block()
        let server = try PostgresServer.start()
        defer { server.stop() }
        try server.createDatabase("countersign")
        let smtp = try LoopbackSMTPServer()
        defer { smtp.stop() }
        let home = try TestEnvironment.scratchDirectory("many-workers")
        var environment = ProcessInfo.processInfo.environment
        environment["COUNTERSIGN_WORKFLOW_HOME"] = home.path
        var key: String?
        var workers: [WorkerProcess] = []
        defer { workers.forEach { $0.stop() } }
        for line in lines {
            let text = line.replacingOccurrences(of: "127.0.0.1:5432", with: "127.0.0.1:\(server.port)")
                .replacingOccurrences(of: "127.0.0.1:2525", with: "127.0.0.1:\(smtp.port)")
            if text.hasPrefix("export ") {
                let assignment = text.dropFirst("export ".count).split(separator: "=", maxSplits: 1).map(String.init)
                environment[assignment[0]] = assignment[1]
                continue
            }
            var words = try shellWords(text)
            #expect(words.first == "countersign", "every line is a countersign command: \(line)")
            words.removeFirst()
            if words.last == "&" {
                words.removeLast()
                let process = Process()
                process.executableURL = TestEnvironment.countersignExecutable
                process.arguments = words + ["--interval", "0.2"]
                process.environment = environment
                let log = home.appendingPathComponent("worker-\(workers.count).log")
                _ = FileManager.default.createFile(atPath: log.path, contents: nil)
                process.standardOutput = try FileHandle(forWritingTo: log)
                process.standardError = process.standardOutput
                try process.run()
                workers.append(WorkerProcess(name: words.joined(separator: " "), process: process, log: log))
                continue
            }
            let result = try runCommand(TestEnvironment.countersignExecutable.path, words, environment: environment, timeout: 300)
            #expect(result.status == 0, "\(line): \(result.stderr)")
            if words.starts(with: ["account", "create"]) {
                key = (try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])?["key"] as? String
                environment["COUNTERSIGN_API_KEY"] = key
            }
        }
        #expect(workers.count == 3, "three workers in the example")
        let store = try #require(environment["COUNTERSIGN_STORE"])
        #expect(try WorkflowStoreLocation(store) == .postgres(PostgresStoreConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: server.port), username: "countersign", database: "countersign")))
        let workflow = try await WorkflowHome.open(directory: home, store: try WorkflowStoreLocation(store))
        let principal = try await workflow.engine.authenticate(apiKey: try #require(key))
        let harness = WorkerHarness(home: home, store: store, key: try #require(key), workflow: workflow, principal: principal)
        let ids = try await harness.signedEnvelopes(3, smtp: smtp)
        try await harness.waitUntil("the documented workers complete 3 envelopes", workers: workers) {
            try await harness.allDone(ids.count)
        }
        let queued = try await harness.jobs(.email).count
        #expect(Set(smtp.messageIDs()).count == queued)
        await workflow.close()
    }

    /// Splits a command line into words: double quotes group, `#` starts a comment.
    func shellWords(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var inWord = false
        for character in line {
            if character == "\"" {
                quoted.toggle()
                inWord = true
            } else if character == "#" && !quoted && !inWord {
                break
            } else if character == " " && !quoted {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if quoted { throw HarnessError("unbalanced quote in: \(line)") }
        if inWord { words.append(current) }
        return words
    }
}
