import Synchronization

/// Certificates parsed once and shared by every CMS that carries them — a batch of documents
/// sealed by one signer carries the same chain thousands of times, and OpenSSL 3.0 spends most
/// of a CMS parse decoding certificate public keys. Thread-safe; bounded.
public final class CertificateCache: Sendable {
    private let entries = Mutex<[[UInt8]: Certificate]>([:])
    /// Most certificates kept; the cache starts over when full.
    public let capacity: Int

    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The certificate with this DER, parsed on first use.
    public func certificate(der: [UInt8]) throws -> Certificate {
        if let cached = entries.withLock({ $0[der] }) { return cached }
        let parsed = try Certificate(derEncoded: der)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[der] = parsed
        }
        return parsed
    }
}
