public import Foundation

/// Writes files so that a reader (or a crash) never sees a partial one: a temporary file in the
/// same directory, fsync, then rename over the destination (DESIGN.md §8, §10).
public enum AtomicFile {
    /// Seconds spent writing (into the page cache) and making the file durable (fsync, rename,
    /// directory fsync).
    public struct Timing: Sendable, Hashable {
        public var write: Double
        public var sync: Double
    }

    /// Writes `bytes` to `url` atomically, with the given POSIX permissions.
    @discardableResult
    public static func write(_ bytes: [UInt8], to url: URL, permissions: mode_t = 0o644) throws -> Timing {
        try write(parts: [bytes], to: url, permissions: permissions)
    }

    /// Writes the concatenation of `parts` (e.g. a mapped original file and an appended update)
    /// atomically, without joining them in memory.
    @discardableResult
    public static func write(parts: [any ContiguousBytes], to url: URL, permissions: mode_t = 0o644) throws -> Timing {
        let start = ContinuousClock.now
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard descriptor >= 0 else {
            throw AtomicFileError(path: url.path, reason: "cannot create a temporary file in \(directory.path): \(String(cString: strerror(errno)))")
        }
        var failure: String? = nil
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
            }
        }
        let written = ContinuousClock.now
        if failure == nil, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        if failure == nil, rename(temporary.path, url.path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary.path)
            throw AtomicFileError(path: url.path, reason: "cannot write: \(failure)")
        }
        // Make the rename itself durable.
        let directoryDescriptor = open(directory.path, O_RDONLY | O_DIRECTORY)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
        return Timing(write: seconds(written - start), sync: seconds(ContinuousClock.now - written))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

/// A file that could not be written.
public struct AtomicFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}
