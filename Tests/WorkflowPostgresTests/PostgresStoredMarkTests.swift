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
            try await StoreConformance.checkTypedMarkStoredWithoutFont(store) {
                let result = try PostgresCluster.server.psql(
                    "UPDATE envelopes SET body = (body::jsonb #- '{recipients,0,mark,typed,font}')::text WHERE id = 'env_old'",
                    database: database)
                #expect(result.status == 0, "psql: \(result.stderr)")
            }
        }
    }
}
