import Foundation
import GRDB
import Testing
import TestSupport
import Workflow
import WorkflowSQLite

/// A store another process holds locked past the busy timeout says so, with what to do, instead
/// of SQLite's bare "database is locked" (a newcomer trial).
@Suite struct StoreLockTests {
    @Test func aLockedStoreSaysWhoMayHoldItAndWhatToDo() async throws {
        let directory = try TestEnvironment.scratchDirectory("locked-store")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try SQLiteWorkflowStore(directory: directory)
        let holder = try DatabaseQueue(path: directory.appendingPathComponent("workflow.sqlite").path)
        // In exclusive locking mode the lock a transaction takes outlives it, until the mode ends.
        try await holder.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
            try db.execute(sql: "BEGIN EXCLUSIVE")
            try db.execute(sql: "COMMIT")
        }
        do {
            _ = try SQLiteWorkflowStore(directory: directory)
            Issue.record("opened a store another connection holds exclusively")
        } catch let error as WorkflowError {
            #expect(error.code == .store)
            #expect(error.reason.contains("the store is locked by another process") && error.reason.contains("try again once it is done"),
                    "\(error.reason)")
        }
        try await holder.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA locking_mode = NORMAL")
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
        }
        _ = try SQLiteWorkflowStore(directory: directory)
    }
}
