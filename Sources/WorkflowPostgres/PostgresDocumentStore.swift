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
            _ = try await PostgresWorkflowStore.rows(connection, DocumentStatements.Put(sha256: hash, bytes: ByteBuffer(bytes: bytes)),
                                                     logger: logger)
        }
        return hash
    }

    public func get(_ sha256: String) async throws -> [UInt8]? {
        try Self.check(sha256)
        return try await run("reading document \(sha256)") { connection in
            try await PostgresWorkflowStore.rows(connection, DocumentStatements.Get(sha256: sha256), logger: logger)
                .first.map { row in Array(buffer: try row.value("bytes", as: ByteBuffer.self)) }
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
