/// An error of the web pages themselves (a bad form, a missing or wrong CSRF token, a session
/// bound to another link): a stable code and a reason saying what was wrong and what to do.
/// Errors of the workflow actions stay `WorkflowError`s.
public struct WebPagesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is (stable; compare codes, not reasons).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The form's CSRF token is missing or not this session's.
        public static let csrf = Code("csrf")
        /// The request carries no session cookie for this link, or one bound to another link.
        public static let session = Code("session")
        /// The form or upload cannot be read.
        public static let badForm = Code("badForm")
        /// Too many requests of this kind in a short time.
        public static let rateLimited = Code("rateLimited")
        /// No such page or page image.
        public static let notFound = Code("notFound")
        /// Rendering a page image failed.
        public static let render = Code("render")
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
    public static func == (lhs: WebPagesError, rhs: WebPagesError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
