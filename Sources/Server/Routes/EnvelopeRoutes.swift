import Foundation
import HTTPTypes
import Hummingbird
import Workflow

/// Envelopes: create from a published template and data, send, remind, correct, resend, void,
/// legal hold, status, list, documents, audit trail, export and embedded signing links.
struct EnvelopeRoutes {
    let api: APIDependencies

    /// The create request of the API (docs/openapi.yaml, `EnvelopeCreate`), shared with the
    /// command line's request files.
    typealias CreateBody = EnvelopeCreateBody

    struct ReasonBody: Decodable { var reason: String }
    struct HoldBody: Decodable {
        var hold: Bool
        var reason: String
    }
    struct CorrectBody: Decodable {
        var recipientId: String
        var name: String?
        var email: String?
    }
    struct RecipientBody: Decodable { var recipientId: String }
    struct EmbeddedLinkBody: Decodable { var lifetime: Double? }
    struct EmbeddedLinkResource: Encodable {
        var url: String
        var expiresAt: Date
    }

    /// The recipients' requests; a mistake is a 400 naming the field.
    static func recipients(_ items: [CreateBody.RecipientBody]) throws -> [RecipientRequest] {
        do {
            return try EnvelopeCreateBody.recipients(items)
        } catch {
            throw ServiceError(.badRequest, error.reason)
        }
    }

    /// The envelope request a create body asks for; a mistake is a 400 naming the field.
    static func request(_ body: CreateBody) throws -> EnvelopeRequest {
        do {
            return try body.request()
        } catch {
            throw ServiceError(.badRequest, error.reason)
        }
    }

