import Foundation
import InputChecks
import Batch
import Templates
import Typesetting

extension WorkflowEngine {
    /// Creates a draft envelope from a published template version and data (role agent): the
    /// data is checked against the template, conditional recipients are decided, the document
    /// is generated and stored, and `envelope.created` is recorded.
    public func createEnvelope(_ principal: Principal, _ request: EnvelopeRequest) async throws -> Envelope {
        try principal.require(.agent, to: "create envelopes")
        try await requirePrintable(request)
        if let uploads = request.documents {
            guard request.templateID == nil, request.templateVersion == nil, request.documentDate == nil else {
                throw WorkflowError(.invalidRequest, "give either documents (uploaded PDFs) or templateID and templateVersion (and documentDate), not both")
            }
            return try await createEnvelope(principal, request, uploads: uploads)
        }
        guard let templateID = request.templateID, let templateVersion = request.templateVersion else {
            throw WorkflowError(.invalidRequest, "give templateID and templateVersion (a published template) or documents (uploaded PDFs)")
        }
        let (version, compiled) = try await publishedTemplate(account: principal.account, templateID: templateID,
                                                              version: templateVersion)
        let subject = try checkCommon(request)
        var (values, problems) = compiled.coerce(row: request.data)
        problems += compiled.misspelledKeys(in: request.data.keys)
        guard problems.isEmpty else {
            throw WorkflowError(.template, "the data does not fit \(version.reference): " + WorkflowError.listed(problems.map(\.description)))
        }
        let now = clock.now()
        let (recipients, excluded) = try recipients(request, fields: compiled.fields, values: values) { item, what, id, taken throws(WorkflowError) in
            try recipient(item, what: what, template: compiled, signatureRoles: compiled.signatureRoles, id: id, taken: taken)
        }
        let generated: DocumentGenerator.Output
        do {
            let date = request.documentDate ?? String(EventTime.iso(now).prefix(10))
            generated = try await typesetters.with { typesetter in
                try DocumentGenerator(template: compiled, typesetter: typesetter).generate(values, date: date)
            }
        } catch {
            throw WorkflowError(.template, "generating \(version.reference): \(error)")
        }
        try Self.requireSigners(for: generated.signatures, recipients: recipients, excluded: excluded, template: version.reference)
        let id = Secrets.identifier("env", at: now)
        let hash = try await store.documents.put(generated.pdf, heldBy: DocumentHolder(account: principal.account, envelope: id))
        var envelope = Envelope(id: id, account: principal.account, subject: subject,
                                template: TemplateReference(templateID: version.templateID, version: version.version,
                                                            sha256: compiled.sha256Hex),
                                data: request.data, createdAt: now, createdBy: principal.keyID, metadata: request.metadata,
                                reminders: request.reminders, retention: RetentionPolicy(category: request.retentionCategory))
        envelope.message = request.message
        envelope.recipients = try Self.withSignerFields(recipients, template: compiled, placed: generated.fields)
        envelope.documents = [EnvelopeDocument(id: "doc_1", name: "\(version.templateID).pdf", sentSHA256: hash, pages: generated.pages)]
        var transition = Transition()
        transition.record("envelope.created", principal.actor, data: [
            "template": version.reference, "templateSHA256": compiled.sha256Hex, "document": hash,
            "pages": String(generated.pages), "recipients": recipients.map { "\($0.id):\($0.role.rawValue):\($0.routingOrder)" }.joined(separator: " "),
            "excludedByCondition": excluded.joined(separator: "; "),
        ], personal: ["subject": subject])
        let events = chain(&envelope, transition.events, at: now)
        try await commitWithWebhooks(StoreChange(account: principal.account, envelope: envelope, events: events), envelope: envelope)
        return envelope
    }

    /// The subject, once the retention category and the reminders are checked too.
    func checkCommon(_ request: EnvelopeRequest) throws(WorkflowError) -> String {
        let subject = try Check.nonEmpty(request.subject, "the subject")
        guard RetentionPolicy.categories[request.retentionCategory] != nil else {
            throw WorkflowError(.invalidRequest, "unknown retention category '\(request.retentionCategory)'; use one of "
                                + RetentionPolicy.categories.keys.sorted().joined(separator: ", "))
        }
        guard request.reminders.interval >= 3600, request.reminders.maximum >= 0 else {
            throw WorkflowError(.invalidRequest, "reminders: the interval must be at least one hour and the maximum not negative")
        }
        try Self.checkMetadata(request.metadata)
        guard request.data.count <= Self.maximumDataKeys else {
            throw WorkflowError(.invalidRequest, "data has \(request.data.count) keys; an envelope takes at most \(Self.maximumDataKeys)")
        }
        return subject
    }

