import Countersign
import Foundation
import Logging
import Server
import Synchronization
import TestSupport
import Workflow

/// The JSON log lines a test server wrote.
final class LogLines: Sendable {
    let lines = Mutex<[String]>([])
}

/// A live server on a loopback port over a new workflow home (SQLite store, development seal),
/// with one account and a key of every role; the shipped template library is imported and
/// `service-agreement@3` published unless `library` is false.
final class ServerFixture: Sendable {
    let directory: URL
    let home: WorkflowHome
    let clock: ManualClock
    let server: CountersignServer
    let port: Int
    let keys: [Role: String]
    let admin: Principal
    let log: LogLines
    private let running: Task<Void, any Error>

    static func start(_ label: String = #function, library: Bool = true,
                      failingAnswerStores: Int = 0,
                      configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> ServerFixture {
        let directory = try TestEnvironment.scratchDirectory("server-\(label.prefix(40))-\(UUID().uuidString.prefix(8))")
        let clock = ManualClock(Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.home = directory.path
        configuration.worker.enabled = false
        configuration.rateLimit.requests = 10_000
        configure(&configuration)
        let home = try WorkflowHome(directory: directory, clock: clock, signingURL: configuration.publicURL + "/s/",
                                    sender: "contracts@northbeam.example", organisation: "Northbeam Software")
        let engine = home.engine
        let (_, key) = try await engine.createAccount(name: "Northbeam")
        let admin = try await engine.authenticate(apiKey: key.secret)
        var keys: [Role: String] = [.admin: key.secret]
        for role in [Role.legal, .agent, .compliance] {
            keys[role] = try await engine.issueKey(admin, role: role, name: role.rawValue).secret
        }
        if library {
            let legal = try await engine.authenticate(apiKey: keys[.legal]!)
            _ = try await engine.importLibrary(legal, directory: TestEnvironment.root.appendingPathComponent("Templates"))
            _ = try await engine.publishTemplate(legal, templateID: "service-agreement", version: "3")
        }
        let log = LogLines()
        let sink: JSONLogHandler.Sink = { line in log.lines.withLock { $0.append(line) } }
        let logger = Logger(label: "countersign.test") { label in JSONLogHandler(label: label, level: .info, sink: sink) }
        guard let records = home.store as? any ServiceRecordStore else { throw ServiceError(.internal, "the store keeps no service records") }
        let server = try CountersignServer(configuration: configuration, engine: engine, records: failingAnswerStores > 0 ? FlakyRecords(records, failing: failingAnswerStores) : records, logger: logger)
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let running = Task {
            defer { continuation.finish() }
            try await server.run(signals: false) { port in continuation.yield(port) }
        }
        var port: Int?
        for await value in stream {
            port = value
            break
        }
        guard let port else {
            if case .failure(let error) = await running.result { throw error }
            throw ServiceError(.internal, "the server stopped before listening")
        }
        return ServerFixture(directory: directory, home: home, clock: clock, server: server, port: port, keys: keys, admin: admin,
                             log: log, running: running)
    }

    private init(directory: URL, home: WorkflowHome, clock: ManualClock, server: CountersignServer, port: Int, keys: [Role: String],
                 admin: Principal, log: LogLines, running: Task<Void, any Error>) {
        self.directory = directory
        self.home = home
        self.clock = clock
        self.server = server
        self.port = port
        self.keys = keys
        self.admin = admin
        self.log = log
        self.running = running
    }

    /// Shuts the server down gracefully and waits for it to stop.
    func stop() async throws {
        await server.shutdown()
        try await running.value
    }

    /// A request as `role` (nil: no key), JSON body if given.
    func call(_ method: String, _ path: String, as role: Role? = .agent, key: String? = nil, json: Any? = nil,
              headers: [String: String] = [:]) async throws -> RawHTTP.Answer {
        var headers = headers
        if let secret = key ?? role.flatMap({ keys[$0] }) { headers["Authorization"] = "Bearer \(secret)" }
        var body: [UInt8]?
        if let json {
            body = Array(try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]))
            headers["Content-Type"] = headers["Content-Type"] ?? "application/json"
        }
        return try await RawHTTP.request(port: port, method, path, headers: headers, body: body)
    }

