import Countersign
import Foundation
import Synchronization
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Many `countersign serve` processes on one PostgreSQL store, as an operator runs them: one
/// configuration file per node (its own port and public URL; the same store, home, SMTP relay and
/// session key), started as real processes and killed with SIGKILL. Requests go to a chosen node
/// and, like a load balancer, to the next one while that node is down.
final class ServiceNodes: Sendable {
    let home: URL
    let store: String
    /// The account's admin key (from `countersign account create`).
    let key: String
    let ports: [Int]
    let latencies = Latencies()
    /// The API clients' connections, kept open between requests (as an integration's HTTP library does).
    let http = KeepAliveHTTP()
    /// Answers `idempotency-key-in-progress` the signing clients met (a key a killed node reserved).
    let stuckKeys = Atomic<Int>(0)
    private let processes: Mutex<[Process?]>

    /// Sets up the account and the published template library through the CLI, then starts
    /// `count` nodes (each running `workerConcurrency` jobs at once) and waits until each answers `/readyz`.
    init(count: Int, store: String, smtp: Int, lease: Int, workerConcurrency: Int = 1) throws {
        home = try TestEnvironment.scratchDirectory("service-nodes")
        self.store = store
        let account = try WorkerHarness.countersign(["account", "create", "--name", "Northbeam"], home: home, store: store)
        guard account.status == 0, let object = try JSONSerialization.jsonObject(with: account.stdoutData) as? [String: Any],
              let key = object["key"] as? String else {
            throw HarnessError("account create failed (\(account.status)): \(account.stderr)")
        }
        self.key = key
        let imported = try WorkerHarness.countersign(["template", "import", TestEnvironment.root.appendingPathComponent("Templates").path,
                                                      "--publish"], home: home, store: store, key: key)
        guard imported.status == 0 else { throw HarnessError("template import failed: \(imported.stderr)") }
        let sessionKey = home.appendingPathComponent("session.key")
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: sessionKey)
        var ports: [Int] = []
        for index in 0..<count {
            let port = try freeLoopbackPort()
            ports.append(port)
            let configuration: [String: Any] = [
                "host": "127.0.0.1", "port": port, "home": home.path, "store": store, "publicURL": "http://127.0.0.1:\(port)",
                "worker": ["enabled": true, "interval": 0.2, "smtp": "127.0.0.1:\(smtp)", "webhooks": true,
                           "webhookAllow": ["127.0.0.0/8"], "lease": lease, "concurrency": workerConcurrency],
                "pages": ["sessionKeyFile": sessionKey.path, "cacheDirectory": "page-cache-\(index)"],
                "rateLimit": ["requests": 1_000_000, "window": 60], "logLevel": "warning",
            ]
            try JSONSerialization.data(withJSONObject: configuration, options: [.prettyPrinted, .sortedKeys])
                .write(to: home.appendingPathComponent("node\(index).json"))
        }
        self.ports = ports
        processes = Mutex(Array(repeating: nil, count: count))
        for index in 0..<count { try start(index) }
    }

    /// The `countersign` the nodes run: `COUNTERSIGN_SERVE_EXECUTABLE` (scripts/bench service sets
    /// it to the release build), or the one built with the tests.
    static var executable: URL {
        ProcessInfo.processInfo.environment["COUNTERSIGN_SERVE_EXECUTABLE"].map { URL(fileURLWithPath: $0) }
            ?? TestEnvironment.countersignExecutable
    }

    /// Starts node `index` (`countersign serve --config nodeN.json`, its log appended to nodeN.log)
    /// and waits until it is ready.
    func start(_ index: Int) throws {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--config", home.appendingPathComponent("node\(index).json").path]
        let log = home.appendingPathComponent("node\(index).log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        process.standardOutput = handle
        process.standardError = handle
        var environment = ProcessInfo.processInfo.environment
        // Only the file configures the node (the variables of docs/api.md would override it).
        for variable in ["COUNTERSIGN_CONFIG", "COUNTERSIGN_HOST", "COUNTERSIGN_PORT", "COUNTERSIGN_WORKFLOW_HOME", "COUNTERSIGN_STORE",
                         "COUNTERSIGN_PUBLIC_URL", "COUNTERSIGN_WORKER", "COUNTERSIGN_SMTP", "COUNTERSIGN_RATE_LIMIT"] {
            environment[variable] = nil
        }
        process.environment = environment
        try process.run()
        processes.withLock { $0[index] = process }
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let answer = try? blockingRequest(port: ports[index], "GET", "/readyz"), answer.status == 200 { return }
            guard process.isRunning else { break }
            usleep(100_000)
        }
        throw HarnessError("node \(index) did not become ready:\n\(logText(index).suffix(3000))")
    }

    /// SIGKILL: the node dies wherever it is (requests in flight, jobs leased).
    func kill(_ index: Int) {
        guard let process = processes.withLock({ $0[index] }) else { return }
        if process.isRunning { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitForExit(timeout: 60)
        processes.withLock { $0[index] = nil }
    }

    /// Stops every node (SIGKILL: processes started from the test runner inherit its blocked SIGTERM).
    func stop() {
        for index in ports.indices { kill(index) }
        http.close()
    }

    func logText(_ index: Int) -> String {
        (try? String(contentsOf: home.appendingPathComponent("node\(index).log"), encoding: .utf8)) ?? ""
    }

    /// A request to node `node`, passed on to the next node while the chosen one refuses the
    /// connection or drops it unanswered (as a load balancer does); as the admin unless `key` is
    /// empty. POSTs carry an `Idempotency-Key`, so a retried request never acts twice. The time
    /// of the answered attempt is recorded under `kind`.
    func call(node: Int, _ method: String, _ path: String, json: Any? = nil, key: String? = nil, kind: Latencies.Kind? = nil,
              idempotencyKey: String? = nil) async throws -> RawHTTP.Answer {
        var headers: [String: String] = [:]
        let secret = key ?? self.key
        if !secret.isEmpty { headers["Authorization"] = "Bearer \(secret)" }
        if method == "POST" { headers["Idempotency-Key"] = idempotencyKey ?? UUID().uuidString }
        var body: [UInt8]?
        if let json {
            body = Array(try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]))
            headers["Content-Type"] = "application/json"
        }
        var failures: [String] = []
        for attempt in 0..<(ports.count * 20) {
            let port = ports[(node + attempt) % ports.count]
            let started = ContinuousClock.now
            do {
                let answer = try await http.request(port: port, method, path, headers: headers, body: body)
                if answer.status != 0 {
                    if let kind { latencies.record(kind, ContinuousClock.now - started) }
                    return answer
                }
                failures.append("\(port): no answer")
            } catch {
                failures.append("\(port): \(error)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("\(method) \(path): no node answered: \(failures.suffix(6))")
    }

    private func blockingRequest(port: Int, _ method: String, _ path: String) throws -> RawHTTP.Answer {
        let connection = try RawHTTP(port: port)
        connection.send(RawHTTP.head(method, path, headers: [:], contentLength: nil))
        return connection.receive()
    }
}

/// Response times by kind of request, for the benchmark's percentiles.
final class Latencies: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        /// Consent, adopt and sign: what a signer waits for.
        case signerAction
        /// `GET /v1/envelopes/{id}`: what an integration polls.
        case statusRead
    }

    private let samples = Mutex<[Kind: [Double]]>([:])

    func record(_ kind: Kind, _ duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        samples.withLock { $0[kind, default: []].append(seconds) }
    }

    /// Count, p50 and p99 in milliseconds (nearest rank).
    func summary(_ kind: Kind) -> [String: Double] {
        let sorted = samples.withLock { $0[kind] ?? [] }.sorted()
        guard !sorted.isEmpty else { return ["count": 0] }
        func rank(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)] * 1000 }
        return ["count": Double(sorted.count), "p50_ms": rank(0.5), "p99_ms": rank(0.99)]
    }
}
