import Foundation
import PostgresNIO
public import Workflow
import CountersignCrypto

/// Documents in the PostgreSQL database, content-addressed: the `documents` table keyed by the
/// SHA-256 (lowercase hex) of the bytes, which a CHECK constraint recomputes on every insert, and
/// `document_holders`, the envelopes that hold each one.
/// Every node of a deployment reads the same documents with no shared file system.
public struct PostgresDocumentStore: DocumentStore {
    let lease: PatientLease
    let logger: Logger
    let place: String

    public func put(_ bytes: [UInt8], heldBy holder: DocumentHolder) async throws -> String {
        let hash = DigestAlgorithm.sha256.hash(bytes).hexString.lowercased()
        try await run("storing document \(hash)") { connection in
            _ = try await PostgresWorkflowStore.rows(connection, DocumentStatements.Put(sha256: hash, bytes: ByteBuffer(bytes: bytes),
                                                                                         holder: holder), logger: logger)
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

    /// One call of `countersign_release_document` (see `DocumentStatements.releaseFunction`).
    public func release(_ sha256: String, heldBy holder: DocumentHolder) async throws -> Bool {
        try Self.check(sha256)
        return try await run("releasing document \(sha256)") { connection in
            let rows = try await connection.query(
                "SELECT countersign_release_document(\(sha256), \(holder.account), \(holder.envelope)) AS deleted", logger: logger)
            for try await deleted in rows.decode(Bool.self) { return deleted }
            return false
        }
    }

    static func check(_ sha256: String) throws {
        guard DigestAlgorithm.isSHA256Hex(sha256) else {
            throw WorkflowError(.invalidRequest, "'\(sha256)' is not a SHA-256 in lowercase hex")
        }
    }

    private func run<T: Sendable>(_ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await lease.withConnection(body)
        } catch {
            throw PostgresWorkflowStore.mapped(error, what: what, place: place)
        }
    }
}
