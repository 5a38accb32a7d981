import Hummingbird
import InputChecks

/// The service's routes as docs/openapi.yaml lists them (a test holds the two together): each
/// route's methods and the query parameters each reads. Hummingbird's router answers 404 for a
/// method a route does not take and ignores query parameters nobody reads; with this table the
/// first is a 405 with `Allow` (RFC 9110 §15.5.6) and the second a 400 — `GET
/// /v1/envelopes?stat=sent` would otherwise list every envelope, its filter silently dropped.
enum KnownRoutes {
    /// Path templates (parameters as `{}`) → method → the query parameters it reads.
    static let routes: [String: [String: Set<String>]] = [
        "/healthz": ["GET": []], "/readyz": ["GET": []], "/metrics": ["GET": []],
        "/v1/templates": ["GET": ["templateId", "limit", "cursor"], "POST": []],
        "/v1/templates/{}/versions/{}": ["GET": []],
        "/v1/templates/{}/versions/{}/publish": ["POST": []],
        "/v1/templates/{}/versions/{}/retire": ["POST": []],
        "/v1/clauses": ["GET": ["clauseId", "limit", "cursor"], "POST": []],
        "/v1/clauses/{}/versions/{}/approve": ["POST": []],
        "/v1/envelopes": ["GET": ["state", "metadata", "limit", "cursor"], "POST": []],
        "/v1/envelopes/{}": ["GET": []],
        "/v1/envelopes/{}/send": ["POST": []], "/v1/envelopes/{}/remind": ["POST": []], "/v1/envelopes/{}/void": ["POST": []],
        "/v1/envelopes/{}/correct": ["POST": []], "/v1/envelopes/{}/resend": ["POST": []], "/v1/envelopes/{}/legal-hold": ["POST": []],
        "/v1/envelopes/{}/documents/{}": ["GET": []],
        "/v1/envelopes/{}/events": ["GET": ["limit", "cursor"]],
        "/v1/envelopes/{}/export": ["GET": ["format"]],
        "/v1/envelopes/{}/recipients/{}/embedded-link": ["POST": []],
        "/v1/bulk-sends": ["POST": []],
        "/v1/bulk-sends/{}": ["GET": []],
        "/v1/bulk-sends/{}/rows": ["GET": ["state", "limit", "cursor"], "POST": []],
        "/v1/keys": ["GET": ["limit", "cursor"], "POST": []],
        "/v1/keys/{}": ["DELETE": []],
        "/v1/webhook-endpoints": ["GET": ["limit", "cursor"], "POST": []],
        "/v1/webhook-endpoints/{}": ["GET": [], "PATCH": []],
        "/v1/webhook-endpoints/{}/rotate-secret": ["POST": []],
        "/v1/webhook-endpoints/{}/disable": ["POST": []],
        "/v1/webhook-endpoints/{}/enable": ["POST": []],
        "/v1/webhook-deliveries": ["GET": ["endpointId", "stream", "state", "limit", "cursor"]],
        "/v1/webhook-deliveries/{}/attempts": ["GET": []],
        "/v1/webhook-deliveries/{}/replay": ["POST": []],
        "/v1/webhook-deliveries/replay-event": ["POST": []],
        "/v1/retention/categories": ["GET": []],
        "/v1/signing/{}": ["GET": []],
        "/v1/signing/{}/documents/{}": ["GET": []],
        "/v1/signing/{}/consent": ["POST": []], "/v1/signing/{}/code": ["POST": []], "/v1/signing/{}/authenticate": ["POST": []],
        "/v1/signing/{}/fill": ["POST": []], "/v1/signing/{}/adopt": ["POST": []], "/v1/signing/{}/sign": ["POST": []],
        "/v1/signing/{}/approve": ["POST": []], "/v1/signing/{}/decline": ["POST": []],
        "/v1/embedded/{}": ["GET": []],
    ]

    /// The methods the routes matching `path` take (HEAD wherever GET), sorted; empty when no
    /// route matches.
    static func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var methods: Set<String> = []
        for (template, allowed) in routes {
            let parts = template.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == segments.count else { continue }
            if zip(parts, segments).allSatisfy({ part, segment in part == "{}" ? !segment.isEmpty : part == segment }) {
                methods.formUnion(allowed.keys)
                if allowed["GET"] != nil { methods.insert("HEAD") }  // the router answers HEAD from GET
            }
        }
        return methods.sorted()
    }

    /// The problem with `request`'s query for the route it matched (`route`: the router's
    /// template, `/v1/envelopes/{id}`), or nil. Only `/v1` reads are checked — after they ran,
    /// which changed nothing; the pages keep their own parameters.
    static func queryProblem(_ request: Request, route: String?) -> ServiceError? {
        guard let route, route.hasPrefix("/v1/"), request.method == .get || request.method == .head else { return nil }
        let names = request.uri.queryParameters.map { String($0.key) }
        guard !names.isEmpty else { return nil }
        let template = route.replacing(/\{[^}]*\}/, with: "{}")
        let allowed = routes[template]?["GET"] ?? []
        guard let unknown = names.first(where: { !allowed.contains($0) }) else { return nil }
        let known = allowed.sorted()
        let hint = Suggestions.closest(to: unknown, in: known).map { "; did you mean '\($0)'?" }
            ?? (known.isEmpty ? "; it takes none" : "; it takes " + known.joined(separator: ", "))
        let shown = template.replacingOccurrences(of: "{}", with: "{…}")
        return ServiceError(.badRequest, "\(unknown) is not a query parameter of GET \(shown)\(hint)")
    }
}
