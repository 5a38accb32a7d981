import Dispatch
public import Foundation
import Synchronization
public import Verification

/// Verifies many files with parallel workers (one shared verifier: trust store built once) and
/// hands each outcome on in input order, as soon as it and every file before it are done.
public struct VerifyBatch: Sendable {
    /// A file's report, or why it could not be read.
    public enum Outcome: Sendable {
        case report(VerificationReport)
        case unreadable(path: String, error: VerificationError)
    }

    public let verifier: PDFVerifier
    public let workers: Int

    public init(verifier: PDFVerifier, workers: Int) {
        self.verifier = verifier
        self.workers = max(1, workers)
    }

    /// The PDF files in a directory (by the `.pdf` suffix), sorted by name.
    public static func pdfs(in directory: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.lowercased().hasSuffix(".pdf") }.sorted()
                .map { directory.appendingPathComponent($0).path }
        } catch {
            throw VerificationError(FileManager.default.fileExists(atPath: directory.path) ? .io : .notFound,
                                    "cannot list \(directory.path): no such directory or no permission")
        }
    }

    /// Verifies `paths`; `emit` gets (index, outcome) in input order, one call at a time.
    public func run(_ paths: [String], emit: @Sendable (Int, Outcome) -> Void) {
        struct Ordering: ~Copyable {
            var pending: [Int: Outcome] = [:]
            var next = 0
        }
        let claimed = Mutex(0)
        let ordering = Mutex(Ordering())
        DispatchQueue.concurrentPerform(iterations: min(workers, max(1, paths.count))) { _ in
            while true {
                let index: Int = claimed.withLock { value in
                    defer { value += 1 }
                    return value
                }
                guard index < paths.count else { return }
                let outcome: Outcome
                do {
                    outcome = .report(try verifier.verify(path: paths[index]))
                } catch let error as VerificationError {
                    outcome = .unreadable(path: paths[index], error: error)
                } catch {
                    outcome = .unreadable(path: paths[index], error: VerificationError(.io, "\(paths[index]): \(error)"))
                }
                ordering.withLock { state in
                    state.pending[index] = outcome
                    while let ready = state.pending.removeValue(forKey: state.next) {
                        emit(state.next, ready)
                        state.next += 1
                    }
                }
            }
        }
    }
}
