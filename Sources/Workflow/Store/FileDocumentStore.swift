import CountersignCrypto
public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Documents' bytes on the file system, content-addressed: `<root>/<first two hex>/<sha256>`,
/// written atomically and durably (temporary file in the same folder, fsync, rename, fsync of
/// the folder) before the transaction that names them commits. The file system calls run on
/// Dispatch's threads, never on the cooperative pool: an fsync there would idle one of its few
/// threads (one per core) for the whole wait. Which envelopes hold each file is the database's
/// to keep (the SQLite store's `DocumentStore` wraps this one).
public struct FileDocumentStore: Sendable {
    public let root: URL

    public init(root: URL) throws {
        self.root = root
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw WorkflowError(.store, "cannot create the document folder \(root.path): \(error.localizedDescription)")
        }
    }

    /// Where the bytes with this hash live.
    public func url(for sha256: String) throws -> URL {
        guard DigestAlgorithm.isSHA256Hex(sha256) else {
            throw WorkflowError(.invalidRequest, "'\(sha256)' is not a SHA-256 in lowercase hex")
        }
        return root.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
    }

    /// The SHA-256 (lowercase hex) the bytes are stored under.
    public static func hash(_ bytes: [UInt8]) -> String { sha256Hex(bytes) }

    /// Writes the bytes unless their file exists, and returns their SHA-256.
    public func put(_ bytes: [UInt8]) async throws -> String {
        let hash = sha256Hex(bytes)
        let destination = try url(for: hash)
        try await BlockingIO.run { try Self.write(bytes, to: destination, hash: hash) }
        return hash
    }

    /// Writes `bytes` to `destination` unless it exists: a temporary file, fsync, rename, and an
    /// fsync of the folder so that the rename itself survives a power loss. Plain POSIX calls:
    /// Foundation's `createFile` is itself an atomic write (a temporary folder, a file, a rename)
    /// and was a third of a completion's file-system time before the real write began.
    static func write(_ bytes: [UInt8], to destination: URL, hash: String) throws {
        let path = destination.path
        if access(path, F_OK) == 0 { return }
        let folder = destination.deletingLastPathComponent().path
        if mkdir(folder, 0o755) != 0 && errno != EEXIST {
            // The document root itself is gone (removed while the store was open): make it again.
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw WorkflowError(.store, "cannot store a document in \(folder): \(error.localizedDescription)")
            }
        }
        let temporary = folder + "/.\(hash).\(UUID().uuidString).tmp"
        let file = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard file >= 0 else { throw failure("cannot create \(temporary)") }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        do {
            defer { close(file) }
            try bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(file, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw failure("cannot write \(temporary)")
                    }
                    offset += written
                }
            }
            guard fsync(file) == 0 else { throw failure("cannot sync \(temporary)") }
        }
        guard rename(temporary, path) == 0 else { throw failure("cannot move the document into \(path)") }
        renamed = true
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw failure("cannot open \(folder) to sync it") }
        defer { close(directory) }
        guard fsync(directory) == 0 else { throw failure("cannot sync \(folder)") }
    }

    /// A store error naming what failed and the system's reason (errno as it is now).
    private static func failure(_ what: String) -> WorkflowError {
        WorkflowError(.store, "\(what): \(String(cString: strerror(errno))) (errno \(errno))")
    }

    /// The bytes with this SHA-256, or nil.
    public func get(_ sha256: String) async throws -> [UInt8]? {
        let location = try url(for: sha256)
        return try await BlockingIO.run { FileManager.default.contents(atPath: location.path).map(Array.init) }
    }

    /// Deletes the file (the caller knows no envelope holds it).
    public func delete(_ sha256: String) throws {
        let location = try url(for: sha256)
        if FileManager.default.fileExists(atPath: location.path) {
            do {
                try FileManager.default.removeItem(at: location)
            } catch {
                throw WorkflowError(.store, "cannot delete \(location.path): \(error.localizedDescription)")
            }
        }
    }
}
