public import Foundation

/// Webhook endpoints: created, changed, rotated, disabled and replayed by admins; read by admins
/// and compliance. Every change is an event in the account's `webhooks` stream (secrets appear
/// there by id only).
extension WorkflowEngine {
    static let webhooksStream = "webhooks"

    /// A new endpoint and its first secret (shown here once; keep it in the receiver).
    public func createWebhookEndpoint(_ principal: Principal, url: String, description: String = "",
                                      eventTypes: [String] = []) async throws -> (endpoint: WebhookEndpoint.Summary, secret: String) {
        try principal.require(.admin, to: "manage webhook endpoints")
        let now = clock.now()
        let secret = WebhookSecret(id: Secrets.identifier("whs", at: now), value: WebhookSignature.newSecret(), createdAt: now)
        let endpoint = WebhookEndpoint(id: Secrets.identifier("whe", at: now), account: principal.account,
                                       url: try checkedURL(url), description: try checkedDescription(description),
                                       eventTypes: try checkedTypes(eventTypes), secrets: [secret], createdAt: now)
        try await commitWebhooks(endpoint, event: "webhook.endpoint_created", actor: principal.actor,
                                 data: ["url": endpoint.url, "eventTypes": endpoint.eventTypes.joined(separator: " "), "secret": secret.id])
        return (endpoint.summary, secret.value)
    }

    /// Changes an endpoint's URL, description or event types (nil leaves one as it is).
    public func updateWebhookEndpoint(_ principal: Principal, id: String, url: String? = nil, description: String? = nil,
                                      eventTypes: [String]? = nil) async throws -> WebhookEndpoint.Summary {
        try principal.require(.admin, to: "manage webhook endpoints")
        var endpoint = try await storedEndpoint(principal.account, id)
        if let url { endpoint.url = try checkedURL(url) }
        if let description { endpoint.description = try checkedDescription(description) }
        if let eventTypes { endpoint.eventTypes = try checkedTypes(eventTypes) }
        endpoint.revision += 1
        try await commitWebhooks(endpoint, event: "webhook.endpoint_updated", actor: principal.actor,
                                 data: ["url": endpoint.url, "eventTypes": endpoint.eventTypes.joined(separator: " ")])
        return endpoint.summary
    }

    /// Adds a new secret; the current ones keep signing for `overlap` (default: the
    /// configuration's rotation overlap) so receivers can switch without losing messages.
    public func rotateWebhookSecret(_ principal: Principal, id: String,
                                    overlap: TimeInterval? = nil) async throws -> (endpoint: WebhookEndpoint.Summary, secret: String) {
        try principal.require(.admin, to: "rotate webhook secrets")
        let overlap = overlap ?? configuration.webhooks.rotationOverlap
        guard overlap >= 0, overlap <= 30 * 86_400 else {
            throw WorkflowError(.invalidRequest, "the rotation overlap must be between 0 and 30 days")
        }
        var endpoint = try await storedEndpoint(principal.account, id)
        let now = clock.now()
        endpoint.secrets = endpoint.signingSecrets(at: now).map { secret in
            var previous = secret
            previous.expiresAt = min(previous.expiresAt ?? .distantFuture, now.addingTimeInterval(overlap))
            return previous
        }
        let secret = WebhookSecret(id: Secrets.identifier("whs", at: now), value: WebhookSignature.newSecret(), createdAt: now)
        endpoint.secrets.append(secret)
        endpoint.revision += 1
        try await commitWebhooks(endpoint, event: "webhook.secret_rotated", actor: principal.actor,
                                 data: ["secret": secret.id, "previousExpireAt": EventTime.iso(now.addingTimeInterval(overlap))])
        return (endpoint.summary, secret.value)
    }

    /// Stops deliveries to an endpoint (its pending deliveries fail at their next attempt).
    public func disableWebhookEndpoint(_ principal: Principal, id: String) async throws -> WebhookEndpoint.Summary {
        try principal.require(.admin, to: "manage webhook endpoints")
        return try await setEnabled(principal.account, id, false, reason: "disabled by \(principal.keyID)", actor: principal.actor)
    }

