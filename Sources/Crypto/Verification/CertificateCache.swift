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

extension DER {
    /// Splits a ContentInfo holding SignedData into the same ContentInfo without its
    /// `certificates` field and the DER of each certificate; nil if the encoding is not the plain
    /// DER this expects (the caller then parses the CMS whole).
    static func separatingCertificates(_ der: [UInt8]) -> (stripped: [UInt8], certificates: [[UInt8]])? {
        guard let contentInfo = try? parse(der[...]), contentInfo.tag == sequence,
              let outer = try? contentInfo.children(), outer.count == 2, outer[1].tag == 0xA0,
              let explicit = try? outer[1].children(), explicit.count == 1, explicit[0].tag == sequence,
              let fields = try? explicit[0].children() else { return nil }
        var kept: [UInt8] = []
        var certificates: [[UInt8]] = []
        for field in fields {
            if field.tag == 0xA0 {  // certificates [0] IMPLICIT CertificateSet
                guard let choices = try? field.children() else { return nil }
                for choice in choices {
                    guard choice.tag == sequence else { return nil }  // only plain X.509 certificates
                    certificates.append(Array(choice.encoded))
                }
            } else {
                kept += field.encoded
            }
        }
        let signedData = encode(tag: sequence, kept)
        return (encode(tag: sequence, Array(outer[0].encoded) + encode(tag: 0xA0, signedData)), certificates)
    }
}
