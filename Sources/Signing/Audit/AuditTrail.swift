import CountersignCrypto
import InputChecks
public import Foundation

/// What happened in an envelope: who signed, how they were authenticated, from where, and
/// when — the input of the Certificate of Completion (schema in docs/audit.md).
public struct AuditTrail: Sendable, Hashable, Codable {
    public struct Event: Sendable, Hashable, Codable {
        /// What happened: one of `envelopeEventTypes` (envelope events) or `signerEventTypes`.
        public var type: String
        /// When, ISO 8601 with a zone (`2026-03-02T14:05:09Z`).
        public var at: String
        /// Who did it (an email, or `system`); signer events default to the signer's email.
        public var actor: String?
        public var ip: String?
        public var userAgent: String?
        /// Where the event stands among events of the same second, when the caller knows (a
        /// workflow's event sequence): times are whole seconds, and an envelope created, sent
        /// and signed within one would otherwise be listed signers first. Not part of the JSON.
        public var order: Int?

        enum CodingKeys: String, CodingKey { case type, at, actor, ip, userAgent }

        public init(type: String, at: String, actor: String? = nil, ip: String? = nil, userAgent: String? = nil, order: Int? = nil) {
            self.type = type
            self.at = at
            self.actor = actor
            self.ip = ip
            self.userAgent = userAgent
            self.order = order
        }
    }

    public struct Signer: Sendable, Hashable, Codable {
        public var name: String
        public var email: String
        public var role: String
        /// How the signer was authenticated (e.g. `Email OTP`, `SMS OTP`, `SSO`).
        public var authentication: String
        public var ip: String?
        public var userAgent: String?
        public var events: [Event]

        public init(name: String, email: String, role: String, authentication: String, ip: String? = nil,
                    userAgent: String? = nil, events: [Event]) {
            self.name = name
            self.email = email
            self.role = role
            self.authentication = authentication
            self.ip = ip
            self.userAgent = userAgent
            self.events = events
        }
    }

    /// The document as it was sent to the signers, when the sealed file begins with it byte for
    /// byte: its SHA-256 and length. The Certificate of Completion shows it, so anyone holding
    /// the document they were sent can compare it with the sealed file's first revision.
    public struct SentDocument: Sendable, Hashable, Codable {
        public var sha256: String
        public var bytes: Int

        public init(sha256: String, bytes: Int) {
            self.sha256 = sha256
            self.bytes = bytes
        }
    }

    public var envelopeId: String
    public var documentName: String
    public var signers: [Signer]
    /// Envelope-level events (created, sent, completed); optional.
    public var events: [Event]?
    /// The document as sent, when the file being sealed begins with it; optional.
    public var documentAsSent: SentDocument?

    /// A trail built in code, checked as `load` checks a file (every problem named by its path).
    public init(checking envelopeId: String, documentName: String, signers: [Signer], events: [Event]?,
                documentAsSent: SentDocument? = nil) throws {
        self.envelopeId = envelopeId
        self.documentName = documentName
        self.signers = signers
        self.events = events
        self.documentAsSent = documentAsSent
        try validate()
    }

