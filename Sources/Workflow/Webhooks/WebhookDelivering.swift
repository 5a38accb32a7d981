public import Foundation

/// How webhooks are retried, rotated and guarded (docs/webhooks.md, "Retries").
public struct WebhookConfiguration: Sendable {
    /// How long a delivery is retried after it was created (default 48 h).
    public var retryWindow: TimeInterval
    /// The delay before the first retry; each later one doubles, up to `maximumRetryDelay`.
    public var firstRetryDelay: TimeInterval
    public var maximumRetryDelay: TimeInterval
    /// An endpoint whose attempts have all failed for this long is disabled (default 5 days).
    public var autoDisableAfter: TimeInterval
    /// How long the previous secret keeps signing after a rotation (default 24 h).
    public var rotationOverlap: TimeInterval
    /// Where deliveries may go (the SSRF guard); the transport checks every resolved address with it.
    public var addressPolicy: WebhookAddressPolicy

    public init(retryWindow: TimeInterval = 48 * 3600, firstRetryDelay: TimeInterval = 30, maximumRetryDelay: TimeInterval = 4 * 3600,
                autoDisableAfter: TimeInterval = 5 * 86_400, rotationOverlap: TimeInterval = 86_400,
                addressPolicy: WebhookAddressPolicy = .standard) {
        self.retryWindow = retryWindow
        self.firstRetryDelay = firstRetryDelay
        self.maximumRetryDelay = maximumRetryDelay
        self.autoDisableAfter = autoDisableAfter
        self.rotationOverlap = rotationOverlap
        self.addressPolicy = addressPolicy
    }

    /// The delay after the `attempt`-th failed attempt (1-based): `firstRetryDelay · 2^(attempt-1)`,
    /// capped, then spread by ±20 % jitter so endpoints that failed together do not retry together.
    public func retryDelay(afterAttempt attempt: Int, jitter: Double = Double.random(in: -1...1)) -> TimeInterval {
        let exponential = firstRetryDelay * pow(2, Double(min(max(attempt - 1, 0), 30)))
        return min(exponential, maximumRetryDelay) * (1 + 0.2 * max(-1, min(1, jitter)))
    }
}

