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
                             "sealedSHA256": document.sealedSHA256.map { .string($0) } ?? .null])
                })
            }
        }
        if let recipient = event.data["recipient"] { data["recipient"] = .string(recipient) }
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
        let delivered = events.filter { WebhookEventTypes.delivered($0.type) }
        guard !delivered.isEmpty else { return ([], []) }
        let endpoints = try await store.webhookEndpoints(account: account)
            .filter { $0.enabled && (only?.contains($0.id) ?? true) }
        guard !endpoints.isEmpty else { return ([], []) }
        let now = clock.now()
        var deliveries: [WebhookDelivery] = []
        var jobs: [Job] = []
        for event in delivered {
            let payload = WebhookPayload.make(event, envelope: envelope)
            for endpoint in endpoints where endpoint.subscribes(to: event.type) {
                let delivery = WebhookDelivery(id: Secrets.identifier("whd", at: now), account: account, endpoint: endpoint.id,
                                               message: WebhookPayload.messageID(event), type: event.type, stream: event.stream,
                                               sequence: event.sequence, payload: payload, createdAt: now)
                deliveries.append(delivery)
                jobs.append(webhookJob(delivery, at: now))
            }
        }
        return (deliveries, jobs)
    }

    /// Commits a change with the outbox of its events (see `webhookOutbox`).
    func commitWithWebhooks(_ change: StoreChange, envelope: Envelope?) async throws {
        var change = change
        let outbox = try await webhookOutbox(account: change.account, events: change.events, envelope: envelope)
        change.jobs += outbox.jobs
        change.webhookDeliveries += outbox.deliveries
        try await store.commit(change)
    }

    func webhookJob(_ delivery: WebhookDelivery, at runAt: Date) -> Job {
        Job(id: Secrets.identifier("job", at: clock.now()), account: delivery.account, kind: .webhook, envelope: delivery.stream,
            payload: Data(delivery.id.utf8), runAt: runAt, maximumAttempts: 1_000)
    }
}
