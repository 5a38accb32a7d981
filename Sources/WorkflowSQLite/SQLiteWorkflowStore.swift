public import Foundation
import GRDB
public import Workflow

/// The embedded store: one SQLite database (GRDB, write-ahead log) and documents on the file
/// system beside it. Every `commit` is one SQLite transaction; events and the ledger are
/// append-only (triggers refuse updates and deletes).
public final class SQLiteWorkflowStore: WorkflowStore {
    private let pool: DatabasePool
    public let documents: any DocumentStore
    /// Where the documents' bytes are (`documents` adds which envelopes hold each).
    public let files: FileDocumentStore
    /// Envelopes decoded before, by their stored text (reads skip the JSON decoder on a match).
    let envelopeCache = EnvelopeDecodeCache()
    /// Template versions decoded before, by their stored text (each envelope made from one reads it twice).
    let templateCache = RowDecodeCache<TemplateVersion>(capacity: 64)
    /// The database file.
    public let path: String

    /// Opens (creating and migrating) the store in `directory`: `workflow.sqlite` and `documents/`.
    /// `observeStatement`, when given, hears the text of every SQL statement the store runs
    /// (without its arguments): for tracing, and for the test that checks every statement's
    /// query plan.
    public convenience init(directory: URL, observeStatement: (@Sendable (String) -> Void)? = nil) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw WorkflowError(.store, "cannot create the store folder \(directory.path): \(error.localizedDescription)")
        }
        try self.init(path: directory.appendingPathComponent("workflow.sqlite").path,
                      files: try FileDocumentStore(root: directory.appendingPathComponent("documents")),
                      observeStatement: observeStatement)
    }

    /// Opens (creating and migrating) the database at `path` with documents' bytes in `files`
    /// (which envelopes hold each is kept in the database); `observeStatement` as above.
    public init(path: String, files: FileDocumentStore, observeStatement: (@Sendable (String) -> Void)? = nil) throws {
        self.path = path
        self.files = files
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            if let observeStatement {
                db.trace(options: .statement) { event in
                    if case .statement(let statement) = event { observeStatement(statement.sql) }
                }
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Schema.migrator().migrate(pool)
        } catch {
            throw WorkflowError(.store, "cannot open the workflow database \(path): \(Self.describe(error))")
        }
        documents = SQLiteDocumentStore(files: files, pool: pool, path: path)
    }

    // MARK: Helpers

    /// Records are stored as JSON in the order their types encode them (no key sorting: no
    /// reader depends on the text's order, and sorting every object costs each commit).
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
        return try decoder.decode(type, from: Data(text.utf8))
    }

    /// Runs a read, mapping failures to `WorkflowError.store`. The read runs on the calling
    /// thread (GRDB's synchronous read: a reader connection from the pool, a deferred
    /// transaction), not on a reader's Dispatch queue: in write-ahead-log mode a read does not
    /// wait for the writer (nor sync anything), and the typical read here takes 40 µs, while
    /// the hop to a queue and back cost 150–500 µs of thread wake-ups (36 reads an envelope in
    /// the workflow benchmark; docs/performance.md, session 12). A long read (an export, a long
    /// event stream) is CPU work like any other on the calling thread.
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try readOnCallingThread(body)
        } catch let error as WorkflowError {
            throw error
        } catch {
            throw WorkflowError(.store, "reading \(path): \(Self.describe(error))")
        }
    }

    /// A store error in words: a lock another process held past the 10 s busy timeout says so.
    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            return "the store is locked by another process (a worker, server or demo writing to it, or an open sqlite3 "
                + "session); waited 10 s — try again once it is done (\(error.message ?? "database is locked"))"
        }
        return "\(error)"
    }

    /// GRDB's synchronous read (a separate function so that the `async` overload is not chosen).
    private func readOnCallingThread<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// Runs a write transaction, mapping failures to `WorkflowError.store` (or `conflict` for a
    /// uniqueness violation: someone wrote the same record or event first).
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as WorkflowError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw WorkflowError(.conflict, "someone else wrote the same record first (\(error.message ?? "constraint")); read it again and retry")
        } catch {
            throw WorkflowError(.store, "writing \(path): \(Self.describe(error))")
        }
    }

    // MARK: AccountStore

    public func createAccount(_ account: Account, firstKey: APIKeyRecord) async throws {
        try await write { db in
            try db.execute(sql: "INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)",
                           arguments: [account.id, account.name, account.createdAt.timeIntervalSince1970])
            try Self.insert(key: firstKey, db)
        }
    }

    public func account(id: String) async throws -> Account? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE id = ?", arguments: [id]).map(Self.account)
        }
    }

    public func accounts() async throws -> [Account] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM accounts ORDER BY id").map(Self.account) }
    }

    static func account(_ row: Row) -> Account {
        Account(id: row["id"], name: row["name"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    public func insertKey(_ key: APIKeyRecord) async throws {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM accounts WHERE id = ?", arguments: [key.account]) != nil else {
                throw WorkflowError(.notFound, "no account \(key.account)")
            }
            try Self.insert(key: key, db)
        }
    }

    static func insert(key: APIKeyRecord, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO api_keys (id, account, role, name, secret_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [key.id, key.account, key.role.rawValue, key.name, key.secretHash,
                             key.createdAt.timeIntervalSince1970, key.revokedAt?.timeIntervalSince1970])
    }

    public func revokeKey(account: String, id: String, at: Date) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE account = ? AND id = ? AND revoked_at IS NULL",
                           arguments: [at.timeIntervalSince1970, account, id])
            guard db.changesCount == 1 else { throw WorkflowError(.notFound, "account \(account) has no active key \(id)") }
        }
    }

    public func key(secretHash: String) async throws -> APIKeyRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE secret_hash = ?", arguments: [secretHash]).map(Self.key)
        }
    }

    public func keys(account: String) async throws -> [APIKeyRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys WHERE account = ? ORDER BY id", arguments: [account]).map(Self.key)
        }
    }

    static func key(_ row: Row) -> APIKeyRecord {
        APIKeyRecord(id: row["id"], account: row["account"], role: Role(rawValue: row["role"]) ?? .agent, name: row["name"],
                     secretHash: row["secret_hash"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
                     revokedAt: (row["revoked_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }
}

extension Database {
    /// Executes one statement prepared once per connection (GRDB's statement cache): the store's
    /// statements are fixed texts run on every commit, so parsing and planning them each time
    /// would cost more than running them.
    func run(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