/// One HTTP POST of a signed webhook.
public struct WebhookRequest: Sendable {
    public var url: String
    /// `content-type`, `webhook-id`, `webhook-timestamp`, `webhook-signature`, `user-agent`.
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(url: String, headers: [(String, String)], body: [UInt8]) {
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What came back from one POST (or why nothing did).
public struct WebhookResponse: Sendable, Hashable {
    /// The HTTP status, nil when no answer came.
    public var status: Int?
    public var durationMilliseconds: Int
    /// The first bytes of the body (at most 1 KiB, as text).
    public var excerpt: String
    /// Why no answer came (refused address, DNS, connect, TLS, timeout), or nil.
    public var error: String?

    public init(status: Int?, durationMilliseconds: Int, excerpt: String = "", error: String? = nil) {
        self.status = status
        self.durationMilliseconds = durationMilliseconds
        // A NUL (which a receiver may answer with) is replaced: no store keeps it in a text column.
        self.excerpt = String(excerpt.prefix(1024)).replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
        self.error = error?.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
    }
}

/// Sends webhooks: the worker hands it each attempt. `WebhookHTTP.HTTPWebhookTransport` is the
/// real one (HTTP(S), SSRF-guarded); it never throws — every failure is a response with an error.
public protocol WebhookTransport: Sendable {
    func send(_ request: WebhookRequest) async -> WebhookResponse
}

/// The JSON body of a webhook (docs/webhooks.md, "Payloads"): `{type, timestamp, data}` as in
/// Standard Webhooks, canonical (sorted keys) so the same event always gives the same bytes.
enum WebhookPayload {
    static func make(_ event: WorkflowEvent, envelope: Envelope?) -> Data {
        var data: [String: CanonicalJSON] = [
            "account": .string(event.account), "stream": .string(event.stream), "sequence": .int(event.sequence),
            "eventHash": .string(event.hash),
        ]
        if let envelope {
            data["envelope"] = .string(envelope.id)
            data["state"] = .string(envelope.state.rawValue)
            data["metadata"] = .object(envelope.metadata.mapValues { .string($0) })
            if let template = envelope.template { data["template"] = .string("\(template.templateID)@\(template.version)") }
            if event.type == "envelope.completed" {
                var fields: [String: CanonicalJSON] = [:]
                for recipient in envelope.recipients {
                    for field in recipient.fields where field.kind != .signature {
                        fields[field.name] = field.value.map { .string($0) } ?? .null
                    }
                }
                data["fields"] = .object(fields)
                data["documents"] = .array(envelope.documents.map { document in
                    .object(["id": .string(document.id), "name": .string(document.name),
                             "sealedSha256": document.sealedSHA256.map { .string($0) } ?? .null])
                })
            }
        }
        if let recipient = event.data["recipient"] { data["recipient"] = .string(recipient) }
        if event.type == "recipient.email_failed" {
            // The cause, the message's id (its Message-ID, which a retried delivery kept) and
            // the attempts made; the address, subject and reply stay personal data.
            if let cause = event.data["cause"] { data["cause"] = .string(cause) }
            if let message = event.data["message"] { data["message"] = .string(message) }
            if let attempts = event.data["attempts"].flatMap(Int.init) { data["attempts"] = .int(attempts) }
        }
        for key in ["template", "sha256"] where event.data[key] != nil && data[key] == nil {
            data[key] = .string(event.data[key]!)
        }
        return Data(CanonicalJSON.object([
            "type": .string(event.type), "timestamp": .string(EventTime.iso(event.at)), "data": .object(data),
        ]).bytes)
    }

    /// The `webhook-id` of an event: the same for every endpoint, retry and replay.
    static func messageID(_ event: WorkflowEvent) -> String {
        "msg_" + sha256Hex("\(event.account)/\(event.stream)/\(event.sequence)").prefix(32)
    }
}

extension WorkflowEngine {
    /// The outbox of a change: one delivery (and its first job, due now) per event that becomes a
    /// webhook and per enabled endpoint subscribed to its type. Committed with the change, so an
    /// event and its deliveries are stored together or not at all; nothing is sent here.
    func webhookOutbox(account: String, events: [WorkflowEvent], envelope: Envelope?,
                       endpoints only: [String]? = nil) async throws -> (deliveries: [WebhookDelivery], jobs: [Job]) {
        guard let outbox = WebhookOutbox(account: account, events: events, envelope: envelope, only: only, now: clock.now()) else {
            return ([], [])
        }
        return outbox.make(endpoints: try await store.webhookEndpoints(account: account))
    }

    /// Commits a change with the outbox of its events. The store reads the account's endpoints
    /// inside the commit's own transaction (`StoreChange.webhookOutbox`): no read before it, and
    /// the deliveries follow the endpoints as they are when the events are stored.
    func commitWithWebhooks(_ change: StoreChange, envelope: Envelope?) async throws {
        var change = change
        change.webhookOutbox = WebhookOutbox(account: change.account, events: change.events, envelope: envelope, only: nil,
                                             now: clock.now())
        try await commitAndWakeWorkers(change)
    }

    /// Commits `change`, then rings `jobsDue` when it queued a job that is due now or events
    /// that webhooks may deliver, so that this process's idle workers start on them at once.
    func commitAndWakeWorkers(_ change: StoreChange) async throws {
        try await store.commit(change)
        let now = clock.now()
        if change.webhookOutbox != nil || !change.webhookDeliveries.isEmpty || change.jobs.contains(where: { $0.runAt <= now }) {
            jobsDue.ring()
        }
    }
}

/// The webhooks a change's events become: each delivered event's payload, made before the
/// commit; the deliveries and their first jobs are made from the endpoints the store reads in the
/// commit's transaction (`StoreChange.webhookOutbox`).
public struct WebhookOutbox: Sendable {
    struct Item: Sendable {
        var event: WorkflowEvent
        var payload: Data
    }
    let account: String
    let items: [Item]
    let only: [String]?
    let now: Date

    /// Nil when no event of `events` is delivered as a webhook (nothing to read or write).
    /// `only`: the endpoints to deliver to (nil: all); `now`: the deliveries' creation time.
    public init?(account: String, events: [WorkflowEvent], envelope: Envelope?, only: [String]? = nil, now: Date) {
        let delivered = events.filter { WebhookEventTypes.delivered($0.type) }
        guard !delivered.isEmpty else { return nil }
        self.account = account
        self.items = delivered.map { Item(event: $0, payload: WebhookPayload.make($0, envelope: envelope)) }
        self.only = only
        self.now = now
    }

    /// The deliveries and first jobs (due now) for the enabled endpoints among `endpoints` (the
    /// account's, as stored) that subscribe to each event's type.
    public func make(endpoints: [WebhookEndpoint]) -> (deliveries: [WebhookDelivery], jobs: [Job]) {
        let endpoints = endpoints.filter { $0.account == account && $0.enabled && (only?.contains($0.id) ?? true) }
        guard !endpoints.isEmpty else { return ([], []) }
        var deliveries: [WebhookDelivery] = []
        var jobs: [Job] = []
        for item in items {
            for endpoint in endpoints where endpoint.subscribes(to: item.event.type) {
                let delivery = WebhookDelivery(id: Secrets.identifier("whd", at: now), account: account, endpoint: endpoint.id,
                                               message: WebhookPayload.messageID(item.event), type: item.event.type,
                                               stream: item.event.stream, sequence: item.event.sequence, payload: item.payload,
                                               createdAt: now)
                deliveries.append(delivery)
                jobs.append(WorkflowEngine.webhookJob(delivery, at: now, now: now))
            }
        }
        return (deliveries, jobs)
    }
}

extension WorkflowEngine {
    func webhookJob(_ delivery: WebhookDelivery, at runAt: Date) -> Job {
        Self.webhookJob(delivery, at: runAt, now: clock.now())
    }

    /// A delivery's job, due at `runAt`, its id made at `now`.
    static func webhookJob(_ delivery: WebhookDelivery, at runAt: Date, now: Date) -> Job {
        Job(id: Secrets.identifier("job", at: now), account: delivery.account, kind: .webhook, envelope: delivery.stream,
            payload: Data(delivery.id.utf8), runAt: runAt, maximumAttempts: 1_000)
    }
}