    /// The first lead of Fixtures/leads.csv as envelope data.
    static let lead: [String: String] = [
        "lead_id": "LD-100000", "company_name": "Crescent Capital Inc.", "contact_first_name": "Gabriel",
        "contact_last_name": "Côté", "contact_email": "gabriel.cote@crescentcapital.ca", "plan": "Starter", "seats": "4",
        "unit_price": "15.00", "discount_pct": "0", "effective_date": "2025-08-06", "term_months": "24",
        "industry": "Financial Services", "region": "NA", "country": "Canada", "owner_email": "jamie.chen@northbeam.example",
    ]

    /// An envelope request: the customer signs by link (order 1), the company by link (order 2).
    static func envelopeBody(send: Bool = false, leadID: String = "LD-100000") -> [String: Any] {
        var data = lead
        data["lead_id"] = leadID
        return [
            "templateId": "service-agreement", "templateVersion": "3", "subject": "Service Agreement — Crescent Capital",
            "data": data, "metadata": ["lead_id": leadID], "send": send,
            "recipients": [
                ["name": "Gabriel Côté", "email": "gabriel.cote@crescentcapital.ca", "role": "signer", "routingOrder": 1,
                 "authentication": "link", "signatureRole": "customer"],
                ["name": "Jamie Chen", "email": "jamie.chen@northbeam.example", "role": "signer", "routingOrder": 2,
                 "authentication": "link", "signatureRole": "company"],
            ],
        ]
    }

    /// Creates an envelope through the API and returns its id.
    func createEnvelope(send: Bool = false, leadID: String = "LD-100000") async throws -> String {
        let answer = try await call("POST", "/v1/envelopes", json: Self.envelopeBody(send: send, leadID: leadID))
        guard answer.status == 201, let id = answer.json["id"] as? String else {
            throw ServiceError(.internal, "creating an envelope answered \(answer.status): \(answer.text)")
        }
        return id
    }

    /// How many envelopes the account has (straight from the store).
    func envelopeCount() async throws -> Int {
        try await home.store.envelopes(account: admin.account, query: EnvelopeQuery(limit: 10_000)).count
    }
}

/// Service records whose first `failing` attempts to store an answer fail as a store does
/// while PostgreSQL restarts.
final class FlakyRecords: ServiceRecordStore, @unchecked Sendable {
    let base: any ServiceRecordStore
    let failures = Mutex(0)
    let failing: Int
    init(_ base: any ServiceRecordStore, failing: Int) { self.base = base; self.failing = failing }
    func reserveIdempotencyKey(_ record: IdempotencyRecord, expiredBefore: Date, abandonedBefore: Date) async throws -> IdempotencyRecord? {
        try await base.reserveIdempotencyKey(record, expiredBefore: expiredBefore, abandonedBefore: abandonedBefore)
    }
    func completeIdempotencyKey(_ record: IdempotencyRecord) async throws {
        let failed = failures.withLock { count in
            count += 1
            return count <= failing
        }
        if failed { throw WorkflowError(.store, "store: storing the response failed: serverClosedConnection") }
        try await base.completeIdempotencyKey(record)
    }
    func releaseIdempotencyKey(account: String, key: String) async throws { try await base.releaseIdempotencyKey(account: account, key: key) }
    func insertEmbeddedLink(_ link: EmbeddedLink) async throws { try await base.insertEmbeddedLink(link) }
    func redeemEmbeddedLink(secretHash: String, now: Date) async throws -> EmbeddedLink? { try await base.redeemEmbeddedLink(secretHash: secretHash, now: now) }
}
