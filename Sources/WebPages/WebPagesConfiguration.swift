public import Foundation

/// What the signing pages and the agent console need besides the workflow engine: injected by
/// the server that mounts them (`countersign serve`) or by a test.
public struct WebPagesConfiguration: Sendable {
    /// Marks every cookie `Secure` (leave on in production; browsers also accept `Secure` cookies
    /// from `http://127.0.0.1`, so tests keep it on too).
    public var secureCookies: Bool
    /// The origins allowed to frame the signing page (embedded signing), per account id. An
    /// account that is not listed may not be framed (`frame-ancestors 'none'`).
    public var frameAncestors: [String: [String]]
    /// The key that binds cookies to recipient tokens and CSRF tokens to sessions (HMAC-SHA256).
    /// Give the same key to every instance behind one load balancer; random by default.
    public var sessionKey: [UInt8]
    /// Where rendered page images are cached, by document SHA-256, page and resolution.
    public var pageCacheDirectory: URL
    /// The resolution page images are rendered at (150 dpi: crisp on a high-density phone at
    /// the page's width, small enough to load quickly).
    public var pageDPI: Double
    /// The shipped `Fonts/` folder: the typed signature's script fonts (`SignatureFont`) are served from it.
    public var fontsDirectory: URL
    /// Code entries (one-time or access code) allowed per recipient per minute, on top of the
    /// engine's lock-out after five wrong codes.
    public var codeEntriesPerMinute: Int
    /// How long an agent's console session lasts without a new login.
    public var consoleSessionLifetime: TimeInterval

    public init(fontsDirectory: URL, pageCacheDirectory: URL, secureCookies: Bool = true,
                frameAncestors: [String: [String]] = [:], sessionKey: [UInt8]? = nil, pageDPI: Double = 150,
                codeEntriesPerMinute: Int = 10, consoleSessionLifetime: TimeInterval = 8 * 3600) {
        self.fontsDirectory = fontsDirectory
        self.pageCacheDirectory = pageCacheDirectory
        self.secureCookies = secureCookies
        self.frameAncestors = frameAncestors
        var generator = SystemRandomNumberGenerator()
        self.sessionKey = sessionKey ?? (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        self.pageDPI = pageDPI
        self.codeEntriesPerMinute = codeEntriesPerMinute
        self.consoleSessionLifetime = consoleSessionLifetime
    }
}
