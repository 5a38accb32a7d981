import HTTPTypes
import Hummingbird
import InputChecks

/// The query parameters each `/v1` route reads, so that one it does not read is refused rather
/// than ignored: `GET /v1/envelopes?stat=sent` would otherwise list every envelope, the filter
/// silently dropped. The table is docs/openapi.yaml's (a test holds the two together).
enum QueryParameters {
    /// `METHOD /path/{param}` (parameters as `{}`) → the names the route reads.
    static let routes: [String: Set<String>] = [
        "GET /v1/templates": ["templateId", "limit", "cursor"],
        "GET /v1/clauses": ["clauseId", "limit", "cursor"],
        "GET /v1/envelopes": ["state", "metadata", "limit", "cursor"],
        "GET /v1/envelopes/{}/events": ["limit", "cursor"],
        "GET /v1/envelopes/{}/export": ["format"],
        "GET /v1/bulk-sends/{}/rows": ["state", "limit", "cursor"],
        "GET /v1/keys": ["limit", "cursor"],
        "GET /v1/webhook-endpoints": ["limit", "cursor"],
        "GET /v1/webhook-deliveries": ["endpointId", "stream", "state", "limit", "cursor"],
    ]

    /// A route template with its parameters' names left out: `/v1/envelopes/{id}` → `/v1/envelopes/{}`.
    static func key(method: String, route: String) -> String {
        var key = "", inName = false
        for character in route {
            if character == "{" { inName = true; key.append("{") } else if character == "}" { inName = false; key.append("}") } else if !inName {
                key.append(character)
            }
        }
        return "\(method) \(key)"
    }

    /// The problem with `request`'s query for the route it matched (`route`: the router's
    /// template), or nil. Only reads are checked — after they ran, which changed nothing — and
    /// only `/v1` routes: the pages keep their own parameters.
    static func problem(_ request: Request, route: String?) -> ServiceError? {
        guard let route, route.hasPrefix("/v1/"), request.method == .get || request.method == .head else { return nil }
        let names = request.uri.queryParameters.map { String($0.key) }
        guard !names.isEmpty else { return nil }
        let key = key(method: "GET", route: route)
        let allowed = routes[key] ?? []
        guard let unknown = names.first(where: { !allowed.contains($0) }) else { return nil }
        let known = allowed.sorted()
        let hint = Suggestions.closest(to: unknown, in: known).map { "; did you mean '\($0)'?" }
            ?? (known.isEmpty ? "; it takes none" : "; it takes " + known.joined(separator: ", "))
        return ServiceError(.badRequest, "\(unknown) is not a query parameter of \(key.replacingOccurrences(of: "{}", with: "{…}"))\(hint)")
    }
}
