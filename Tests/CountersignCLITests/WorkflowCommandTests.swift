import Countersign
import Foundation
import TestSupport
import Testing

/// docs/workflow.md's command-line session, run for real: the request in the docs creates an
/// envelope, and every command the docs list exists and answers `--json`.
@Suite struct WorkflowCommandTests {
    static let docs = TestEnvironment.root.appendingPathComponent("docs/workflow.md")

    func countersign(_ arguments: [String], home: URL, key: String? = nil, extra: [String: String] = [:]) throws -> CommandResult {
        var environment = ProcessInfo.processInfo.environment
        environment["COUNTERSIGN_API_KEY"] = key
        environment.merge(extra) { _, new in new }
        return try runCommand(TestEnvironment.countersignExecutable.path, arguments + ["--home", home.path, "--json"],
                              environment: environment, timeout: 300)
    }

    /// SIGTERM stops a worker between passes with exit 0 (every stop used to look like a crash).
    @Test func aWorkerStopsCleanlyOnSIGTERM() throws {
        let home = try TestEnvironment.scratchDirectory()
        #expect(try countersign(["account", "create", "--name", "Northbeam"], home: home).status == 0)
        let process = Process()
        process.executableURL = TestEnvironment.countersignExecutable
        process.arguments = ["worker", "--interval", "0.5", "--home", home.path]
        let log = home.appendingPathComponent("worker.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // Started once it has said which seal it uses.
        for _ in 0..<300 where (try? String(contentsOf: log, encoding: .utf8))?.contains("worker:") != true { usleep(100_000) }
        usleep(500_000)
        kill(process.processIdentifier, SIGTERM)
        process.waitForExit(timeout: 60)
        let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(!process.isRunning && process.terminationStatus == 0 && process.terminationReason == .exit, "\(said)")
        #expect(said.contains("worker: stopped on request"), "\(said)")
    }

    @Test func theDocumentedSessionRuns() throws {
        let document = try String(contentsOf: Self.docs, encoding: .utf8)
        let request = try #require(document.components(separatedBy: "```json\n").dropFirst().first?.components(separatedBy: "\n```").first)
        let home = try TestEnvironment.scratchDirectory()
        let requestFile = home.appendingPathComponent("request.json")
        try Data(request.utf8).write(to: requestFile)

        let account = try countersign(["account", "create", "--name", "Northbeam"], home: home)
        #expect(account.status == 0, "\(account.stderr)")
        let key = try #require((try JSONSerialization.jsonObject(with: account.stdoutData) as? [String: Any])?["key"] as? String)
        let imported = try countersign(["template", "import", TestEnvironment.root.appendingPathComponent("Templates").path, "--publish"],
                                       home: home, key: key)
        #expect(imported.status == 0 && imported.stdout.contains("\"service-agreement\""), "\(imported.stderr)")
        let created = try countersign(["envelope", "create", "--request", requestFile.path, "--send"], home: home, key: key)
        #expect(created.status == 0, "\(created.stderr)")
        let envelope = try #require(try JSONSerialization.jsonObject(with: created.stdoutData) as? [String: Any])
        let id = try #require(envelope["id"] as? String)
        let recipients = try #require(envelope["recipients"] as? [[String: Any]])
        #expect(recipients.map { $0["email"] as? String } == ["gabriel.cote@crescentcapital.ca", "jamie.chen@northbeam.example"],
                "the director's condition does not hold")
        #expect(recipients.map { $0["state"] as? String } == ["sent", "created"])
        // No $COUNTERSIGN_SIGNING_URL: the links just queued point nowhere, and the sender is told.
        if ProcessInfo.processInfo.environment["COUNTERSIGN_SIGNING_URL"] == nil {
            #expect(created.stderr.contains("warning: the e-mails' signing links start https://sign.example.invalid/s/, a placeholder; set COUNTERSIGN_SIGNING_URL"),
                    "\(created.stderr)")
        }

        // The document as sent (not sealed yet), written where asked; an unknown document is named.
        let pdf = home.appendingPathComponent("sent.pdf")
        let written = try countersign(["envelope", "document", id, "--out", pdf.path], home: home, key: key)
        #expect(written.status == 0 && written.stdout.contains("\"sealed\":false"), "\(written.stdout) \(written.stderr)")
        #expect(try Data(contentsOf: pdf).starts(with: Data("%PDF-".utf8)))
        let missing = try countersign(["envelope", "document", id, "--document", "doc_9", "--out", pdf.path], home: home, key: key)
        #expect(missing.status != 0 && missing.stderr.contains("has no document doc_9"), "\(missing.stderr)")

