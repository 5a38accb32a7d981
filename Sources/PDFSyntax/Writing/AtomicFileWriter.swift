public import Foundation

/// A file written in pieces that appears all at once: bytes go to a temporary file in the same
/// directory, and `commit()` fsyncs it and renames it over the destination (DESIGN.md §8, §10).
/// Until then the destination is untouched; without a commit the temporary file is removed.
/// For outputs too large to build in memory (a 100 000-row manifest).
public final class AtomicFileWriter {
    /// The file that `commit()` replaces.
    public let url: URL
    private let temporary: URL
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private static let flushThreshold = 1 << 16

    /// Creates the temporary file beside `url`.
    public init(url: URL, permissions: mode_t = 0o644) throws {
        self.url = url
        let directory = url.deletingLastPathComponent()
        temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard descriptor >= 0 else {
            throw AtomicFileError(path: url.path, reason: "cannot create a temporary file in \(directory.path): \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(Self.flushThreshold)
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporary.path)
        }
    }

    /// Appends bytes.
    public func write(_ bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Appends UTF-8 text.
    public func write(_ text: String) throws {
        try write(text.utf8)
    }

    /// Makes the file durable and puts it in place.
    public func commit() throws {
        guard descriptor >= 0 else { throw AtomicFileError(path: url.path, reason: "already committed") }
        try flush()
        var failure: String? = nil
        if fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        descriptor = -1
        if failure == nil, rename(temporary.path, url.path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary.path)
            throw AtomicFileError(path: url.path, reason: "cannot write: \(failure)")
        }
        let directoryDescriptor = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    private func flush() throws {
        guard descriptor >= 0 else { throw AtomicFileError(path: url.path, reason: "already committed") }
        var failure: String? = nil
        buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
        if let failure { throw AtomicFileError(path: url.path, reason: "cannot write: \(failure)") }
    }

    /// Whether `name` is one of the temporary files this writer and `AtomicFile` create
    /// (`.NAME.PID.RANDOM.tmp`): what a killed process leaves behind.
    public static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return false }
        let parts = name.dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 4 else { return false }
        return parts.suffix(2).allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }

    /// Whether `name` is a temporary file whose writing process is gone: only those are left
    /// behind: another process writing into the same folder (a shard of the same batch) still
    /// owns its own.
    public static func isAbandonedTemporaryName(_ name: String) -> Bool {
        guard isTemporaryName(name) else { return false }
        let parts = name.dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
        guard let pid = Int32(parts[parts.count - 2]), pid > 0 else { return true }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
