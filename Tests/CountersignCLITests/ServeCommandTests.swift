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
        #expect(result.stderr.contains("unknown key 'listen'"), "\(result.stderr)")
        try Data(#"{"port": 8080, "worker": {"smtp": "relay:2525"}}"#.utf8).write(to: file)
        let checked = try runCommand(TestEnvironment.countersignExecutable.path, ["serve", "--config", file.path, "--check"],
                                     environment: ["COUNTERSIGN_PORT": "9191"])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.contains("\"port\" : 9191"), "\(checked.stdout)")
    }

    @Test func itServesUntilSIGTERM() throws {
        let directory = try TestEnvironment.scratchDirectory()
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
        kill(process.processIdentifier, SIGTERM)
        process.waitForExit(timeout: 60)
        #expect(process.terminationStatus == 0)
        let lines = String(decoding: try Data(contentsOf: log), as: UTF8.self).split(separator: "\n")
        #expect(lines.contains { $0.contains("\"message\":\"listening\"") })
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil }, "every log line is JSON")
    }
}
