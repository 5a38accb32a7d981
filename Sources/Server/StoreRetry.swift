import Foundation
import Synchronization
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

/// Whether `body` finishes without error within `timeout`. The answer comes at the deadline even
/// when `body` does not (a query waiting for a connection while the database restarts takes a
/// minute to fail): a readiness probe must say "not ready" in time for the balancer to act.
enum Deadline {
    static func succeeds(within timeout: Duration, _ body: @escaping @Sendable () async throws -> Void) async -> Bool {
        final class Once: Sendable {
            let continuation: Mutex<CheckedContinuation<Bool, Never>?>
            init(_ continuation: CheckedContinuation<Bool, Never>) { self.continuation = Mutex(continuation) }
            func finish(_ ok: Bool) { continuation.withLock { $0.take() }?.resume(returning: ok) }
        }
        return await withCheckedContinuation { continuation in
            let once = Once(continuation)
            let work = Task {
                do { try await body(); once.finish(true) } catch { once.finish(false) }
            }
            Task {
                try? await Task.sleep(for: timeout)
                once.finish(false)
                work.cancel()
            }
        }
    }
}
