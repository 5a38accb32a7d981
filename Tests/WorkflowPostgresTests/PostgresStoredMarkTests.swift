import Foundation
import Testing
import TestSupport
import Workflow
import WorkflowConformance
import WorkflowPostgres

/// Envelopes stored before typed marks carried a script font still read, as Dancing Script.
@Suite(.postgresCluster) struct PostgresStoredMarkTests {
    @Test func aTypedMarkStoredWithoutAFontReadsAsDancingScript() async throws {
        let database = try PostgresCluster.newDatabase()
        try await PostgresCluster.withStore(database: database) { store in
            try await StoreConformance.checkTypedMarkStoredWithoutFont(store) { statement in
                let result = try PostgresCluster.server.psql(statement, database: database)
                #expect(result.status == 0, "psql: \(result.stderr)")
            }
        }
    }
}
