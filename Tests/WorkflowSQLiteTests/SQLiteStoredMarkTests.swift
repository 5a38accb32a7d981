import Foundation
import GRDB
import Testing
import TestSupport
import Workflow
import WorkflowConformance
import WorkflowSQLite

/// Envelopes stored before typed marks carried a script font still read, as Dancing Script.
@Suite struct SQLiteStoredMarkTests {
    @Test func aTypedMarkStoredWithoutAFontReadsAsDancingScript() async throws {
        let directory = try TestEnvironment.scratchDirectory("sqlite-marks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteWorkflowStore(directory: directory)
        let queue = try DatabaseQueue(path: store.path)
        try await StoreConformance.checkTypedMarkStoredWithoutFont(store) {
            try await queue.write { db in
                try db.execute(sql: "UPDATE envelopes SET body = json_remove(body, '$.recipients[0].mark.typed.font') WHERE id = 'env_old'")
            }
        }
    }
}
