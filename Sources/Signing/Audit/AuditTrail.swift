public import Foundation

/// What happened in an envelope: who signed, how they were authenticated, from where, and
/// when — the input of the Certificate of Completion (schema in docs/audit.md).
public struct AuditTrail: Sendable, Hashable, Codable {
    public struct Event: Sendable, Hashable, Codable {
        /// What happened: `created`, `sent`, `viewed`, `consented`, `signed`, `completed`, …
        public var type: String
        /// When, ISO 8601 with a zone (`2026-03-02T14:05:09Z`).
        public var at: String
        /// Who did it (an email, or `system`); signer events default to the signer's email.
        public var actor: String?
        public var ip: String?
        public var userAgent: String?
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
    }

    public var envelopeId: String
    public var documentName: String
    public var signers: [Signer]
    /// Envelope-level events (created, sent, completed); optional.
    public var events: [Event]?

    /// Reads and checks an events file; every problem names its JSON path.
    public static func load(_ data: Data) throws -> AuditTrail {
        let trail: AuditTrail
        do {
            trail = try JSONDecoder().decode(AuditTrail.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw SigningError(.badAudit, "audit events: \(path(context.codingPath + [key])) is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw SigningError(.badAudit, "audit events: \(path(context.codingPath)) has the wrong type: \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            throw SigningError(.badAudit, "audit events: not valid JSON at \(path(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw SigningError(.badAudit, "audit events: \(error)")
        }
        try trail.validate()
        return trail
    }

    func validate() throws {
        guard !envelopeId.isEmpty else { throw SigningError(.badAudit, "audit events: envelopeId is empty") }
        guard !signers.isEmpty else { throw SigningError(.badAudit, "audit events: signers is empty; at least one signer is required") }
        for (index, signer) in signers.enumerated() {
            guard signer.email.contains("@") else {
                throw SigningError(.badAudit, "audit events: signers[\(index)].email '\(signer.email)' is not an email address")
            }
            for (eventIndex, event) in signer.events.enumerated() where AuditTime.parse(event.at) == nil {
                throw SigningError(.badAudit, "audit events: signers[\(index)].events[\(eventIndex)].at '\(event.at)' is not an ISO 8601 time with a zone")
            }
        }
        for (index, event) in (events ?? []).enumerated() where AuditTime.parse(event.at) == nil {
            throw SigningError(.badAudit, "audit events: events[\(index)].at '\(event.at)' is not an ISO 8601 time with a zone")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            .trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}

/// Parsing and printing audit times (ISO 8601 with a zone; shown in UTC).
public enum AuditTime {
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
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
