public import Foundation

/// A version of a template in an account's library (DESIGN.md §13).
public struct TemplateVersion: Sendable, Hashable, Codable {
    /// `draft → published → retired`; a published version never changes.
    public enum State: String, Sendable, Hashable, Codable { case draft, published, retired }

    public var account: String
    public var templateID: String
    public var version: String
    public var state: State
    /// The template's XML, as imported.
    public var source: Data
    /// The files it refers to (images), by the relative path it names them with.
    public var assets: [String: Data]
    /// SHA-256 (hex) of the compiled template (template + pinned clauses), set when published.
    public var sha256: String?
    public var createdAt: Date
    public var createdBy: String
    public var publishedAt: Date?
    public var publishedBy: String?
    public var retiredAt: Date?
    /// Optimistic concurrency: the store refuses a write whose expected revision is stale.
    public var revision: Int

    public init(account: String, templateID: String, version: String, source: Data, createdAt: Date, createdBy: String) {
        self.account = account
        self.templateID = templateID
        self.version = version
        self.state = .draft
        self.source = source
        self.assets = [:]
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.revision = 0
    }

    /// `service-agreement@3`.
    public var reference: String { "\(templateID)@\(version)" }
}

/// A version of a clause: `proposed → approved` (by legal).
public struct ClauseVersion: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable { case proposed, approved }

    public var account: String
    public var clauseID: String
    public var version: String
    public var state: State
    /// The clause's XML. Approval writes `approved-by`/`approved-on` into it, as the compiler checks.
    public var source: Data
    public var proposedAt: Date
    public var approvedBy: String?
    public var approvedOn: String?
    public var revision: Int

    public init(account: String, clauseID: String, version: String, source: Data, proposedAt: Date) {
        self.account = account
        self.clauseID = clauseID
        self.version = version
        self.state = .proposed
        self.source = source
        self.proposedAt = proposedAt
        self.revision = 0
    }

    public var reference: String { "\(clauseID)@\(version)" }
}
