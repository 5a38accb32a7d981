import Foundation
import Workflow

/// Runs a store call again while the store is briefly unreachable (a PostgreSQL restart or
/// failover takes about a second), for the steps that come after a change was already made: a
/// request whose change is committed must not be answered 503 for want of its last step — the
/// answer stored under its `Idempotency-Key`, the send of a created envelope — since the client
/// retries a 503 under the same key and the change would be made twice. Bounded: after
/// `patience` the error stands.
enum StoreRetry {
    static let patience: TimeInterval = 10
    static let delays: [Duration] = [.milliseconds(200), .milliseconds(500), .seconds(1), .seconds(2), .seconds(3)]

    static func run<Result>(_ body: () async throws -> Result) async throws -> Result {
        let start = Date()
        for delay in delays {
            do {
                return try await body()
            } catch let error as WorkflowError where error.code == .store && Date().timeIntervalSince(start) < patience {
                try await Task.sleep(for: delay)
            }
        }
        return try await body()
    }
}