        // A mistyped --home is said as such, and makes nothing there (no store, no CA key).
        let typo = home.appendingPathComponent("hmoe")
        for arguments in [["envelope", "list"], ["audit", "verify"], ["worker", "--once"]] {
            let elsewhere = try countersign(arguments, home: typo, key: key)
            #expect(elsewhere.status == 66 && elsewhere.stderr.contains("no workflow home here") && elsewhere.stdout.contains("\"error\""),
                    "\(arguments): \(elsewhere.status) \(elsewhere.stderr)")
            #expect(!FileManager.default.fileExists(atPath: typo.path))
        }
        let listed = try countersign(["envelope", "list", "--state", "sent", "--metadata", "lead_id=LD-100000"], home: home, key: key)
        #expect(listed.status == 0 && listed.stdout.contains(id))
        #expect(try countersign(["envelope", "remind", id], home: home, key: key).status == 0)
        let worker = try countersign(["worker", "--once"], home: home)
        #expect(worker.status == 0, "\(worker.stderr)")
        // A worker's reminders carry links it makes: with no URL set it says they go nowhere;
        // with serve's COUNTERSIGN_PUBLIC_URL it makes the nodes' links and says nothing.
        let environment = ProcessInfo.processInfo.environment
        if environment["COUNTERSIGN_SIGNING_URL"] == nil && environment["COUNTERSIGN_PUBLIC_URL"] == nil {
            #expect(worker.stderr.contains("worker: signing links in the e-mails this worker queues (reminders) point to the placeholder"),
                    "\(worker.stderr)")
        }
        let configured = try countersign(["worker", "--once"], home: home, extra: ["COUNTERSIGN_PUBLIC_URL": "https://sign.example.com/"])
        #expect(configured.status == 0 && !configured.stderr.contains("placeholder"), "\(configured.stderr)")
        #expect(WorkflowHome.signingURL(environment: ["COUNTERSIGN_PUBLIC_URL": "https://sign.example.com/"]) == "https://sign.example.com/s/")
        #expect(WorkflowHome.signingURL(environment: ["COUNTERSIGN_PUBLIC_URL": "https://a.example", "COUNTERSIGN_SIGNING_URL": "https://b.example/s/"])
                == "https://b.example/s/")
        #expect(WorkflowHome.signingURL(environment: [:]) == WorkflowHome.placeholderSigningURL)
        // A relay that refuses: the pass prints the failed e-mails and exits 74 (they stay queued).
        let refused = try countersign(["worker", "--once", "--smtp", "127.0.0.1:1"], home: home)
        #expect(refused.status == 74 && refused.stdout.contains("\"failed\":[\"email"), "\(refused.stdout) \(refused.stderr)")
        // Without --json each failure is a diagnostic on stderr; the pass's line on stdout counts
        // them, so it never reads as a clean pass (a new reminder, as the failed e-mails wait
        // out their backoff).
        #expect(try countersign(["envelope", "remind", id], home: home, key: key).status == 0)
        let refusedText = try runCommand(TestEnvironment.countersignExecutable.path, ["worker", "--once", "--smtp", "127.0.0.1:1", "--home", home.path])
        #expect(refusedText.status == 74 && refusedText.stdout.hasPrefix("ran 0 job(s); ") && refusedText.stdout.contains(" failed and queued again")
                && refusedText.stderr.contains("worker: job failed (queued again): email"), "\(refusedText.stdout) \(refusedText.stderr)")
        let csv = try runCommand(TestEnvironment.countersignExecutable.path, ["envelope", "export", id, "--csv", "--home", home.path],
                                 environment: ProcessInfo.processInfo.environment.merging(["COUNTERSIGN_API_KEY": key]) { $1 })
        #expect(csv.status == 0 && csv.stdout.hasPrefix("envelope,state,template") && csv.stdout.contains("metadata.lead_id"))
        let voided = try countersign(["envelope", "void", id, "--reason", "Wrong plan"], home: home, key: key)
        #expect(voided.status == 0 && voided.stdout.contains("\"voided\""))
        let again = try countersign(["envelope", "void", id, "--reason", "Twice"], home: home, key: key)
        #expect(again.status == 65 && again.stderr.contains("illegalTransition") && again.stderr.contains("is already voided"), "\(again.stderr)")
        // The session's clause approval, as written (the shipped library's one proposed clause).
        let approved = try countersign(["clause", "approve", "ai-features-addendum", "1"], home: home, key: key)
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(document.contains("countersign clause approve ai-features-addendum 1"))
        #expect(try countersign(["template", "retire", "service-agreement", "3"], home: home, key: key).status == 0)
        let audit = try countersign(["audit", "verify"], home: home, key: key)
        #expect(audit.status == 0 && audit.stdout.contains("\"intact\":true"), "\(audit.stdout) \(audit.stderr)")
        #expect(try countersign(["envelope", "status", id], home: home).status == 64, "no key: a usage error")
        // Without a key nothing is made: no home, no store, no development seal.
        let unused = home.appendingPathComponent("never-made")
        #expect(try countersign(["envelope", "list"], home: unused).status == 64)
        #expect(!FileManager.default.fileExists(atPath: unused.path), "a keyless command created a home")

        // Every command the session lists answers --help.
        let session = try #require(document.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "\n```").first)
        for line in session.split(separator: "\n") where line.hasPrefix("countersign ") {
            let words = line.split(separator: " ").dropFirst().prefix(2).map(String.init)
            let command = words.count == 2 && !words[1].hasPrefix("-") && words[1].first!.isLowercase && !words[1].contains(".") ? words : [words[0]]
            let help = try runCommand(TestEnvironment.countersignExecutable.path, command + ["--help"])
            #expect(help.status == 0, "countersign \(command.joined(separator: " ")) --help")
        }
    }
}
