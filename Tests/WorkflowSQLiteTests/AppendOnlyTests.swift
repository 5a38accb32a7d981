import Foundation
import GRDB
import Testing
import TestSupport
import Workflow
import WorkflowSQLite

/// The database itself refuses to change or delete evidence, whatever the caller.
@Suite struct AppendOnlyTests {
    @Test(arguments: [
        "UPDATE events SET type = 'signed' WHERE sequence = 1",
        "DELETE FROM events WHERE sequence = 1",
        "UPDATE ledger SET envelope = 'env_x'",
        "DELETE FROM ledger",
    ])
    func rawSQLCannotAlterEvidence(_ statement: String) async throws {
        let directory = try TestEnvironment.scratchDirectory("append-only-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteWorkflowStore(directory: directory)
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        try await store.createAccount(Account(id: "acme", name: "Acme", createdAt: now), firstKey: APIKeyRecord(
            id: "key_1", account: "acme", role: .admin, name: "k", secretHash: String(repeating: "a", count: 64), createdAt: now))
        let event = WorkflowEvent.make(account: "acme", stream: "env_1", sequence: 1, type: "created", at: now, actor: .system,
                                       data: [:], personal: [:], previousHash: WorkflowEvent.genesis)
        let entry = LedgerEntry(account: "acme", sequence: 1, envelope: "env_1", envelopeHead: event.hash, envelopeEvents: 1,
                                at: now, previousHash: WorkflowEvent.genesis)
        try await store.commit(StoreChange(account: "acme", events: [event], ledgerEntry: entry))
        let queue = try DatabaseQueue(path: store.path)
        #expect(throws: DatabaseError.self) { try queue.write { db in try db.execute(sql: statement) } }
        let events = try await store.events(account: "acme", stream: "env_1")
        #expect(events == [event])
        #expect(try await store.ledger(account: "acme") == [entry])
    }
}
