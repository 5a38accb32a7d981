import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SSRF guard's rule: which IP addresses a webhook may be sent to.
///
/// Refused unless allow-listed: unspecified, loopback, private (RFC 1918, unique-local),
/// carrier-grade NAT, link-local (cloud metadata services live there), multicast, broadcast,
/// reserved, and IPv4 inside IPv6 (mapped, compatible, NAT64), which could reach any of those.
/// The transport resolves a host, checks every address here, and connects to the one it checked.
public struct WebhookAddressPolicy: Sendable, Hashable {
    /// Networks (CIDR, `10.1.0.0/16`, `::1/128`, or one address) deliveries may reach even
    /// though they are in a refused range — a receiver inside your own network, or tests on loopback.
    public let allowList: [String]
    let allowed: [Network]

    /// A policy with an allow-list; a malformed network is refused (`invalidRequest`).
    public init(allowList: [String] = []) throws(WorkflowError) {
        var networks: [Network] = []
        for entry in allowList {
            guard let network = Network(entry) else {
                throw WorkflowError(.invalidRequest, "webhook allow-list entry '\(entry)' is not an IP address or CIDR network (10.0.0.0/8, ::1/128)")
            }
            networks.append(network)
        }
        self.allowList = allowList
        self.allowed = networks
    }

    /// No allow-list: every refused range is refused.
    public static let standard = WebhookAddressPolicy(allowList: [], allowed: [])

    init(allowList: [String], allowed: [Network]) {
        self.allowList = allowList
        self.allowed = allowed
    }

    /// Throws `webhook` (saying which range) unless a delivery may connect to `address`.
    public func check(_ address: String) throws(WorkflowError) {
        guard let bytes = Self.parse(address) else {
            throw WorkflowError(.webhook, "'\(address)' is not an IP address")
        }
        if allowed.contains(where: { $0.contains(bytes) }) { return }
        if let range = Self.refusedRange(bytes) {
            throw WorkflowError(.webhook, "address \(address) is \(range); webhooks are not sent there unless the network is in the webhook allow-list of the configuration")
        }
    }

    /// Whether `host` is an IP literal (IPv6 with or without brackets).
    public static func isAddress(_ host: String) -> Bool { parse(host) != nil }

    /// The dotted form of a host that resolvers read as an IPv4 address although it is not
    /// written as one (`127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`: inet_aton's legacy
    /// forms), or nil.
    public static func legacyIPv4(_ host: String) -> String? {
        guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == "x" || $0 == "X" }), parse(host) == nil else { return nil }
        var address = in_addr()
        guard inet_aton(host, &address) == 1 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        guard inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The 4 or 16 bytes of an IP address literal, or nil.
    static func parse(_ text: String) -> [UInt8]? {
        var literal = text
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        var v4 = in_addr()
        if !literal.contains(":"), inet_pton(AF_INET, literal, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// Which refused range an address is in, or nil if it is a public unicast address.
    static func refusedRange(_ bytes: [UInt8]) -> String? {
        if bytes.count == 4 { return refusedV4(bytes) }
        let ipv6: [(prefix: [UInt8], bits: Int, name: String)] = [
            ([UInt8](repeating: 0, count: 16), 128, "the unspecified address"),
            ([UInt8](repeating: 0, count: 15) + [1], 128, "loopback"),
            ([UInt8](repeating: 0, count: 10) + [0xFF, 0xFF], 96, "an IPv4-mapped IPv6 address"),
            ([UInt8](repeating: 0, count: 12), 96, "an IPv4-compatible IPv6 address"),
            ([0x00, 0x64, 0xFF, 0x9B] + [UInt8](repeating: 0, count: 8), 96, "a NAT64 address (IPv4 inside IPv6)"),
            ([0xFC], 7, "a unique-local (private) address"),
            ([0xFE, 0x80], 10, "link-local"),
            ([0xFE, 0xC0], 10, "site-local (private)"),
            ([0xFF], 8, "multicast"),
        ]
        return ipv6.first { Network(prefix: $0.prefix, bits: $0.bits, family: 16).contains(bytes) }?.name
    }

    static func refusedV4(_ bytes: [UInt8]) -> String? {
        let ipv4: [(prefix: [UInt8], bits: Int, name: String)] = [
            ([0, 0, 0, 0], 8, "in 0.0.0.0/8 (this network, unspecified)"),
            ([10], 8, "private (10.0.0.0/8)"),
            ([100, 64], 10, "carrier-grade NAT (100.64.0.0/10)"),
            ([127], 8, "loopback (127.0.0.0/8)"),
            ([169, 254], 16, "link-local (169.254.0.0/16, where metadata services answer)"),
            ([172, 16], 12, "private (172.16.0.0/12)"),
            ([192, 0, 0], 24, "reserved for protocol assignments (192.0.0.0/24)"),
            ([192, 168], 16, "private (192.168.0.0/16)"),
            ([198, 18], 15, "reserved for benchmarking (198.18.0.0/15)"),
            ([224], 4, "multicast (224.0.0.0/4)"),
            ([240], 4, "reserved or broadcast (240.0.0.0/4)"),
        ]
        return ipv4.first { Network(prefix: $0.prefix, bits: $0.bits, family: 4).contains(bytes) }?.name
    }

    /// A network: its leading bytes and prefix length.
    struct Network: Sendable, Hashable {
        var prefix: [UInt8]
        var bits: Int
        var family: Int

        init(prefix: [UInt8], bits: Int, family: Int) {
            self.family = family
            self.prefix = prefix + [UInt8](repeating: 0, count: max(0, family - prefix.count))
            self.bits = bits
        }

        init?(_ text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let address = WebhookAddressPolicy.parse(String(parts[0])) else { return nil }
            let maximum = address.count * 8
            let bits = parts.count == 2 ? Int(parts[1]) : maximum
            guard let bits, (0...maximum).contains(bits) else { return nil }
            self.prefix = address
            self.bits = bits
            self.family = address.count
        }

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == family else { return false }
            var remaining = bits
            for index in 0..<family where remaining > 0 {
                let take = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
                if address[index] & mask != prefix[index] & mask { return false }
                remaining -= take
            }
            return true
        }
    }
}
