public import Foundation

/// A stored response to a POST made with an `Idempotency-Key`: the same key and the same request
/// replay it; the same key with another request is refused.
public struct IdempotencyRecord: Sendable, Hashable, Codable {
    /// The account whose key made the request (keys of two accounts never meet).
    public var account: String
    /// The client's `Idempotency-Key`.
    public var key: String
    /// SHA-256 (hex) of the method, path and body of the first request.
    public var requestHash: String
    /// Zero while the first request is still running; its HTTP status once it has answered.
    public var status: Int
    /// The response headers worth replaying (content type, location, ETag).
    public var headers: [String: String]
    public var body: [UInt8]
    public var createdAt: Date

    public init(account: String, key: String, requestHash: String, status: Int = 0, headers: [String: String] = [:],
                body: [UInt8] = [], createdAt: Date) {
        self.account = account
        self.key = key
        self.requestHash = requestHash
        self.status = status
        self.headers = headers
        self.body = body
        self.createdAt = createdAt
    }

    /// True while the first request under this key has not answered yet.
    public var inProgress: Bool { status == 0 }

    /// The scope (`account`) of the records an API key makes: its answers are replayed only to
    /// that key. A purge finds an account's records by it (`accountScopes`).
    public static func scope(account: String, keyID: String) -> String { "account:\(account) key:\(keyID)" }

    /// The scopes of every key of `account`: those starting with `lower`, or (compared byte by
    /// byte, as SQLite's default collation does) `lower` ≤ scope < `upper`.
    public static func accountScopes(_ account: String) -> (lower: String, upper: String) {
        ("account:\(account) key:", "account:\(account) key;")
    }
}

/// A short-lived, single-use URL for embedded signing: the secret's SHA-256 is stored; redeeming
/// it once gives the recipient a signing session.
public struct EmbeddedLink: Sendable, Hashable, Codable {
    /// SHA-256 (hex) of the secret in the URL.
    public var secretHash: String
    public var account: String
    public var envelope: String
    public var recipient: String
    public var createdBy: String
    public var expiresAt: Date
    public var usedAt: Date?

    public init(secretHash: String, account: String, envelope: String, recipient: String, createdBy: String,
                expiresAt: Date, usedAt: Date? = nil) {
        self.secretHash = secretHash
        self.account = account
        self.envelope = envelope
        self.recipient = recipient
        self.createdBy = createdBy
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }
}

/// What the HTTP service keeps besides the workflow's records: idempotency records and embedded
/// signing links. Every store that backs `countersign serve` implements it (SQLite and PostgreSQL),
/// so any number of nodes share them.
public protocol ServiceRecordStore: Sendable {
    /// Stores `record` (in progress) unless the account already has one under its key; returns
    /// the existing record then (nil when this call reserved the key). Records older than
    /// `expiredBefore` are dropped first, so a key may be reused after a day.
    ///
    /// A reservation still in progress that was made before `abandonedBefore` belongs to a
    /// request whose node died before answering: it is dropped too, so a retry under the key
    /// can run instead of waiting for the key to expire.
    func reserveIdempotencyKey(_ record: IdempotencyRecord, expiredBefore: Date,
                               abandonedBefore: Date) async throws -> IdempotencyRecord?
    /// Stores the response of the request that reserved the key.
    func completeIdempotencyKey(_ record: IdempotencyRecord) async throws
    /// Forgets a reservation whose request failed in a way worth retrying (a 5xx).
    func releaseIdempotencyKey(account: String, key: String) async throws
    /// Stores a new embedded signing link.
    func insertEmbeddedLink(_ link: EmbeddedLink) async throws
    /// Marks the link with this secret hash used, if it exists, is unused and has not expired at
    /// `now`, and returns it; nil otherwise. Atomic: of two concurrent redemptions one wins.
    func redeemEmbeddedLink(secretHash: String, now: Date) async throws -> EmbeddedLink?
}

extension ServiceRecordStore {
    /// A reservation that never takes over an in-progress one, however old.
    public func reserveIdempotencyKey(_ record: IdempotencyRecord, expiredBefore: Date) async throws -> IdempotencyRecord? {
        try await reserveIdempotencyKey(record, expiredBefore: expiredBefore, abandonedBefore: .distantPast)
    }
}
