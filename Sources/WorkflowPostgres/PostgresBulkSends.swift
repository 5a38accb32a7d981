public import Foundation
import PostgresNIO
public import Workflow

/// Bulk sends and their rows, worked off by any number of nodes at once: appends to one bulk
/// send are serialised by a lock on its row (so rows are numbered without gaps or duplicates),
/// and rows are claimed with `FOR UPDATE SKIP LOCKED` under a lease, as jobs are.
extension PostgresWorkflowStore: BulkSendStore {
    public func insertBulkSend(_ bulk: BulkSend) async throws {
        let spec = try Self.encode(bulk.spec)
        try await run("storing bulk send \(bulk.id)") { connection in
            _ = try await connection.query("""
                INSERT INTO bulk_sends (account, id, spec, created_at, created_by)
                VALUES (\(bulk.account), \(bulk.id), \(spec)::jsonb, \(Self.seconds(bulk.createdAt)), \(bulk.createdBy))
                """, logger: self.logger)
        }
    }

    public func bulkSend(account: String, id: String) async throws -> BulkSend? {
        try await run("reading bulk send \(id)") { connection in
            guard let row = try await Self.rows(connection, """
                SELECT id, account, spec, created_at, created_by FROM bulk_sends WHERE account = \(account) AND id = \(id)
                """, logger: self.logger).first else {
                return nil
            }
            var counts: [BulkRow.State: Int] = [:]
            for count in try await Self.rows(connection, """
                SELECT state, COUNT(*) AS n FROM bulk_rows WHERE account = \(account) AND bulk = \(id) GROUP BY state
                """, logger: self.logger) {
                let name: String = try count.value("state")
                guard let state = BulkRow.State(rawValue: name) else {
                    throw WorkflowError(.store, "bulk send \(id) has rows in an unknown state '\(name)'")
                }
                counts[state] = try count.value("n")
            }
            return BulkSend(id: try row.value("id"), account: try row.value("account"),
                            spec: try Self.decode(BulkSpec.self, try row.value("spec")), createdAt: Self.date(try row.value("created_at")),
                            createdBy: try row.value("created_by"), counts: counts)
        }
    }

    /// One transaction: locks the bulk send's row (a concurrent append of the same bulk send
    /// waits), inserts in one statement the rows whose keys are new — numbered after the last —
    /// and queues `jobs` while rows are pending.
    public func appendBulkRows(account: String, bulk: String, rows: [BulkRow], jobs: [Job]) async throws -> Int {
        var seen: Set<String> = []
        let fresh = rows.filter { seen.insert($0.key).inserted }
        let keys = fresh.map(\.key)
        let values = try fresh.map { try Self.encode($0.values) }
        return try await transaction("adding rows to bulk send \(bulk)") { connection in
            guard try await Self.count(connection, """
                SELECT 1 FROM bulk_sends WHERE account = \(account) AND id = \(bulk) FOR UPDATE
                """, logger: self.logger) == 1 else {
                throw WorkflowError(.notFound, "account \(account) has no bulk send \(bulk)")
            }
            let added = try await Self.count(connection, """
                INSERT INTO bulk_rows (account, bulk, sequence, key, row_values, state)
                SELECT \(account), \(bulk),
                       (SELECT COALESCE(MAX(sequence), 0) FROM bulk_rows WHERE account = \(account) AND bulk = \(bulk))
                         + row_number() OVER (ORDER BY given.position),
                       given.key, given.row_values::jsonb, 'pending'
                FROM unnest(\(keys)::text[], \(values)::text[]) WITH ORDINALITY AS given(key, row_values, position)
                WHERE NOT EXISTS (SELECT 1 FROM bulk_rows b WHERE b.account = \(account) AND b.bulk = \(bulk) AND b.key = given.key)
                RETURNING 1
                """, logger: self.logger)
            let pending = try await Self.count(connection, """
                SELECT 1 FROM bulk_rows WHERE account = \(account) AND bulk = \(bulk) AND state = 'pending' LIMIT 1
                """, logger: self.logger)
            if pending > 0 {
                for job in jobs {
                    guard job.account == account else { throw WorkflowError(.invalidRequest, "job \(job.id) belongs to another account") }
                    try await Self.insert(job: job, connection, self.logger)
                }
            }
            return added
        }
    }

