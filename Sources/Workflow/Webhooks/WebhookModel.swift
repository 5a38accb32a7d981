public import Foundation

/// A receiver of an account's webhooks: where they go, which event types, and the secrets that
/// sign them (docs/webhooks.md).
///
/// Secrets are HMAC keys, so the store keeps them as issued: a verifier needs the same key the
/// signer used, and a hash would not sign. They are never put in events, payloads or logs, and
/// reads for people (`WebhookEndpoint.Summary`) show only their ids and expiry.
public struct WebhookEndpoint: Sendable, Hashable, Codable {
    public var id: String
    public var account: String
    /// `https://…` (or `http://…`); its address is checked against the SSRF policy at every delivery.
    public var url: String
    public var description: String
    /// Event types delivered (`envelope.completed`, or a family `envelope.*`); empty means all.
    public var eventTypes: [String]
    public var enabled: Bool
    /// Why the endpoint was disabled (`disabled by <key>`, or the auto-disable's reason).
    public var disabledReason: String?
    /// Active secrets, newest last; each signs until it expires (rotation keeps the previous one a while).
    public var secrets: [WebhookSecret]
    public var createdAt: Date
    /// Optimistic concurrency, as for envelopes: the stored revision plus one, zero when new.
    public var revision: Int

    public init(id: String, account: String, url: String, description: String, eventTypes: [String], enabled: Bool = true,
                disabledReason: String? = nil, secrets: [WebhookSecret], createdAt: Date, revision: Int = 0) {
        self.id = id
        self.account = account
        self.url = url
        self.description = description
        self.eventTypes = eventTypes
        self.enabled = enabled
        self.disabledReason = disabledReason
        self.secrets = secrets
        self.createdAt = createdAt
        self.revision = revision
    }

    /// Whether an event type is delivered to this endpoint.
    public func subscribes(to type: String) -> Bool {
        eventTypes.isEmpty || eventTypes.contains { filter in
            filter == type || (filter.hasSuffix(".*") && type.hasPrefix(String(filter.dropLast())))
        }
    }

    /// The secrets that sign at `now` (not yet expired), oldest first.
    public func signingSecrets(at now: Date) -> [WebhookSecret] {
        secrets.filter { $0.expiresAt.map { now < $0 } ?? true }
    }

    /// The endpoint without its secrets' values: what reads return.
    public var summary: Summary {
        Summary(id: id, url: url, description: description, eventTypes: eventTypes, enabled: enabled,
                disabledReason: disabledReason, secrets: secrets.map { .init(id: $0.id, createdAt: $0.createdAt, expiresAt: $0.expiresAt) },
                createdAt: createdAt)
    }

    /// An endpoint as shown to people and integrations: secrets by id and expiry only.
    public struct Summary: Sendable, Hashable, Codable {
        public struct Secret: Sendable, Hashable, Codable {
            public var id: String
            public var createdAt: Date
            public var expiresAt: Date?
        }

        public var id: String
        public var url: String
        public var description: String
        public var eventTypes: [String]
        public var enabled: Bool
        public var disabledReason: String?
        public var secrets: [Secret]
        public var createdAt: Date
    }
}

/// One signing secret of an endpoint: `whsec_` and the base64 of 32 random bytes.
public struct WebhookSecret: Sendable, Hashable, Codable {
    public var id: String
    /// `whsec_<base64>`: the key is the base64-decoded part.
    public var value: String
    public var createdAt: Date
    /// When it stops signing (set when a newer secret replaces it); nil while it is the current one.
    public var expiresAt: Date?

    public init(id: String, value: String, createdAt: Date, expiresAt: Date? = nil) {
        self.id = id
        self.value = value
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// One event's message to one endpoint, and where its delivery stands.
///
/// `message` is the `webhook-id`: the same for every endpoint and every retry or replay of the
/// event, so receivers deduplicate by it.
public struct WebhookDelivery: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        /// Waiting for its next attempt.
        case pending
        /// A 2xx answer was received.
        case delivered
        /// Its retry window ran out, or its endpoint was disabled, without a 2xx answer.
        case failed
    }

    public var id: String
    public var account: String
    public var endpoint: String
    /// `msg_…`, the `webhook-id` header.
    public var message: String
    /// The event type (`envelope.completed`…).
    public var type: String
    /// The event's stream (an envelope id, or `library`) and sequence in it.
    public var stream: String
    public var sequence: Int
    /// The JSON body, exactly as signed and sent.
    public var payload: Data
    public var state: State
    public var attempts: Int
    public var createdAt: Date
    public var nextAttemptAt: Date?
    public var lastError: String?
    /// The delivery this one replays, if any.
    public var replayOf: String?
    public var revision: Int

    public init(id: String, account: String, endpoint: String, message: String, type: String, stream: String, sequence: Int,
                payload: Data, createdAt: Date, replayOf: String? = nil) {
        self.id = id
        self.account = account
        self.endpoint = endpoint
        self.message = message
        self.type = type
        self.stream = stream
        self.sequence = sequence
        self.payload = payload
        self.state = .pending
        self.attempts = 0
        self.createdAt = createdAt
        self.nextAttemptAt = createdAt
        self.replayOf = replayOf
        self.revision = 0
    }
}

/// One HTTP attempt of a delivery: the delivery log.
public struct WebhookAttempt: Sendable, Hashable, Codable {
    public var account: String
    public var delivery: String
    public var endpoint: String
    /// 1, 2, 3… within the delivery.
    public var number: Int
    public var at: Date
    /// The HTTP status, nil when no answer came (refused address, DNS, connect, timeout).
    public var status: Int?
    /// Milliseconds from the start of the request to the end of the answer (or the failure).
    public var durationMilliseconds: Int
    /// The first bytes of the answer's body (at most 1 KiB, as text).
    public var responseExcerpt: String
    /// What went wrong, nil for a 2xx.
    public var error: String?

    public init(account: String, delivery: String, endpoint: String, number: Int, at: Date, status: Int?,
                durationMilliseconds: Int, responseExcerpt: String, error: String?) {
        self.account = account
        self.delivery = delivery
        self.endpoint = endpoint
        self.number = number
        self.at = at
        self.status = status
        self.durationMilliseconds = durationMilliseconds
        self.responseExcerpt = responseExcerpt
        self.error = error
    }

    /// Whether the receiver accepted the message.
    public var succeeded: Bool { status.map { (200..<300).contains($0) } ?? false }
}

/// The event types that become webhooks: envelope and recipient transitions, template publication.
public enum WebhookEventTypes {
    /// Every type an endpoint may subscribe to.
    public static let all: [String] = [
        "envelope.created", "envelope.sent", "envelope.completion_queued", "envelope.completion_failed", "envelope.completed",
        "envelope.declined",
        "envelope.voided", "envelope.expired", "envelope.purged",
        "recipient.sent", "recipient.delivered", "recipient.consented", "recipient.authenticated", "recipient.filled",
        "recipient.adopted_signature", "recipient.signed", "recipient.approved", "recipient.declined",
        "recipient.reminded", "recipient.resent", "recipient.corrected", "recipient.email_failed",
        "template.published", "template.retired",
    ]

    static let set = Set(all)

    /// Whether an event of this type becomes webhook deliveries.
    public static func delivered(_ type: String) -> Bool { set.contains(type) }
}
