import Foundation
import TestSupport
import Testing

/// `countersign serve` as a process: the configuration checked, the server up on its port, and
/// SIGTERM ending it cleanly (exit 0 after a graceful shutdown).
@Suite struct ServeCommandTests {
    @Test func aBadConfigurationIsAUsageErrorNamingTheKey() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let file = directory.appendingPathComponent("serve.json")
        try Data(#"{"port": 8080, "listen": "0.0.0.0"}"#.utf8).write(to: file)
        let result = try runCommand(TestEnvironment.countersignExecutable.path, ["serve", "--config", file.path, "--check"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("listen is not a field of the configuration"), "\(result.stderr)")
        try Data(#"{"port": 8080, "worker": {"smtp": "relay:2525"}}"#.utf8).write(to: file)
        let checked = try runCommand(TestEnvironment.countersignExecutable.path, ["serve", "--config", file.path, "--check"],
                                     environment: ["COUNTERSIGN_PORT": "9191"])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.contains("\"port\" : 9191"), "\(checked.stdout)")
        // A home with no store is most likely a mistyped one: --check warns, serve refuses (and
        // makes nothing there).
        #expect(checked.stderr.contains("warning: serve will refuse to start:") && checked.stderr.contains("no workflow home here"),
                "\(checked.stderr)")
        try Data(#"{"home": "typo-home"}"#.utf8).write(to: file)
        let typo = try runCommand(TestEnvironment.countersignExecutable.path, ["serve", "--config", file.path])
        #expect(typo.status == 66 && typo.stderr.contains("typo-home: no workflow home here") && typo.stderr.contains("countersign account create --home"),
                "\(typo.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("typo-home").path))
        // The store URL is read by --check as by serve, and its password is not echoed.
        try Data(#"{"store": "postgres://cs:s3cret@db.internal:5432/countersign"}"#.utf8).write(to: file)
        let withStore = try runCommand(TestEnvironment.countersignExecutable.path, ["serve", "--config", file.path, "--check"])
        #expect(withStore.status == 0 && withStore.stdout.contains("postgres://cs:***@db.internal:5432/countersign")
                && !withStore.stdout.contains("s3cret"), "\(withStore.stdout) \(withStore.stderr)")
        try Data(#"{"store": "postgres://cs@db.internal/countersign?sslmode=require"}"#.utf8).write(to: file)
        let tls = try runCommand(TestEnvironment.countersignExecutable.path, ["serve", "--config", file.path, "--check"])
        #expect(tls.status == 64 && tls.stderr.contains("store: sslmode=require"), "\(tls.stderr)")
        // Strict JSON: a trailing comma (which Foundation's decoder would let through) is named.
        try Data("{\"port\": 8080,\n}".utf8).write(to: file)
        let comma = try runCommand(TestEnvironment.countersignExecutable.path, ["serve", "--config", file.path, "--check"])
        #expect(comma.status == 64 && comma.stderr.contains("the configuration has a comma before '}' at line 1, column 14"), "\(comma.stderr)")
        // A configuration file that is not there is a missing input (66), not a usage error.
        let missing = try runCommand(TestEnvironment.countersignExecutable.path,
                                     ["serve", "--config", directory.appendingPathComponent("nothere.json").path, "--check"])
        #expect(missing.status == 66 && missing.stderr.contains("nothere.json: no such configuration file"), "\(missing.stderr)")
        // A seal file that is not there: the setting and the configuration are named, not only the path.
        try Data(#"{"seal": {"p12": "nothere.p12"}}"#.utf8).write(to: file)
        let seal = try runCommand(TestEnvironment.countersignExecutable.path, ["serve", "--config", file.path, "--check"])
        #expect(seal.status == 66 && seal.stderr.contains("serve.json: seal (seal.p12): ") && seal.stderr.contains("nothere.p12"), "\(seal.stderr)")
    }

    /// A configuration the server would refuse (here a session key file that is not there) is
    /// refused before anything is made: no home, no development CA left behind.
    @Test func aBadConfigurationMakesNothing() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let home = directory.appendingPathComponent("home")
        let file = directory.appendingPathComponent("serve.json")
        try Data(#"{"home": "\#(home.path)", "pages": {"sessionKeyFile": "absent.key"}}"#.utf8).write(to: file)
        for arguments in [["serve", "--config", file.path, "--check"], ["serve", "--config", file.path]] {
            let result = try runCommand(TestEnvironment.countersignExecutable.path, arguments)
            #expect(result.status == 64 && result.stderr.contains("absent.key does not exist; make it once"), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: home.path), "the home (and its development CA) was made")
    }

    @Test func checkLoadsTheConfiguredOrganisationSeal() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let made = try runCommand(TestEnvironment.countersignExecutable.path, ["keys", "dev-ca", "--out", directory.appendingPathComponent("seal").path])
        #expect(made.status == 0, "\(made.stderr)")
        try Data("wrong\n".utf8).write(to: directory.appendingPathComponent("wrong.pass"))
        let file = directory.appendingPathComponent("serve.json")
        try Data(#"{"seal": {"p12": "seal/signer.p12", "passwordFile": "wrong.pass"}}"#.utf8).write(to: file)
        let wrong = try runCommand(TestEnvironment.countersignExecutable.path, ["serve", "--config", file.path, "--check"])
        #expect(wrong.status == 65 && wrong.stderr.contains("signer.p12") && wrong.stderr.contains("seal.passwordFile"), "\(wrong.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("countersign-workflow").path), "--check creates nothing")
        try Data(#"{"seal": {"p12": "seal/signer.p12", "passwordFile": "seal/signer.pass"}}"#.utf8).write(to: file)
        let right = try runCommand(TestEnvironment.countersignExecutable.path, ["serve", "--config", file.path, "--check"])
        #expect(right.status == 0 && right.stdout.contains("signer.p12"), "\(right.stderr)")
    }

    @Test func itServesUntilSIGTERM() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let made = try runCommand(TestEnvironment.countersignExecutable.path, ["account", "create", "--name", "Acme", "--home", directory.path])
        #expect(made.status == 0, "\(made.stderr)")
        let port = try LoopbackHTTPServer.freePort()
        let process = Process()
        process.executableURL = TestEnvironment.countersignExecutable
        process.arguments = ["serve"]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "COUNTERSIGN_PORT": String(port), "COUNTERSIGN_WORKFLOW_HOME": directory.path, "COUNTERSIGN_WORKER": "false",
        ]) { $1 }
        let log = directory.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var ready: CommandResult?
        for _ in 0..<300 {
            let probe = try runCommand("curl", ["-sS", "--max-time", "2", "http://127.0.0.1:\(port)/readyz"])
            if probe.status == 0 {
                ready = probe
                break
            }
            usleep(100_000)
        }
        #expect(ready?.stdout.contains("\"ready\"") == true, "\(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))")
        // A second server on the same port: an I/O error (74) saying so and what to do.
        let second = try runCommand(TestEnvironment.countersignExecutable.path, ["serve"], environment: [
            "COUNTERSIGN_PORT": String(port), "COUNTERSIGN_WORKFLOW_HOME": directory.path,
            "COUNTERSIGN_WORKER": "false",
        ])
        #expect(second.status == 74 && second.stderr.contains("cannot listen on 127.0.0.1:\(port): Address already in use — stop what listens there"),
                "\(second.stderr)")
        kill(process.processIdentifier, SIGTERM)
        process.waitForExit(timeout: 60)
        #expect(process.terminationStatus == 0)
        let lines = String(decoding: try Data(contentsOf: log), as: UTF8.self).split(separator: "\n")
        #expect(lines.contains { $0.contains("\"message\":\"listening\"") })
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil }, "every log line is JSON")
    }
}
