import Foundation
import Rendering
import Signing
import Templates
import Typesetting

/// The completed document: the template bound again with the envelope's data and every value
/// recipients filled (so values are typeset like the rest of the page, not overlaid), and each
/// signer's adopted mark drawn in their signature box.
struct FinalDocument {
    var pdf: [UInt8]
    var pages: Int

    static func make(envelope: Envelope, template: CompiledTemplate, typesetter: Typesetter) throws(WorkflowError) -> FinalDocument {
        var row = envelope.data
        var marks: [String: [Block]] = [:]
        var filled: [String: [Block]] = [:]
        let signerFields = Set(template.signerFields.map(\.name))
        for recipient in envelope.recipients where recipient.state == .completed {
            for field in recipient.fields {
                if field.kind == .signature {
                    if let mark = recipient.mark { marks[field.name] = markBlocks(mark, name: recipient.name) }
                } else if signerFields.contains(field.name) {
                    if let value = field.value {
                        filled[field.name] = valueBlocks(value, kind: field.kind, height: field.placement?.height,
                                                         script: recipient.mark?.scriptFont ?? .standard)
                    }
                } else if let value = field.value {
                    row[field.name] = value
                }
            }
        }
        let (values, problems) = template.coerce(row: row)
        guard problems.isEmpty else {
            throw WorkflowError(.completion, "the filled values do not fit the template: " + WorkflowError.listed(problems.map(\.description)))
        }
        do {
            var spec = try template.bind(values, date: String(EventTime.iso(envelope.createdAt).prefix(10)))
            spec.body = spec.body.map { mark($0, marks, filled) }
            let typeset = try typesetter.typeset(spec)
            let pdf = try DocumentFinisher().finish(typeset, info: spec.info)
            return FinalDocument(pdf: pdf, pages: typeset.pageCount)
        } catch let error as WorkflowError {
            throw error
        } catch {
            throw WorkflowError(.completion, "generating the completed document of \(envelope.id): \(error)")
        }
    }

    /// The envelope as its generated document shows it: the values of the template's
    /// `<date-signed>` fields that have a `format` (kept as ISO dates) as that format prints
    /// them in the document's language.
    static func showingSignedDates(_ envelope: Envelope, template: CompiledTemplate) -> Envelope {
        var formats: [String: SignedDateFormat] = [:]
        for declaration in template.signerFields { if let format = declaration.dateFormat { formats[declaration.name] = format } }
        guard !formats.isEmpty else { return envelope }
        let language = template.documentLanguage(for: template.coerce(row: envelope.data).0)
        var shown = envelope
        for (r, recipient) in shown.recipients.enumerated() {
            for (f, field) in recipient.fields.enumerated() where field.kind == .dateSigned {
                if let format = formats[field.name], let value = field.value, let text = format.text(isoDate: value, language: language) {
                    shown.recipients[r].fields[f].value = text
                }
            }
        }
        return shown
    }

    /// The blocks drawn in a signature box: the typed name in its script font, or the PNG.
    static func markBlocks(_ mark: AdoptedMark, name: String) -> [Block] {
        switch mark {
        case .typed(let typed, let font):
            var style = ParagraphStyle()
            style.fontFamily = font.family
            style.fontSize = 22
            style.leading = 1.0
            style.spaceAfter = 0
            style.hyphenate = false
            style.color = Color(red: 0.05, green: 0.12, blue: 0.35)
            return [.paragraph(Paragraph(runs: [.plain(typed)], style: style))]
        case .drawn(let png), .uploaded(let png):
            var image = Image(data: Array(png), format: .png, height: 36)
            image.spaceAfter = 0
            return [.image(image)]
        }
    }

    /// A signer field's value as it sits in its box: initials in the signer's script font (that
    /// of their typed mark), a tick for a ticked checkbox, other values in Liberation Sans sized
    /// to the box.
    static func valueBlocks(_ value: String, kind: Field.Kind, height: Double?, script: SignatureFont) -> [Block]? {
        var style = ParagraphStyle()
        style.leading = 1.05
        style.spaceAfter = 0
        style.hyphenate = false
        let room = max(6, (height ?? 22) - 2)
        switch kind {
        case .initials:
            style.fontFamily = script.family
            style.fontSize = min(22, room * 0.75)
            style.color = Color(red: 0.05, green: 0.12, blue: 0.35)
        case .checkbox:
            guard value == "true" else { return nil }
            style.fontFamily = "DejaVu Sans"
            style.fontSize = room * 0.8
            style.alignment = .center
            return [.paragraph(Paragraph(runs: [.plain("\u{2713}")], style: style))]
        default:
            style.fontFamily = "Liberation Sans"
            style.fontSize = min(11, room * 0.7)
        }
        return [.paragraph(Paragraph(runs: [.plain(value)], style: style))]
    }

