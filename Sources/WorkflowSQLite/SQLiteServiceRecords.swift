public import Foundation
import GRDB
public import Workflow

/// The service's tables: idempotency records, embedded signing links, bulk sends and their rows
/// (docs/api.md, "Store additions").
enum ServiceSchema {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("4-service") { db in
            try db.execute(sql: """
                CREATE TABLE idempotency_keys (
                    account TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, status INTEGER NOT NULL,
                    headers TEXT NOT NULL, body BLOB NOT NULL, created_at REAL NOT NULL,
                    PRIMARY KEY (account, key));
                CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
                CREATE TABLE embedded_links (
                    secret_hash TEXT PRIMARY KEY, account TEXT NOT NULL, envelope TEXT NOT NULL, recipient TEXT NOT NULL,
                    created_by TEXT NOT NULL, expires_at REAL NOT NULL, used_at REAL);
                CREATE TABLE bulk_sends (
                    account TEXT NOT NULL, id TEXT NOT NULL, spec TEXT NOT NULL, created_at REAL NOT NULL, created_by TEXT NOT NULL,
                    PRIMARY KEY (account, id));
                CREATE TABLE bulk_rows (
                    account TEXT NOT NULL, bulk TEXT NOT NULL, sequence INTEGER NOT NULL, key TEXT NOT NULL, row_values TEXT NOT NULL,
                    state TEXT NOT NULL, envelope TEXT, error TEXT, lease_until REAL,
                    PRIMARY KEY (account, bulk, sequence), UNIQUE (account, bulk, key));
                CREATE INDEX bulk_rows_state ON bulk_rows(account, bulk, state, sequence);
                """)
        }
    }
}

extension SQLiteWorkflowStore: ServiceRecordStore {
    public func reserveIdempotencyKey(_ record: IdempotencyRecord, expiredBefore: Date,
                                      abandonedBefore: Date) async throws -> IdempotencyRecord? {
        try await write { db in
            try db.run(sql: "DELETE FROM idempotency_keys WHERE created_at < ?", arguments: [expiredBefore.timeIntervalSince1970])
            try db.run(sql: "DELETE FROM idempotency_keys WHERE account = ? AND key = ? AND status = 0 AND created_at < ?",
                           arguments: [record.account, record.key, abandonedBefore.timeIntervalSince1970])
            if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM idempotency_keys WHERE account = ? AND key = ?"),
                                          arguments: [record.account, record.key]) {
                return try Self.idempotencyRecord(row)
            }
            try db.run(sql: """
                INSERT INTO idempotency_keys (account, key, request_hash, status, headers, body, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [record.account, record.key, record.requestHash, record.status, try Self.encode(record.headers),
                                 Data(record.body), record.createdAt.timeIntervalSince1970])
            return nil
        }
    }

    public func completeIdempotencyKey(_ record: IdempotencyRecord) async throws {
        try await write { db in
            try db.run(sql: """
                UPDATE idempotency_keys SET status = ?, headers = ?, body = ?
                WHERE account = ? AND key = ? AND request_hash = ? AND status = 0
                """, arguments: [record.status, try Self.encode(record.headers), Data(record.body), record.account, record.key,
                                 record.requestHash])
        }
    }

    public func releaseIdempotencyKey(account: String, key: String) async throws {
        try await write { db in
            try db.run(sql: "DELETE FROM idempotency_keys WHERE account = ? AND key = ? AND status = 0",
                           arguments: [account, key])
        }
    }

    public func insertEmbeddedLink(_ link: EmbeddedLink) async throws {
        try await write { db in
            try db.run(sql: """
                INSERT INTO embedded_links (secret_hash, account, envelope, recipient, created_by, expires_at, used_at)
                VALUES (?, ?, ?, ?, ?, ?, NULL)
                """, arguments: [link.secretHash, link.account, link.envelope, link.recipient, link.createdBy,
                                 link.expiresAt.timeIntervalSince1970])
        }
    }

    public func redeemEmbeddedLink(secretHash: String, now: Date) async throws -> EmbeddedLink? {
        try await write { db in
            try db.run(sql: "UPDATE embedded_links SET used_at = ? WHERE secret_hash = ? AND used_at IS NULL AND expires_at > ?",
                           arguments: [now.timeIntervalSince1970, secretHash, now.timeIntervalSince1970])
            guard db.changesCount == 1,
                  let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM embedded_links WHERE secret_hash = ?"), arguments: [secretHash]) else {
                return nil
            }
            return EmbeddedLink(secretHash: row["secret_hash"], account: row["account"], envelope: row["envelope"],
                                recipient: row["recipient"], createdBy: row["created_by"],
                                expiresAt: Date(timeIntervalSince1970: row["expires_at"]),
                                usedAt: (row["used_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
        }
    }

    static func idempotencyRecord(_ row: Row) throws -> IdempotencyRecord {
        IdempotencyRecord(account: row["account"], key: row["key"], requestHash: row["request_hash"], status: row["status"],
                          headers: try decode([String: String].self, row["headers"]), body: [UInt8](row["body"] as Data),
                          createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }
}
