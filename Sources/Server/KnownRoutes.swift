/// The service's routes and their methods, as docs/openapi.yaml lists them (a test holds the two
/// together), so that a method a route does not take is told apart from a route that does not
/// exist: 405 with `Allow`, as RFC 9110 §15.5.6 asks, where the router alone answers 404.
enum KnownRoutes {
    /// Path templates (parameters as `{}`) → the methods each takes.
    static let routes: [String: Set<String>] = [
        "/healthz": ["GET"], "/readyz": ["GET"], "/metrics": ["GET"],
        "/v1/templates": ["GET", "POST"],
        "/v1/templates/{}/versions/{}": ["GET"],
        "/v1/templates/{}/versions/{}/publish": ["POST"],
        "/v1/templates/{}/versions/{}/retire": ["POST"],
        "/v1/clauses": ["GET", "POST"],
        "/v1/clauses/{}/versions/{}/approve": ["POST"],
        "/v1/envelopes": ["GET", "POST"],
        "/v1/envelopes/{}": ["GET"],
        "/v1/envelopes/{}/send": ["POST"], "/v1/envelopes/{}/remind": ["POST"], "/v1/envelopes/{}/void": ["POST"],
        "/v1/envelopes/{}/correct": ["POST"], "/v1/envelopes/{}/resend": ["POST"], "/v1/envelopes/{}/legal-hold": ["POST"],
        "/v1/envelopes/{}/documents/{}": ["GET"],
        "/v1/envelopes/{}/events": ["GET"],
        "/v1/envelopes/{}/export": ["GET"],
        "/v1/envelopes/{}/recipients/{}/embedded-link": ["POST"],
        "/v1/bulk-sends": ["POST"],
        "/v1/bulk-sends/{}": ["GET"],
        "/v1/bulk-sends/{}/rows": ["GET", "POST"],
        "/v1/keys": ["GET", "POST"],
        "/v1/keys/{}": ["DELETE"],
        "/v1/webhook-endpoints": ["GET", "POST"],
        "/v1/webhook-endpoints/{}": ["GET", "PATCH"],
        "/v1/webhook-endpoints/{}/rotate-secret": ["POST"],
        "/v1/webhook-endpoints/{}/disable": ["POST"],
        "/v1/webhook-endpoints/{}/enable": ["POST"],
        "/v1/webhook-deliveries": ["GET"],
        "/v1/webhook-deliveries/{}/attempts": ["GET"],
        "/v1/webhook-deliveries/{}/replay": ["POST"],
        "/v1/webhook-deliveries/replay-event": ["POST"],
        "/v1/retention/categories": ["GET"],
        "/v1/signing/{}": ["GET"],
        "/v1/signing/{}/documents/{}": ["GET"],
        "/v1/signing/{}/consent": ["POST"], "/v1/signing/{}/code": ["POST"], "/v1/signing/{}/authenticate": ["POST"],
        "/v1/signing/{}/fill": ["POST"], "/v1/signing/{}/adopt": ["POST"], "/v1/signing/{}/sign": ["POST"],
        "/v1/signing/{}/approve": ["POST"], "/v1/signing/{}/decline": ["POST"],
        "/v1/embedded/{}": ["GET"],
    ]

    /// The methods the routes matching `path` take, sorted; empty when no route matches.
    static func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var methods: Set<String> = []
        for (template, allowed) in routes {
            let parts = template.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == segments.count else { continue }
            if zip(parts, segments).allSatisfy({ part, segment in part == "{}" ? !segment.isEmpty : part == segment }) {
                methods.formUnion(allowed)
            }
        }
        return methods.sorted()
    }
}
