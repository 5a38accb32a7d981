public import Foundation

/// `GroupCommitWriter` on a thread of its own, for batches: workers `submit` finished files and
/// go on with the next document; the writer thread stages each file and commits a group — one
/// sync, the renames, one directory fsync — when it holds `groupSize` files or `groupBytes`
/// bytes, when its oldest file has waited `maxDelay`, and at `close`. Each submitter learns
/// through its callback, on the writer thread, once its file is durable under its final name
/// (or why it is not). A final name only ever holds a complete, durable file.
///
/// `submit` waits while `maxPending` files are queued and not yet staged (the bytes they hold
/// are bounded). A caller that lets at most N files be unfinished at once must pick
/// `groupSize` below N, or rely on `maxDelay`, since files wait for their group.
public final class GroupCommitQueue: @unchecked Sendable {
    // `pending`, `closed` and `timings` are read and written with `condition` held; `writer`
    // belongs to the writer thread.
    private struct Submission {
        let name: String
        let parts: [any ContiguousBytes & Sendable]
        let done: @Sendable (_ failure: String?) -> Void
    }

    /// Seconds the writer thread spent writing temporary files and making groups durable.
    public struct Timings: Sendable {
        public var write = 0.0
        public var sync = 0.0
    }

    private let condition = NSCondition()
    private var pending: [Submission] = []
    private var closed = false
    private var timings = Timings()
    private let groupSize: Int
    private let groupBytes: Int
    private let maxDelay: TimeInterval
    private let maxPending: Int
    private let writer: GroupCommitWriter
    private let finished = DispatchSemaphore(value: 0)

    public init(directory: URL, groupSize: Int, groupBytes: Int = .max, maxDelay: TimeInterval = 0.05,
                maxPending: Int = .max) {
        self.groupSize = max(1, groupSize)
        self.groupBytes = max(1, groupBytes)
        self.maxDelay = maxDelay
        self.maxPending = max(1, maxPending)
        writer = GroupCommitWriter(directory: directory)
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "countersign-group-commit"
        thread.start()
    }

    /// Queues the concatenation of `parts` as the file `name` in the directory; `done` runs on
    /// the writer thread with nil once the file is durable, or with the reason it is not (what
    /// failed and the system's error; the caller names the file).
    public func submit(_ parts: [any ContiguousBytes & Sendable], as name: String,
                       done: @escaping @Sendable (_ failure: String?) -> Void) {
        condition.lock()
        while pending.count >= maxPending && !closed { condition.wait() }
        pending.append(Submission(name: name, parts: parts, done: done))
        condition.broadcast()
        condition.unlock()
    }

    /// Commits what is left, waits for the writer thread to finish and returns its timings.
    /// Submit nothing after this.
    @discardableResult
    public func close() -> Timings {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        finished.wait()
        finished.signal()  // a second close returns at once
        condition.lock()
        defer { condition.unlock() }
        return timings
    }

    private func run() {
        var staged: [String: @Sendable (String?) -> Void] = [:]
        var oldest: Date?
        while true {
            condition.lock()
            while pending.isEmpty && !closed {
                if let oldest {
                    if !condition.wait(until: oldest.addingTimeInterval(maxDelay)) { break }
                } else {
                    condition.wait()
                }
            }
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            let finishing = closed
            condition.broadcast()  // room for waiting submitters
            condition.unlock()

            var spent = Timings()
            for submission in batch {
                do {
                    spent.write += try writer.stage(submission.parts, as: submission.name)
                    staged[submission.name] = submission.done
                    if oldest == nil { oldest = Date() }
                } catch let error as AtomicFileError {
                    submission.done(error.reason)
                } catch {
                    submission.done("\(error)")
                }
            }
            let due = oldest.map { Date().timeIntervalSince($0) >= maxDelay } ?? false
            let full = writer.stagedCount >= groupSize || writer.stagedBytes >= groupBytes
            if !staged.isEmpty && (full || finishing || due) {
                let outcome = writer.commit()
                spent.sync += outcome.seconds
                for name in outcome.committed { staged.removeValue(forKey: name)?(nil) }
                for failure in outcome.failed { staged.removeValue(forKey: failure.name)?(failure.reason) }
                // Anything the writer did not report is not durable: say so rather than lose the file.
                for (_, done) in staged { done("the file was staged but not committed") }
                staged.removeAll()
                oldest = nil
            }
            condition.lock()
            timings.write += spent.write
            timings.sync += spent.sync
            let drained = pending.isEmpty
            condition.unlock()
            if finishing && staged.isEmpty && drained { return }
        }
    }
}
