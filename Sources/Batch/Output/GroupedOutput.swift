import Foundation
import PDFSyntax

/// Makes generated PDFs durable in groups, on one writer thread, instead of an fsync of each
/// file and of the directory on the worker that made it.
///
/// Workers `submit` a document's bytes and learn through a callback — on the writer thread —
/// once the file is durable under its final name (or why it is not). Staging, the group's one
/// `syncfs`, the renames and the directory fsync are `GroupCommitWriter`'s, so a final name only
/// ever holds a complete, durable file; only then does the row reach the journal. A group is
/// committed when it has `groupSize` files, when its oldest file has waited `maxDelay`, and at
/// `close`. `groupSize` must stay below the reorder window: rows wait for their group, and the
/// reader hands out no row more than a window ahead of the oldest unfinished one.
final class GroupedOutput: @unchecked Sendable {
    // `pending` and `closed` are read and written with `condition` held; the writer is the
    // writer thread's alone.
    private struct Submission {
        let name: String
        let bytes: [UInt8]
        let done: @Sendable (_ failure: String?) -> Void
    }

    private let condition = NSCondition()
    private var pending: [Submission] = []
    private var closed = false
    private let groupSize: Int
    private let maxDelay: TimeInterval
    private let writer: GroupCommitWriter
    private var thread: DispatchGroup?

    init(directory: URL, groupSize: Int, maxDelay: TimeInterval = 0.05) {
        self.groupSize = max(1, groupSize)
        self.maxDelay = maxDelay
        writer = GroupCommitWriter(directory: directory)
        thread = startThreads(1, name: "countersign-output") { [self] _ in run() }
    }

    /// Queues `bytes` for the file `name` in the directory; `done` runs on the writer thread with
    /// nil once the file is durable, or with the reason it could not be written.
    func submit(_ bytes: [UInt8], as name: String, done: @escaping @Sendable (_ failure: String?) -> Void) {
        condition.lock()
        pending.append(Submission(name: name, bytes: bytes, done: done))
        condition.signal()
        condition.unlock()
    }

    /// Commits what is staged and waits for the writer thread to finish.
    func close() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
        thread?.wait()
        thread = nil
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
            condition.unlock()

            for submission in batch {
                do {
                    _ = try writer.stage([submission.bytes], as: submission.name)
                    staged[submission.name] = submission.done
                    if oldest == nil { oldest = Date() }
                } catch {
                    submission.done("\(error)")
                }
            }
            let due = oldest.map { Date().timeIntervalSince($0) >= maxDelay } ?? false
            if !staged.isEmpty && (staged.count >= groupSize || finishing || due) {
                let outcome = writer.commit()
                for name in outcome.committed { staged.removeValue(forKey: name)?(nil) }
                for failure in outcome.failed { staged.removeValue(forKey: failure.name)?(failure.reason) }
                // Anything the writer did not report is not durable: say so rather than lose the row.
                for (_, done) in staged { done("the file was staged but not committed") }
                staged.removeAll()
                oldest = nil
            }
            if finishing && staged.isEmpty {
                condition.lock()
                let drained = pending.isEmpty
                condition.unlock()
                if drained { return }
            }
        }
    }
}
