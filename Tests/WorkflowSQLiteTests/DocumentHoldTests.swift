import Foundation
import Testing
import TestSupport
import Workflow
import WorkflowSQLite

/// The SQLite store records an envelope's hold on a document in the commit that stores the
/// envelope, and that commit refuses to name a document a purge deleted after this process
/// stored it: the race `DocumentStore` promises to close.
@Suite struct DocumentHoldTests {
    @Test func aCommitNamingBytesAPurgeDeletedMeanwhileIsAConflict() async throws {
        let (store, directory) = try await storeWithAccount("document-holds")
        defer { try? FileManager.default.removeItem(at: directory) }
        let bytes = Array("%PDF-1.7 shared".utf8)
        let holder = DocumentHolder(account: "acme", envelope: "env_new")
        let hash = try await store.documents.put(bytes, heldBy: holder)
        var envelope = Envelope(id: "env_new", account: "acme", subject: "NDA", template: nil, createdAt: storeTestTime, createdBy: "key_1")
        envelope.documents = [EnvelopeDocument(id: "doc_1", name: "nda.pdf", sentSHA256: hash, pages: 1)]
        // Another envelope's purge releases the same bytes before this envelope is stored: no
        // stored envelope holds them yet, so they go.
        #expect(try await store.documents.release(hash, heldBy: DocumentHolder(account: "acme", envelope: "env_old")) == true)
        await #expect(throws: WorkflowError(.conflict, "")) { try await store.commit(StoreChange(account: "acme", envelope: envelope)) }
        #expect(try await store.envelope(account: "acme", id: "env_new") == nil, "nothing stored")
        // Made again, the request stores the bytes again, and the stored envelope holds them.
        _ = try await store.documents.put(bytes, heldBy: holder)
        try await store.commit(StoreChange(account: "acme", envelope: envelope))
        #expect(try await store.documents.release(hash, heldBy: DocumentHolder(account: "acme", envelope: "env_old")) == false)
        #expect(try await store.documents.get(hash) == bytes)
    }
}
