public import Foundation
import GRDB
public import Workflow

extension SQLiteWorkflowStore: BulkSendStore {
    public func insertBulkSend(_ bulk: BulkSend) async throws {
        try await write { db in
            try db.run(sql: "INSERT INTO bulk_sends (account, id, spec, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                           arguments: [bulk.account, bulk.id, try Self.encode(bulk.spec), bulk.createdAt.timeIntervalSince1970,
                                       bulk.createdBy])
        }
    }

    public func bulkSend(account: String, id: String) async throws -> BulkSend? {
        try await read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM bulk_sends WHERE account = ? AND id = ?"), arguments: [account, id]) else {
                return nil
            }
            var counts: [BulkRow.State: Int] = [:]
            for count in try Row.fetchAll(db.cachedStatement(sql: "SELECT state, COUNT(*) AS n FROM bulk_rows WHERE account = ? AND bulk = ? GROUP BY state"),
                                          arguments: [account, id]) {
                if let state = BulkRow.State(rawValue: count["state"]) { counts[state] = count["n"] }
            }
            return BulkSend(id: row["id"], account: row["account"], spec: try Self.decode(BulkSpec.self, row["spec"]),
                            createdAt: Date(timeIntervalSince1970: row["created_at"]), createdBy: row["created_by"], counts: counts)
        }
    }

    public func appendBulkRows(account: String, bulk: String, rows: [BulkRow], jobs: [Job]) async throws -> Int {
        try await write { db in
            guard try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM bulk_sends WHERE account = ? AND id = ?"), arguments: [account, bulk]) != nil else {
                throw WorkflowError(.notFound, "account \(account) has no bulk send \(bulk)")
            }
            var next = try Int.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(sequence), 0) FROM bulk_rows WHERE account = ? AND bulk = ?"),
                                        arguments: [account, bulk]) ?? 0
            var added = 0
            for row in rows {
                try db.run(sql: """
                    INSERT OR IGNORE INTO bulk_rows (account, bulk, sequence, key, row_values, state)
                    VALUES (?, ?, ?, ?, ?, 'pending')
                    """, arguments: [account, bulk, next + 1, row.key, try Self.encode(row.values)])
                if db.changesCount == 1 {
                    next += 1
                    added += 1
                }
            }
            let pending = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM bulk_rows WHERE account = ? AND bulk = ? AND state = 'pending'"),
                                           arguments: [account, bulk]) ?? 0
            if pending > 0 {
                for job in jobs { try Self.insert(job: job, db) }
            }
            return added
        }
    }

    public func claimBulkRows(account: String, bulk: String, limit: Int, now: Date, until: Date) async throws -> [BulkRow] {
        try await write { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM bulk_rows WHERE account = ? AND bulk = ? AND state = 'pending'
                AND (lease_until IS NULL OR lease_until <= ?) ORDER BY sequence LIMIT ?
                """), arguments: [account, bulk, now.timeIntervalSince1970, limit])
            var claimed: [BulkRow] = []
            for row in rows {
                try db.run(sql: "UPDATE bulk_rows SET lease_until = ? WHERE account = ? AND bulk = ? AND sequence = ?",
                               arguments: [until.timeIntervalSince1970, account, bulk, row["sequence"] as Int])
                claimed.append(try Self.bulkRow(row))
            }
            return claimed
        }
    }

    public func finishBulkRow(account: String, bulk: String, sequence: Int, envelope: String?, error: String?) async throws {
        try await write { db in
            try db.run(sql: """
                UPDATE bulk_rows SET state = ?, envelope = ?, error = ?, lease_until = NULL
                WHERE account = ? AND bulk = ? AND sequence = ?
                """, arguments: [error == nil ? BulkRow.State.created.rawValue : BulkRow.State.failed.rawValue, envelope, error,
                                 account, bulk, sequence])
        }
    }

    public func bulkRows(account: String, bulk: String, state: BulkRow.State?, after: Int, limit: Int) async throws -> [BulkRow] {
        try await read { db in
            var sql = "SELECT * FROM bulk_rows WHERE account = ? AND bulk = ? AND sequence > ?"
            var arguments: StatementArguments = [account, bulk, after]
            if let state {
                sql += " AND state = ?"
                _ = arguments.append(contentsOf: [state.rawValue])
            }
            sql += " ORDER BY sequence LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.bulkRow)
        }
    }

    static func bulkRow(_ row: Row) throws -> BulkRow {
        BulkRow(sequence: row["sequence"], key: row["key"], values: try decode([String: String].self, row["row_values"]),
                state: BulkRow.State(rawValue: row["state"]) ?? .pending, envelope: row["envelope"], error: row["error"])
    }
}
