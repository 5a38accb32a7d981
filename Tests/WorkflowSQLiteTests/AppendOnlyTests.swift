import Foundation
import GRDB
import Testing
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
        let (store, directory) = try await storeWithAccount("append-only")
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = storeTestTime
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
