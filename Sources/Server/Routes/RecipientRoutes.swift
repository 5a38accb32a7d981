import Foundation
import HTTPTypes
import Hummingbird
import Workflow

/// The recipient-facing actions by signing token (what the signing page calls): open, documents,
/// consent, request a code, authenticate, fill, adopt, sign, approve, decline; and the redemption
/// of embedded signing links. The token is the credential: no API key.
struct RecipientRoutes {
    let api: APIDependencies

    struct ConsentBody: Decodable {
        var disclosureVersion: String
        var disclosureSha256: String
    }
    struct CodeBody: Decodable { var code: String }
    struct FillBody: Decodable { var values: [String: String] }
    struct AdoptBody: Decodable {
        /// `typed`, `drawn` or `uploaded`.
        var kind: String
        var text: String?
        /// A typed mark's script font (`SignatureFont` identifier); Dancing Script when absent.
        var font: String?
        /// A PNG, base64.
        var png: String?
    }
    struct DeclineBody: Decodable { var reason: String }

    struct ViewResource: Encodable {
        struct Disclosure: Encodable {
            var version: String
            var sha256: String
            var text: String
        }
        var envelopeId: String
        var subject: String
        var message: String?
        var recipient: EnvelopeResource.RecipientResource
        var documents: [EnvelopeResource.DocumentResource]
        var disclosure: Disclosure
        var needsConsent: Bool
        var needsAuthentication: Bool
    }

    struct Done: Encodable { var ok = true }

    static func context(_ request: Request, _ context: ServiceContext) -> Workflow.RequestContext {
        Workflow.RequestContext(ip: context.remoteIP, userAgent: request.headers[.userAgent].map { String($0.prefix(300)) })
    }

    func register(on group: RouterGroup<ServiceContext>, embedded: RouterGroup<ServiceContext>) {
        let limit = api.configuration.maxBodyBytes
        let engine = api.engine
        let api = self.api
        group.get(":token") { request, context in
            // A HEAD is answered from the same view without recording an opening.
            let token = try HTTP.parameter(context, "token")
            let view = request.method == .head ? try await engine.view(token: token)
                : try await engine.open(token: token, context: Self.context(request, context))
            let disclosure = engine.configuration.disclosure
            return try HTTP.json(ViewResource(
                envelopeId: view.envelope, subject: view.subject, message: view.message, recipient: EnvelopeResource.recipient(view.recipient),
                documents: view.documents.map(EnvelopeResource.document),
                disclosure: .init(version: disclosure.version, sha256: disclosure.sha256, text: disclosure.text),
                needsConsent: view.needsConsent, needsAuthentication: view.needsAuthentication))
        }
        group.get(":token/documents/:documentId") { _, context in
            let bytes = try await engine.document(token: try HTTP.parameter(context, "token"), id: try HTTP.parameter(context, "documentId"))
            return HTTP.bytes(bytes, type: "application/pdf")
        }
        func action<Body: Decodable & Sendable>(_ path: String, _ type: Body.Type,
                                                _ body: @escaping @Sendable (String, Body, Workflow.RequestContext) async throws -> Void) {
            group.post(":token/\(path)") { request, context in
                let token = try HTTP.parameter(context, "token")
                let decoded = try await HTTP.decode(Body.self, from: request, limit: limit)
                try await body(token, decoded, Self.context(request, context))
                return try HTTP.json(Done())
            }
        }
        func bare(_ path: String, _ body: @escaping @Sendable (String, Workflow.RequestContext) async throws -> Void) {
            group.post(":token/\(path)") { request, context in
                try await body(try HTTP.parameter(context, "token"), Self.context(request, context))
                return try HTTP.json(Done())
            }
        }
        action("consent", ConsentBody.self) { token, body, context in
            try await engine.consent(token: token, disclosureVersion: body.disclosureVersion, disclosureSHA256: body.disclosureSha256,
                                     context: context)
        }
        bare("code") { token, context in try await engine.requestCode(token: token, context: context) }
        action("authenticate", CodeBody.self) { token, body, context in
            try await engine.authenticate(token: token, code: body.code, context: context)
        }
        action("fill", FillBody.self) { token, body, context in try await engine.fill(token: token, values: body.values, context: context) }
        action("adopt", AdoptBody.self) { token, body, context in
            let mark: AdoptedMark
            switch (body.kind, body.text, body.png.flatMap { Data(base64Encoded: $0) }) {
            case ("typed", let text?, nil) where body.png == nil: mark = try .typed(text, fontIdentifier: body.font)
            case ("drawn", nil, let png?) where body.font == nil: mark = .drawn(png: png)
            case ("uploaded", nil, let png?) where body.font == nil: mark = .uploaded(png: png)
            default:
                throw ServiceError(.badRequest, "adopt takes kind 'typed' with text (and optionally font), "
                                   + "or 'drawn' or 'uploaded' with png (base64)")
            }
            try await engine.adopt(token: token, mark: mark, context: context)
        }
        bare("sign") { token, context in try await engine.sign(token: token, context: context) }
        bare("approve") { token, context in try await engine.approve(token: token, context: context) }
        action("decline", DeclineBody.self) { token, body, context in
            try await engine.decline(token: token, reason: body.reason, context: context)
        }
        embedded.get(":secret") { request, context in
            let token = try await engine.redeemEmbeddedLink(links: api.records, secret: try HTTP.parameter(context, "secret"),
                                                            context: Self.context(request, context))
            return Response(status: .seeOther, headers: [.location: api.signingPage + token, .cacheControl: "no-store",
                                                         .referrerPolicy: "no-referrer"])
        }
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
}
