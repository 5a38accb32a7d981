import PostgresNIO
import Synchronization
import Workflow

/// Leases a pooled connection, waiting at most `patience` for one.
///
/// Why: while the database is down or restarting, PostgresNIO's pool keeps a lease waiting
/// until its circuit breaker trips, about a minute after the first failed connection attempt, so
/// every request — a status read, a request with a wrong key — hung for that minute and piled
/// up connections behind the load balancer (docs/operations.md, "When the database is away").
/// A store call that gets no connection in time fails as `store` instead: the service answers
/// 503 with `Retry-After`, the worker tries again on its next pass.
///
/// Only the wait for a connection is bounded. Once `body` has a connection it runs to its end:
/// cancelling a statement in flight would leave the caller not knowing whether a commit landed.
/// The lease and the deadline decide under one lock which came first, so a body never starts
/// after its caller was told the store did not answer.
struct PatientLease: Sendable {
    let client: PostgresClient
    let patience: Duration
    /// Where the store connects, for the message.
    let place: String

    /// Runs `body` on a connection leased within `patience`.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let race = Race()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { [client] in
                try await client.withConnection { connection in
                    guard race.start() else { throw CancellationError() }
                    return try await body(connection)
                }
            }
            group.addTask { [patience, place] in
                try? await Task.sleep(for: patience)
                guard race.expire() else { return nil }
                throw WorkflowError(.store, "the database at \(place) gave no connection within \(patience.components.seconds) s "
                                    + "(it may be down or restarting); retry shortly")
            }
            while let result = try await group.next() {
                if let value = result {
                    group.cancelAll()
                    return value
                }
            }
            throw CancellationError()
        }
    }

    /// Who came first: the lease (`start`) or the deadline (`expire`); each says whether it won.
    final class Race: Sendable {
        private let state = Mutex<Bool?>(nil)
        func start() -> Bool { decide(true) }
        func expire() -> Bool { decide(false) }
        private func decide(_ started: Bool) -> Bool {
            state.withLock { state in
                if state == nil { state = started }
                return state == started
            }
        }
    }
}
