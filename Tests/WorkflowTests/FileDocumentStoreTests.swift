import CountersignCrypto
import Foundation
import Testing
import TestSupport
import Workflow

/// The file-system document store: content-addressed, written whole or not at all, with no
/// temporary file left behind whether the write succeeds or fails.
@Suite struct FileDocumentStoreTests {
    func leftovers(_ root: URL) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".tmp") }
    }

    @Test func aDocumentIsStoredUnderItsHashOnceAndReadBack() async throws {
        let root = try TestEnvironment.scratchDirectory("documents").appendingPathComponent("documents")
        let store = try FileDocumentStore(root: root)
        var generator = SeededGenerator(state: 7)
        let bytes = (0..<(3 * 1024 * 1024 + 17)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let hash = try await store.put(bytes)
        #expect(hash == DigestAlgorithm.sha256.hash(bytes).hexString.lowercased())
        let file = root.appendingPathComponent(String(hash.prefix(2))).appendingPathComponent(hash)
        #expect(try Data(contentsOf: file) == Data(bytes))
        let modified = try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date
        #expect(try await store.put(bytes) == hash, "the same bytes again: the same name, nothing rewritten")
        #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date == modified)
        #expect(try await store.get(hash) == bytes)
        #expect(try await store.put([]) == DigestAlgorithm.sha256.hash([]).hexString.lowercased(), "an empty document too")
        #expect(try leftovers(root).isEmpty)
        #expect(try await store.get(String(repeating: "ab", count: 32)) == nil)
        await #expect(throws: WorkflowError(.invalidRequest, "")) { try await store.get("../../etc/passwd") }
    }

    @Test func aWriteThatFailsSaysWhyAndLeavesNothing() async throws {
        let root = try TestEnvironment.scratchDirectory("documents-broken").appendingPathComponent("documents")
        let store = try FileDocumentStore(root: root)
        let bytes = Array("a contract".utf8)
        let hash = DigestAlgorithm.sha256.hash(bytes).hexString.lowercased()
        // A file where the document's folder should be: no folder can be made, no file written in it.
        try Data().write(to: root.appendingPathComponent(String(hash.prefix(2))))
        await #expect { try await store.put(bytes) } throws: { error in
            guard let error = error as? WorkflowError else { return false }
            return error.code == .store && error.reason.contains(root.appendingPathComponent(String(hash.prefix(2))).path)
                && error.reason.contains("Not a directory")
        }
        #expect(try leftovers(root).isEmpty)
        // The root removed while the store is open is made again.
        try FileManager.default.removeItem(at: root)
        #expect(try await store.put(bytes) == hash)
        #expect(try await store.get(hash) == bytes)
    }
}
