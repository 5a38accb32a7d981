import CountersignCrypto
import Foundation
import PDFSyntax
public import Signing
import Templates
import Typesetting
import Verification

extension WorkflowEngine {
    /// Completes an envelope whose signers and approvers have all acted (the completion job):
    /// each document gets the filled values and marks (`finalDocument`), a Certificate of
    /// Completion built from the stored events, sealed once by the organisation
    /// (`SealConfiguration.profile`: B-LTA when there is a TSA and the seal's certificate names
    /// revocation sources), and verified; only then is the envelope marked `completed`, in one
    /// transaction with its event, its ledger entry, the CC e-mails and the job's own completion. Run twice (a
    /// crash, two workers), it completes once: the second commit finds the job done or the
    /// envelope's revision moved, and stops. Returns whether this run committed the completion
    /// (and with it finished the job); false when there was nothing to complete.
    @discardableResult
    func complete(account: String, envelope id: String, job jobID: String) async throws -> Bool {
        guard let prepared = try await prepareCompletion(account: account, envelope: id) else { return false }
        let sealed = try await sealCompletion(prepared)
        try await commitCompletion(prepared, sealed, job: jobID)
        return true
    }

    /// What a completion reads before it seals: the envelope, its events, its first document as
    /// sent and its compiled template.
    struct PreparedCompletion: Sendable {
        let seal: SealConfiguration
        let envelope: Envelope
        let events: [WorkflowEvent]
        let firstSent: [UInt8]?
        let template: CompiledTemplate?
    }

    /// What a completion's sealing made: each document's sealed file, by document id.
    struct SealedCompletion: Sendable {
        let sealed: [String: String]
        /// The documents whose sealed file begins with the bytes as sent.
        let keptAsSent: [String]
        let at: Date
    }

    /// The completion's reads (the first of its three steps; `complete`). Nil when there is
    /// nothing to complete: the envelope is completed, voided or not fully acted on.
    func prepareCompletion(account: String, envelope id: String) async throws -> PreparedCompletion? {
        guard let seal = configuration.seal else {
            throw WorkflowError(.completion, "no organisation seal is configured; completion needs a signing identity")
        }
        guard let read = try await store.envelope(account: account, id: id) else {
            throw WorkflowError(.notFound, "no envelope \(id)")
        }
        guard read.state == .sent, read.completionQueued, Routing.allActed(read) else { return nil }
        // The events, the first document as sent and the template are read at once: on PostgreSQL
        // each read is a round trip. Further documents are read one at a time as their turn comes
        // in `sealCompletion`.
        async let eventsRead = store.events(account: account, stream: id)
        async let firstRead = sentBytes(of: read.documents.first)
        var compiled: CompiledTemplate?
        if let reference = read.template {
            guard let version = try await store.templateVersion(account: account, templateID: reference.templateID,
                                                                 version: reference.version) else {
                throw WorkflowError(.completion, "the template \(reference.templateID)@\(reference.version) of \(id) is gone")
            }
            compiled = try await compile(version)
            guard compiled?.sha256Hex == reference.sha256 else {
                throw WorkflowError(.evidence, "template \(version.reference) no longer compiles to the hash envelope \(id) was made with")
            }
        }
        return PreparedCompletion(seal: seal, envelope: read, events: try await eventsRead, firstSent: try await firstRead, template: compiled)
    }

