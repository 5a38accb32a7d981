import Foundation
import HTTPTypes
import Hummingbird
import Workflow

/// Webhook endpoints, their delivery log and replays (docs/webhooks.md): thin over the
/// workflow's webhook actions, which check roles (admin changes, compliance reads).
struct WebhookRoutes {
    let api: APIDependencies

    struct EndpointBody: Decodable {
        var url: String
        var description: String?
        var eventTypes: [String]?
    }

    struct EndpointChange: Decodable {
        var url: String?
        var description: String?
        var eventTypes: [String]?
    }

    struct RotationBody: Decodable {
        /// How long the current secrets keep signing, in seconds (default: the configuration's).
        var overlapSeconds: Double?
    }

    struct EventReplayBody: Decodable {
        /// The event's stream (an envelope id, or `library`) and sequence.
        var stream: String
        var sequence: Int
        /// Only this endpoint (default: every enabled endpoint subscribed to the event).
        var endpointId: String?
    }

    func register(on group: RouterGroup<ServiceContext>) {
        let limit = api.configuration.maxBodyBytes
        let engine = api.engine
        group.get("webhook-endpoints") { request, context in
            let endpoints = try await engine.webhookEndpoints(try context.requirePrincipal())
            return try HTTP.json(try HTTP.page(endpoints, request: request, key: \.id, map: { $0 }))
        }
        group.post("webhook-endpoints") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await HTTP.decode(EndpointBody.self, from: request, limit: limit)
            let created = try await engine.createWebhookEndpoint(principal, url: body.url, description: body.description ?? "",
                                                                 eventTypes: body.eventTypes ?? [])
            return try HTTP.json(WebhookEndpointWithSecret(endpoint: created.endpoint, secret: created.secret), status: .created,
                                 headers: [.location: "/v1/webhook-endpoints/\(created.endpoint.id)",
                                           .secretOnce: "webhook endpoint \(created.endpoint.id) (if its secret was lost, "
                                               + "rotate it with POST /v1/webhook-endpoints/\(created.endpoint.id)/rotate-secret)"])
        }
        group.get("webhook-endpoints/:endpointId") { _, context in
            let id = try HTTP.parameter(context, "endpointId")
            guard let endpoint = try await engine.webhookEndpoints(try context.requirePrincipal()).first(where: { $0.id == id }) else {
                throw WorkflowError(.notFound, "no webhook endpoint \(id) in this account")
            }
            return try HTTP.json(endpoint)
        }
        group.patch("webhook-endpoints/:endpointId") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await HTTP.decode(EndpointChange.self, from: request, limit: limit)
            let endpoint = try await engine.updateWebhookEndpoint(principal, id: try HTTP.parameter(context, "endpointId"), url: body.url,
                                                                  description: body.description, eventTypes: body.eventTypes)
            return try HTTP.json(endpoint)
        }
        group.post("webhook-endpoints/:endpointId/rotate-secret") { request, context in
            let principal = try context.requirePrincipal()
            let bytes = try await HTTP.body(request, limit: limit)
            let overlap = bytes.isEmpty ? nil : try HTTP.decode(RotationBody.self, bytes: bytes).overlapSeconds
            let rotated = try await engine.rotateWebhookSecret(principal, id: try HTTP.parameter(context, "endpointId"), overlap: overlap)
            return try HTTP.json(WebhookEndpointWithSecret(endpoint: rotated.endpoint, secret: rotated.secret), headers: [
                .secretOnce: "a new signing secret for webhook endpoint \(rotated.endpoint.id) (if it was lost, rotate again)",
            ])
        }
        group.post("webhook-endpoints/:endpointId/disable") { _, context in
            try HTTP.json(try await engine.disableWebhookEndpoint(try context.requirePrincipal(), id: try HTTP.parameter(context, "endpointId")))
        }
        group.post("webhook-endpoints/:endpointId/enable") { _, context in
            try HTTP.json(try await engine.enableWebhookEndpoint(try context.requirePrincipal(), id: try HTTP.parameter(context, "endpointId")))
        }
        group.get("webhook-deliveries") { request, context in
            let principal = try context.requirePrincipal()
            let pageSize = try HTTP.limit(request)
            var query = WebhookDeliveryQuery(endpoint: HTTP.query(request, "endpointId"), stream: HTTP.query(request, "stream"),
                                             limit: pageSize + 1)
            if let state = HTTP.query(request, "state") {
                guard let parsed = WebhookDelivery.State(rawValue: state) else {
                    throw ServiceError(.badRequest, "state '\(state)' is not one of pending, delivered, failed")
                }
                query.state = parsed
            }
            if let after = try Cursor.after(request) { query.after = after }
            let deliveries = try await engine.webhookDeliveries(principal, query: query)
            let slice = Array(deliveries.prefix(pageSize))
            let next = deliveries.count > pageSize ? slice.last.map { Cursor.encode($0.id, request: request) } : nil
            return try HTTP.json(Page(items: slice.map(WebhookDeliveryResource.init), nextCursor: next))
        }
        group.get("webhook-deliveries/:deliveryId/attempts") { _, context in
            let attempts = try await engine.webhookAttempts(try context.requirePrincipal(), delivery: try HTTP.parameter(context, "deliveryId"))
            return try HTTP.json(attempts.map(WebhookAttemptResource.init))
        }
        group.post("webhook-deliveries/:deliveryId/replay") { _, context in
            let replay = try await engine.replayWebhookDelivery(try context.requirePrincipal(), id: try HTTP.parameter(context, "deliveryId"))
            return try HTTP.json(WebhookDeliveryResource(replay), status: .accepted)
        }
        group.post("webhook-deliveries/replay-event") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await HTTP.decode(EventReplayBody.self, from: request, limit: limit)
            // The schema's minimum: sequences count from 1.
            guard body.sequence >= 1 else { throw ServiceError(.badRequest, "sequence: \(body.sequence) is below 1; event sequences count from 1") }
            let replays = try await engine.replayWebhookEvent(principal, stream: body.stream, sequence: body.sequence, endpoint: body.endpointId)
            return try HTTP.json(replays.map(WebhookDeliveryResource.init), status: .accepted)
        }
    }
}

