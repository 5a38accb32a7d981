import Foundation
import PDFSyntax
import Signing
import Templates

extension WorkflowEngine {
    /// The most documents one envelope carries, and the largest upload.
    static let maximumDocuments = 20
    static let maximumUploadBytes = 50 * 1024 * 1024

    /// Creates a draft envelope over uploaded PDFs: each PDF is accepted as signing accepts an
    /// input (and refused when encrypted or already signed), its fields are placed (anchors, text
    /// tags, coordinates) and given to the signers whose `signatureRole` they name; then the
    /// documents are stored by SHA-256 and `envelope.created` recorded. Any problem is an error
    /// naming the document, page and field, and nothing is stored.
    func createEnvelope(_ principal: Principal, _ request: EnvelopeRequest, uploads: [DocumentUpload]) async throws -> Envelope {
        let subject = try checkCommon(request)
        guard (1...Self.maximumDocuments).contains(uploads.count) else {
            throw WorkflowError(.invalidRequest, "documents: give 1 to \(Self.maximumDocuments) PDFs, not \(uploads.count)")
        }
        // `when` conditions read the data as numbers where they are numbers, text otherwise.
        var declarations: [FieldDeclaration] = []
        var values: [String: TemplateValue] = [:]
        for (key, text) in request.data.sorted(by: { $0.key < $1.key }) {
            if let number = Decimal(string: text.trimmingCharacters(in: .whitespaces)), Double(text) != nil {
                declarations.append(FieldDeclaration(name: key, type: .decimal))
                values[key] = .number(number)
            } else {
                declarations.append(FieldDeclaration(name: key, type: .text))
                values[key] = .string(text)
            }
        }
        let requestedRoles = request.recipients.compactMap(\.signatureRole)
        var (recipients, excluded) = try recipients(request, fields: declarations, values: values) { item, what, id, taken throws(WorkflowError) in
            try recipient(item, what: what, template: nil, signatureRoles: requestedRoles, id: id, taken: taken)
        }
        let roles = Set(recipients.compactMap(\.signatureRole))

        var prepared: [(document: EnvelopeDocument, bytes: [UInt8], notices: [String])] = []
        var placed: [FieldPlacer.Placed] = []
        for (index, upload) in uploads.enumerated() {
            let id = "doc_\(index + 1)"
            let name = try Check.nonEmpty(upload.name, "documents[\(index)].name")
            let input = try Self.acceptUpload(upload.pdf, name: name)
            let pages: [PDFPage]
            do { pages = try input.document.pages() } catch {
                throw WorkflowError(.invalidRequest, "document '\(name)': its pages cannot be read: \(error)")
            }
            guard !pages.isEmpty else { throw WorkflowError(.invalidRequest, "document '\(name)' has no pages") }
            if let direct = pages.first(where: \.isDirect) {
                throw WorkflowError(.invalidRequest, "document '\(name)', page \(direct.number): the page is written directly inside its parent's /Kids, not as an object of its own, so fields cannot be drawn on it; rewrite the file first (e.g. `qpdf in.pdf out.pdf`) and upload the rewrite")
            }
            let bytes = input.document.bytes.array
            let placer = try FieldPlacer(documentID: id, name: name, bytes: bytes, pages: pages, roles: roles)
            placed += try placer.place(upload)
            var document = EnvelopeDocument(id: id, name: name, sentSHA256: sha256Hex(bytes), pages: pages.count, origin: .uploaded)
            if !input.keepsInput { document.uploadedSHA256 = sha256Hex(Array(upload.pdf)) }
            prepared.append((document, bytes, input.notices))
        }
        var names: Set<String> = []
        for item in placed {
            guard names.insert(item.field.name).inserted else {
                let where_ = item.field.placement.map { "document \($0.document), page \($0.page)" } ?? ""
                throw WorkflowError(.invalidRequest, "\(where_), field '\(item.field.name)': another field has that name; names are unique in an envelope")
            }
        }
        for index in recipients.indices {
            guard let role = recipients[index].signatureRole else { continue }
            let own = placed.filter { $0.role == role }.map(\.field)
            guard own.contains(where: { $0.kind == .signature }) else {
                throw WorkflowError(.invalidRequest, "\(recipients[index].id) (\(recipients[index].email)): no signature field for role '\(role)' is placed in the documents; place one (anchor, text tag or position)")
            }
            recipients[index].fields = own
        }
        // Fields of roles no included signer has were refused while placing; nothing is left over.

        let now = clock.now()
        let id = Secrets.identifier("env", at: now)
        for item in prepared { _ = try await store.documents.put(item.bytes, heldBy: DocumentHolder(account: principal.account, envelope: id)) }
        var envelope = Envelope(id: id, account: principal.account, subject: subject, template: nil,
                                data: request.data, createdAt: now, createdBy: principal.keyID, metadata: request.metadata,
                                reminders: request.reminders, retention: RetentionPolicy(category: request.retentionCategory))
        envelope.message = request.message
        envelope.recipients = recipients
        envelope.documents = prepared.map(\.document)
        excluded = excluded.sorted()
        var transition = Transition()
        transition.record("envelope.created", principal.actor, data: [
            "documents": prepared.map { "\($0.document.id):\($0.document.sentSHA256):\($0.document.pages)" }.joined(separator: " "),
            "uploaded": prepared.compactMap { item in item.document.uploadedSHA256.map { "\(item.document.id):\($0)" } }.joined(separator: " "),
            "notices": prepared.flatMap(\.notices).joined(separator: "; "),
            "fields": String(placed.count),
            "recipients": recipients.map { "\($0.id):\($0.role.rawValue):\($0.routingOrder)" }.joined(separator: " "),
            "excludedByCondition": excluded.joined(separator: "; "),
        ], personal: ["subject": subject, "documentNames": prepared.map(\.document.name).joined(separator: "\n")])
        let events = chain(&envelope, transition.events, at: now)
        try await commitWithWebhooks(StoreChange(account: principal.account, envelope: envelope, events: events), envelope: envelope)
        return envelope
    }

