import Foundation
import PostgresNIO
public import Workflow
import CountersignCrypto

/// Documents in the PostgreSQL database, content-addressed: the `documents` table keyed by the
/// SHA-256 (lowercase hex) of the bytes, which a CHECK constraint recomputes on every insert.
/// Every node of a deployment reads the same documents with no shared file system.
public struct PostgresDocumentStore: DocumentStore {
    let client: PostgresClient
    let logger: Logger
    let place: String

    public func put(_ bytes: [UInt8]) async throws -> String {
        let hash = DigestAlgorithm.sha256.hash(bytes).hexString.lowercased()
        try await run("storing document \(hash)") { connection in
            _ = try await connection.query("""
                INSERT INTO documents (sha256, bytes) VALUES (\(hash), \(Data(bytes))) ON CONFLICT (sha256) DO NOTHING
                """, logger: logger)
        }
        return hash
    }

    public func get(_ sha256: String) async throws -> [UInt8]? {
        try Self.check(sha256)
        return try await run("reading document \(sha256)") { connection in
            var found: [UInt8]?
            for try await bytes in try await connection.query("SELECT bytes FROM documents WHERE sha256 = \(sha256)", logger: logger)
                .decode(Data.self) {
                found = Array(bytes)
            }
            return found
        }
    }

    public func delete(_ sha256: String) async throws {
        try Self.check(sha256)
        try await run("deleting document \(sha256)") { connection in
            _ = try await connection.query("DELETE FROM documents WHERE sha256 = \(sha256)", logger: logger)
        }
    }

    static func check(_ sha256: String) throws {
        guard DigestAlgorithm.isSHA256Hex(sha256) else {
            throw WorkflowError(.invalidRequest, "'\(sha256)' is not a SHA-256 in lowercase hex")
        }
    }

    private func run<T: Sendable>(_ what: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw PostgresWorkflowStore.mapped(error, what: what, place: place)
        }
    }
}