    /// Limits on what rides along with every event, webhook and export: CRM metadata (as
    /// Stripe's: 50 keys of up to 40 characters, values up to 500) and template data keys.
    static let maximumMetadataKeys = 50, maximumMetadataKeyLength = 40, maximumMetadataValueLength = 500
    static let maximumDataKeys = 1_000

    /// Metadata within the limits; keys free of control and directional characters, values too
    /// except for line breaks and tabs (a CRM note may have several lines).
    static func checkMetadata(_ metadata: [String: String]) throws(WorkflowError) {
        guard metadata.count <= maximumMetadataKeys else {
            throw WorkflowError(.invalidRequest, "metadata has \(metadata.count) keys; an envelope takes at most \(maximumMetadataKeys)")
        }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            guard !key.isEmpty, key.count <= maximumMetadataKeyLength else {
                throw WorkflowError(.invalidRequest, "metadata key '\(key.prefix(60))' must have 1 to \(maximumMetadataKeyLength) characters")
            }
            guard value.count <= maximumMetadataValueLength else {
                throw WorkflowError(.invalidRequest, "metadata.\(key) is longer than \(maximumMetadataValueLength) characters")
            }
            try Check.visible(key, "metadata key '\(key.debugDescription.dropFirst().dropLast())'")
            try Check.visible(value, "metadata.\(key)", multiline: true)
        }
    }

    /// The recipients whose `when` holds over `values` (and a note on each left out), each made by `make`.
    func recipients(_ request: EnvelopeRequest, fields: [FieldDeclaration], values: [String: TemplateValue],
                    make: (RecipientRequest, String, String, [Recipient]) throws(WorkflowError) -> Recipient)
        throws(WorkflowError) -> ([Recipient], [String]) {
        // Each recipient is an invitation, a routing step and lines of the certificate: a
        // request with thousands is a mistake (or an attack), not a contract.
        guard request.recipients.count <= Recipient.maximumPerEnvelope else {
            throw WorkflowError(.invalidRequest, "recipients: \(request.recipients.count) given; an envelope has at most "
                                + "\(Recipient.maximumPerEnvelope) (for many separate signers, use a bulk send)")
        }
        var recipients: [Recipient] = []
        var excluded: [String] = []
        for (index, item) in request.recipients.enumerated() {
            let what = "recipients[\(index)]"
            if let when = item.when {
                let condition: TemplateCondition
                do {
                    condition = try TemplateCondition(when, fields: fields)
                } catch {
                    throw WorkflowError(.invalidRequest, "\(what).when: \(error.diagnostics.map(\.message).joined(separator: "; "))")
                }
                guard condition.evaluate(values) else {
                    excluded.append("\(item.role.rawValue) \(index) (\(when))")
                    continue
                }
            }
            recipients.append(try make(item, what, "rcp_\(index + 1)", recipients))
        }
        guard recipients.contains(where: { $0.role.mustAct }) else {
            throw WorkflowError(.invalidRequest, "the envelope needs at least one signer or approver (after the `when` conditions)")
        }
        return (recipients, excluded)
    }

    /// A recipient checked: name, e-mail, routing order, authentication, and — for a signer — a
    /// `signatureRole` among `signatureRoles`. Fields named in the request fill `template`'s
    /// fields (a generated document); an uploaded document's fields are placed, not named.
    func recipient(_ item: RecipientRequest, what: String, template: CompiledTemplate?, signatureRoles: [String], id: String,
                   taken: [Recipient]) throws(WorkflowError) -> Recipient {
        let name = try Check.nonEmpty(item.name, "\(what).name")
        let email = try Check.email(item.email, "\(what).email")
        guard (1...1000).contains(item.routingOrder) else {
            throw WorkflowError(.invalidRequest, "\(what).routingOrder \(item.routingOrder) is not between 1 and 1000")
        }
        let authentication: Authentication
        switch item.authentication {
        case .link: authentication = .link
        case .emailOTP: authentication = .emailOTP
        case .accessCode(let code):
            guard code.count >= 4 else { throw WorkflowError(.invalidRequest, "\(what): an access code needs at least 4 characters") }
            authentication = .accessCode(sha256: sha256Hex(code))
        }
        var fields: [Field] = []
        if let role = item.signatureRole {
            guard item.role == .signer else {
                throw WorkflowError(.invalidRequest, "\(what): only a signer has a signature role (this one is \(item.role.rawValue))")
            }
            guard signatureRoles.contains(role) else {
                throw WorkflowError(.invalidRequest, "\(what).signatureRole '\(role)' is not a signature of the "
                                    + (template == nil ? "documents; their signature fields are for " : "template; it has ")
                                    + signatureRoles.joined(separator: ", "))
            }
            guard !taken.contains(where: { $0.signatureRole == role }) else {
                throw WorkflowError(.invalidRequest, "\(what).signatureRole '\(role)' is already another signer's")
            }
            if template != nil { fields.append(Field(name: role, kind: .signature)) }
        } else if item.role == .signer {
            throw WorkflowError(.invalidRequest, "\(what): a signer needs a signatureRole, one of " + signatureRoles.joined(separator: ", "))
        }
        if template == nil, !item.fields.isEmpty {
            throw WorkflowError(.invalidRequest, "\(what).fields: on uploaded documents fields are placed in documents[].fields or by text tags, with the signer's role")
        }
        for (index, request) in item.fields.enumerated() {
            guard let template else { break }
            fields.append(try field(request, what: "\(what).fields[\(index)]", template: template,
                                    taken: taken.flatMap(\.fields) + fields))
        }
        guard fields.isEmpty || item.role.mustAct else {
            throw WorkflowError(.invalidRequest, "\(what): a \(item.role.rawValue) fills no fields")
        }
        return Recipient(id: id, name: name, email: email, role: item.role, routingOrder: item.routingOrder,
                         authentication: authentication, signatureRole: item.signatureRole, condition: item.when, fields: fields)
    }

    /// A field request checked against the template field it fills: kinds must fit types.
    func field(_ request: FieldRequest, what: String, template: CompiledTemplate, taken: [Field]) throws(WorkflowError) -> Field {
        guard request.kind != .signature else {
            throw WorkflowError(.invalidRequest, "\(what): signature fields come from the recipient's signatureRole")
        }
        guard let declaration = template.fields.first(where: { $0.name == request.name }) else {
            throw WorkflowError(.invalidRequest, "\(what): '\(request.name)' is not a field of the template")
        }
        guard !taken.contains(where: { $0.name == request.name && $0.kind != .signature }) else {
            throw WorkflowError(.invalidRequest, "\(what): '\(request.name)' is already another field's")
        }
        let fits: Bool
        var options: [String] = []
        switch request.kind {
        case .text, .initials: fits = declaration.type == .text
        case .checkbox: fits = declaration.type == .boolean
        case .dateSigned: fits = declaration.type == .date
        case .dropdown:
            fits = declaration.type == .enumeration
            options = declaration.allowedValues
        case .signature: fits = false
        }
        guard fits else {
            throw WorkflowError(.invalidRequest, "\(what): a \(request.kind.rawValue) field cannot fill '\(request.name)', a \(declaration.type.rawValue) field")
        }
        return Field(name: request.name, kind: request.kind, required: request.required, options: options)
    }

    /// The template's signer fields (`<initials>`, `<date-signed>`, `<text-field>`, `<checkbox>`,
    /// `<dropdown>`) given to the signers of their roles, each with where it was laid out.
    /// Refuses a contract with a required signature nobody will sign: sealed, it would carry a
    /// blank signature line under a certificate saying the envelope was completed. A signature
    /// the template marks `required="false"` may stay unsigned.
    static func requireSigners(for placed: [PlacedSignature], recipients: [Recipient], excluded: [String],
                               template: String) throws(WorkflowError) {
        let signing = Set(recipients.compactMap(\.signatureRole))
        let unsigned = placed.filter { $0.required && !signing.contains($0.role) }.map(\.role)
        guard unsigned.isEmpty else {
            throw WorkflowError(.invalidRequest, "\(template) has a required signature for "
                                + unsigned.map { "'\($0)'" }.joined(separator: ", ") + " but no signer has that signatureRole; add a signer "
                                + "with signatureRole '\(unsigned[0])'" + (excluded.isEmpty ? "" : " (left out by their condition: "
                                + excluded.joined(separator: "; ") + ")"))
        }
    }

    static func withSignerFields(_ recipients: [Recipient], template: CompiledTemplate,
                                 placed: [PlacedField]) throws(WorkflowError) -> [Recipient] {
        var recipients = recipients
        for declaration in template.signerFields {
            guard let index = recipients.firstIndex(where: { $0.signatureRole == declaration.role }) else { continue }
            guard !recipients.flatMap(\.fields).contains(where: { $0.name == declaration.name }) else {
                throw WorkflowError(.invalidRequest, "recipients[\(index)].fields: '\(declaration.name)' is a signer field of the template already")
            }
            guard let kind = Field.Kind(rawValue: declaration.kind.rawValue) else { continue }
            let box = placed.first { $0.name == declaration.name }
            let placement = box.map { FieldPlacement(document: "doc_1", page: $0.page, x: $0.x0, y: $0.y0,
                                                     width: $0.x1 - $0.x0, height: $0.y1 - $0.y0) }
            recipients[index].fields.append(Field(name: declaration.name, kind: kind, required: declaration.required,
                                                  options: declaration.options, placement: placement,
                                                  maxLength: declaration.maxLength, pattern: declaration.pattern, label: box?.label))
        }
        return recipients
    }
}
