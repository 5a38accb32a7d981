import CountersignCrypto
import Foundation
import Hummingbird
import Synchronization
import Workflow

/// HMAC-SHA256 (RFC 2104) over the project's SHA-256.
enum HMAC {
    static func sha256(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        let blockSize = 64
        var block = key.count > blockSize ? DigestAlgorithm.sha256.hash(key) : key
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        let inner = DigestAlgorithm.sha256.hash(block.map { $0 ^ 0x36 } + message)
        return DigestAlgorithm.sha256.hash(block.map { $0 ^ 0x5C } + inner)
    }

    static func hex(key: [UInt8], _ message: String) -> String { Hex.encode(sha256(key: key, Array(message.utf8))) }
}

enum Hex {
    static func encode(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func random(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return encode((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func sha256(_ text: String) -> String { encode(DigestAlgorithm.sha256.hash(Array(text.utf8))) }

    /// Compares without stopping at the first difference.
    static func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8), b = Array(right.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// The signer's session: a cookie scoped to the link's path and bound by an HMAC to the link's
/// token, and a CSRF token bound to the cookie (so a token from another session or another
/// recipient's page is refused).
///
/// Authentication by code is per session, as DocuSign's access codes are per access: entering
/// the right code makes the cookie carry a third part, a MAC over the link and this session's
/// nonce, so a forwarded link opened in another browser starts unauthenticated and must enter a
/// code again (the recipient having entered one once proves only that someone read the mailbox).
struct SignerSession: Sendable {
    static let cookieName = "cs_signer"
    let nonce: String
    let csrf: String
    /// This session entered the recipient's code (one-time or access code).
    var authenticated = false

    /// A new session for a token.
    static func start(token: String, key: [UInt8]) -> (SignerSession, cookieValue: String) {
        let nonce = Hex.random(bytes: 16)
        let session = SignerSession(nonce: nonce, csrf: HMAC.hex(key: key, "csrf|" + nonce))
        return (session, nonce + "." + HMAC.hex(key: key, "signer|" + Hex.sha256(token) + "|" + nonce))
    }

    /// The session a cookie value carries, if it was made for this token with this key.
    static func resume(cookie value: String?, token: String, key: [UInt8]) -> SignerSession? {
        guard let value else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        let nonce = parts[0], mac = parts[1]
        guard nonce.count == 32,
              Hex.constantTimeEqual(mac, HMAC.hex(key: key, "signer|" + Hex.sha256(token) + "|" + nonce)) else { return nil }
        var session = SignerSession(nonce: nonce, csrf: HMAC.hex(key: key, "csrf|" + nonce))
        session.authenticated = parts.count == 3 && Hex.constantTimeEqual(parts[2], authenticationMAC(token: token, nonce: nonce, key: key))
        return session
    }

    /// The cookie value of this session once it has entered the code.
    func authenticatedCookieValue(token: String, key: [UInt8]) -> String {
        nonce + "." + HMAC.hex(key: key, "signer|" + Hex.sha256(token) + "|" + nonce) + "."
            + Self.authenticationMAC(token: token, nonce: nonce, key: key)
    }

    private static func authenticationMAC(token: String, nonce: String, key: [UInt8]) -> String {
        HMAC.hex(key: key, "authenticated|" + Hex.sha256(token) + "|" + nonce)
    }

    /// Whether this session may see and act on the documents: it entered the code, or the
    /// recipient needs none (opening the link authenticates them).
    func mayProceed(_ recipient: Recipient) -> Bool { authenticated || recipient.authentication == .link }

    /// Refuses a form whose CSRF token is missing or not this session's.
    func check(csrf given: String?) throws(WebPagesError) {
        guard let given, Hex.constantTimeEqual(given, csrf) else {
            throw WebPagesError(.csrf, "the form's security token is missing or belongs to another session; reload the page and try again")
        }
    }
}

/// A sliding one-minute window of attempts per key (recipient token hash, or login address).
final class RateLimiter: Sendable {
    let limit: Int
    let window: TimeInterval
    private let attempts = Mutex<[String: [Date]]>([:])

    init(limit: Int, window: TimeInterval = 60) {
        self.limit = limit
        self.window = window
    }

    /// Counts an attempt; `rateLimited` if the key used up its attempts in the window.
    func take(_ key: String, now: Date = Date()) throws(WebPagesError) {
        let allowed = attempts.withLock { table -> Bool in
            let recent = (table[key] ?? []).filter { now.timeIntervalSince($0) < window }
            guard recent.count < limit else {
                table[key] = recent
                return false
            }
            table[key] = recent + [now]
            return true
        }
        guard allowed else {
            throw WebPagesError(.rateLimited, "too many codes entered in a minute; wait a minute and try again")
        }
    }
}

/// The headers every page and image carries (DESIGN.md §15): a strict CSP without inline script
/// or style, no referrer, no caching of personal data, no MIME sniffing.
enum SecurityHeaders {
    static func apply(to headers: inout HTTPFields, frameAncestors: [String]) {
        let ancestors = frameAncestors.isEmpty ? "'none'" : frameAncestors.joined(separator: " ")
        headers[HeaderName("Content-Security-Policy")!] = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
            + "frame-ancestors \(ancestors)"
        headers[HeaderName("Referrer-Policy")!] = "no-referrer"
        headers[HeaderName("X-Content-Type-Options")!] = "nosniff"
        headers[.cacheControl] = "no-store"
        headers[HeaderName("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=()"
        if frameAncestors.isEmpty { headers[HeaderName("X-Frame-Options")!] = "DENY" }
    }
}

/// A header name (HTTPTypes' `HTTPField.Name`, which Hummingbird reaches through `HTTPFields`).
typealias HeaderName = HTTPFields.Element.Name
