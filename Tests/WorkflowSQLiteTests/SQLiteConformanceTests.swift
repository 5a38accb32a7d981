import Foundation
import Testing
import TestSupport
import Workflow
import WorkflowConformance
import WorkflowSQLite

/// The store conformance suite against the SQLite store, each case on a new database.
@Suite struct SQLiteConformanceTests {
    @Test(arguments: StoreConformance.cases + StoreConformance.serviceCases)
    func conformance(_ check: StoreConformance.Case) async throws {
        let directory = try TestEnvironment.scratchDirectory("sqlite-conformance-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await check.run { try SQLiteWorkflowStore(directory: directory) }
    }
}
