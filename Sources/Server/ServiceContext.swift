public import Hummingbird
import Logging
import NIOCore
public import Workflow

/// The request context of every route: Hummingbird's core storage, the caller's address, and
/// the principal once the API key is checked.
public struct ServiceContext: Hummingbird.RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address (recorded in recipients' events).
    public let remoteIP: String?
    /// The API key's principal, set by the authentication middleware on `/v1` key routes.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteIP = source.channel.remoteAddress?.ipAddress
        principal = nil
    }

    /// The principal, or `unauthenticated` (a route mounted without the key middleware).
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw ServiceError(.unauthenticated, "this route needs an API key: send Authorization: Bearer csk_…") }
        return principal
    }

    /// The request id Hummingbird assigned (also `X-Request-Id` and `request_id` in the logs).
    public var requestID: String {
        logger[metadataKey: "hb.request.id"]?.description ?? "-"
    }
}