    /// The completion's sealing (its second step): every document drawn, certified, sealed,
    /// stored and verified, with one sealer from the pool.
    func sealCompletion(_ prepared: PreparedCompletion) async throws -> SealedCompletion {
        let seal = prepared.seal
        let read = prepared.envelope, events = prepared.events, first = prepared.firstSent, compiled = prepared.template
        let id = read.id
        let now = clock.now()
        let (sealed, keptAsSent): ([String: String], [String]) = try await sealers.with { sealer in
            var sealed: [String: String] = [:], keptAsSent: [String] = []
            for (index, document) in read.documents.enumerated() {
                let sent = index == 0 ? first : try await sentBytes(of: document)
                let (final, sentLength) = try finalDocument(document, sent: sent, of: read, template: compiled,
                                                            typesetter: sealer.typesetter)
                if sentLength != nil { keptAsSent.append(document.id) }
                let trail = try CertificateTrail.make(envelope: read, events: events, document: document,
                                                      asSent: sentLength.map { AuditTrail.SentDocument(sha256: document.sentSHA256, bytes: $0) })
                let request = SignatureRequest(
                    placement: .invisible(fieldName: "countersign_seal"),
                    reason: "Completed envelope \(id); evidence chain head \(read.headHash) (\(read.eventCount) events)",
                    profile: seal.profile, signingTime: now, audit: trail)
                let bytes: [UInt8]
                do {
                    bytes = try sealer.signer.sign(final, request: request)
                } catch {
                    throw WorkflowError(.completion, "sealing \(document.name) of \(id): \(error)")
                }
                // The durable write (mostly waiting on fsync) runs while the seal is verified (CPU).
                // A seal that fails verification leaves its file stored but named by no envelope,
                // as a commit that loses a race does: content-addressed, it harms nothing.
                async let stored = store.documents.put(bytes, heldBy: DocumentHolder(account: read.account, envelope: id))
                let report = sealer.verifier.verify(bytes: bytes, name: document.name)
                guard report.verdict == .passed, let audit = report.audit, audit.chainIntact, audit.documentHashMatches,
                      audit.sentDocumentMatches == (sentLength != nil ? true : nil),
                      audit.envelopeId == id else {
                    _ = try? await stored
                    throw WorkflowError(.completion, "the sealed \(document.name) of \(id) did not verify (\(report.verdict)): \(report.text)")
                }
                sealed[document.id] = try await stored
            }
            return (sealed, keptAsSent)
        }
        return SealedCompletion(sealed: sealed, keptAsSent: keptAsSent, at: now)
    }

    /// The completion's commit (its last step): the envelope `completed`, in one transaction with
    /// its event, its ledger entry, the completion e-mails and the job's own completion; then the
    /// ledger's head anchored when a TSA is configured.
    func commitCompletion(_ prepared: PreparedCompletion, _ result: SealedCompletion, job jobID: String) async throws {
        let seal = prepared.seal
        let read = prepared.envelope, sealed = result.sealed, keptAsSent = result.keptAsSent, now = result.at
        let id = read.id, account = read.account
        var envelope = read
        var transition = Transition()
        try Routing.move(&envelope, to: .completed)
        for index in envelope.documents.indices { envelope.documents[index].sealedSHA256 = sealed[envelope.documents[index].id] }
        finish(&envelope, &transition, reason: nil, now: now)
        transition.record("envelope.completed", .system, data: [
            "sealed": envelope.documents.map { "\($0.id):\($0.sealedSHA256 ?? "")" }.joined(separator: " "),
            // The documents whose sealed file begins with the bytes as sent (`audit verify` checks it).
            "sentAsFirstRevision": keptAsSent.joined(separator: " "),
            "certifiedEvents": String(read.eventCount), "certifiedHead": read.headHash,
            "profile": seal.profile.rawValue,
            "sealCertificateSHA256": seal.identity.certificate.sha256Fingerprint,
        ])
        let attachments = envelope.documents.compactMap { document in
            document.sealedSHA256.map { MailMessage.Attachment(name: document.name, contentType: "application/pdf", sha256: $0) }
        }
        for recipient in envelope.recipients where recipient.role != .viewer {
            transition.jobs.append(mail(envelope, to: recipient.email, subject: "Completed: \(envelope.subject)",
                                        text: "\"\(envelope.subject)\" is complete. The sealed documents are attached.\n",
                                        html: "<p>“\(Self.value(envelope.subject))” is complete. The sealed documents are attached.</p>",
                                        now: now, attachments: attachments))
        }
        let chained = chain(&envelope, transition.events, at: now)
        envelope.revision += 1
        // The store chains the ledger entry onto the account's head inside the commit. Completions
        // of one account race for that head: a commit that lost is committed again (the sealing
        // above is not redone); the envelope's revision still refuses any other change, which
        // fails again and ends the retries.
        let append = LedgerAppend(envelope: id, envelopeHead: envelope.headHash, envelopeEvents: envelope.eventCount, at: now)
        var attempts = 0
        while true {
            do {
                try await commitWithWebhooks(StoreChange(account: account, envelope: envelope, previousEnvelope: read, events: chained, jobs: transition.jobs,
                                                         finishedJobs: [jobID], ledgerAppend: append), envelope: envelope)
                break
            } catch let error as WorkflowError where error.code == .conflict && attempts < 16 {
                attempts += 1
            }
        }
        if let url = seal.timestampURL, let head = try? await store.ledgerHead(account: account) {
            // Anchor the ledger's head (this entry, or one chained after it since); a failure
            // leaves it for the next completion to anchor.
            // The anchor's time is the token's own (the TSA's), which `audit verify` compares.
            if let token = try? TimestampClient(url: url).timestampToken(forSignature: Array(head.hash.utf8)),
               let genTime = try? TimestampToken.parse(der: token).genTime {
                try? await store.insertAnchor(LedgerAnchor(account: account, sequence: head.sequence, head: head.hash,
                                                           token: Data(token), at: genTime))
            }
        }
    }

