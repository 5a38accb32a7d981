import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Per-key request limits in fixed windows (per node): `RateLimit-Policy` and `RateLimit` on
/// every answer (draft-ietf-httpapi-ratelimit-headers), 429 with `Retry-After` past the quota.
final class RateLimiter: Sendable {
    struct Window {
        var start: Int
        var count: Int
    }

    let quota: Int
    let window: Int
    private let windows = Mutex<[String: Window]>([:])
    private let now: @Sendable () -> Date

    init(quota: Int, window: Int, now: @escaping @Sendable () -> Date = { Date() }) {
        self.quota = quota
        self.window = window
        self.now = now
    }

    /// Counts one request of `key`: how many remain and the seconds until the window resets,
    /// or nil remaining when the quota is used up.
    func take(_ key: String) -> (remaining: Int?, reset: Int) {
        let second = Int(now().timeIntervalSince1970)
        let start = second - second % window
        return windows.withLock { windows in
            if windows.count > 100_000 { windows = windows.filter { $0.value.start == start } }
            var current = windows[key] ?? Window(start: start, count: 0)
            if current.start != start { current = Window(start: start, count: 0) }
            let reset = current.start + window - second
            guard current.count < quota else {
                windows[key] = current
                return (nil, reset)
            }
            current.count += 1
            windows[key] = current
            return (quota - current.count, reset)
        }
    }

    var policy: String { "\"per-key\";q=\(quota);w=\(window)" }
}

/// Applies the limiter to every request: keyed by the API key (or the signing token's hash on
/// recipient routes, or the peer's address when there is neither).
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = ServiceContext
    let limiter: RateLimiter
    let key: @Sendable (Request, Context) -> String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let (remaining, reset) = limiter.take(key(request, context))
        guard let remaining else {
            throw ServiceError(.rateLimited, "this key made \(limiter.quota) requests in \(limiter.window) s; retry in \(reset) s",
                               headers: ["Retry-After": String(reset), "RateLimit-Policy": limiter.policy,
                                         "RateLimit": "\"per-key\";r=0;t=\(reset)"])
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ProblemResponse.make(error, request: request, context: context)
        }
        response.headers[.rateLimitPolicy] = limiter.policy
        response.headers[.rateLimit] = "\"per-key\";r=\(remaining);t=\(reset)"
        return response
    }
}
