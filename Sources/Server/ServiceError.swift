import Foundation
import Workflow

/// An error of the HTTP layer itself (configuration, limits, conventions), beside the workflow's
/// own `WorkflowError`: a stable code, a reason saying what was wrong and what to do.
public struct ServiceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is (stable; compare codes, not reasons).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The configuration file or environment is wrong.
        public static let configuration = Code("configuration")
        /// The request is malformed (not JSON, a wrong type, a missing header).
        public static let badRequest = Code("badRequest")
        /// No API key (or a malformed one) on a route that needs one.
        public static let unauthenticated = Code("unauthenticated")
        /// No such route or resource.
        public static let notFound = Code("notFound")
        /// The route exists, not with this method.
        public static let methodNotAllowed = Code("methodNotAllowed")
        /// The body is larger than the configured limit.
        public static let payloadTooLarge = Code("payloadTooLarge")
        /// The body's media type is not one the route takes.
        public static let unsupportedMediaType = Code("unsupportedMediaType")
        /// The key made too many requests in the window.
        public static let rateLimited = Code("rateLimited")
        /// The `Idempotency-Key` was used before with another request.
        public static let idempotencyKeyReused = Code("idempotencyKeyReused")
        /// The first request under this `Idempotency-Key` answered with a secret, which is shown once.
        public static let secretNotReplayed = Code("secretNotReplayed")
        /// The first request under this `Idempotency-Key` is still running.
        public static let idempotencyKeyInProgress = Code("idempotencyKeyInProgress")
        /// `If-Match` names another version than the current one.
        public static let preconditionFailed = Code("preconditionFailed")
        /// The service is shutting down or its store is unreachable.
        public static let unavailable = Code("unavailable")
        /// Something failed that is not the caller's fault.
        public static let `internal` = Code("internal")
    }

    public let code: Code
    public let reason: String
    /// Extra response headers (`Retry-After`, `Allow`).
    public var headers: [String: String]

    public init(_ code: Code, _ reason: String, headers: [String: String] = [:]) {
        self.code = code
        self.reason = reason
        self.headers = headers
    }

    public var description: String { "\(code): \(reason)" }
    public static func == (lhs: ServiceError, rhs: ServiceError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// An RFC 9457 problem document: `type` is a stable URI per kind of error
/// (`urn:countersign:problem:<code>`), `title` its fixed summary, `detail` this occurrence.
public struct Problem: Sendable, Hashable, Codable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// The request path.
    public var instance: String?
    /// The request id (also in the `X-Request-Id` header and the logs).
    public var requestId: String?

    /// Every problem type the API answers with: code, HTTP status, title (docs/openapi.yaml lists the same).
    public static let catalogue: [String: (status: Int, title: String)] = [
        "bad-request": (400, "The request is malformed"),
        "invalid-request": (422, "The request is not valid"),
        "template": (422, "The template or its data is not valid"),
        "unauthenticated": (401, "No valid API key or signing token"),
        "authentication-failed": (401, "The one-time code or access code is wrong"),
        "forbidden": (403, "The key's role may not do this"),
        "not-found": (404, "No such resource"),
        "method-not-allowed": (405, "The resource does not take this method"),
        "illegal-transition": (409, "The resource is not in a state that allows this"),
        "not-authenticated": (409, "The recipient must consent or authenticate first"),
        "conflict": (409, "Someone else changed the resource first"),
        "idempotency-key-reused": (409, "The Idempotency-Key was used with another request"),
        "idempotency-key-in-progress": (409, "The first request with this Idempotency-Key is still running"),
        "secret-not-replayed": (409, "The first request with this Idempotency-Key showed a secret, which is shown once"),
        "precondition-failed": (412, "If-Match names another version"),
        "payload-too-large": (413, "The request body is too large"),
        "unsupported-media-type": (415, "The body's media type is not accepted here"),
        "rate-limited": (429, "Too many requests"),
        "internal": (500, "Something failed on our side"),
        "evidence": (500, "The evidence does not verify"),
        "completion": (500, "Completion failed"),
        "unavailable": (503, "The service is unavailable"),
    ]

    public init(_ slug: String, detail: String, instance: String? = nil, requestID: String? = nil) {
        let entry = Self.catalogue[slug] ?? Self.catalogue["internal"]!
        type = "urn:countersign:problem:" + slug
        title = entry.title
        status = entry.status
        self.detail = detail
        self.instance = instance
        requestId = requestID
    }

    /// The problem of any error a handler throws. Workflow and service errors map by code;
    /// anything else is `internal` and its text is not shown (it is logged).
    public static func from(_ error: any Error, instance: String?, requestID: String?) -> (Problem, headers: [String: String]) {
        if let error = error as? WorkflowError {
            let slug: String
            switch error.code {
            case .notFound: slug = "not-found"
            case .forbidden: slug = "forbidden"
            case .unauthenticated: slug = "unauthenticated"
            case .illegalTransition: slug = "illegal-transition"
            case .invalidRequest: slug = "invalid-request"
            case .authenticationFailed: slug = "authentication-failed"
            case .notAuthenticated: slug = "not-authenticated"
            case .conflict: slug = "conflict"
            case .template: slug = "template"
            case .completion: slug = "completion"
            case .evidence: slug = "evidence"
            case .store, .mail: slug = "unavailable"
            default: slug = "internal"
            }
            let detail = slug == "unavailable" ? "the store or mail relay failed; retry later" : error.reason
            return (Problem(slug, detail: detail, instance: instance, requestID: requestID), [:])
        }
        if let error = error as? ServiceError {
            let slug: String
            switch error.code {
            case .badRequest, .configuration: slug = "bad-request"
            case .unauthenticated: slug = "unauthenticated"
            case .notFound: slug = "not-found"
            case .methodNotAllowed: slug = "method-not-allowed"
            case .payloadTooLarge: slug = "payload-too-large"
            case .unsupportedMediaType: slug = "unsupported-media-type"
            case .rateLimited: slug = "rate-limited"
            case .idempotencyKeyReused: slug = "idempotency-key-reused"
            case .idempotencyKeyInProgress: slug = "idempotency-key-in-progress"
            case .secretNotReplayed: slug = "secret-not-replayed"
            case .preconditionFailed: slug = "precondition-failed"
            case .unavailable: slug = "unavailable"
            default: slug = "internal"
            }
            return (Problem(slug, detail: error.reason, instance: instance, requestID: requestID), error.headers)
        }
        return (Problem("internal", detail: "the request failed on our side; quote the request id when reporting it",
                        instance: instance, requestID: requestID), [:])
    }
}
