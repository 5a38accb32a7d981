import Foundation
import Testing
import TestSupport
import Workflow
import WorkflowPostgres

/// Runs a suite inside a throwaway PostgreSQL cluster: started before its first test, stopped
/// and deleted after its last, also when a test fails. If PostgreSQL is missing the suite's
/// tests fail with the reason (they never skip).
struct PostgresClusterTrait: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        try await PostgresCluster.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == PostgresClusterTrait {
    /// The suite runs against its own PostgreSQL cluster (`PostgresCluster.current`).
    static var postgresCluster: Self { PostgresClusterTrait() }
}

enum PostgresCluster {
    @TaskLocal static var current: PostgresServer?

    static var server: PostgresServer {
        get throws {
            guard let current else { throw PostgresServerError(reason: "the suite does not run under the .postgresCluster trait") }
            return current
        }
    }

    /// A new, empty database in the cluster.
    static func newDatabase() throws -> String {
        let name = "cs_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try server.createDatabase(name)
        return name
    }

    static func configuration(_ database: String, maximumConnections: Int = 4) throws -> PostgresStoreConfiguration {
        PostgresStoreConfiguration(endpoint: .tcp(host: "127.0.0.1", port: try server.port), username: try server.user,
                                   database: database, maximumConnections: maximumConnections)
    }

    /// Opens a store on `database` (a new one by default), runs `body`, and closes the store
    /// whatever `body` does.
    static func withStore<T: Sendable>(database: String? = nil, _ body: (PostgresWorkflowStore) async throws -> T) async throws -> T {
        let store = try await PostgresWorkflowStore.open(configuration(try database ?? newDatabase()))
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }
}
