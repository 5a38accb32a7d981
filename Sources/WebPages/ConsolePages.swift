import Foundation
import Hummingbird
import Templates
import Workflow

/// The console's pages: envelope list, one envelope, the form that starts one.
extension WebPages {
    func envelopeList(_ request: Request, _ session: ConsoleSessions.Session) async throws -> Response {
        let query = request.uri.queryParameters
        let state = query.get("state").flatMap(Envelope.State.init(rawValue:))
        let template = query.get("template")?.trimmingCharacters(in: .whitespaces) ?? ""
        let owner = query.get("owner")?.trimmingCharacters(in: .whitespaces) ?? ""
        let from = query.get("from") ?? "", to = query.get("to") ?? ""
        let crm = query.get("crm")?.trimmingCharacters(in: .whitespaces) ?? ""
        var storeQuery = EnvelopeQuery(states: state.map { Set([$0]) }, limit: 500)
        if !crm.isEmpty {
            let parts = crm.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            storeQuery.metadataKey = parts.count == 2 ? parts[0] : "lead_id"
            storeQuery.metadataValue = parts.count == 2 ? parts[1] : parts[0]
        }
        let envelopes = try await engine.envelopes(session.principal, query: storeQuery).filter { envelope in
            let created = DisplayTime.day(envelope.createdAt)
            return (template.isEmpty || Self.templateLabel(envelope).localizedCaseInsensitiveContains(template))
                && (owner.isEmpty || (envelope.metadata["owner"] ?? "").localizedCaseInsensitiveContains(owner))
                && (from.isEmpty || created >= from) && (to.isEmpty || created <= to)
        }.sorted { $0.createdAt > $1.createdAt }
        let rows: [[String: Any]] = envelopes.map {
            ["id": $0.id, "subject": $0.subject, "state": $0.state.rawValue, "template": Self.templateLabel($0),
             "owner": $0.metadata["owner"] ?? "", "created": DisplayTime.iso($0.createdAt),
             "crm": $0.metadata.filter { $0.key != "owner" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")]
        }
        return consolePage("console-list", [
            "envelopes": rows, "count": rows.count, "template": template, "owner": owner, "from": from, "to": to, "crm": crm,
            "states": Envelope.State.allCases.map { ["value": $0.rawValue, "selected": $0 == state] },
        ], title: "Envelopes", session: session)
    }

    /// `template@version`, or what else the document came from.
    static func templateLabel(_ envelope: Envelope) -> String {
        // Optional whether or not the model's reference is (uploaded documents have none).
        let reference: TemplateReference? = envelope.template
        return reference.map { "\($0.templateID)@\($0.version)" } ?? "uploaded document"
    }

    func envelopePage(_ session: ConsoleSessions.Session, id: String, notice: String?) async throws -> Response {
        let envelope = try await engine.envelope(session.principal, id: id)
        let events = try await engine.events(session.principal, envelope: id)
        let undelivered = Self.undeliveredEmail(events)
        var preview: Any = false
        if envelope.state == .draft, let document = envelope.documents.first {
            preview = ["pages": (1...max(document.pages, 1)).map {
                ["src": "/console/envelopes/\(id)/documents/\(document.id)/pages/\($0)", "alt": "Page \($0) of \(document.pages) of \(document.name)"]
            }]
        }
        var values: [String: Any] = [
            "id": envelope.id, "subject": envelope.subject, "state": envelope.state.rawValue, "reason": envelope.finishReason.map { $0 as Any } ?? false,
            "template": Self.templateLabel(envelope),
            "metadata": envelope.metadata.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] },
            "recipients": envelope.recipients.map {
                ["id": $0.id, "name": $0.name, "email": $0.email, "role": $0.role.rawValue, "order": $0.routingOrder, "state": $0.state.rawValue,
                 "undelivered": undelivered[$0.id].map { $0 as Any } ?? false,
                 "lockedOut": Self.isLockedOut($0) ? $0.failedAttempts as Any : false]
            },
            "documents": envelope.documents.filter { !$0.purged }.map {
                ["envelope": envelope.id, "id": $0.id, "name": $0.name, "label": $0.sealedSHA256 == nil ? "as sent" : "completed and sealed"]
            },
            "preview": preview, "draft": envelope.state == .draft, "open": envelope.state == .sent,
            "voidable": envelope.state == .sent || envelope.state == .draft,
            "events": events.map { ["sequence": $0.sequence, "at": DisplayTime.iso($0.at), "type": $0.type,
                                    "actor": $0.actor.kind.rawValue + ":" + $0.actor.id] },
        ]
        if let notice { values["notice"] = "Envelope \(notice)." }
        return consolePage("console-envelope", values, title: envelope.subject, session: session)
    }

    /// Whether wrong codes locked the recipient's link (until the invitation is sent again).
    static func isLockedOut(_ recipient: Recipient) -> Bool {
        if case .accessCode = recipient.authentication, recipient.failedAttempts >= OneTimeCode.maximumAttempts { return true }
        return recipient.failedAttempts >= OneTimeCode.lockOutAfter
    }

    /// The recipients an e-mail could not reach since their address was last corrected or their
    /// invitation sent again, with the relay's reason (`recipient.email_failed`).
    static func undeliveredEmail(_ events: [WorkflowEvent]) -> [String: String] {
        var undelivered: [String: String] = [:]
        for event in events {
            guard let recipient = event.data["recipient"] else { continue }
            switch event.type {
            case "recipient.email_failed": undelivered[recipient] = event.personal?["error"] ?? "the reason was purged"
            case "recipient.corrected", "recipient.resent": undelivered[recipient] = nil
            default: break
            }
        }
        return undelivered
    }

