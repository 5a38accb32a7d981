public import Foundation

/// Writes files so that a reader (or a crash) never sees a partial one: a temporary file in the
/// same directory, fsync, then rename over the destination (DESIGN.md §8, §10).
public enum AtomicFile {
    /// Writes `bytes` to `url` atomically, with the given POSIX permissions.
    public static func write(_ bytes: [UInt8], to url: URL, permissions: mode_t = 0o644) throws {
        try write(parts: [bytes], to: url, permissions: permissions)
    }

    /// Writes the concatenation of `parts` (e.g. a mapped original file and an appended update)
    /// atomically, without joining them in memory.
    public static func write(parts: [any ContiguousBytes], to url: URL, permissions: mode_t = 0o644) throws {
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
