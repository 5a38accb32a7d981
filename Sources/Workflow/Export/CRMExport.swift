import Foundation

/// CRM write-back: what a completed (or otherwise finished) envelope tells the CRM — field
/// values, recipients with their states and times, document hashes and the envelope's metadata.
public struct CRMExport: Sendable, Hashable {
    public var envelope: Envelope

    public init(envelope: Envelope) { self.envelope = envelope }

    /// The export as canonical JSON (sorted keys), the same bytes for the same envelope.
    public var json: String {
        func time(_ date: Date?) -> CanonicalJSON { date.map { .string(EventTime.iso($0)) } ?? .null }
        let recipients: [CanonicalJSON] = envelope.recipients.map { recipient in
            .object([
                "id": .string(recipient.id), "name": .string(recipient.name), "email": .string(recipient.email),
                "role": .string(recipient.role.rawValue), "routingOrder": .int(recipient.routingOrder),
                "state": .string(recipient.state.rawValue), "actedAt": time(recipient.actedAt),
                "authentication": .string(recipient.authentication.displayName),
                "declineReason": recipient.declineReason.map { .string($0) } ?? .null,
            ])
        }
        var fields: [String: CanonicalJSON] = [:]
        for recipient in envelope.recipients {
            for field in recipient.fields where field.kind != .signature { fields[field.name] = field.value.map { .string($0) } ?? .null }
        }
        let documents: [CanonicalJSON] = envelope.documents.map { document in
            .object(["id": .string(document.id), "name": .string(document.name), "sha256": .string(document.sentSHA256),
                     "sealedSHA256": document.sealedSHA256.map { .string($0) } ?? .null, "pages": .int(document.pages)])
        }
        return CanonicalJSON.object([
            "envelope": .string(envelope.id), "state": .string(envelope.state.rawValue), "subject": .string(envelope.subject),
            "template": envelope.template.map { .string("\($0.templateID)@\($0.version)") } ?? .null,
            "templateSHA256": envelope.template.map { .string($0.sha256) } ?? .null, "createdAt": time(envelope.createdAt),
            "sentAt": time(envelope.sentAt), "finishedAt": time(envelope.finishedAt),
            "metadata": .object(envelope.metadata.mapValues { .string($0) }), "fields": .object(fields),
            "recipients": .array(recipients), "documents": .array(documents),
            "evidenceHead": .string(envelope.headHash), "events": .int(envelope.eventCount),
        ]).text
    }

    /// One CSV row per recipient (RFC 4180), with the envelope's columns repeated and one
    /// column per metadata key and field, so a CRM import needs no JSON.
    public static func csv(_ envelopes: [Envelope]) -> String {
        let metadataKeys = Set(envelopes.flatMap(\.metadata.keys)).sorted()
        let fieldNames = Set(envelopes.flatMap { $0.recipients.flatMap { $0.fields.filter { $0.kind != .signature }.map(\.name) } }).sorted()
        let fixed = ["envelope", "state", "template", "finished_at", "recipient", "name", "email", "role",
                     "routing_order", "recipient_state", "acted_at", "document_sha256", "sealed_sha256"]
        let extra: [String] = metadataKeys.map { "metadata." + $0 } + fieldNames.map { "field." + $0 }
        var rows: [[String]] = [fixed + extra]
        for envelope in envelopes {
            var values: [String: String] = [:]
            for recipient in envelope.recipients { for field in recipient.fields { if let value = field.value { values[field.name] = value } } }
            for recipient in envelope.recipients {
                let template = envelope.template.map { $0.templateID + "@" + $0.version } ?? "uploaded"
                var row: [String] = [envelope.id, envelope.state.rawValue, template, envelope.finishedAt.map(EventTime.iso) ?? ""]
                row += [recipient.id, recipient.name, recipient.email, recipient.role.rawValue, String(recipient.routingOrder)]
                row += [recipient.state.rawValue, recipient.actedAt.map(EventTime.iso) ?? ""]
                row.append(envelope.documents.map(\.sentSHA256).joined(separator: " "))
                row.append(envelope.documents.compactMap(\.sealedSHA256).joined(separator: " "))
                row += metadataKeys.map { envelope.metadata[$0] ?? "" }
                row += fieldNames.map { values[$0] ?? "" }
                rows.append(row)
            }
        }
        return rows.map { $0.map(quote).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// One cell (RFC 4180): quoted when it holds a comma, a quote or a line break — looked for
    /// by scalar, since "\r\n" is one `Character` and equals neither "\r" nor "\n" — so a value
    /// with line breaks stays one cell, its text whole. A leading `=`, `+`, `-`, `@`, tab or
    /// line break would start a formula in a spreadsheet (OWASP's CSV injection list): a `'`
    /// goes first.
    static func quote(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r", "\n"].contains(first) { text = "'" + text }
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension WorkflowEngine {
    /// The CRM export of an envelope (every role may read it).
    public func export(_ principal: Principal, envelope id: String) async throws -> CRMExport {
        CRMExport(envelope: try await envelope(principal, id: id))
    }
}
