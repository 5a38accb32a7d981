public import Foundation

/// A durable job in the store's queue: run by any worker when due, leased while it runs,
/// retried with backoff when it fails. E-mails are jobs too (the outbox), so a state change
/// commits its notifications with itself and never waits for them.
public struct Job: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Deliver one e-mail (`payload` is a `MailMessage` as JSON).
        case email
        /// Send reminders to recipients whose turn it is.
        case reminder
        /// Expire the envelope if it is still unfinished.
        case expiry
        /// Seal the documents and complete the envelope.
        case completion
        /// Delete documents and personal data whose retention has passed.
        case purge
        /// Turn a bulk send's pending rows into envelopes (`envelope` is the bulk send's id).
        case bulkSend
        /// Make one attempt of a webhook delivery (`payload` is the delivery id, `envelope` its stream).
        case webhook
    }

    public enum State: String, Sendable, Hashable, Codable { case pending, done, failed }

    public var id: String
    public var account: String
    public var kind: Kind
    /// The envelope the job is about (empty for account-wide jobs).
    public var envelope: String
    public var payload: Data
    public var runAt: Date
    public var attempts: Int
    public var maximumAttempts: Int
    public var state: State
    public var lastError: String?

    public init(id: String, account: String, kind: Kind, envelope: String, payload: Data = Data(), runAt: Date,
                maximumAttempts: Int = 8) {
        self.id = id
        self.account = account
        self.kind = kind
        self.envelope = envelope
        self.payload = payload
        self.runAt = runAt
        self.attempts = 0
        self.maximumAttempts = maximumAttempts
        self.state = .pending
    }
}

/// One entry of an account's ledger: the chain over its completed envelopes' event heads.
public struct LedgerEntry: Sendable, Hashable, Codable {
    public var account: String
    public var sequence: Int
    public var envelope: String
    /// The envelope's event-chain head at completion, and how many events it had.
    public var envelopeHead: String
    public var envelopeEvents: Int
    public var at: Date
    public var previousHash: String
    /// SHA-256(previousHash ‖ canonical JSON of the entry without `hash`).
    public var hash: String

    public init(account: String, sequence: Int, envelope: String, envelopeHead: String, envelopeEvents: Int, at: Date,
                previousHash: String, hash: String? = nil) {
        self.account = account
        self.sequence = sequence
        self.envelope = envelope
        self.envelopeHead = envelopeHead
        self.envelopeEvents = envelopeEvents
        self.at = EventTime.truncated(at)
        self.previousHash = previousHash
        self.hash = ""
        self.hash = hash ?? computedHash
    }

    var canonicalJSON: [UInt8] {
        CanonicalJSON.object([
            "account": .string(account), "sequence": .int(sequence), "envelope": .string(envelope),
            "envelopeHead": .string(envelopeHead), "envelopeEvents": .int(envelopeEvents),
            "at": .string(EventTime.iso(at)), "previousHash": .string(previousHash),
        ]).bytes
    }

    public var computedHash: String { sha256Hex(Array(previousHash.utf8) + canonicalJSON) }
}

/// A ledger entry whose place the store decides: it is chained onto the account's ledger head
/// inside the commit's transaction (sequence and previous hash are the head's), so the writer
/// reads no head beforehand. Two commits that chain onto the same head conflict; the one that
/// loses is refused as a `conflict` and may simply be committed again.
public struct LedgerAppend: Sendable, Hashable {
    public var envelope: String
    /// The envelope's event-chain head at completion, and how many events it had.
    public var envelopeHead: String
    public var envelopeEvents: Int
    public var at: Date

    public init(envelope: String, envelopeHead: String, envelopeEvents: Int, at: Date) {
        self.envelope = envelope
        self.envelopeHead = envelopeHead
        self.envelopeEvents = envelopeEvents
        self.at = at
    }

    /// The entry that follows `head` (nil: the account's ledger is empty).
    public func entry(account: String, after head: (sequence: Int, hash: String)?) -> LedgerEntry {
        LedgerEntry(account: account, sequence: (head?.sequence ?? 0) + 1, envelope: envelope, envelopeHead: envelopeHead,
                    envelopeEvents: envelopeEvents, at: at, previousHash: head?.hash ?? WorkflowEvent.genesis)
    }
}

/// An RFC 3161 time-stamp token over a ledger head: rewriting the ledger before it would need a
/// forged timestamp.
public struct LedgerAnchor: Sendable, Hashable, Codable {
    public var account: String
    public var sequence: Int
    public var head: String
    public var token: Data
    public var at: Date

    public init(account: String, sequence: Int, head: String, token: Data, at: Date) {
        self.account = account
        self.sequence = sequence
        self.head = head
        self.token = token
        self.at = at
    }
}

extension Job.Kind {
    /// Which due jobs a worker claims first (lower first; within one, the longest due first).
    /// People wait on e-mails (an invitation, a one-time code) and on completions (the sealed
    /// contract); a bulk send makes envelopes, e-mails and webhooks by the thousand, so it comes
    /// last: one account's bulk send cannot hold up another account's codes for an hour.
    public var claimPriority: Int {
        switch self {
        case .email, .completion: 0
        case .reminder, .expiry, .purge, .webhook: 1
        case .bulkSend: 2
        }
    }
}
