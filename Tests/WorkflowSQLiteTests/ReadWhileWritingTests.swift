import Foundation
import GRDB
import Testing
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
        let (store, directory) = try await storeWithAccount("read-while-writing")
        defer { try? FileManager.default.removeItem(at: directory) }

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
