import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Workflow

/// The outermost middleware: a problem document for every error, `X-Request-Id` on every
/// response, one JSON log line and the metrics of each request.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = ServiceContext
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
            // A query parameter the route does not read would be a filter silently dropped.
            if let problem = KnownRoutes.queryProblem(request, route: context.endpointPath) {
                response = ProblemResponse.make(problem, request: request, context: context)
            }
        } catch {
            response = ProblemResponse.make(error, request: request, context: context)
        }
        // A framework's bare error becomes a problem; the pages' own error pages (HTML, with the
        // engine's reason for a person to read) stay as they are.
        if response.status.code >= 400, !ProblemResponse.isOwnErrorPage(response) {
            response = ProblemResponse.replacing(response, request: request, context: context)
        }
        response.headers[.requestID] = context.requestID
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        metrics.record(method: request.method.rawValue, route: route, status: Int(response.status.code), duration: elapsed)
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let level: Logger.Level = response.status.code >= 500 ? .error : .info
        context.logger.log(level: level, "request", metadata: [
            "method": .string(request.method.rawValue), "path": .string(Self.loggedPath(request.uri.path)), "route": .string(route),
            "status": .stringConvertible(Int(response.status.code)), "duration_ms": .string(String(format: "%.2f", milliseconds)),
            "ip": .string(context.remoteIP ?? "-"),
        ])
        return response
    }

    /// `path` for the log, its credentials left out. A signing token (64 hex digits) or an
    /// embedded link's secret (`cse_…`) in a path lets whoever holds it act as the recipient —
    /// the store keeps only their hashes — and logs are read by more people, for longer, than
    /// the recipient's e-mail. Only the first eight characters stay, enough to tell requests apart.
    static func loggedPath(_ path: String) -> String {
        func secret(_ segment: Substring) -> Bool {
            (segment.count == 64 && segment.allSatisfy(\.isHexDigit)) || (segment.hasPrefix("cse_") && segment.count > 12)
        }
        guard path.split(separator: "/").contains(where: secret) else { return path }
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .map { secret($0) ? $0.prefix(8) + "…" : $0 }
            .joined(separator: "/")
    }
}

/// Problem documents as responses.
enum ProblemResponse {
    static let mediaType = "application/problem+json"

    static func make(_ error: any Error, request: Request, context: ServiceContext) -> Response {
        var error = error
        if error is NIOTooManyBytesError {
            error = ServiceError(.payloadTooLarge, "the body is larger than this service accepts; send a smaller one")
        }
        if !(error is ServiceError), let framework = error as? any HTTPResponseError {
            // The router's own errors (no such route, a method it does not take).
            return replacing(Response(status: framework.status), request: request, context: context)
        }
        let (problem, headers) = Problem.from(error, instance: request.uri.path, requestID: context.requestID)
        if problem.status >= 500 {
            context.logger.error("request failed", metadata: ["error": .string(String(describing: error))])
        }
        return response(problem, headers: headers)
    }

    /// Whether `response` is already an answer meant for its reader: a problem document, or an
    /// HTML page (the signing page's and the console's refusals).
    static func isOwnErrorPage(_ response: Response) -> Bool {
        guard let type = response.headers[.contentType]?.lowercased() else { return false }
        return type.hasPrefix(mediaType) || type.hasPrefix("text/html")
    }

    /// A framework's own error response (an unknown route, a body too large) as a problem.
    static func replacing(_ response: Response, request: Request, context: ServiceContext) -> Response {
        let slug: String
        var detail: String
        var response = response
        // The router answers 404 for a method a route does not take: said as the 405 it is.
        let allowed = response.status.code == 404 ? KnownRoutes.methods(for: request.uri.path) : []
        if !allowed.isEmpty, !allowed.contains(request.method.rawValue) {
            response = Response(status: .methodNotAllowed, headers: [.allow: allowed.joined(separator: ", ")])
        }
        switch response.status.code {
        case 404: (slug, detail) = ("not-found", "no route \(request.method.rawValue) \(request.uri.path); see docs/openapi.yaml")
        case 405 where !allowed.isEmpty:
            (slug, detail) = ("method-not-allowed", "\(request.uri.path) takes \(allowed.joined(separator: ", ")), not \(request.method.rawValue)")
        case 405: (slug, detail) = ("method-not-allowed", "\(request.uri.path) does not take \(request.method.rawValue)")
        case 413: (slug, detail) = ("payload-too-large", "the body is larger than this service accepts")
        case 400..<500: (slug, detail) = ("bad-request", "the request is malformed")
        case 503: (slug, detail) = ("unavailable", "the service is unavailable; retry later")
        default: (slug, detail) = ("internal", "the request failed on our side; quote the request id when reporting it")
        }
        if slug == "bad-request" { detail += " (HTTP \(response.status.code))" }
        var problem = Problem(slug, detail: detail, instance: request.uri.path, requestID: context.requestID)
        if slug == "bad-request" || slug == "internal" { problem.status = Int(response.status.code) }
        var replaced = self.response(problem, headers: [:])
        for field in response.headers where field.name != .contentType && field.name != .contentLength {
            replaced.headers.append(field)
        }
        return replaced
    }

    static func response(_ problem: Problem, headers: [String: String]) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = mediaType
        fields[.cacheControl] = "no-store"
        if problem.status == 401 { fields[.wwwAuthenticate] = "Bearer realm=\"countersign\"" }
        // The store or the relay failed: worth retrying, and not at once (RFC 9110 §10.2.3).
        if problem.status == 503 { fields[.retryAfter] = "5" }
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        let body = (try? JSONCoding.encoder.encode(problem)) ?? Data()
        return Response(status: .init(code: problem.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Checks the API key (`Authorization: Bearer csk_…`) and puts its principal in the context;
/// `X-On-Behalf-Of` names the person an integration acts for (recorded, never trusted).
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = ServiceContext
    let engine: WorkflowEngine

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw ServiceError(.unauthenticated, "no API key: send Authorization: Bearer csk_… (an admin of your account makes keys)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", parts[1].hasPrefix("csk_") else {
            throw ServiceError(.unauthenticated, "the Authorization header must be 'Bearer csk_…'")
        }
        let person = request.headers[.onBehalfOf].map { String($0.prefix(200)) }
        var context = context
        context.principal = try await engine.authenticate(apiKey: String(parts[1]), onBehalfOf: person)
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
    static let onBehalfOf = Self("X-On-Behalf-Of")!
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotencyReplayed = Self("Idempotency-Replayed")!
    /// Set by a route whose answer shows a secret once (what it made and what to do if the answer
    /// was lost); `IdempotencyMiddleware` never stores such an answer and removes the mark.
    static let secretOnce = Self("Countersign-Secret-Once")!
    static let rateLimit = Self("RateLimit")!
    static let rateLimitPolicy = Self("RateLimit-Policy")!
}

/// JSON as the API writes it: sorted keys, ISO 8601 times.
enum JSONCoding {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}
