import Foundation
import Synchronization

/// Wakes this process's worker loops when a commit queues work that is due now: the completion
/// after the last signature, a one-time code's e-mail, a webhook delivery. A loop that found
/// nothing to do waits on the bell for at most its polling interval, so a job queued by this
/// process starts at once instead of at the next poll; jobs queued by other processes (another
/// node, `countersign envelope send` on the same store) still wait for the poll.
///
/// Rings are counted, so a ring while a loop was busy is not lost: the loop reads `rings` before
/// its pass and waits only while the count is unchanged.
public final class JobDoorbell: Sendable {
    private struct Waiter {
        var continuation: CheckedContinuation<Void, Never>
        var timer: Task<Void, Never>?
    }

    private struct State {
        var rings: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// How many times the bell has rung.
    public var rings: UInt64 { state.withLock { $0.rings } }

    /// Wakes every waiting loop.
    public func ring() {
        let woken = state.withLock { state -> [Waiter] in
            state.rings &+= 1
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in woken {
            waiter.timer?.cancel()
            waiter.continuation.resume()
        }
    }

    /// Returns when the bell rings after `seen` rings (at once if it already has), when
    /// `timeout` passes, or when the task is cancelled.
    public func wait(after seen: UInt64, upTo timeout: Duration) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Cancellation sets the task's flag before its handler runs, so a handler that
                // found no waiter to resume is seen here, under the same lock.
                let waiting = state.withLock { state -> Bool in
                    guard state.rings == seen, !Task.isCancelled else { return false }
                    state.waiters[id] = Waiter(continuation: continuation)
                    return true
                }
                guard waiting else { return continuation.resume() }
                let timer = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.wake(id)
                }
                let woken = state.withLock { state -> Bool in
                    guard state.waiters[id] != nil else { return true }
                    state.waiters[id]?.timer = timer
                    return false
                }
                if woken { timer.cancel() }
            }
        } onCancel: {
            wake(id)
        }
    }

    /// Resumes one waiter, if it still waits.
    private func wake(_ id: UInt64) {
        guard let waiter = state.withLock({ $0.waiters.removeValue(forKey: id) }) else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume()
    }
}

extension WorkflowEngine {
    /// Rings `jobsDue` each time another process sharing the store queues a job due now, for as
    /// long as the calling task runs: a worker runs it beside its loop, so that work queued by a
    /// `serve` node, a CLI command or another worker starts at once. A store that cannot notify
    /// (SQLite) returns at once; its workers have this process's own rings and their polls. A lost
    /// connection is reported to `failed` and listened for again after `retry` (the polls still
    /// find the work meanwhile).
    public func relayQueuedJobNotifications(retry: Duration = .seconds(5), failed: @escaping @Sendable (any Error) -> Void = { _ in }) async {
        guard let notifying = store as? any QueuedJobNotifications else { return }
        let doorbell = jobsDue
        while !Task.isCancelled {
            do {
                try await notifying.listenForQueuedJobs { doorbell.ring() }
            } catch {
                failed(error)
            }
            try? await Task.sleep(for: retry)
        }
    }
}
