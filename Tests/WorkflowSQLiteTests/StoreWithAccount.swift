import Foundation
import TestSupport
import Workflow
import WorkflowSQLite

/// The time the store tests write.
let storeTestTime = Date(timeIntervalSince1970: 1_796_000_000)

/// A new store in a scratch folder (`label` names it; the caller removes `directory`) holding
/// one account, `acme`, with an admin key.
func storeWithAccount(_ label: String) async throws -> (store: SQLiteWorkflowStore, directory: URL) {
    let directory = try TestEnvironment.scratchDirectory("\(label)-\(UUID().uuidString)")
    let store = try SQLiteWorkflowStore(directory: directory)
    try await store.createAccount(Account(id: "acme", name: "Acme", createdAt: storeTestTime), firstKey: APIKeyRecord(
        id: "key_1", account: "acme", role: .admin, name: "k", secretHash: String(repeating: "a", count: 64),
        createdAt: storeTestTime))
    return (store, directory)
}
