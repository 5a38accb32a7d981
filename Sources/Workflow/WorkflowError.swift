/// An error from the workflow core: a stable code, a reason saying what was wrong and what to
/// do, and where it was raised. A request that fails with one changed nothing (state, events,
/// outbox and jobs are as they were).
///
/// Equality compares codes, in the style of swift-asn1's errors.
public struct WorkflowError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is (stable; compare codes, not reasons).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// No such thing in this account (also what another account's things look like).
        public static let notFound = Code("notFound")
        /// The principal's role may not do this.
        public static let forbidden = Code("forbidden")
        /// The API key or recipient token is unknown, revoked or expired.
        public static let unauthenticated = Code("unauthenticated")
        /// The envelope, recipient, template or clause is not in a state that allows this.
        public static let illegalTransition = Code("illegalTransition")
        /// The request itself is wrong (a missing name, a bad e-mail, an unknown field, …).
        public static let invalidRequest = Code("invalidRequest")
        /// The one-time code or access code was wrong, expired or used up.
        public static let authenticationFailed = Code("authenticationFailed")
        /// The recipient must consent or authenticate first.
        public static let notAuthenticated = Code("notAuthenticated")
        /// Someone else changed the same record first; read it again and retry.
        public static let conflict = Code("conflict")
        /// The template could not be compiled or the data does not fit it.
        public static let template = Code("template")
        /// Completion failed (generation, sealing, or the sealed file did not verify).
        public static let completion = Code("completion")
        /// The store failed (I/O, a broken database).
        public static let store = Code("store")
        /// Sending e-mail failed for now (no relay, a broken connection, a temporary 4xx reply).
        public static let mail = Code("mail")
        /// The mail relay refused a message for good (a 5xx reply to its sender, a recipient or
        /// its content; an address it cannot carry): sending it again would fail the same way.
        public static let mailRefused = Code("mailRefused")
        /// The evidence does not verify.
        public static let evidence = Code("evidence")
        /// A webhook could not be delivered (refused address, no answer, an error status).
        public static let webhook = Code("webhook")
        /// A received webhook's signature or timestamp does not verify.
        public static let signature = Code("signature")
    }

    public let code: Code
    public let reason: String
    public let fileID: String
    public let line: Int

    public init(_ code: Code, _ reason: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.fileID = fileID
        self.line = line
    }

    public var description: String { "\(code): \(reason)" }

    /// Problems for a reason: one stays on the reason's line; several go one a line, indented,
    /// so a template with six mistakes reads as a list rather than one long line.
    static func listed(_ problems: [String]) -> String {
        problems.count == 1 ? problems[0] : problems.map { "\n  " + $0 }.joined()
    }
    public static func == (lhs: WorkflowError, rhs: WorkflowError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