    /// Starts deliveries again (events from now on; replay what was missed).
    public func enableWebhookEndpoint(_ principal: Principal, id: String) async throws -> WebhookEndpoint.Summary {
        try principal.require(.admin, to: "manage webhook endpoints")
        return try await setEnabled(principal.account, id, true, reason: nil, actor: principal.actor)
    }

    /// The account's endpoints (admin or compliance), without secret values.
    public func webhookEndpoints(_ principal: Principal) async throws -> [WebhookEndpoint.Summary] {
        try principal.require(.compliance, to: "read webhook endpoints")
        return try await store.webhookEndpoints(account: principal.account).map(\.summary)
    }

    /// Deliveries of the account (admin or compliance).
    public func webhookDeliveries(_ principal: Principal, query: WebhookDeliveryQuery = WebhookDeliveryQuery()) async throws -> [WebhookDelivery] {
        try principal.require(.compliance, to: "read webhook deliveries")
        return try await store.webhookDeliveries(account: principal.account, query: query)
    }

    /// A delivery's log of attempts (admin or compliance).
    public func webhookAttempts(_ principal: Principal, delivery id: String) async throws -> [WebhookAttempt] {
        try principal.require(.compliance, to: "read webhook deliveries")
        guard try await store.webhookDelivery(account: principal.account, id: id) != nil else {
            throw WorkflowError(.notFound, "no webhook delivery \(id) in this account")
        }
        return try await store.webhookAttempts(account: principal.account, delivery: id)
    }

    /// Sends a delivery's message again, as a new delivery with the same `webhook-id` and body
    /// and a new retry window.
    public func replayWebhookDelivery(_ principal: Principal, id: String) async throws -> WebhookDelivery {
        try principal.require(.admin, to: "replay webhooks")
        guard let original = try await store.webhookDelivery(account: principal.account, id: id) else {
            throw WorkflowError(.notFound, "no webhook delivery \(id) in this account")
        }
        let endpoint = try await storedEndpoint(principal.account, original.endpoint)
        guard endpoint.enabled else {
            throw WorkflowError(.illegalTransition, "endpoint \(endpoint.id) is disabled; enable it before replaying")
        }
        let now = clock.now()
        let replay = WebhookDelivery(id: Secrets.identifier("whd", at: now), account: principal.account, endpoint: endpoint.id,
                                     message: original.message, type: original.type, stream: original.stream,
                                     sequence: original.sequence, payload: original.payload, createdAt: now, replayOf: original.id)
        try await commitAndWakeWorkers(StoreChange(account: principal.account, jobs: [webhookJob(replay, at: now)], webhookDeliveries: [replay]))
        return replay
    }

    /// Delivers an event again to the enabled endpoints subscribed to it (or to one endpoint),
    /// with a body made from the event and the envelope as it is now.
    public func replayWebhookEvent(_ principal: Principal, stream: String, sequence: Int,
                                   endpoint: String? = nil) async throws -> [WebhookDelivery] {
        try principal.require(.admin, to: "replay webhooks")
        guard let event = try await store.events(account: principal.account, stream: stream).first(where: { $0.sequence == sequence }) else {
            throw WorkflowError(.notFound, "no event \(sequence) in stream \(stream) of this account")
        }
        guard WebhookEventTypes.delivered(event.type) else {
            throw WorkflowError(.invalidRequest, "event \(stream)#\(sequence) is \(event.type), which is not delivered as a webhook")
        }
        if let endpoint { _ = try await storedEndpoint(principal.account, endpoint) }
        let envelope = try await store.envelope(account: principal.account, id: stream)
        let outbox = try await webhookOutbox(account: principal.account, events: [event], envelope: envelope,
                                             endpoints: endpoint.map { [$0] })
        guard !outbox.deliveries.isEmpty else {
            throw WorkflowError(.invalidRequest, "no enabled endpoint subscribes to \(event.type); nothing to replay")
        }
        try await commitAndWakeWorkers(StoreChange(account: principal.account, jobs: outbox.jobs, webhookDeliveries: outbox.deliveries))
        return outbox.deliveries
    }

