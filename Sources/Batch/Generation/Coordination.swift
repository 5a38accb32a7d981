import Foundation

/// A bounded first-in-first-out queue between the reading thread and the workers: `push` waits
/// while it is full, `pop` waits while it is empty and returns nil once it is closed and drained.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    // Every stored property is read and written with `condition` held.
    private let condition = NSCondition()
    private var items: [Element?] = []
    private var head = 0
    private var count = 0
    private var closed = false
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        items = Array(repeating: nil, count: self.capacity)
    }

    /// Adds an element, waiting for room; false if the queue was closed meanwhile.
    func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while count == capacity && !closed { condition.wait() }
        guard !closed else { return false }
        items[(head + count) % capacity] = element
        count += 1
        condition.broadcast()
        return true
    }

    /// The next element, waiting for one; nil when closed and empty.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 && !closed { condition.wait() }
        guard count > 0 else { return nil }
        let element = items[head]
        items[head] = nil
        head = (head + 1) % capacity
        count -= 1
        condition.broadcast()
        return element
    }

    /// No more pushes; `pop` drains what is left.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// The reorder buffer: results arrive in any order and are committed strictly in sequence.
/// The producer waits before handing out a sequence number more than `window` ahead of the
/// next one to commit, so at most `window` results are ever held — memory does not grow with
/// the number of rows however slow one document is.
final class OrderedCommitter<Result: Sendable>: @unchecked Sendable {
    // Every stored property is read and written with `condition` held.
    private let condition = NSCondition()
    private var pending: [Int: Result] = [:]
    private var nextToCommit = 0
    private var failure: BatchError?
    private let window: Int
    private let commit: (Int, Result) throws(BatchError) -> Void

    /// `commit` runs with the lock held, once per sequence number, in order.
    init(window: Int, commit: @escaping (Int, Result) throws(BatchError) -> Void) {
        self.window = max(1, window)
        self.commit = commit
    }

    /// Waits until `sequence` may be handed out; false once the batch has failed.
    func waitForRoom(_ sequence: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while sequence >= nextToCommit + window && failure == nil { condition.wait() }
        return failure == nil
    }

    /// Stores a result and commits every result that is now next in line.
    func complete(_ sequence: Int, _ result: Result) {
        condition.lock()
        defer { condition.unlock() }
        guard failure == nil else { return }
        pending[sequence] = result
        while let ready = pending.removeValue(forKey: nextToCommit) {
            do {
                try commit(nextToCommit, ready)
            } catch {
                failure = error
                break
            }
            nextToCommit += 1
        }
        condition.broadcast()
    }

    /// Stops the batch: producers stop waiting and later results are dropped.
    func fail(_ error: BatchError) {
        condition.lock()
        if failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }

    /// The error that stopped the batch, if any.
    var error: BatchError? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    /// How many results have been committed.
    var committed: Int {
        condition.lock()
        defer { condition.unlock() }
        return nextToCommit
    }
}

/// Starts `body(index)` on `count` dedicated threads (8 MiB stacks, for pango and cairo); wait
/// for them with `wait()` on the result. Threads, not a dispatch pool: workers block on the
/// queue, and a pool sized to the cores could leave the producer without a thread.
func startThreads(_ count: Int, name: String, _ body: @escaping @Sendable (Int) -> Void) -> DispatchGroup {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            body(index)
            group.leave()
        }
        thread.name = "\(name)-\(index + 1)"
        thread.stackSize = 8 << 20
        thread.start()
    }
    return group
}
