public import Foundation
import PostgresNIO
public import Workflow

/// Idempotency records and embedded signing links, shared by every `serve` node: each operation
/// is one statement (or one short transaction) whose outcome the database decides, so two nodes
/// given the same key or the same link never both win.
extension PostgresWorkflowStore: ServiceRecordStore {
    /// Inserts `record` unless its key is taken and returns the stored record otherwise; a stored
    /// record that has expired (or was reserved and abandoned) is deleted and the insert tried
    /// again. `ON CONFLICT DO NOTHING` waits for a concurrent insert of the same key to commit or
    /// roll back, so exactly one of two racing requests reserves it. A new key, the common case,
    /// is one statement (one round trip). Every ``idempotencySweepEvery``-th reservation of this
    /// store also deletes up to ``idempotencySweep`` expired records of any account. Each step is
    /// its own statement holding at most one row lock (the sweep skips rows another node is
    /// deleting), so nodes never deadlock on the table.
    public func reserveIdempotencyKey(_ record: IdempotencyRecord, expiredBefore: Date,
                                      abandonedBefore: Date) async throws -> IdempotencyRecord? {
        let headers = try Self.encode(record.headers)
        let cutoff = Self.seconds(expiredBefore), abandoned = Self.seconds(abandonedBefore)
        let sweep = idempotencyReservations.add(1, ordering: .relaxed).oldValue % Self.idempotencySweepEvery == 0
        return try await run("reserving idempotency key \(record.key)") { connection in
            if sweep {
                try await connection.query("""
                    DELETE FROM idempotency_keys WHERE (account, key) IN (
                        SELECT account, key FROM idempotency_keys WHERE created_at < \(cutoff)
                        LIMIT \(Self.idempotencySweep) FOR UPDATE SKIP LOCKED)
                    """, logger: self.logger)
            }
            // The holder may release or outlive its record between our insert and our read: then try again.
            for _ in 0..<4 {
                let reserved = try await Self.count(connection, """
                    INSERT INTO idempotency_keys (account, key, request_hash, status, headers, body, created_at)
                    VALUES (\(record.account), \(record.key), \(record.requestHash), \(record.status), \(headers)::jsonb,
                            \(Data(record.body)), \(Self.seconds(record.createdAt)))
                    ON CONFLICT (account, key) DO NOTHING RETURNING 1
                    """, logger: self.logger)
                if reserved == 1 { return nil }
                let existing = try await Self.rows(connection, """
                    SELECT account, key, request_hash, status, headers, body, created_at,
                           (created_at < \(cutoff) OR (status = 0 AND created_at < \(abandoned))) AS stale
                    FROM idempotency_keys WHERE account = \(record.account) AND key = \(record.key)
                    """, logger: self.logger)
                guard let row = existing.first else { continue }
                guard try row.value("stale", as: Bool.self) else { return try Self.idempotencyRecord(row) }
                // Expired or abandoned: gone (whoever deletes it), and the key is free to reserve.
                try await connection.query("""
                    DELETE FROM idempotency_keys WHERE account = \(record.account) AND key = \(record.key)
                        AND (created_at < \(cutoff) OR (status = 0 AND created_at < \(abandoned)))
                    """, logger: self.logger)
            }
            throw WorkflowError(.conflict, "idempotency key \(record.key) is being reserved and released by other requests at once; retry")
        }
    }

    /// How many expired idempotency records one sweep deletes at most (the rest go with the next
    /// ones), so a reservation after a quiet day stays short.
    static let idempotencySweep = 500
    /// One reservation in this many sweeps: at most 500 deletions per 32 new records keeps the
    /// table at its live keys, and the other reservations stay one statement.
    static let idempotencySweepEvery = 32

    public func completeIdempotencyKey(_ record: IdempotencyRecord) async throws {
        let headers = try Self.encode(record.headers)
        try await run("storing the response under idempotency key \(record.key)") { connection in
            _ = try await connection.query("""
                UPDATE idempotency_keys SET status = \(record.status), headers = \(headers)::jsonb, body = \(Data(record.body))
                WHERE account = \(record.account) AND key = \(record.key) AND request_hash = \(record.requestHash) AND status = 0
                """, logger: self.logger)
        }
    }

    public func releaseIdempotencyKey(account: String, key: String) async throws {
        try await run("releasing idempotency key \(key)") { connection in
            _ = try await connection.query("DELETE FROM idempotency_keys WHERE account = \(account) AND key = \(key) AND status = 0",
                                           logger: self.logger)
        }
    }

    public func insertEmbeddedLink(_ link: EmbeddedLink) async throws {
        try await run("storing an embedded signing link") { connection in
            _ = try await connection.query("""
                INSERT INTO embedded_links (secret_hash, account, envelope, recipient, created_by, expires_at, used_at)
                VALUES (\(link.secretHash), \(link.account), \(link.envelope), \(link.recipient), \(link.createdBy),
                        \(Self.seconds(link.expiresAt)), NULL)
                """, logger: self.logger)
        }
    }

    /// One `UPDATE … RETURNING`: a second redemption racing the first waits for its row lock,
    /// then finds `used_at` set and updates nothing.
    public func redeemEmbeddedLink(secretHash: String, now: Date) async throws -> EmbeddedLink? {
        let at = Self.seconds(now)
        return try await run("redeeming an embedded signing link") { connection in
            try await Self.rows(connection, """
                UPDATE embedded_links SET used_at = \(at)
                WHERE secret_hash = \(secretHash) AND used_at IS NULL AND expires_at > \(at)
                RETURNING secret_hash, account, envelope, recipient, created_by, expires_at, used_at
                """, logger: self.logger).first.map { row in
                EmbeddedLink(secretHash: try row.value("secret_hash"), account: try row.value("account"), envelope: try row.value("envelope"),
                             recipient: try row.value("recipient"), createdBy: try row.value("created_by"),
                             expiresAt: Self.date(try row.value("expires_at")),
                             usedAt: (try row.value("used_at", as: Double?.self)).map(Self.date))
            }
        }
    }

    static func idempotencyRecord(_ row: PostgresRandomAccessRow) throws -> IdempotencyRecord {
        IdempotencyRecord(account: try row.value("account"), key: try row.value("key"), requestHash: try row.value("request_hash"),
                          status: try row.value("status"), headers: try decode([String: String].self, try row.value("headers")),
                          body: [UInt8](try row.value("body", as: Data.self)), createdAt: date(try row.value("created_at")))
    }
}