    /// An uploaded PDF read as signing reads its input; refused when it is too large, encrypted,
    /// unreadable, or already signed (drawing over signed pages would break those signatures).
    static func acceptUpload(_ pdf: Data, name: String) throws(WorkflowError) -> SigningInput {
        guard pdf.count <= maximumUploadBytes else {
            throw WorkflowError(.invalidRequest, "document '\(name)' is \(pdf.count) bytes; the limit is \(maximumUploadBytes)")
        }
        let input: SigningInput
        do {
            input = try SigningInput(PDFBytes(Array(pdf)))
        } catch let error as PDFError where error.code == .encrypted || error.code == .wrongPassword {
            throw WorkflowError(.invalidRequest, "document '\(name)' is encrypted; upload a copy without encryption (e.g. `qpdf --decrypt in.pdf out.pdf` with its password)")
        } catch {
            throw WorkflowError(.invalidRequest, "document '\(name)' cannot be accepted for signing: \(error)")
        }
        // Signing can open a file encrypted with an empty user password, but the fields drawn over
        // its pages would have to be encrypted too, and the envelope would keep a file only the
        // password's holder can change: an encrypted upload is refused either way.
        guard input.document.trailer["Encrypt"] == nil else {
            throw WorkflowError(.invalidRequest, "document '\(name)' is encrypted; upload a copy without encryption (e.g. `qpdf --decrypt in.pdf out.pdf`)")
        }
        guard input.signedFields.isEmpty else {
            throw WorkflowError(.invalidRequest, "document '\(name)' already carries \(input.signedFields.count) signature(s) (\(input.signedFields.joined(separator: ", "))); drawing the envelope's fields over its pages would invalidate them — upload the unsigned original")
        }
        // Every stream decoded once, within the reader's limits (256 MiB a stream, 1 GiB in
        // all): a compression bomb is refused here, before the pages are rendered for the
        // signing page or searched for anchors (a 2 MB file inflating to 2 GB took 28 s to
        // accept and 17 s for each page image). A filter the reader does not decode is left to
        // the renderer.
        let document = input.document
        for number in document.objectNumbers() {
            guard let entry = document.entry(for: number) else { continue }
            do {
                guard let stream = try document.object(PDFReference(number, entry.generation)).streamValue else { continue }
                _ = try document.decodedData(of: stream)
            } catch let error as PDFError where error.code == .limitExceeded {
                throw WorkflowError(.invalidRequest, "document '\(name)', object \(number): \(error.reason) — a compression bomb, or "
                                    + "a document too large to sign; upload a smaller one")
            } catch {
                // An object the reader cannot read or decode whole (a stream /Length off by a
                // few bytes, a filter it leaves to the renderer) is not a bomb.
                continue
            }
        }
        if carriesAuditRecord(input.document) {
            throw WorkflowError(.invalidRequest, "document '\(name)' carries an attached audit.json, the audit record of an earlier sealing (its signature removed since); the seal would attach a second one and the file could not be verified — upload the original document, or remove the attachment first (e.g. `qpdf --remove-attachment=audit.json in.pdf out.pdf`)")
        }
        return input
    }

    /// Whether the document's associated files (/AF) name an `audit.json`, as a sealed file's do.
    private static func carriesAuditRecord(_ document: PDFDocument) -> Bool {
        guard let catalog = try? document.catalog(), case .array(let associated)? = try? document.resolve(catalog, "AF") else {
            return false
        }
        return associated.contains { item in
            guard case .dictionary(let fileSpec)? = try? document.resolve(item) else { return false }
            // /UF first, else /F (a file specification may carry either).
            let unicode: PDFObject? = (try? document.resolve(fileSpec, "UF")) ?? nil
            let plain: PDFObject? = (try? document.resolve(fileSpec, "F")) ?? nil
            let name = (unicode ?? plain)?.stringValue?.text
            return name == "audit.json"
        }
    }
}
