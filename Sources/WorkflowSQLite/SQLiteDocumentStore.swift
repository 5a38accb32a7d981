import Foundation
import GRDB
import Workflow

/// The SQLite store's documents: the bytes in files (`FileDocumentStore`), the envelopes that
/// hold each one in `document_holders`.
///
/// The hold is written by the commit that stores the envelope naming the document (in the same
/// transaction, not by `put`: a write transaction of its own cost a fifth of the workflow
/// benchmark's rate), and that commit checks the file is still there. `release` checks for
/// other holds and deletes the file inside one write transaction. SQLite has one writer at a
/// time, across processes, so a release either runs before the commit (which then finds the
/// file gone and is refused as a conflict, to be made again) or sees its hold.
struct SQLiteDocumentStore: DocumentStore {
    let files: FileDocumentStore
    let pool: DatabasePool
    let path: String

    func put(_ bytes: [UInt8], heldBy holder: DocumentHolder) async throws -> String {
        try await files.put(bytes)
    }

    func get(_ sha256: String) async throws -> [UInt8]? {
        try await files.get(sha256)
    }

    func release(_ sha256: String, heldBy holder: DocumentHolder) async throws -> Bool {
        try await write("releasing document \(sha256)") { db in
            // The check and the deletion hold the database's one writer: no hold can be added between them.
            var deleted = false
            try db.inTransaction(.immediate) {
                try db.execute(sql: "DELETE FROM document_holders WHERE sha256 = ? AND account = ? AND envelope = ?",
                               arguments: [sha256, holder.account, holder.envelope])
                let held = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM document_holders WHERE sha256 = ?)",
                                             arguments: [sha256]) ?? false
                if !held {
                    try files.delete(sha256)
                    deleted = true
                }
                return .commit
            }
            return deleted
        }
    }

    private func write<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.writeWithoutTransaction(body)
        } catch let error as WorkflowError {
            throw error
        } catch {
            throw WorkflowError(.store, "\(what) in \(path): \(SQLiteWorkflowStore.describe(error))")
        }
    }
}
