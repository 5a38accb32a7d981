public import Foundation

/// Writes many files into one directory durably with one sync per group instead of one
/// fsync (plus one directory fsync) per file.
///
/// `stage` writes a file's bytes to a temporary file beside its final name (`.NAME.PID.RANDOM.tmp`,
/// like `AtomicFile`) and returns; nothing has a final name yet. `commit` makes the whole group
/// durable with one `syncfs(2)` of the directory's file system, only then renames each
/// temporary file to its final name, and fsyncs the directory once. So a final name only ever
/// holds a complete, durable file; a file whose group fails to sync is removed, never renamed.
/// A crash before the renames leaves only temporary files, which `AtomicFileWriter.isTemporaryName`
/// recognises.
///
/// Not thread-safe: one owner (e.g. a writer thread) calls it.
public final class GroupCommitWriter {
    /// A staged file that did not make it to its final name.
    public struct Failure: Sendable, Hashable {
        public var name: String
        public var reason: String
    }

    /// What one `commit` did.
    public struct Outcome: Sendable {
        /// Names now durable in the directory, in staging order.
        public var committed: [String]
        public var failed: [Failure]
        /// Seconds spent in syncfs, renames and the directory fsync.
        public var seconds: Double
    }

    /// syncfs(2), looked up at run time (glibc declares it only for _GNU_SOURCE); without it
    /// each file of a group is fsynced.
    private typealias SyncFS = @convention(c) (Int32) -> Int32
    private static let syncfs: SyncFS? = dlsym(nil, "syncfs").map { unsafeBitCast($0, to: SyncFS.self) }

    public let directory: URL
    /// The directory's path with a trailing slash (paths are joined per file without `URL`).
    private let prefix: String
    private let permissions: mode_t
    private var staged: [(name: String, temporary: String, bytes: Int)] = []

    /// Files staged and not yet committed.
    public var stagedCount: Int { staged.count }
    /// Bytes staged and not yet committed.
    public private(set) var stagedBytes = 0

    public init(directory: URL, permissions: mode_t = 0o644) {
        self.directory = directory
        prefix = directory.path.hasSuffix("/") ? directory.path : directory.path + "/"
        self.permissions = permissions
    }

    deinit {
        for file in staged { unlink(file.temporary) }
    }

    /// Writes the concatenation of `parts` to a temporary file for `name` (a plain file name in
    /// the directory); returns the seconds spent writing. On failure nothing is left behind.
    @discardableResult
    public func stage(_ parts: [any ContiguousBytes], as name: String) throws -> Double {
        let start = ContinuousClock.now
        let temporary = prefix + ".\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard descriptor >= 0 else {
            throw AtomicFileError(path: prefix + name,
                                  reason: "cannot create a temporary file in \(directory.path): \(String(cString: strerror(errno)))")
        }
        var failure: String? = nil
        var total = 0
        for part in parts where failure == nil {
            part.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        failure = String(cString: strerror(errno))
                        return
                    }
                    offset += written
                }
                total += buffer.count
            }
        }
        if close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw AtomicFileError(path: prefix + name, reason: "cannot write: \(failure)")
        }
        staged.append((name, temporary, total))
        stagedBytes += total
        return AtomicFile.seconds(ContinuousClock.now - start)
    }

    /// Makes every staged file durable and gives it its final name (see the type's comment).
    public func commit() -> Outcome {
        let start = ContinuousClock.now
        let group = staged
        staged.removeAll()
        stagedBytes = 0
        guard !group.isEmpty else { return Outcome(committed: [], failed: [], seconds: 0) }
        func failAll(_ reason: String) -> Outcome {
            for file in group { unlink(file.temporary) }
            return Outcome(committed: [], failed: group.map { Failure(name: $0.name, reason: reason) },
                           seconds: AtomicFile.seconds(ContinuousClock.now - start))
        }
        let directoryDescriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0 else {
            return failAll("cannot open the directory \(directory.path): \(String(cString: strerror(errno)))")
        }
        defer { close(directoryDescriptor) }
        // 1. The data of the whole group, durable before any final name exists.
        if let syncfs = Self.syncfs {
            guard syncfs(directoryDescriptor) == 0 else {
                return failAll("cannot sync the file system: \(String(cString: strerror(errno)))")
            }
        } else {
            for file in group {
                let descriptor = open(file.temporary, O_RDONLY | O_CLOEXEC)
                let synced = descriptor >= 0 && fsync(descriptor) == 0
                let reason = String(cString: strerror(errno))
                if descriptor >= 0 { close(descriptor) }
                guard synced else { return failAll("cannot sync \(file.name): \(reason)") }
            }
        }
        // 2. Final names.
        var committed: [String] = []
        var failed: [Failure] = []
        for file in group {
            let destination = prefix + file.name
            if rename(file.temporary, destination) == 0 {
                committed.append(file.name)
            } else {
                failed.append(Failure(name: file.name, reason: "cannot rename into place: \(String(cString: strerror(errno)))"))
                unlink(file.temporary)
            }
        }
        // 3. The names themselves, durable. If that fails, the names are taken back: a file
        // nobody was told about must not outlive the error.
        if fsync(directoryDescriptor) != 0 {
            let reason = "cannot sync the directory: \(String(cString: strerror(errno)))"
            for name in committed { unlink(prefix + name) }
            failed += committed.map { Failure(name: $0, reason: reason) }
            committed = []
        }
        return Outcome(committed: committed, failed: failed, seconds: AtomicFile.seconds(ContinuousClock.now - start))
    }
}