    /// A document ready to seal: the stored PDF as sent with the fields drawn over its pages in
    /// an incremental update (`PageOverlay`), so the bytes the signers saw stay the sealed file's
    /// first revision — uploaded documents, and generated ones whose recipients filled only
    /// signer fields (their marks go in the document's own `sig_<role>` boxes). A generated
    /// document where a recipient filled a template value that the text itself shows is made
    /// again from the template with the filled values and marks (`FinalDocument`).
    /// `sent`: the stored bytes as sent (nil: not in the store); `sentLength`: their length when
    /// the result begins with them.
    func finalDocument(_ document: EnvelopeDocument, sent: [UInt8]?, of envelope: Envelope, template: CompiledTemplate?,
                       typesetter: Typesetter) throws -> (pdf: [UInt8], sentLength: Int?) {
        let envelope = template.map { FinalDocument.showingSignedDates(envelope, template: $0) } ?? envelope
        let completed = envelope.recipients.filter { $0.state == .completed }
        if !document.isUploaded {
            guard let template else {
                throw WorkflowError(.completion, "\(document.name) of \(envelope.id) is generated but the envelope names no template")
            }
            let signerFields = Set(template.signerFields.map(\.name))
            let fillsText = completed.contains { recipient in
                recipient.fields.contains { $0.kind != .signature && !signerFields.contains($0.name) && $0.value != nil }
            }
            if fillsText { return (try FinalDocument.make(envelope: envelope, template: template, typesetter: typesetter).pdf, nil) }
        }
        guard let bytes = sent else {
            throw WorkflowError(.completion, "\(document.name) of \(envelope.id) (\(document.sentSHA256)) is not in the document store")
        }
        let items = completed.flatMap { recipient in
            recipient.fields.compactMap { field -> PageOverlay.Item? in
                if let placement = field.placement {
                    return placement.document == document.id ? PageOverlay.Item(field: field, placement: placement, recipient: recipient) : nil
                }
                // A generated document's signature box is its own sig_<role> field.
                return !document.isUploaded && field.kind == .signature ? PageOverlay.Item(field: field, placement: nil, recipient: recipient) : nil
            }
        }
        // Every signer and approver is named on the certificate by a signature field (DESIGN.md §6).
        let roles = envelope.recipients.filter(\.role.mustAct).map { $0.signatureRole ?? $0.role.rawValue }
        let drawn = try PageOverlay(typesetter: typesetter).draw(bytes, items: items, roles: roles, documentName: document.name,
                                                                 framed: document.isUploaded)
        return (drawn, bytes.count)
    }

    /// A document's stored bytes as sent (nil: no document, or not in the store).
    func sentBytes(of document: EnvelopeDocument?) async throws -> [UInt8]? {
        guard let document else { return nil }
        return try await store.documents.get(document.sentSHA256)
    }
}

extension SealConfiguration {
    /// The seal's PAdES profile: B-LTA (validation data and an archive timestamp in the file, so
    /// it verifies long after the seal certificate expires) when there is a TSA and the seal's
    /// certificate names an OCSP responder or CRL to fetch from; B-T with a TSA alone (a
    /// development certificate names none); B-B without a TSA.
    public var profile: SignatureProfile {
        guard timestampURL != nil else { return .padesBB }
        return identity.certificate.namesRevocationSource ? .padesBLTA : .padesBT
    }
}
