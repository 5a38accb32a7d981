import Foundation
public import Workflow

/// Opens the store of one conformance case: new and empty at its first call; later calls (of
/// the cases that open several nodes) open the same database again.
public typealias WorkflowStoreFactory = @Sendable () async throws -> any WorkflowStore

/// What every `WorkflowStore` must do, written once over a store factory. A store's test target
/// runs every case (see `WorkflowSQLiteTests/SQLiteConformanceTests.swift`: a few lines):
///
/// ```swift
/// @Test(arguments: StoreConformance.cases)
/// func conformance(_ check: StoreConformance.Case) async throws {
///     try await check.run { try MyStore(...) }
/// }
/// ```
public enum StoreConformance {
    /// One named check.
    public struct Case: Sendable, CustomStringConvertible {
        public let name: String
        private let check: @Sendable (WorkflowStoreFactory) async throws -> Void
        public var description: String { name }

        /// A check of one store.
        init(name: String, body: @escaping @Sendable (any WorkflowStore) async throws -> Void) {
            self.name = name
            self.check = { factory in try await body(try await factory()) }
        }

        /// A check of `nodes` stores opened on the same database, as that many processes (nodes
        /// of a deployment) would open it: the factory is called once per node, and every call
        /// after the first must open the store the first one made.
        init(name: String, nodes: Int, body: @escaping @Sendable ([any WorkflowStore]) async throws -> Void) {
            self.name = name
            self.check = { factory in
                var stores: [any WorkflowStore] = []
                for _ in 0..<nodes { stores.append(try await factory()) }
                try await body(stores)
            }
        }

        /// Runs the check against the store(s) `factory` opens.
        public func run(_ factory: WorkflowStoreFactory) async throws {
            try await check(factory)
        }
    }

    /// A check that did not hold.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static let cases: [Case] = accountCases + envelopeCases + markCases + eventCases + jobCases + libraryCases + documentCases
        + webhookCases + webhookAtomicityCases
}

// MARK: Helpers shared by the cases

func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw StoreConformance.Failure(description: message()) }
}

/// Expects `body` to throw a `WorkflowError` with `code`.
func expectError(_ code: WorkflowError.Code, _ what: String, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as WorkflowError {
        try expect(error.code == code, "\(what): expected \(code), got \(error)")
        return
    }
    throw StoreConformance.Failure(description: "\(what): expected \(code), nothing was thrown")
}

let epoch = Date(timeIntervalSince1970: 1_796_000_000)

func makeAccount(_ store: any WorkflowStore, _ id: String, role: Role = .admin) async throws -> APIKeyRecord {
    let key = APIKeyRecord(id: "key_\(id)", account: id, role: role, name: "first key", secretHash: sha("secret-\(id)"),
                           createdAt: epoch)
    try await store.createAccount(Account(id: id, name: "Account \(id)", createdAt: epoch), firstKey: key)
    return key
}

func sha(_ text: String) -> String {
    // A stable stand-in for a real hash: 64 lowercase hex digits derived from the text.
    var state: UInt64 = 0xcbf2_9ce4_8422_2325
    var out = ""
    for round in 0..<4 {
        for byte in text.utf8 { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        state = (state ^ UInt64(round)) &* 0x100_0000_01b3
        out += String(format: "%016llx", state)
    }
    return out
}

func makeEnvelope(_ account: String, _ id: String, state: Envelope.State = .draft, metadata: [String: String] = [:]) -> Envelope {
    var envelope = Envelope(id: id, account: account, subject: "Subject \(id)",
                            template: TemplateReference(templateID: "t", version: "1", sha256: sha("t")),
                            data: ["company_name": "Acme"], createdAt: epoch, createdBy: "key_\(account)", metadata: metadata)
    envelope.state = state
    var signer = Recipient(id: "\(id)_r1", name: "Ada", email: "ada@example.com", role: .signer, routingOrder: 1)
    signer.tokenHashes = [sha("token-\(id)-1")]
    envelope.recipients = [signer, Recipient(id: "\(id)_r2", name: "Bo", email: "bo@example.com", role: .cc, routingOrder: 2)]
    return envelope
}

/// `count` events chained after the envelope's head; the envelope's head is moved.
func chain(_ envelope: inout Envelope, _ types: [String], at: Date = epoch) -> [WorkflowEvent] {
    var events: [WorkflowEvent] = []
    for type in types {
        let event = WorkflowEvent.make(account: envelope.account, stream: envelope.id, sequence: envelope.eventCount + 1,
                                       type: type, at: at, actor: .system, data: ["state": envelope.state.rawValue],
                                       personal: ["email": "ada@example.com"], previousHash: envelope.headHash)
        envelope.eventCount += 1
        envelope.headHash = event.hash
        events.append(event)
    }
    return events
}

/// Writes an envelope's next revision with events.
func save(_ store: any WorkflowStore, _ envelope: inout Envelope, events types: [String] = [], jobs: [Job] = []) async throws {
    let events = chain(&envelope, types)
    let stored = try await store.envelope(account: envelope.account, id: envelope.id)
    if stored != nil { envelope.revision += 1 }
    try await store.commit(StoreChange(account: envelope.account, envelope: envelope, events: events, jobs: jobs))
}