    func consoleDocument(_ session: ConsoleSessions.Session, envelope id: String, document documentID: String) async throws
        -> (EnvelopeDocument, [UInt8]) {
        let envelope = try await engine.envelope(session.principal, id: id)
        guard let document = envelope.documents.first(where: { $0.id == documentID }), !document.purged,
              let bytes = try await engine.store.documents.get(document.sealedSHA256 ?? document.sentSHA256) else {
            throw WorkflowError(.notFound, "envelope \(id) has no document \(documentID)")
        }
        return (document, bytes)
    }

    /// The form for a new envelope from a published template; `typed` (a form the engine
    /// refused, with `error`) fills it again with what was typed, so nothing is lost.
    func newEnvelopeForm(_ session: ConsoleSessions.Session, templateID: String, version: String,
                         typed: SubmittedForm? = nil, error: String? = nil) async throws -> Response {
        let form = try await engine.publishedTemplateForm(session.principal, templateID: templateID, version: version)
        let fields: [[String: Any]] = form.fields.map { field in
            let value = typed?["data.\(field.name)"] ?? ""
            let type = field.type
            let inputType: String
            switch type {
            case .email: inputType = "email"
            case .date: inputType = "date"
            case .datetime: inputType = "datetime-local"
            case .integer, .decimal, .money: inputType = "number"
            default: inputType = "text"
            }
            return ["name": field.name, "label": field.label ?? field.name.replacingOccurrences(of: "_", with: " ").capitalized,
                    "required": field.isRequired, "type": type.rawValue, "isEnum": type == .enumeration,
                    "options": field.allowedValues.map { ["value": $0, "selected": $0 == value] },
                    "value": value, "checked": value == "true",
                    "isBoolean": type == .boolean, "isList": type == .list, "isObject": type == .object,
                    "isInput": ![.enumeration, .boolean, .list, .object].contains(type), "inputType": inputType,
                    "step": type == .integer ? "1" as Any : type == .decimal || type == .money ? "any" as Any : false]
        }
        let rows: [[String: Any]] = (1...4).map { n in
            let role = typed?["r\(n).role"] ?? "signer", signatureRole = typed?["r\(n).signatureRole"] ?? ""
            return ["n": n, "name": typed?["r\(n).name"] ?? "", "email": typed?["r\(n).email"] ?? "",
                    "order": typed?["r\(n).order"] ?? String(n), "linkOnly": typed?["r\(n).auth"] == "link",
                    "roleOptions": ["signer", "approver", "cc", "viewer"].map { ["value": $0, "selected": $0 == role] },
                    "roles": form.signatureRoles.map { ["value": $0, "selected": $0 == signatureRole] }]
        }
        var values: [String: Any] = [
            "templateID": templateID, "version": version, "fields": fields, "subject": typed?["subject"] ?? "",
            "message": typed?["message"] ?? "", "crmKey": typed?["crm.key"] ?? "lead_id", "crmValue": typed?["crm.value"] ?? "",
            "owner": typed?["owner"] ?? "", "rows": rows,
        ]
        if let error { values["error"] = error }
        return consolePage("console-new", values, title: error == nil ? "New envelope" : "New envelope (not created)", session: session,
                           status: error == nil ? .ok : .badRequest)
    }

    /// The envelope request a filled form stands for; the engine checks it against the template.
    func envelopeRequest(_ session: ConsoleSessions.Session, _ form: SubmittedForm, templateID: String,
                         version: String) async throws -> EnvelopeRequest {
        let declared = try await engine.publishedTemplateForm(session.principal, templateID: templateID, version: version).fields
        var data: [String: String] = [:]
        for field in declared {
            guard let value = form["data.\(field.name)"]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { continue }
            if field.type == .list {
                // One item per line, as the JSON array the template language takes.
                let items = value.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                data[field.name] = String(decoding: try JSONEncoder().encode(items), as: UTF8.self)
            } else {
                data[field.name] = value
            }
        }
        var recipients: [RecipientRequest] = []
        for row in 1...4 {
            let name = (form["r\(row).name"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { continue }
            let role = Recipient.Role(rawValue: form["r\(row).role"] ?? "") ?? .signer
            let signatureRole = form["r\(row).signatureRole"].flatMap { $0.isEmpty ? nil : $0 }
            recipients.append(RecipientRequest(name: name, email: form["r\(row).email"] ?? "", role: role,
                                               routingOrder: Int(form["r\(row).order"] ?? "") ?? row,
                                               authentication: form["r\(row).auth"] == "link" ? .link : .emailOTP,
                                               signatureRole: role == .signer ? signatureRole : nil))
        }
        var metadata: [String: String] = [:]
        if let key = form["crm.key"]?.trimmingCharacters(in: .whitespaces), let value = form["crm.value"]?.trimmingCharacters(in: .whitespaces),
           !key.isEmpty, !value.isEmpty { metadata[key] = value }
        if let owner = form["owner"]?.trimmingCharacters(in: .whitespaces), !owner.isEmpty { metadata["owner"] = owner }
        return EnvelopeRequest(templateID: templateID, templateVersion: version, subject: form["subject"] ?? "",
                               message: form["message"].flatMap { $0.isEmpty ? nil : $0 }, data: data, recipients: recipients,
                               metadata: metadata)
    }
}
