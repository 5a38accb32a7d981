public import Foundation

/// A bulk send: one envelope specification and any number of rows, each row one envelope
/// (DESIGN.md §14). Rows are stored as they arrive and worked off by jobs on any node.
public struct BulkSend: Sendable, Hashable, Codable {
    public var id: String
    public var account: String
    public var spec: BulkSpec
    public var createdAt: Date
    public var createdBy: String
    /// Row counts by state, filled in when read.
    public var counts: [BulkRow.State: Int]

    public init(id: String, account: String, spec: BulkSpec, createdAt: Date, createdBy: String,
                counts: [BulkRow.State: Int] = [:]) {
        self.id = id
        self.account = account
        self.spec = spec
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.counts = counts
    }
}

/// What every row's envelope is made of. Texts may name a row's columns as `{{column}}`
/// (subject, message, recipients' names and e-mails, metadata values); the template's data is the
/// row's columns of the same names.
public struct BulkSpec: Sendable, Hashable, Codable {
    public var templateID: String
    public var templateVersion: String
    public var subject: String
    public var message: String?
    public var recipients: [RecipientRequest]
    public var metadata: [String: String]
    public var retentionCategory: String
    /// Send each envelope once created (else they stay drafts).
    public var send: Bool
    /// The column whose value names a row (so a resumed upload skips rows already taken); the
    /// row's number in its upload when absent.
    public var rowKeyColumn: String?

    public init(templateID: String, templateVersion: String, subject: String, message: String? = nil,
                recipients: [RecipientRequest], metadata: [String: String] = [:], retentionCategory: String = "standard-contract",
                send: Bool = true, rowKeyColumn: String? = nil) {
        self.templateID = templateID
        self.templateVersion = templateVersion
        self.subject = subject
        self.message = message
        self.recipients = recipients
        self.metadata = metadata
        self.retentionCategory = retentionCategory
        self.send = send
        self.rowKeyColumn = rowKeyColumn
    }
}

/// One row of a bulk send and what became of it.
public struct BulkRow: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Waiting for a worker (or held by one under a lease).
        case pending
        /// Its envelope exists (`envelope`).
        case created
        /// It could not become an envelope (`error` says why); fix the row and upload it under a new key.
        case failed
    }

    /// The row's place in the bulk send (1, 2, … in arrival order).
    public var sequence: Int
    /// The row's key (see `BulkSpec.rowKeyColumn`).
    public var key: String
    public var values: [String: String]
    public var state: State
    public var envelope: String?
    public var error: String?

    public init(sequence: Int = 0, key: String, values: [String: String], state: State = .pending, envelope: String? = nil,
                error: String? = nil) {
        self.sequence = sequence
        self.key = key
        self.values = values
        self.state = state
        self.envelope = envelope
        self.error = error
    }
}

/// Where bulk sends and their rows are kept; every store that runs the service implements it.
public protocol BulkSendStore: Sendable {
    func insertBulkSend(_ bulk: BulkSend) async throws
    /// The bulk send with its row counts.
    func bulkSend(account: String, id: String) async throws -> BulkSend?
    /// Adds rows whose keys the bulk send does not have yet (numbering them after the last) and,
    /// in the same transaction, the jobs that will work them off. Returns how many were new.
    func appendBulkRows(account: String, bulk: String, rows: [BulkRow], jobs: [Job]) async throws -> Int
    /// Leases up to `limit` pending rows nobody holds (or whose lease ran out) until `until`.
    func claimBulkRows(account: String, bulk: String, limit: Int, now: Date, until: Date) async throws -> [BulkRow]
    /// Records a row's outcome: its envelope, or the error that refused it.
    func finishBulkRow(account: String, bulk: String, sequence: Int, envelope: String?, error: String?) async throws
    /// Rows in sequence order after `after`, optionally of one state.
    func bulkRows(account: String, bulk: String, state: BulkRow.State?, after: Int, limit: Int) async throws -> [BulkRow]
}
