import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1
public import Workflow
#if canImport(Glibc)
import Glibc
#endif

/// Delivers webhooks over HTTP(S) with async-http-client, behind the SSRF guard: the host is
/// resolved here, every address it resolves to is checked against the policy (one refused address
/// refuses the delivery), and the connection goes to the address that was checked — the client's
/// DNS override pins it, so a second lookup cannot swap in another (no DNS-rebinding window).
/// TLS still verifies the certificate for the host name. Redirects are never followed. Connections
/// to a receiver are kept open between deliveries (``PinnedClients``).
public struct HTTPWebhookTransport: WebhookTransport {
    public let policy: WebhookAddressPolicy
    /// Connect timeout, and the limit for the whole request and answer.
    public let connectTimeout: TimeInterval
    public let timeout: TimeInterval
    /// Clients kept for reuse, shared by copies of this transport.
    let clients = PinnedClients()

    public init(policy: WebhookAddressPolicy, connectTimeout: TimeInterval = 5, timeout: TimeInterval = 15) {
        self.policy = policy
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    public func send(_ request: WebhookRequest) async -> WebhookResponse {
        let start = ContinuousClock.now
        func elapsed() -> Int {
            let duration = ContinuousClock.now - start
            return Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        }
        let address: String
        let host: String
        do {
            (host, address) = try await pinnedAddress(request.url)
        } catch {
            return WebhookResponse(status: nil, durationMilliseconds: elapsed(), error: "\(error)")
        }
        let client = clients.client(host: host, address: address) {
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .milliseconds(Int64(connectTimeout * 1000)), read: .milliseconds(Int64(timeout * 1000))))
            if host != address { configuration.dnsOverride = [host: address] }
            configuration.decompression = .disabled
            return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        }
        let outcome: WebhookResponse
        do {
            var outgoing = HTTPClientRequest(url: request.url)
            outgoing.method = .POST
            for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
            let response = try await client.execute(outgoing, timeout: .milliseconds(Int64(timeout * 1000)))
            var excerpt: [UInt8] = []
            for try await chunk in response.body {
                excerpt += chunk.readableBytesView.prefix(1024 - excerpt.count)
                if excerpt.count >= 1024 { break }
            }
            let status = Int(response.status.code)
            outcome = WebhookResponse(status: status, durationMilliseconds: elapsed(), excerpt: String(decoding: excerpt, as: UTF8.self),
                                      error: (200..<300).contains(status) ? nil : "the receiver answered \(status) \(response.status.reasonPhrase)")
        } catch {
            outcome = WebhookResponse(status: nil, durationMilliseconds: elapsed(),
                                      error: "no answer from \(host) (\(address)): \(error)")
        }
        return outcome
    }

    /// The URL's host and the one address to connect to, after the policy checked all of them.
    func pinnedAddress(_ url: String) async throws -> (host: String, address: String) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "https" || scheme == "http",
              var host = parsed.host, !host.isEmpty else {
            throw WorkflowError(.webhook, "'\(url)' is not an http(s) URL with a host")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let addresses = WebhookAddressPolicy.isAddress(host) ? [host] : try await Self.resolve(host)
        guard let first = addresses.first else {
            throw WorkflowError(.webhook, "\(host) resolves to no address; check the endpoint's URL")
        }
        for address in addresses { try policy.check(address) }
        return (host, first)
    }

    /// Every address `host` resolves to (getaddrinfo, off the cooperative pool).
    static func resolve(_ host: String) async throws -> [String] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                let status = getaddrinfo(host, nil, &hints, &list)
                guard status == 0 else {
                    let reason = String(cString: gai_strerror(status))
                    continuation.resume(throwing: WorkflowError(.webhook, "cannot resolve \(host): \(reason); check the endpoint's URL"))
                    return
                }
                defer { freeaddrinfo(list) }
                var addresses: [String] = []
                var cursor = list
                while let entry = cursor {
                    var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                    if let socketAddress = entry.pointee.ai_addr {
                        if entry.pointee.ai_family == AF_INET {
                            socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                                var address = pointer.pointee.sin_addr
                                _ = inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
                            }
                        } else if entry.pointee.ai_family == AF_INET6 {
                            socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                                var address = pointer.pointee.sin6_addr
                                _ = inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
                            }
                        }
                    }
                    let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    if !text.isEmpty, !addresses.contains(text) { addresses.append(text) }
                    cursor = entry.pointee.ai_next
                }
                continuation.resume(returning: addresses)
            }
        }
    }
}