    /// Reads and checks an events file; every problem names its JSON path. A key the file may
    /// not have (`userAgnet`) is refused with the one meant, rather than dropped with its value
    /// from the evidence; `othersKeys` are top-level keys another reader takes (a JSON Lines
    /// batch's `document`).
    public static func load(_ data: Data, othersKeys: Set<String> = []) throws -> AuditTrail {
        let trail: AuditTrail
        do {
            trail = try StrictJSONDecoder(what: "an audit events file", othersKeys: othersKeys).decode(AuditTrail.self, from: data)
        } catch let unknown as StrictJSONDecoder.KeyProblem {
            throw SigningError(.badAudit, "audit events: \(unknown)")
        } catch let DecodingError.keyNotFound(key, context) {
            throw SigningError(.badAudit, "audit events: \(path(context.codingPath + [key])) is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw SigningError(.badAudit, "audit events: \(path(context.codingPath)) has the wrong type: \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw SigningError(.badAudit, "audit events: the file is not JSON (\(context.underlyingError.map { "\($0.localizedDescription)" } ?? context.debugDescription)); --audit takes the audit events as JSON")
        } catch let DecodingError.dataCorrupted(context) {
            throw SigningError(.badAudit, "audit events: \(path(context.codingPath)) is not valid: \(context.debugDescription)")
        } catch {
            throw SigningError(.badAudit, "audit events: \(error)")
        }
        try trail.validate()
        return trail
    }

    /// The event types an events file may use (docs/audit.md): envelope events and signer events.
    public static let envelopeEventTypes: Set<String> = ["created", "sent", "resent", "reminded", "corrected", "completed",
                                                         "declined", "voided", "expired"]
    public static let signerEventTypes: Set<String> = ["sent", "delivered", "viewed", "authenticated", "authenticationFailed",
                                                       "consented", "signed", "approved", "declined"]

    /// Every problem with the file on its own — not just the first — each naming its JSON path.
    public var problems: [String] {
        var problems: [String] = []
        if envelopeId.isEmpty { problems.append("envelopeId is empty") }
        if signers.isEmpty { problems.append("signers is empty; at least one signer is required") }
        for (index, signer) in signers.enumerated() {
            if !signer.email.contains("@") {
                problems.append("signers[\(index)].email '\(signer.email)' is not an email address")
            }
            if signer.role.isEmpty { problems.append("signers[\(index)].role is empty") }
            problems += Self.eventProblems(signer.events, at: "signers[\(index)].events", allowed: Self.signerEventTypes)
        }
        problems += Self.eventProblems(events ?? [], at: "events", allowed: Self.envelopeEventTypes)
        if let sent = documentAsSent {
            if !DigestAlgorithm.isSHA256Hex(sent.sha256) {
                problems.append("documentAsSent.sha256 '\(sent.sha256)' is not a SHA-256 in lowercase hex")
            }
            if sent.bytes <= 0 { problems.append("documentAsSent.bytes \(sent.bytes) is not a positive length") }
        }
        return problems
    }

    /// Problems of a list of events: unknown types, times that do not parse, times out of order.
    private static func eventProblems(_ events: [Event], at path: String, allowed: Set<String>) -> [String] {
        var problems: [String] = []
        var previous: (index: Int, date: Date)? = nil
        for (index, event) in events.enumerated() {
            if !allowed.contains(event.type) {
                problems.append("\(path)[\(index)].type '\(event.type)' is not one of \(allowed.sorted().joined(separator: ", "))")
            }
            guard let date = AuditTime.parse(event.at) else {
                problems.append("\(path)[\(index)].at '\(event.at)' is not an ISO 8601 time with a zone")
                continue
            }
            if let previous, date < previous.date {
                problems.append("\(path)[\(index)].at \(event.at) is before \(path)[\(previous.index)].at "
                                + "\(events[previous.index].at); list the events in the order they happened")
            }
            previous = (index, date)
        }
        return problems
    }

    /// Problems of this trail for a document whose signature fields are `fieldNames`: every
    /// signer's role must name one (`sig_<role>`, what templates make, or the role itself).
    public func problems(signatureFields fieldNames: [String]) -> [String] {
        let names = Set(fieldNames)
        return signers.enumerated().compactMap { index, signer in
            if names.contains("sig_\(signer.role)") || names.contains(signer.role) { return nil }
            let available = fieldNames.isEmpty ? "the document has no signature fields"
                : "its signature fields are \(fieldNames.sorted().joined(separator: ", "))"
            return "signers[\(index)].role '\(signer.role)' names no signature field of this document "
                + "(looked for sig_\(signer.role)); \(available) — are these the events of another document?"
        }
    }

    func validate() throws {
        let problems = problems
        guard problems.isEmpty else {
            throw SigningError(.badAudit, "audit events: " + problems.joined(separator: "; "))
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String { JSONPath.text(keys) }
}

/// Parsing and printing audit times (ISO 8601 with a zone; shown in UTC).
public enum AuditTime {
    public static func parse(_ text: String) -> Date? {
        if let date = parseCanonical(text) { return date }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` or `…±HH:MM`, every field in range, without a formatter: the
    /// audit page parses each event time per document, and creating ICU formatters for that was a
    /// quarter of sealing time. Anything else (fractions, leap seconds, odd forms) returns nil and
    /// goes to `ISO8601DateFormatter`, so what is accepted and its value do not change.
    static func parseCanonical(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 20 || b.count == 25 else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for index in start..<(start + count) {
                guard b[index] >= 0x30, b[index] <= 0x39 else { return nil }
                value = value * 10 + Int(b[index] - 0x30)
            }
            return value
        }
        guard b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              year >= 1, (1...12).contains(month), hour < 24, minute < 60, second < 60 else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day >= 1, day <= lengths[month - 1] else { return nil }
        var offset = 0
        if b.count == 20 {
            guard b[19] == UInt8(ascii: "Z") else { return nil }
        } else {
            guard b[19] == UInt8(ascii: "+") || b[19] == UInt8(ascii: "-"), b[22] == UInt8(ascii: ":"),
                  let offsetHours = number(20, 2), let offsetMinutes = number(23, 2),
                  offsetHours < 24, offsetMinutes < 60 else { return nil }
            offset = (offsetHours * 60 + offsetMinutes) * 60 * (b[19] == UInt8(ascii: "-") ? -1 : 1)
        }
        // Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// `2026-03-02 14:05:09 UTC`.
    public static func display(_ date: Date) -> String {
        let t = utc(date)
        return "\(t.year)-\(t.month)-\(t.day) \(t.hour):\(t.minute):\(t.second) UTC"
    }

    /// `2026-03-02T14:05:09Z`.
    public static func iso(_ date: Date) -> String {
        let t = utc(date)
        return "\(t.year)-\(t.month)-\(t.day)T\(t.hour):\(t.minute):\(t.second)Z"
    }

    /// `D:20260302140509Z`, the PDF date form.
    public static func pdf(_ date: Date) -> String {
        let t = utc(date)
        return "D:\(t.year)\(t.month)\(t.day)\(t.hour)\(t.minute)\(t.second)Z"
    }

    /// Calendar fields in UTC, zero-padded — gmtime_r, not a formatter: creating ICU date
    /// formatters per document was a measurable part of signing time.
    private static func utc(_ date: Date) -> (year: String, month: String, day: String, hour: String, minute: String, second: String) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return (pad(parts.tm_year + 1900, 4), pad(parts.tm_mon + 1), pad(parts.tm_mday), pad(parts.tm_hour),
                pad(parts.tm_min), pad(parts.tm_sec))
    }
}