/// An endpoint as created or rotated: the new secret is shown this once.
struct WebhookEndpointWithSecret: Encodable {
    var endpoint: WebhookEndpoint.Summary
    var secret: String
}

/// A delivery without its body (read the envelope or its events for what happened).
struct WebhookDeliveryResource: Encodable {
    var id: String
    var endpointId: String
    /// The `webhook-id` header: the same for every endpoint, retry and replay of one event.
    var messageId: String
    var type: String
    var stream: String
    var sequence: Int
    var state: String
    var attempts: Int
    var createdAt: Date
    var nextAttemptAt: Date?
    var lastError: String?
    var replayOf: String?
    /// True once a retention purge emptied the stored body.
    var payloadPurged: Bool

    init(_ delivery: WebhookDelivery) {
        id = delivery.id
        endpointId = delivery.endpoint
        messageId = delivery.message
        type = delivery.type
        stream = delivery.stream
        sequence = delivery.sequence
        state = delivery.state.rawValue
        attempts = delivery.attempts
        createdAt = delivery.createdAt
        nextAttemptAt = delivery.nextAttemptAt
        lastError = delivery.lastError
        replayOf = delivery.replayOf
        payloadPurged = delivery.payload.isEmpty
    }
}

/// One attempt in the delivery log.
struct WebhookAttemptResource: Encodable {
    var number: Int
    var at: Date
    /// The receiver's HTTP status; nil when no response came (refused, timed out, blocked).
    var status: Int?
    var durationMilliseconds: Int
    var responseExcerpt: String
    var error: String?

    init(_ attempt: WebhookAttempt) {
        number = attempt.number
        at = attempt.at
        status = attempt.status
        durationMilliseconds = attempt.durationMilliseconds
        responseExcerpt = attempt.responseExcerpt
        error = attempt.error
    }
}