    // MARK: Support

    func storedEndpoint(_ account: String, _ id: String) async throws -> WebhookEndpoint {
        guard let endpoint = try await store.webhookEndpoint(account: account, id: id) else {
            throw WorkflowError(.notFound, "no webhook endpoint \(id) in this account")
        }
        return endpoint
    }

    func setEnabled(_ account: String, _ id: String, _ enabled: Bool, reason: String?, actor: EventActor) async throws -> WebhookEndpoint.Summary {
        var endpoint = try await storedEndpoint(account, id)
        guard endpoint.enabled != enabled else { return endpoint.summary }
        endpoint.enabled = enabled
        endpoint.disabledReason = reason
        endpoint.revision += 1
        try await commitWebhooks(endpoint, event: enabled ? "webhook.endpoint_enabled" : "webhook.endpoint_disabled", actor: actor,
                                 data: reason.map { ["reason": $0] } ?? [:])
        return endpoint.summary
    }

    /// Commits an endpoint with its event chained after the `webhooks` stream's head.
    func commitWebhooks(_ endpoint: WebhookEndpoint, event type: String, actor: EventActor, data: [String: String]) async throws {
        let head = try await store.events(account: endpoint.account, stream: Self.webhooksStream).last
        var eventData = data
        eventData["endpoint"] = endpoint.id
        let event = WorkflowEvent.make(account: endpoint.account, stream: Self.webhooksStream, sequence: (head?.sequence ?? 0) + 1,
                                       type: type, at: clock.now(), actor: actor, data: eventData, personal: [:],
                                       previousHash: head?.hash ?? WorkflowEvent.genesis)
        try await commitAndWakeWorkers(StoreChange(account: endpoint.account, events: [event], webhookEndpoint: endpoint))
    }

    func checkedURL(_ text: String) throws(WorkflowError) -> String {
        let url = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard url.count <= 2000, let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = parsed.host, !host.isEmpty else {
            throw WorkflowError(.invalidRequest, "webhook URL '\(text)' is not an http(s) URL with a host (https://crm.example.com/hooks)")
        }
        guard parsed.user == nil, parsed.password == nil, parsed.fragment == nil else {
            throw WorkflowError(.invalidRequest, "webhook URL '\(text)' carries credentials or a fragment; give a plain URL and verify signatures instead")
        }
        if let dotted = WebhookAddressPolicy.legacyIPv4(host) {
            // A resolver reads it as an address; written so, it slips past a check for literals.
            throw WorkflowError(.invalidRequest, "webhook URL '\(text)': the host '\(host)' is the IPv4 address \(dotted) in a legacy "
                                + "notation; write the address as \(dotted) (or use a host name)")
        }
        if WebhookAddressPolicy.isAddress(host) {
            do {
                try configuration.webhooks.addressPolicy.check(host)
            } catch {
                throw WorkflowError(.invalidRequest, "webhook URL '\(text)': \(error.reason)")
            }
        }
        return url
    }

    func checkedDescription(_ text: String) throws(WorkflowError) -> String {
        guard text.count <= 500 else { throw WorkflowError(.invalidRequest, "the endpoint description is longer than 500 characters") }
        return text
    }

    func checkedTypes(_ types: [String]) throws(WorkflowError) -> [String] {
        for type in types where !WebhookEventTypes.delivered(type)
            && !(type.hasSuffix(".*") && WebhookEventTypes.all.contains { $0.hasPrefix(String(type.dropLast())) }) {
            throw WorkflowError(.invalidRequest, "'\(type)' is not a webhook event type; use one of \(WebhookEventTypes.all.joined(separator: ", ")) or a family such as envelope.*")
        }
        return Array(Set(types)).sorted()
    }
}
