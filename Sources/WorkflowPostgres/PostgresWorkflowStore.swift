public import Foundation
import PostgresNIO
import Synchronization
public import Workflow

/// The shared store: one PostgreSQL database holds accounts, the template library, envelopes,
/// the append-only evidence log, the ledger, the job queue and the documents (content-addressed
/// `bytea`). Any number of processes open it at once and cooperate: every `commit` is one
/// transaction with optimistic revision checks, events and the ledger are append-only (triggers
/// refuse updates, deletes and truncation), and workers claim jobs with `FOR UPDATE SKIP LOCKED`
/// under a lease (DESIGN.md §11, §13; the schema is in docs/workflow.md, "Store schema").
///
/// Open it with `open(_:)`, which connects and migrates, and `close()` it when done.
public final class PostgresWorkflowStore: WorkflowStore {
    let client: PostgresClient
    /// The pool's connections, waited for at most `configuration.connectionPatience`.
    let lease: PatientLease
    private let runner: Task<Void, Never>
    let logger: Logger
    /// Where the store connects (for messages).
    public let configuration: PostgresStoreConfiguration
    public let documents: any DocumentStore
    /// Envelopes decoded before, by their stored text (reads skip the JSON decoder on a match).
    let envelopeCache = EnvelopeDecodeCache()
    /// Template versions decoded before, by their stored text (each envelope made from one reads it twice).
    let templateCache = RowDecodeCache<TemplateVersion>(capacity: 64)
    /// Each account's webhook endpoints and ledger head as this process last read or stored them
    /// (`OneStatementCommit`).
    let accountMemory = OneStatementCommit.AccountMemory()
    /// Idempotency reservations made through this store, to sweep expired records every so often.
    let idempotencyReservations = Atomic<Int>(0)

    private init(configuration: PostgresStoreConfiguration) {
        var clientConfiguration: PostgresClient.Configuration
        switch configuration.endpoint {
        case .tcp(let host, let port):
            clientConfiguration = .init(host: host, port: port, username: configuration.username, password: configuration.password,
                                        database: configuration.database, tls: .disable)
        case .unixSocket(let path):
            clientConfiguration = .init(unixSocketPath: path, username: configuration.username, password: configuration.password,
                                        database: configuration.database)
        }
        clientConfiguration.options.maximumConnections = max(1, configuration.maximumConnections)
        clientConfiguration.options.connectTimeout = .seconds(10)
        let client = PostgresClient(configuration: clientConfiguration)
        self.client = client
        self.lease = PatientLease(client: client, patience: configuration.connectionPatience, place: configuration.place)
        self.configuration = configuration
        // Queries log at debug level through the application's swift-log bootstrap (silent by default).
        self.logger = Logger(label: "countersign.workflow.postgres")
        self.runner = Task { await client.run() }
        self.documents = PostgresDocumentStore(lease: lease, logger: logger, place: configuration.place)
    }