    /// One statement: the `SELECT … FOR UPDATE SKIP LOCKED` passes over rows another node is
    /// claiming, and a row whose lease another node set after this statement began is re-checked
    /// against the lease and left out, so two claims never return the same row. The selection
    /// is a `MATERIALIZED` CTE, run exactly once: as an `IN (…)` subquery the planner may rescan
    /// it for every candidate row, and each rescan would lock and lease `limit` more rows.
    public func claimBulkRows(account: String, bulk: String, limit: Int, now: Date, until: Date) async throws -> [BulkRow] {
        let at = Self.seconds(now)
        return try await run("claiming rows of bulk send \(bulk)") { connection in
            try await Self.rows(connection, """
                WITH claimed AS MATERIALIZED (
                    SELECT sequence FROM bulk_rows
                    WHERE account = \(account) AND bulk = \(bulk) AND state = 'pending' AND (lease_until IS NULL OR lease_until <= \(at))
                    ORDER BY sequence LIMIT \(max(0, limit)) FOR UPDATE SKIP LOCKED)
                UPDATE bulk_rows SET lease_until = \(Self.seconds(until))
                FROM claimed
                WHERE bulk_rows.account = \(account) AND bulk_rows.bulk = \(bulk) AND bulk_rows.sequence = claimed.sequence
                RETURNING \(unescaped: Self.qualified(Self.bulkRowColumns, "bulk_rows"))
                """, logger: self.logger).map(Self.bulkRow).sorted { $0.sequence < $1.sequence }
        }
    }

    public func finishBulkRow(account: String, bulk: String, sequence: Int, envelope: String?, error: String?) async throws {
        let state = error == nil ? BulkRow.State.created : .failed
        try await run("recording row \(sequence) of bulk send \(bulk)") { connection in
            let finished = try await Self.count(connection, """
                UPDATE bulk_rows SET state = \(state.rawValue), envelope = \(envelope), error = \(error), lease_until = NULL
                WHERE account = \(account) AND bulk = \(bulk) AND sequence = \(sequence) RETURNING 1
                """, logger: self.logger)
            guard finished == 1 else { throw WorkflowError(.notFound, "bulk send \(bulk) of \(account) has no row \(sequence)") }
        }
    }

    public func bulkRows(account: String, bulk: String, state: BulkRow.State?, after: Int, limit: Int) async throws -> [BulkRow] {
        let stateName = state?.rawValue
        return try await run("listing rows of bulk send \(bulk)") { connection in
            try await Self.rows(connection, """
                SELECT \(unescaped: Self.bulkRowColumns) FROM bulk_rows
                WHERE account = \(account) AND bulk = \(bulk) AND sequence > \(after)
                  AND (\(stateName)::text IS NULL OR state = \(stateName))
                ORDER BY sequence LIMIT \(max(0, limit))
                """, logger: self.logger).map(Self.bulkRow)
        }
    }

    static let bulkRowColumns = "sequence, key, row_values, state, envelope, error"

    static func bulkRow(_ row: PostgresRandomAccessRow) throws -> BulkRow {
        let sequence: Int = try row.value("sequence"), stateName: String = try row.value("state")
        guard let state = BulkRow.State(rawValue: stateName) else {
            throw WorkflowError(.store, "bulk row \(sequence) has an unknown state '\(stateName)'")
        }
        return BulkRow(sequence: sequence, key: try row.value("key"), values: try decode([String: String].self, try row.value("row_values")),
                       state: state, envelope: try row.value("envelope"), error: try row.value("error"))
    }
}
