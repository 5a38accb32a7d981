import Foundation
import Testing
import TestSupport
import Workflow
import WorkflowConformance
@testable import WorkflowPostgres

/// The store conformance suite against the PostgreSQL store on a real server — the same cases
/// as the SQLite store's — each case in a new database (a case with several nodes opens one pool
/// per node on it). Each case runs twice: with most commits one call of the commit function (as
/// deployed), and with every commit the long way, statements in a transaction, which the first
/// run reaches only for the changes the function does not make.
@Suite(.postgresCluster) struct PostgresConformanceTests {
    @Test(arguments: StoreConformance.cases + StoreConformance.serviceCases, [true, false])
    func conformance(_ check: StoreConformance.Case, oneStatement: Bool) async throws {
        let database = try PostgresCluster.newDatabase()
        let opened = OpenedStores()
        do {
            try await check.run {
                var configuration = try PostgresCluster.configuration(database)
                configuration.commitsInOneStatement = oneStatement
                let store = try await PostgresWorkflowStore.open(configuration)
                await opened.add(store)
                return store
            }
        } catch {
            await opened.closeAll()
            throw error
        }
        await opened.closeAll()
    }
}

/// The stores a test opened, to close them at its end.
actor OpenedStores {
    private var stores: [PostgresWorkflowStore] = []

    func add(_ store: PostgresWorkflowStore) { stores.append(store) }

    func closeAll() async {
        for store in stores { await store.close() }
        stores = []
    }
}