    /// Connects to the database and brings its schema up to date (each migration once, under an
    /// advisory lock so processes starting together do not race), then opens the pool.
    public static func open(_ configuration: PostgresStoreConfiguration) async throws -> PostgresWorkflowStore {
        let logger = Logger(label: "countersign.workflow.postgres")
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration.connection, id: 0, logger: logger)
        } catch {
            throw mapped(error, what: "connecting", place: configuration.place)
        }
        do {
            try await PostgresSchema.migrate(connection, logger: logger)
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw mapped(error, what: "migrating the schema", place: configuration.place)
        }
        return PostgresWorkflowStore(configuration: configuration)
    }

    /// Closes every connection. The store cannot be used afterwards.
    public func close() async {
        runner.cancel()
        await runner.value
    }

    deinit { runner.cancel() }

    // MARK: Helpers

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }()

    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw WorkflowError(.store, "a stored \(type) does not decode (\(error)); the database was changed outside the store")
        }
    }

    /// Runs statements on one pooled connection outside a transaction (single reads and writes).
    func run<T: Sendable>(_ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await lease.withConnection(body)
        } catch {
            throw Self.mapped(error, what: what, place: configuration.place)
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T: Sendable>(_ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await lease.withConnection { [logger] connection in
                try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
            }
        } catch let error as PostgresTransactionError {
            throw Self.mapped(error.closureError ?? error.beginError ?? error.commitError ?? error, what: what, place: configuration.place)
        } catch {
            throw Self.mapped(error, what: what, place: configuration.place)
        }
    }

    /// A PostgreSQL failure as a `WorkflowError`: a uniqueness or serialization failure means
    /// someone else wrote the same record first (`conflict`); the rest is `store`.
    static func mapped(_ error: any Error, what: String, place: String) -> WorkflowError {
        if let error = error as? WorkflowError { return error }
        if let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] {
            let message = error.serverInfo?[.message] ?? "no message"
            switch state {
            case "23505", "40001", "40P01":
                return WorkflowError(.conflict, "someone else wrote the same record first (\(message)); read it again and retry")
            case OneStatementCommit.conflict:
                return WorkflowError(.conflict, message)
            case OneStatementCommit.notFound:
                return WorkflowError(.notFound, message)
            default:
                return WorkflowError(.store, "\(what) in \(place): PostgreSQL refused it (SQLSTATE \(state): \(message))")
            }
        }
        if let error = error as? PSQLError {
            return WorkflowError(.store, "\(what) failed, \(place): \(error.code); check that the server runs, accepts connections from here and knows the user and database (\(String(reflecting: error)))")
        }
        return WorkflowError(.store, "\(what) in \(place): \(error)")
    }

    /// Every row of a query, for reading its columns by name (`value(_:)`).
    static func rows(_ connection: PostgresConnection, _ query: PostgresQuery, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        var rows: [PostgresRandomAccessRow] = []
        for try await row in try await connection.query(query, logger: logger) { rows.append(row.makeRandomAccess()) }
        return rows
    }

    /// The first column of every row.
    static func column<Value: PostgresDecodable>(_ connection: PostgresConnection, _ query: PostgresQuery, logger: Logger,
                                                 as: Value.Type) async throws -> [Value] {
        var values: [Value] = []
        for try await row in try await connection.query(query, logger: logger) {
            values.append(try row.decode(Value.self))
        }
        return values
    }

    /// How many rows a statement with a `RETURNING 1` clause touched.
    static func count(_ connection: PostgresConnection, _ query: PostgresQuery, logger: Logger) async throws -> Int {
        var count = 0
        for try await _ in try await connection.query(query, logger: logger) { count += 1 }
        return count
    }

    static func seconds(_ date: Date) -> Double { date.timeIntervalSince1970 }
    static func date(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }

    // MARK: AccountStore

    public func createAccount(_ account: Account, firstKey: APIKeyRecord) async throws {
        try await transaction("creating account \(account.id)") { connection in
            try await connection.query("""
                INSERT INTO accounts (id, name, created_at) VALUES (\(account.id), \(account.name), \(Self.seconds(account.createdAt)))
                """, logger: self.logger)
            try await Self.insert(key: firstKey, connection, logger: self.logger)
        }
    }

    public func account(id: String) async throws -> Account? {
        try await run("reading account \(id)") { connection in
            try await Self.rows(connection, "SELECT id, name, created_at FROM accounts WHERE id = \(id)", logger: self.logger)
                .first.map(Self.account)
        }
    }

    public func accounts() async throws -> [Account] {
        try await run("listing accounts") { connection in
            try await Self.rows(connection, "SELECT id, name, created_at FROM accounts ORDER BY id", logger: self.logger).map(Self.account)
        }
    }

    static func account(_ row: PostgresRandomAccessRow) throws -> Account {
        Account(id: try row.value("id"), name: try row.value("name"), createdAt: date(try row.value("created_at")))
    }

    public func insertKey(_ key: APIKeyRecord) async throws {
        try await transaction("adding key \(key.id)") { connection in
            guard try await Self.count(connection, "SELECT 1 FROM accounts WHERE id = \(key.account)", logger: self.logger) == 1 else {
                throw WorkflowError(.notFound, "no account \(key.account)")
            }
            try await Self.insert(key: key, connection, logger: self.logger)
        }
    }

    static func insert(key: APIKeyRecord, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO api_keys (id, account, role, name, secret_hash, created_at, revoked_at)
            VALUES (\(key.id), \(key.account), \(key.role.rawValue), \(key.name), \(key.secretHash), \(seconds(key.createdAt)),
                    \(key.revokedAt.map(seconds)))
            """, logger: logger)
    }

    public func revokeKey(account: String, id: String, at: Date) async throws {
        try await run("revoking key \(id)") { connection in
            let changed = try await Self.count(connection, """
                UPDATE api_keys SET revoked_at = \(Self.seconds(at))
                WHERE account = \(account) AND id = \(id) AND revoked_at IS NULL RETURNING 1
                """, logger: self.logger)
            guard changed == 1 else { throw WorkflowError(.notFound, "account \(account) has no active key \(id)") }
        }
    }

    public func key(secretHash: String) async throws -> APIKeyRecord? {
        try await keys(where: "secret_hash = ", secretHash, what: "finding a key").first
    }

    public func keys(account: String) async throws -> [APIKeyRecord] {
        try await keys(where: "account = ", account, what: "listing the keys of \(account)")
    }

    private func keys(where column: String, _ value: String, what: String) async throws -> [APIKeyRecord] {
        try await run(what) { connection in
            try await Self.rows(connection, """
                SELECT id, account, role, name, secret_hash, created_at, revoked_at FROM api_keys
                WHERE \(unescaped: column)\(value) ORDER BY id
                """, logger: self.logger).map { row in
                let id: String = try row.value("id"), roleName: String = try row.value("role")
                guard let role = Role(rawValue: roleName) else {
                    throw WorkflowError(.store, "key \(id) has an unknown role '\(roleName)'")
                }
                return APIKeyRecord(id: id, account: try row.value("account"), role: role, name: try row.value("name"),
                                    secretHash: try row.value("secret_hash"), createdAt: Self.date(try row.value("created_at")),
                                    revokedAt: (try row.value("revoked_at", as: Double?.self)).map(Self.date))
            }
        }
    }
}

extension PostgresStoreConfiguration {
    /// The settings of one direct connection (the migration's).
    var connection: PostgresConnection.Configuration {
        switch endpoint {
        case .tcp(let host, let port):
            .init(host: host, port: port, username: username, password: password, database: database, tls: .disable)
        case .unixSocket(let path):
            .init(unixSocketPath: path, username: username, password: password, database: database)
        }
    }

    /// The server and database, for messages (never the password).
    public var place: String {
        switch endpoint {
        case .tcp(let host, let port): "PostgreSQL database \(database) at \(host):\(port)"
        case .unixSocket(let path): "PostgreSQL database \(database) at \(path)"
        }
    }
}

extension PostgresRandomAccessRow {
    /// The column `name` decoded as `T` (NULL reads as nil when `T` is optional).
    func value<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try self[name].decode(T.self)
    }
}
