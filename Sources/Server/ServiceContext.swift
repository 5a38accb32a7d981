public import Hummingbird
import Logging
public import NIOCore
public import Workflow

/// The request context of every route: Hummingbird's core storage, the caller's address, and
/// the principal once the API key is checked.
///
/// It is a `RemoteAddressRequestContext`, which is how the signing page and the console (generic
/// over their context) learn the peer's address for the evidence.
public struct ServiceContext: Hummingbird.RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's address.
    public let remoteAddress: SocketAddress?
    /// The peer's IP address (recorded in recipients' events).
    public let remoteIP: String?
    /// The API key's principal, set by the authentication middleware on `/v1` key routes.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        remoteIP = remoteAddress?.ipAddress
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
