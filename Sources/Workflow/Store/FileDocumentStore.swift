import CountersignCrypto
public import Foundation

/// Documents on the file system, content-addressed: `<root>/<first two hex>/<sha256>`, written
/// atomically and durably (temporary file in the same folder, fsync, rename, fsync of the
/// folder) before the transaction that names them commits. The file system calls run on
/// Dispatch's threads, never on the cooperative pool: an fsync there would idle one of its few
/// threads (one per core) for the whole wait.
public struct FileDocumentStore: DocumentStore {
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

    public func put(_ bytes: [UInt8]) async throws -> String {
        let hash = sha256Hex(bytes)
        let destination = try url(for: hash)
        try await BlockingIO.run { try Self.write(bytes, to: destination, hash: hash) }
        return hash
    }

    /// Writes `bytes` to `destination` unless it exists: a temporary file, fsync, rename, and an
    /// fsync of the folder so that the rename itself survives a power loss.
    static func write(_ bytes: [UInt8], to destination: URL, hash: String) throws {
        if FileManager.default.fileExists(atPath: destination.path) { return }
        let folder = destination.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let temporary = folder.appendingPathComponent(".\(hash).\(UUID().uuidString).tmp")
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw WorkflowError(.store, "cannot create \(temporary.path)")
            }
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: Data(bytes))
            try handle.synchronize()
            try handle.close()
            guard rename(temporary.path, destination.path) == 0 else {
                throw WorkflowError(.store, "cannot move the document into \(destination.path): errno \(errno)")
            }
            let directory = open(folder.path, O_RDONLY | O_DIRECTORY)
            guard directory >= 0 else { throw WorkflowError(.store, "cannot open \(folder.path) to sync it: errno \(errno)") }
            defer { close(directory) }
            guard fsync(directory) == 0 else { throw WorkflowError(.store, "cannot sync \(folder.path): errno \(errno)") }
        } catch let error as WorkflowError {
            throw error
        } catch {
            throw WorkflowError(.store, "cannot store a document in \(folder.path): \(error.localizedDescription)")
        }
    }

    public func get(_ sha256: String) async throws -> [UInt8]? {
        let location = try url(for: sha256)
        return try await BlockingIO.run { FileManager.default.contents(atPath: location.path).map(Array.init) }
    }

    public func delete(_ sha256: String) async throws {
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
