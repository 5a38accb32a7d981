import Foundation
import GRDB
import Testing
import TestSupport
import Workflow
import WorkflowSQLite

/// The store's reads run on the calling thread (docs/workflow.md, "Store schema"), which is sound
/// only because in write-ahead-log mode a reader never waits for a writer. This holds an
/// exclusive write transaction open on another connection and reads through the store
/// meanwhile: the reads must return the last committed state. (In a rollback-journal mode the
/// exclusive lock shuts readers out: they would wait and throw `SQLITE_BUSY` after the store's
/// 10 s busy timeout.)
@Suite struct ReadWhileWritingTests {
    @Test func readsDoNotWaitForAnOpenWriteTransaction() async throws {
        let directory = try TestEnvironment.scratchDirectory("read-while-writing-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteWorkflowStore(directory: directory)
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        try await store.createAccount(Account(id: "acme", name: "Acme", createdAt: now), firstKey: APIKeyRecord(
            id: "key_1", account: "acme", role: .admin, name: "k", secretHash: String(repeating: "a", count: 64), createdAt: now))

        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let writer = try DatabaseQueue(path: store.path, configuration: configuration)
        try writer.inDatabase { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            try db.execute(sql: "INSERT INTO accounts (id, name, created_at) VALUES ('ghost', 'Ghost', 0)")
        }
        let acme = try await store.account(id: "acme")
        let ghost = try await store.account(id: "ghost")
        let accounts = try await store.accounts()
        try writer.inDatabase { db in try db.execute(sql: "ROLLBACK") }

        #expect(acme?.name == "Acme")
        #expect(ghost == nil, "an uncommitted row is not seen")
        #expect(accounts.map(\.id) == ["acme"])
    }
}
