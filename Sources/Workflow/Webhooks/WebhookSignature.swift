public import Foundation
import CountersignCrypto

/// Standard Webhooks signatures: `webhook-signature: v1,<base64 HMAC-SHA256>` over
/// `<webhook-id>.<webhook-timestamp>.<body>`, keyed by the base64-decoded part of a `whsec_` secret.
/// Several signatures (one per active secret, space-separated) let receivers rotate keys.
public enum WebhookSignature {
    /// The signature of one message with one secret (`v1,<base64>`).
    public static func sign(id: String, timestamp: Int, body: [UInt8], secret: String) throws(WorkflowError) -> String {
        let key = try keyBytes(secret)
        let content = Array("\(id).\(timestamp).".utf8) + body
        return "v1," + Data(hmacSHA256(key: key, message: content)).base64EncodedString()
    }

    /// The three headers of a delivery signed by every secret in `secrets`.
    public static func headers(id: String, timestamp: Int, body: [UInt8], secrets: [String]) throws(WorkflowError) -> [(String, String)] {
        var signatures: [String] = []
        for secret in secrets { signatures.append(try sign(id: id, timestamp: timestamp, body: body, secret: secret)) }
        return [("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signatures.joined(separator: " "))]
    }

    /// A new secret: `whsec_` and the base64 of 32 random bytes from the system generator.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
    }

    /// The HMAC key of a secret (`whsec_` prefix optional, the rest base64).
    static func keyBytes(_ secret: String) throws(WorkflowError) -> [UInt8] {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard let key = Data(base64Encoded: encoded), !key.isEmpty else {
            throw WorkflowError(.invalidRequest, "the webhook secret is not 'whsec_' followed by base64; copy it again from the endpoint")
        }
        return Array(key)
    }

    /// HMAC (RFC 2104) over SHA-256.
    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let blockSize = 64
        var block = key.count > blockSize ? DigestAlgorithm.sha256.hash(key) : key
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        let inner = DigestAlgorithm.sha256.hash(block.map { $0 ^ 0x36 } + message)
        return DigestAlgorithm.sha256.hash(block.map { $0 ^ 0x5C } + inner)
    }
}

/// Checks a received webhook the way a receiver should: the signature by one of its secrets, and
/// the timestamp within a tolerance of its clock (which refuses replays of old messages).
public struct WebhookVerifier: Sendable {
    /// The receiver's secrets (several during a rotation); any one signing suffices.
    public var secrets: [String]
    /// How far the `webhook-timestamp` may be from now, either way (default five minutes).
    public var tolerance: TimeInterval

    public init(secrets: [String], tolerance: TimeInterval = 300) {
        self.secrets = secrets
        self.tolerance = tolerance
    }

    /// Verifies a message given its headers (names in any case) and raw body; returns the
    /// `webhook-id` to deduplicate by. Throws `signature` when a header is missing or malformed,
    /// the timestamp is too old or too new, or no signature matches.
    @discardableResult
    public func verify(headers: [String: String], body: [UInt8], now: Date = Date()) throws(WorkflowError) -> String {
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        guard let id = lowered["webhook-id"], !id.isEmpty,
              let timestampText = lowered["webhook-timestamp"], let signatures = lowered["webhook-signature"] else {
            throw WorkflowError(.signature, "the request lacks webhook-id, webhook-timestamp or webhook-signature; it is not a signed webhook")
        }
        guard let timestamp = Int(timestampText.trimmingCharacters(in: .whitespaces)) else {
            throw WorkflowError(.signature, "webhook-timestamp '\(timestampText)' is not whole seconds since 1970")
        }
        let age = now.timeIntervalSince1970 - Double(timestamp)
        guard abs(age) <= tolerance else {
            throw WorkflowError(.signature, age > 0
                ? "webhook-timestamp is \(Int(age)) s old, more than the \(Int(tolerance)) s tolerated; a replayed or delayed message is refused"
                : "webhook-timestamp is \(Int(-age)) s in the future, more than the \(Int(tolerance)) s tolerated; check the sender's clock")
        }
        let offered = signatures.split(separator: " ").compactMap { part -> [UInt8]? in
            let pieces = part.split(separator: ",", maxSplits: 1)
            guard pieces.count == 2, pieces[0] == "v1", let bytes = Data(base64Encoded: String(pieces[1])) else { return nil }
            return Array(bytes)
        }
        let content = Array("\(id).\(timestamp).".utf8) + body
        for secret in secrets {
            let expected = WebhookSignature.hmacSHA256(key: try WebhookSignature.keyBytes(secret), message: content)
            if offered.contains(where: { Self.constantTimeEqual($0, expected) }) { return id }
        }
        throw WorkflowError(.signature, "no v1 signature in webhook-signature matches the body with the receiver's secrets; the message is forged, altered or signed with another secret")
    }

    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
