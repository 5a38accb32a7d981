public import Foundation
public import Workflow
public import WorkflowPostgres
import WorkflowSQLite

/// Where a workflow's store is: an SQLite store in a folder (the embedded default, one node) or a
/// PostgreSQL database that any number of processes on any number of nodes share.
///
/// Written as text (the CLI's `--store` and `COUNTERSIGN_STORE`): a `postgres://` or
/// `postgresql://` URL, or a folder path (`sqlite:` in front is allowed, for clarity).
public enum WorkflowStoreLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(directory: URL)
    case postgres(PostgresStoreConfiguration)

    /// Reads a location: `postgres://user[:password]@host[:port]/database` (see
    /// `PostgresStoreConfiguration(url:)`), `sqlite:/path/to/folder`, or a folder path.
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            throw WorkflowError(.invalidRequest, "the store location is empty; give a folder for SQLite or a postgres:// URL")
        }
        if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            self = .postgres(try PostgresStoreConfiguration(url: trimmed))
            return
        }
        var path = trimmed
        if path.hasPrefix("sqlite:") { path = String(path.dropFirst("sqlite:".count)) }
        if path.contains("://") {
            throw WorkflowError(.invalidRequest, "'\(trimmed)' is neither a folder nor a postgres:// URL; the stores are SQLite (a folder) and PostgreSQL")
        }
        if path.isEmpty { throw WorkflowError(.invalidRequest, "'\(trimmed)' names no folder; write sqlite:/path/to/folder") }
        self = .sqlite(directory: URL(fileURLWithPath: path).standardizedFileURL)
    }

    /// Opens (creating and migrating) the store. Close a PostgreSQL store with `close(_:)`.
    public func open() async throws -> any WorkflowStore {
        switch self {
        case .sqlite(let directory): try SQLiteWorkflowStore(directory: directory)
        case .postgres(let configuration): try await PostgresWorkflowStore.open(configuration)
        }
    }

    /// Where the store is, for messages (never a password).
    public var description: String {
        switch self {
        case .sqlite(let directory): "SQLite store in \(directory.path)"
        case .postgres(let configuration): configuration.place
        }
    }
}

/// Releases a store's connections (PostgreSQL); SQLite needs nothing.
public func closeStore(_ store: any WorkflowStore) async {
    if let postgres = store as? PostgresWorkflowStore { await postgres.close() }
}