    func register(on group: RouterGroup<ServiceContext>) {
        let limit = api.configuration.maxBodyBytes
        let engine = api.engine
        let api = self.api
        group.post("envelopes") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await HTTP.decode(CreateBody.self, from: request, limit: limit, what: "an envelope request")
            var envelope = try await engine.createEnvelope(principal, try Self.request(body))
            if body.send == true {
                // Created already: the send is retried across a brief outage, and a send that
                // landed before its answer was lost is found sent on the retry.
                let id = envelope.id
                envelope = try await StoreRetry.run {
                    do {
                        return try await engine.send(principal, envelope: id)
                    } catch let error as WorkflowError where error.code == .illegalTransition {
                        let current = try await engine.envelope(principal, id: id)
                        guard current.state == .sent else { throw error }
                        return current
                    }
                }
            }
            return try HTTP.envelope(envelope, status: .created, location: true)
        }
        group.get("envelopes") { request, context in
            let principal = try context.requirePrincipal()
            var query = EnvelopeQuery(limit: try HTTP.limit(request) + 1)
            let states = HTTP.queryAll(request, "state")
            if !states.isEmpty {
                query.states = Set(try states.map { text in
                    guard let state = Envelope.State(rawValue: text) else {
                        throw ServiceError(.badRequest, "state '\(text)' is not one of \(Envelope.State.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    return state
                })
            }
            // One filter: the store matches one key, and a second silently ignored would widen the list.
            guard HTTP.queryAll(request, "metadata").count <= 1 else {
                throw ServiceError(.badRequest, "give one metadata filter (KEY=VALUE); several are not combined — filter by the most specific key")
            }
            if let pair = HTTP.query(request, "metadata") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty else { throw ServiceError(.badRequest, "metadata must be KEY=VALUE") }
                query.metadataKey = parts[0]
                query.metadataValue = parts[1]
            }
            if let after = try Cursor.after(request) { query.after = after }
            let found = try await engine.envelopes(principal, query: query)
            let items = Array(found.prefix(query.limit - 1))
            let next = found.count >= query.limit ? items.last.map { Cursor.encode($0.id, request: request) } : nil
            return try HTTP.json(Page(items: items.map(EnvelopeResource.init), nextCursor: next))
        }
        group.get("envelopes/:id") { request, context in
            let envelope = try await engine.envelope(try context.requirePrincipal(), id: try HTTP.parameter(context, "id"))
            if let match = request.headers[.ifNoneMatch], match == HTTP.etag(envelope) {
                return Response(status: .notModified, headers: [.eTag: HTTP.etag(envelope)])
            }
            return try HTTP.envelope(envelope)
        }
        /// A sender action guarded by `If-Match`.
        func action(_ path: String, _ body: @escaping @Sendable (Request, Principal, String) async throws -> Envelope) {
            group.post("envelopes/:id/\(path)") { request, context in
                let principal = try context.requirePrincipal()
                let id = try HTTP.parameter(context, "id")
                if request.headers[.ifMatch] != nil {
                    try HTTP.checkIfMatch(request, current: try await engine.envelope(principal, id: id))
                }
                return try HTTP.envelope(try await body(request, principal, id))
            }
        }
        action("send") { _, principal, id in try await engine.send(principal, envelope: id) }
        action("remind") { _, principal, id in try await engine.remind(principal, envelope: id) }
        action("void") { request, principal, id in
            try await engine.void(principal, envelope: id, reason: try await HTTP.decode(ReasonBody.self, from: request, limit: limit).reason)
        }
        action("correct") { request, principal, id in
            let body = try await HTTP.decode(CorrectBody.self, from: request, limit: limit)
            return try await engine.correct(principal, envelope: id, recipient: body.recipientId, name: body.name, email: body.email)
        }
        action("resend") { request, principal, id in
            let body = try await HTTP.decode(RecipientBody.self, from: request, limit: limit)
            return try await engine.resend(principal, envelope: id, recipient: body.recipientId)
        }
        action("legal-hold") { request, principal, id in
            let body = try await HTTP.decode(HoldBody.self, from: request, limit: limit)
            return try await engine.setLegalHold(principal, envelope: id, hold: body.hold, reason: body.reason)
        }
        group.get("envelopes/:id/documents/:documentId") { _, context in
            let (document, bytes) = try await engine.document(try context.requirePrincipal(), envelope: try HTTP.parameter(context, "id"),
                                                              document: try HTTP.parameter(context, "documentId"))
            return HTTP.bytes(bytes, type: "application/pdf", headers: [.contentDisposition: HeaderEncoding.attachment(named: document.name)])
        }
        group.get("envelopes/:id/events") { request, context in
            let events = try await engine.events(try context.requirePrincipal(), envelope: try HTTP.parameter(context, "id"))
            return try HTTP.json(try HTTP.page(events, request: request, key: { String(format: "%012d", $0.sequence) }, map: EventResource.init))
        }
        group.get("envelopes/:id/export") { request, context in
            let export = try await engine.export(try context.requirePrincipal(), envelope: try HTTP.parameter(context, "id"))
            switch HTTP.query(request, "format") ?? "json" {
            case "json": return HTTP.bytes(Array(export.json.utf8), type: "application/json")
            case "csv": return HTTP.bytes(Array(CRMExport.csv([export.envelope]).utf8), type: "text/csv; charset=utf-8")
            case let other: throw ServiceError(.badRequest, "format '\(other)' is not json or csv")
            }
        }
        group.post("envelopes/:id/recipients/:recipientId/embedded-link") { request, context in
            let principal = try context.requirePrincipal()
            var lifetime = WorkflowEngine.embeddedLinkLifetime
            if request.headers[.contentLength].flatMap(Int.init) ?? 0 > 0 {
                lifetime = try await HTTP.decode(EmbeddedLinkBody.self, from: request, limit: limit).lifetime ?? lifetime
            }
            let (secret, expiresAt) = try await engine.issueEmbeddedLink(principal, links: api.records, envelope: try HTTP.parameter(context, "id"),
                                                                          recipient: try HTTP.parameter(context, "recipientId"), lifetime: lifetime)
            let base = api.configuration.publicURL.hasSuffix("/") ? String(api.configuration.publicURL.dropLast()) : api.configuration.publicURL
            return try HTTP.json(EmbeddedLinkResource(url: "\(base)/v1/embedded/\(secret)", expiresAt: expiresAt), status: .created,
                                 headers: [.secretOnce: "an embedded signing link (if it was lost, ask for another)"])
        }
    }
}
