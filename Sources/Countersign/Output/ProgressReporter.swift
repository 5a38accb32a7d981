public import Batch
public import Foundation
import Synchronization

/// Progress on stderr: a live bar when stderr is a terminal (done/total, rate, ETA), plain lines
/// every few seconds when it is not. Thread-safe. Without a total (a streamed CSV), the bar and
/// the ETA follow the share of the input read instead.
public final class ProgressReporter: Sendable {
    private struct State {
        var total = 0
        var done = 0
        var failed = 0
        var fraction: Double?
        var lastPrint = Date.distantPast
    }

    private let label: String
    private let isTerminal: Bool
    private let interval: TimeInterval
    private let start = Date()
    private let state = Mutex(State())

    public init(label: String, interval: TimeInterval? = nil) {
        self.label = label
        isTerminal = isatty(STDERR_FILENO) == 1
        self.interval = interval ?? (isatty(STDERR_FILENO) == 1 ? 0.1 : 5)
    }

    public func setTotal(_ total: Int) { state.withLock { $0.total = total } }

    /// Records one finished item and prints if it is time to.
    public func advance(failed: Bool = false) {
        update { state in
            state.done += 1
            if failed { state.failed += 1 }
        }
    }

    /// Sets the counts and the share of the input consumed (0…1), and prints if it is time to.
    public func update(done: Int, failed: Int, fraction: Double?) {
        update { state in
            state.done = done
            state.failed = failed
            state.fraction = fraction
        }
    }

    private func update(_ change: (inout State) -> Void) {
        let line: String? = state.withLock { state in
            change(&state)
            let now = Date()
            guard now.timeIntervalSince(state.lastPrint) >= interval || state.done == state.total else { return nil }
            state.lastPrint = now
            return render(state, now: now)
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// Ends the live line.
    public func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func render(_ state: State, now: Date) -> String {
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(state.done) / elapsed
        var remaining = state.total > state.done && rate > 0 ? Double(state.total - state.done) / rate : 0
        if state.total == 0, let fraction = state.fraction, fraction > 0 { remaining = elapsed * (1 - fraction) / fraction }
        let counts = state.total > 0 ? "\(state.done)/\(state.total)" : "\(state.done)"
        let failures = state.failed > 0 ? ", \(state.failed) failed" : ""
        let share = state.total == 0 ? state.fraction.map { "  \(Int(($0 * 100).rounded(.down)))% of input" } ?? "" : ""
        let text = "\(label) \(counts)\(failures)  \(String(format: "%.1f", rate))/s\(share)  ETA \(Int(remaining.rounded()))s"
        guard isTerminal else { return text + "\n" }
        let width = 28
        let fraction = state.total > 0 ? Double(state.done) / Double(state.total) : state.fraction ?? 0
        let filled = Int(fraction * Double(width))
        return "\r[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] " + text
    }
}

extension ProgressReporter: BatchProgressObserver {
    public func batchProgressed(_ progress: BatchProgress) {
        update(done: progress.done, failed: progress.failed, fraction: progress.inputFraction)
    }

    public func batchFinished() { finish() }
}
