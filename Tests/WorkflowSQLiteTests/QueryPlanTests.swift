import Foundation
import GRDB
import Synchronization
import Testing
import TestSupport
import Workflow
import WorkflowConformance
import WorkflowSQLite

/// Every statement the SQLite store runs finds its rows through an index: the whole conformance
/// suite runs against a store that reports each statement's text, and SQLite's own planner
/// (`EXPLAIN QUERY PLAN`) must not scan any table that grows with the store. A full scan is the
/// kind of fault no functional test sees: each commit just gets slower as envelopes accumulate.
@Suite struct QueryPlanTests {
    /// Tables that stay small whatever the number of envelopes: SQLite's and the migrations' own
    /// bookkeeping, and the accounts (tenants; the worker lists them all to sweep each).
    static let smallTables: Set<String> = ["sqlite_master", "grdb_migrations", "accounts"]

    @Test func noStatementScansAGrowingTable() async throws {
        let statements = Mutex<Set<String>>([])
        let observe: @Sendable (String) -> Void = { sql in statements.withLock { _ = $0.insert(sql) } }
        for check in StoreConformance.cases + StoreConformance.serviceCases {
            let directory = try TestEnvironment.scratchDirectory("query-plans")
            defer { try? FileManager.default.removeItem(at: directory) }
            try await check.run { try SQLiteWorkflowStore(directory: directory, observeStatement: observe) }
        }
        let planned = statements.withLock { $0 }.filter { sql in
            let verb = sql.drop { $0.isWhitespace }.prefix(6).uppercased()
            return ["SELECT", "UPDATE", "DELETE"].contains(verb) || sql.uppercased().contains("INSERT INTO") && sql.uppercased().contains("SELECT")
        }
        #expect(planned.count > 40, "the conformance suite ran only \(planned.count) queries")

        let directory = try TestEnvironment.scratchDirectory("query-plans-schema")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try SQLiteWorkflowStore(directory: directory)
        let database = try DatabaseQueue(path: directory.appendingPathComponent("workflow.sqlite").path)
        let scans: [String] = try await database.read { db in
            var scans: [String] = []
            for sql in planned.sorted() {
                // The plan does not depend on the values: the parameters are left unbound (NULL).
                let statement = try db.makeStatement(sql: "EXPLAIN QUERY PLAN " + sql)
                statement.setUncheckedArguments([])
                for row in try Row.fetchAll(statement) {
                    let detail: String = row["detail"]
                    guard detail.hasPrefix("SCAN "), !detail.hasPrefix("SCAN CONSTANT ROW") else { continue }
                    let table = detail.dropFirst(5).prefix { !$0.isWhitespace }
                    if !Self.smallTables.contains(String(table)) { scans.append("\(detail) — in: \(sql)") }
                }
            }
            return scans
        }
        #expect(scans.isEmpty, "full scans:\n\(scans.joined(separator: "\n"))")
    }
}
