public import Foundation

/// A tenant: every row in a store belongs to exactly one account, and every query names one.
public struct Account: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var createdAt: Date

    public init(id: String, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// What a principal may do (DESIGN.md §13).
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    /// Prepares and sends envelopes from published templates and tracks them.
    case agent
    /// Drafts templates, approves clause versions, publishes template versions.
    case legal
    /// Reads everything, exports audits, places legal holds.
    case compliance
    /// Manages keys and retention; can do what every other role can.
    case admin
}

/// An API key as stored: only the SHA-256 of the secret, never the secret itself.
public struct APIKeyRecord: Sendable, Hashable, Codable {
    public var id: String
    public var account: String
    public var role: Role
    /// A label for people ("CRM integration").
    public var name: String
    /// SHA-256 (hex) of the whole secret key string.
    public var secretHash: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, account: String, role: Role, name: String, secretHash: String, createdAt: Date,
                revokedAt: Date? = nil) {
        self.id = id
        self.account = account
        self.role = role
        self.name = name
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// Who is acting: an API key of one account with its role, and optionally the person an
/// integration acts for (recorded in the audit events, never trusted for access).
public struct Principal: Sendable, Hashable {
    public var account: String
    public var keyID: String
    public var role: Role
    /// The human behind the call (e-mail or name), as the integration says.
    public var onBehalfOf: String?

    public init(account: String, keyID: String, role: Role, onBehalfOf: String? = nil) {
        self.account = account
        self.keyID = keyID
        self.role = role
        self.onBehalfOf = onBehalfOf
    }

    /// Throws `forbidden` unless the role is one of `roles` (admin may always).
    func require(_ roles: Role..., to action: String) throws(WorkflowError) {
        guard role == .admin || roles.contains(role) else {
            let allowed = roles.map(\.rawValue).joined(separator: " or ")
            throw WorkflowError(.forbidden, "a key with role '\(role.rawValue)' may not \(action); it needs role \(allowed)")
        }
    }

    /// The actor recorded in events: `key:<id>` or `key:<id> for <person>`.
    var actor: EventActor {
        EventActor(kind: .key, id: keyID, onBehalfOf: onBehalfOf)
    }
}

/// A newly made API key: the secret is shown once, only its hash is kept.
public struct IssuedKey: Sendable {
    public var record: APIKeyRecord
    /// `csk_<key id>_<64 hex>`: give it to the integration now; it cannot be shown again.
    public var secret: String
}
