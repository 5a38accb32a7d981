import Synchronization

/// Certificates parsed once and shared by every CMS that carries them — a batch of documents
/// sealed by one signer carries the same chain thousands of times, and OpenSSL 3.0 spends most
/// of a CMS parse decoding certificate public keys. Thread-safe; bounded.
public final class CertificateCache: Sendable {
    private let entries = Mutex<[DERBytes: Certificate]>([:])
    /// Most certificates kept; the cache starts over when full.
    public let capacity: Int

    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The certificate with this DER, parsed on first use.
    public func certificate(der: [UInt8]) throws -> Certificate {
        let key = DERBytes(der)
        if let cached = entries.withLock({ $0[key] }) { return cached }
        let parsed = try Certificate(derEncoded: der)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = parsed
        }
        return parsed
    }
}

/// DER bytes as a set member or dictionary key, hashed in one pass over the buffer: `[UInt8]`'s
/// own hashing feeds the hasher a byte at a time, which was 5 % of verifying a signed contract
/// (`perf`: the certificate cache and the validation data's set of what it has seen).
public struct DERBytes: Hashable, Sendable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
