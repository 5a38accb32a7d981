import CountersignCrypto
import Foundation

/// Which algorithms and key sizes a signature may still rest on (docs/verification.md,
/// "Algorithm policy"), after the recommendations of ETSI TS 119 312 and its predecessors:
/// an algorithm that became too weak at a date is acceptable only for a signature proven to
/// have existed before that date — by a trusted timestamp, never by the signer's own clock.
///
/// The policy judges signatures that *verify*: a weak one is INDETERMINATE with
/// CRYPTO_CONSTRAINTS_FAILURE (nothing shows it was forged; nothing shows it could not have
/// been), never FAILED.
struct AlgorithmPolicy {
    /// One rule: what is weak and the last day it was acceptable (nil: never acceptable).
    struct Sunset {
        var what: String
        var lastAcceptable: Date?
    }

    /// The sunset that applies to a hash function, if any.
    static func sunset(of hash: HashAlgorithm) -> Sunset? {
        switch hash {
        case .md5: Sunset(what: "MD5", lastAcceptable: day(2004, 12, 31))
        case .sha1: Sunset(what: "SHA-1", lastAcceptable: day(2009, 12, 31))
        default: nil
        }
    }

    /// The sunset that applies to a public key of `type` with `bits`, if any.
    static func sunset(keyType type: String, bits: Int) -> Sunset? {
        switch type {
        case "RSA", "RSA-PSS", "DSA":
            let name = "\(type == "DSA" ? "DSA" : "RSA") \(bits)-bit key"
            if bits < 1024 { return Sunset(what: name, lastAcceptable: nil) }
            if bits < 1536 { return Sunset(what: name, lastAcceptable: day(2009, 12, 31)) }
            if bits < 2048 { return Sunset(what: name, lastAcceptable: day(2016, 12, 31)) }
            return nil
        case "EC":
            if bits < 160 { return Sunset(what: "\(bits)-bit elliptic curve key", lastAcceptable: nil) }
            if bits < 250 { return Sunset(what: "\(bits)-bit elliptic curve key", lastAcceptable: day(2016, 12, 31)) }
            return nil
        default:
            return nil
        }
    }

    /// The issue for a verified signature made with `digest`, `scheme` and `key`, if the policy
    /// rejects one of them. `proofOfExistence` is the genTime of an intact, trusted signature
    /// timestamp, if there is one.
    func judge(digest: HashAlgorithm, scheme: SignatureScheme, signer: Certificate,
               proofOfExistence: Date?) -> VerificationIssue? {
        let key = signer.publicKeyTypeAndBits
        let sunsets = ([Self.sunset(of: digest), scheme.hash.flatMap(Self.sunset(of:)),
                        Self.sunset(keyType: key.type, bits: key.bits)] as [Sunset?]).compactMap { $0 }
        var reasons: [String] = []
        var seen: Set<String> = []
        for sunset in sunsets where seen.insert(sunset.what).inserted {
            if let last = sunset.lastAcceptable, let proofOfExistence, proofOfExistence <= last.addingTimeInterval(86_400) {
                continue
            }
            if let last = sunset.lastAcceptable {
                let proof = proofOfExistence.map { "the timestamp proves it existed only at \(ReportTime.iso($0))" }
                    ?? "no trusted timestamp proves it existed before then"
                reasons.append("\(sunset.what) is not acceptable for signatures after \(ReportTime.iso(last).prefix(10)) and \(proof)")
            } else {
                reasons.append("\(sunset.what) was never acceptable")
            }
        }
        // RFC 8419 §3.1: the message digest of an EdDSA signature is SHA-512 (Ed25519) or SHAKE256 (Ed448).
        if case .ed25519 = scheme, digest != .sha512 { reasons.append("Ed25519 with \(digest) breaks RFC 8419 §3.1 (SHA-512 only)") }
        if case .ed448 = scheme, digest != .shake256 { reasons.append("Ed448 with \(digest) breaks RFC 8419 §3.1 (SHAKE256 only)") }
        guard !reasons.isEmpty else { return nil }
        return VerificationIssue(.weakAlgorithm,
            "the signature verifies, but by the algorithm policy (ETSI TS 119 312) " + reasons.joined(separator: "; ")
                + " — it may have been made by someone who broke the algorithm, so it cannot be relied on",
            verdict: .indeterminate, subIndication: .cryptoConstraintsFailure)
    }

    /// The issue for a certificate path (signer first, trust anchor last) whose certificates
    /// were signed with a weak hash or a weak issuer key: a forged certificate is as good as a
    /// forged signature (MD5 and SHA-1 chosen-prefix collisions made rogue CA certificates).
    /// The anchor's own self-signature is not judged; its key is, where it signs the next one.
    func judge(path: [Certificate], proofOfExistence: Date?) -> VerificationIssue? {
        guard path.count > 1 else { return nil }
        var reasons: [String] = []
        for index in 0..<(path.count - 1) {
            let certificate = path[index], issuer = path[index + 1]
            let key = issuer.publicKeyTypeAndBits
            let name = certificate.commonName ?? certificate.subject
            let sunsets = [("with", certificate.signatureHash.flatMap(Self.sunset(of:))),
                           ("by its issuer's", Self.sunset(keyType: key.type, bits: key.bits))]
            for case let (how, sunset?) in sunsets {
                if let last = sunset.lastAcceptable, let proofOfExistence, proofOfExistence <= last.addingTimeInterval(86_400) { continue }
                let when = sunset.lastAcceptable.map { "not acceptable after \(ReportTime.iso($0).prefix(10))" } ?? "never acceptable"
                reasons.append("the certificate \(name) is signed \(how) \(sunset.what) (\(when))")
            }
        }
        guard !reasons.isEmpty else { return nil }
        return VerificationIssue(.weakAlgorithm,
            "the chain validates, but by the algorithm policy (ETSI TS 119 312) " + reasons.joined(separator: "; ")
                + " — a certificate made by breaking the algorithm would look the same, so the signer's identity cannot be relied on",
            verdict: .indeterminate, subIndication: .cryptoConstraintsFailure)
    }

    private static func day(_ year: Int, _ month: Int, _ day: Int) -> Date {
        var components = DateComponents()
        (components.year, components.month, components.day) = (year, month, day)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components)!
    }
}