    /// The block with every signature box of a signed role marked and every filled signer
    /// field's value in its box, wherever it is nested.
    static func mark(_ block: Block, _ marks: [String: [Block]], _ values: [String: [Block]] = [:]) -> Block {
        switch block {
        case .signature(var box) where box.kind != .signature:
            if let name = box.fieldName, let blocks = values[name] { box.mark = blocks }
            return .signature(box)
        case .signature(var box):
            if let blocks = marks[box.role] {
                if case .image(var image) = blocks.first { image.height = min(image.height ?? box.height, box.height - 2); box.mark = [.image(image)] } else { box.mark = blocks }
            }
            return .signature(box)
        case .keepTogether(let blocks):
            return .keepTogether(blocks.map { mark($0, marks, values) })
        case .list(var list):
            list.items = list.items.map { $0.map { mark($0, marks, values) } }
            return .list(list)
        case .table(var table):
            for row in table.rows.indices {
                for cell in table.rows[row].cells.indices {
                    table.rows[row].cells[cell].blocks = table.rows[row].cells[cell].blocks.map { mark($0, marks, values) }
                }
            }
            return .table(table)
        default:
            return block
        }
    }
}

/// The Certificate of Completion's input, made from the envelope's stored events only.
enum CertificateTrail {
    /// Stored event types and their names on the certificate (Signing's vocabulary). Events not
    /// named here (a code sent, fields filled, a signature adopted, completion queued) stay in the
    /// store's chain but not on the page.
    static let signerNames: [String: String] = [
        "recipient.sent": "sent", "recipient.delivered": "viewed", "recipient.consented": "consented",
        "recipient.authenticated": "authenticated", "authentication.failed": "authenticationFailed",
        "recipient.signed": "signed", "recipient.approved": "approved", "recipient.declined": "declined",
    ]
    static let envelopeNames: [String: String] = [
        "envelope.created": "created", "envelope.sent": "sent", "recipient.reminded": "reminded", "recipient.resent": "resent",
        "recipient.corrected": "corrected",
    ]

    /// `asSent`: the document as sent, when the sealed file will begin with it.
    static func make(envelope: Envelope, events: [WorkflowEvent], document: EnvelopeDocument,
                     asSent: AuditTrail.SentDocument? = nil) throws(WorkflowError) -> AuditTrail {
        func auditEvent(_ event: WorkflowEvent, actor: String) -> AuditTrail.Event {
            AuditTrail.Event(type: signerNames[event.type] ?? envelopeNames[event.type] ?? event.type, at: AuditTime.iso(event.at),
                             actor: actor, ip: event.personal?["ip"], userAgent: event.personal?["userAgent"], order: event.sequence)
        }
        let signers = envelope.recipients.filter(\.role.mustAct).map { recipient in
            let own = events.filter { $0.data["recipient"] == recipient.id && signerNames[$0.type] != nil }
            return AuditTrail.Signer(name: recipient.name, email: recipient.email, role: recipient.signatureRole ?? recipient.role.rawValue,
                                     authentication: recipient.authentication.displayName, ip: recipient.lastIP,
                                     userAgent: recipient.lastUserAgent,
                                     events: own.map { auditEvent($0, actor: $0.actor.kind == .recipient ? recipient.email : "system") })
        }
        let envelopeEvents = events.filter { envelopeNames[$0.type] != nil }.map { event in
            auditEvent(event, actor: event.actor.kind == .key ? (event.actor.onBehalfOf ?? event.actor.id) : "system")
        }
        do {
            return try AuditTrail(checking: envelope.id, documentName: "\(envelope.subject) — \(document.name)", signers: signers,
                                  events: envelopeEvents, documentAsSent: asSent)
        } catch {
            throw WorkflowError(.completion, "the stored events of \(envelope.id) do not make a Certificate of Completion: \(error)")
        }
    }
}
