import Foundation
import InputChecks
import Typesetting

/// What a recipient sees when they open their link.
public struct RecipientView: Sendable, Hashable {
    public var envelope: String
    public var subject: String
    public var message: String?
    public var recipient: Recipient
    public var documents: [EnvelopeDocument]
    /// The disclosure to consent to before anything else.
    public var disclosureVersion: String
    public var disclosureText: String
    public var needsConsent: Bool
    public var needsAuthentication: Bool
}

extension WorkflowEngine {
    /// Opens a signing link: the first open marks the recipient `delivered` (a viewer is then done).
    public func open(token: String, context: RequestContext) async throws -> RecipientView {
        let envelope = try await act(token: token, context: context, "recipient.delivered") { envelope, recipient, transition, _ throws(WorkflowError) in
            guard recipient.state == .sent else { return false }
            try envelope.update(recipient.id) { (value: inout Recipient) throws(WorkflowError) in
                try Routing.move(&value, to: .delivered)
                if value.authentication == .link { value.authenticatedAt = value.authenticatedAt ?? self.clock.now() }
            }
            return true
        }
        return try recipientView(envelope, token: token)
    }

    /// What the link shows, read without recording anything: for a HEAD request, or a preview
    /// that must not count as the recipient opening the envelope.
    public func view(token: String) async throws -> RecipientView {
        try recipientView(try await resolveEnvelope(token: token).envelope, token: token)
    }

    private func recipientView(_ envelope: Envelope, token: String) throws -> RecipientView {
        let hash = sha256Hex(token)
        guard let recipient = envelope.recipients.first(where: { $0.tokenHashes.contains(hash) }) else {
            throw WorkflowError(.unauthenticated, "this signing link is not valid; ask the sender for a new one")
        }
        return RecipientView(envelope: envelope.id, subject: envelope.subject, message: envelope.message, recipient: recipient,
                             documents: envelope.documents, disclosureVersion: configuration.disclosure.version,
                             disclosureText: configuration.disclosure.text, needsConsent: recipient.consent == nil,
                             needsAuthentication: recipient.authenticatedAt == nil)
    }

    /// The bytes of an envelope document as the recipient may read them: after consenting and
    /// authenticating (the same gate as filling and signing), while the envelope is out for
    /// signature or once it is completed (the sealed copy) — never after it was voided,
    /// declined or expired.
    public func document(token: String, id: String) async throws -> [UInt8] {
        let (recipientID, envelope) = try await resolveEnvelope(token: token)
        let recipient = try envelope.recipient(recipientID)
        let envelopeID = envelope.id
        guard envelope.state == .sent || envelope.state == .completed else {
            throw WorkflowError(.illegalTransition, "envelope \(envelopeID) is \(envelope.state.rawValue); its documents are no longer shown to recipients")
        }
        if envelope.state == .sent, let expiresAt = envelope.expiresAt, clock.now() >= expiresAt {
            throw WorkflowError(.illegalTransition, "envelope \(envelopeID) expired on \(EventTime.iso(expiresAt)); its documents are no longer shown to recipients")
        }
        guard recipient.consent != nil else {
            throw WorkflowError(.notAuthenticated, "recipient \(recipient.id) must consent to the disclosure before reading the documents")
        }
        guard recipient.authenticatedAt != nil else {
            throw WorkflowError(.notAuthenticated, "recipient \(recipient.id) must authenticate (\(recipient.authentication.displayName)) before reading the documents")
        }
        guard let document = envelope.documents.first(where: { $0.id == id }), !document.purged,
              let bytes = try await store.documents.get(document.sealedSHA256 ?? document.sentSHA256) else {
            throw WorkflowError(.notFound, "envelope \(envelopeID) has no document \(id)")
        }
        return bytes
    }

    /// Consents to electronic records and signatures: the disclosure's version and SHA-256 must
    /// be the ones currently shown.
    public func consent(token: String, disclosureVersion: String, disclosureSHA256: String, context: RequestContext) async throws {
        let disclosure = configuration.disclosure
        guard disclosureVersion == disclosure.version, disclosureSHA256 == disclosure.sha256 else {
            throw WorkflowError(.invalidRequest, "consent names disclosure \(disclosureVersion) (\(disclosureSHA256.prefix(12))…); the disclosure shown is \(disclosure.version) (\(disclosure.sha256.prefix(12))…) — show it again and ask for consent to it")
        }
        try await act(token: token, context: context, "recipient.consented",
                      data: ["disclosureVersion": disclosure.version, "disclosureSHA256": disclosure.sha256]) { envelope, recipient, _, now throws(WorkflowError) in
            guard recipient.consent == nil else {
                throw WorkflowError(.illegalTransition, "recipient \(recipient.id) has already consented")
            }
            try envelope.update(recipient.id) { (value: inout Recipient) throws(WorkflowError) in
                value.consent = Consent(disclosureVersion: disclosure.version, disclosureSHA256: disclosure.sha256, at: now)
            }
            return true
        }
    }

    /// E-mails a new 6-digit one-time code (valid 10 minutes, 5 attempts) to an e-mail-OTP recipient.
    public func requestCode(token: String, context: RequestContext) async throws {
        try await act(token: token, context: context, "authentication.code_sent") { envelope, recipient, transition, now throws(WorkflowError) in
            guard recipient.authentication == .emailOTP else {
                throw WorkflowError(.invalidRequest, "recipient \(recipient.id) authenticates by \(recipient.authentication.displayName), not by an e-mailed code")
            }
            // An authenticated recipient may ask again: the signing page authenticates each
            // session (a link opened in another browser enters a code of its own).
            guard recipient.failedAttempts < OneTimeCode.lockOutAfter else {
                throw WorkflowError(.authenticationFailed, Self.lockedOut(recipient))
            }
            if let previous = recipient.otp, now < previous.sentAt.addingTimeInterval(OneTimeCode.minimumInterval) {
                let wait = Int(previous.sentAt.addingTimeInterval(OneTimeCode.minimumInterval).timeIntervalSince(now).rounded(.up))
                throw WorkflowError(.illegalTransition, "a code was sent to \(recipient.email) less than \(Int(OneTimeCode.minimumInterval)) seconds ago; "
                                    + "check the inbox (and the spam folder), or ask for another in \(wait) s")
            }
            let code = Secrets.oneTimeCode()
            try envelope.update(recipient.id) { (value: inout Recipient) throws(WorkflowError) in
                value.otp = OneTimeCode(sha256: sha256Hex(recipient.id + ":" + code), expiresAt: now.addingTimeInterval(OneTimeCode.lifetime),
                                        attempts: 0)
            }
            transition.jobs.append(mail(envelope, to: recipient.email, subject: "Your code for \(envelope.subject)",
                                        text: "Your one-time code is \(code). It is valid for 10 minutes.\n",
                                        html: "<p>Your one-time code is <b>\(code)</b>. It is valid for 10 minutes.</p>", now: now,
                                        secrets: [code]))
            return true
        }
    }

    /// Checks an e-mailed code or an access code. A wrong code is recorded (an
    /// `authentication.failed` event, one attempt used) and then refused.
    public func authenticate(token: String, code: String, context: RequestContext) async throws {
        try await act(token: token, context: context, "recipient.authenticated") { envelope, recipient, transition, now throws(WorkflowError) in
            // Again, for another session, is allowed: each success is its own event.
            let failure = try Self.codeProblem(recipient, code: code, now: now)
            if let failure {
                // A code entered while the link or the code is already locked (the right one
                // included) is not checked, so it is not another wrong attempt: the event says
                // the link was locked, and the counts stay.
                if !Self.isLocked(recipient) {
                    try envelope.update(recipient.id) { (value: inout Recipient) throws(WorkflowError) in
                        value.otp?.attempts += 1
                        value.failedAttempts += 1
                    }
                }
                transition.record("authentication.failed", EventActor(kind: .recipient, id: recipient.id),
                                  data: ["recipient": recipient.id, "method": recipient.authentication.displayName],
                                  personal: context.personal.merging(["reason": failure]) { $1 })
                transition.failure = WorkflowError(.authenticationFailed, failure)
                return false
            }
            try envelope.update(recipient.id) { (value: inout Recipient) throws(WorkflowError) in
                value.authenticatedAt = now
                value.otp = nil
            }
            return true
        }
    }

    /// Whether no code is checked for `recipient` any more: the link is locked, the access
    /// code's tries are used up, or the e-mailed code's are.
    static func isLocked(_ recipient: Recipient) -> Bool {
        if recipient.failedAttempts >= OneTimeCode.lockOutAfter { return true }
        switch recipient.authentication {
        case .link: return false
        case .emailOTP: return (recipient.otp?.attempts ?? 0) >= OneTimeCode.maximumAttempts
        case .accessCode: return recipient.failedAttempts >= OneTimeCode.maximumAttempts
        }
    }

    /// What is wrong with `code` for `recipient` now, or nil when it is right. A link recipient
    /// has no code to check (an error, not a failed attempt).
    static func codeProblem(_ recipient: Recipient, code: String, now: Date) throws(WorkflowError) -> String? {
        guard recipient.failedAttempts < OneTimeCode.lockOutAfter else { return lockedOut(recipient) }
        // Attempts left before a lock: this code's own five, and the link's ten in all.
        let leftInAll = OneTimeCode.lockOutAfter - recipient.failedAttempts - 1
        switch recipient.authentication {
        case .link:
            throw WorkflowError(.invalidRequest, "recipient \(recipient.id) needs no code: opening the signing link authenticates them")
        case .emailOTP:
            guard let otp = recipient.otp else {
                throw WorkflowError(.notAuthenticated, "no code was sent; request a code first")
            }
            if otp.attempts >= OneTimeCode.maximumAttempts { return "the code was tried \(OneTimeCode.maximumAttempts) times; request a new one" }
            if now >= otp.expiresAt { return "the code expired; request a new one" }
            guard sha256Hex(recipient.id + ":" + code) == otp.sha256 else {
                let left = min(OneTimeCode.maximumAttempts - otp.attempts - 1, leftInAll)
                return "the code is wrong (\(left) attempt\(left == 1 ? "" : "s") left" + (left == leftInAll ? " before the link is locked)" : ")")
            }
            return nil
        case .accessCode(let expected):
            if recipient.failedAttempts >= OneTimeCode.maximumAttempts {
                return "the access code was tried \(OneTimeCode.maximumAttempts) times; ask the sender to resend the invitation"
            }
            guard sha256Hex(code) == expected else {
                let left = OneTimeCode.maximumAttempts - recipient.failedAttempts - 1
                return "the access code is wrong (\(left) attempt\(left == 1 ? "" : "s") left)"
            }
            return nil
        }
    }

    /// Why a recipient can no longer authenticate: too many wrong codes in all.
    static func lockedOut(_ recipient: Recipient) -> String {
        "\(recipient.failedAttempts) wrong codes were entered for this link, so it is locked; ask the sender to resend the invitation"
    }

    /// Fills fields (text, initials, checkbox, dropdown); the value is drawn into the document at
    /// completion. An empty value clears a text, initials or dropdown field.
    public func fill(token: String, values: [String: String], context: RequestContext) async throws {
        try await requirePrintable(values.sorted { $0.key < $1.key }.map { ($0.value, "field '\($0.key)'") })
        try await act(token: token, context: context, "recipient.filled", data: ["fields": values.keys.sorted().joined(separator: " ")],
                      personal: values.reduce(into: [:]) { $0["field." + $1.key] = $1.value }) { envelope, recipient, _, _ throws(WorkflowError) in
            try requireReady(recipient)
            guard !values.isEmpty else { throw WorkflowError(.invalidRequest, "no field values given") }
            let fields = try Self.filling(recipient, with: values)
            try envelope.update(recipient.id) { (value: inout Recipient) throws(WorkflowError) in value.fields = fields }
            return true
        }
    }

    /// The recipient's fields with `values` filled in, each checked against its field's rules.
    /// An empty value clears a text, initials or dropdown field (a required one must then be
    /// filled again before signing).
    static func filling(_ recipient: Recipient, with values: [String: String]) throws(WorkflowError) -> [Field] {
        var fields = recipient.fields
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let index = fields.firstIndex(where: { $0.name == name && $0.kind != .signature }) else {
                let theirs = recipient.fields.filter { $0.kind != .signature }.map(\.name)
                throw WorkflowError(.invalidRequest, "recipient \(recipient.id) has no field '\(name)' to fill; "
                                    + (theirs.isEmpty ? "they have no fields to fill" : "theirs are " + theirs.joined(separator: ", ")))
            }
            if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, [.text, .initials, .dropdown].contains(fields[index].kind) {
                fields[index].value = nil
            } else {
                fields[index].value = try checked(value, for: fields[index])
            }
        }
        return fields
    }

    static func checked(_ value: String, for field: Field) throws(WorkflowError) -> String {
        switch field.kind {
        case .text, .initials:
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            let limit = field.characterLimit
            guard !trimmed.isEmpty, trimmed.count <= limit else {
                throw WorkflowError(.invalidRequest, "field '\(field.name)': give 1 to \(limit) characters")
            }
            // Typeset into the sealed document and exported to the CRM: a NUL or a direction
            // override ("pay \u{202E}0001$" reads "pay $1000") would make them differ from the value.
            try Check.visible(trimmed, "field '\(field.name)'")
            if let pattern = field.pattern, !(try FieldRules.regex(pattern, field: field.name)).matches(trimmed) {
                throw WorkflowError(.invalidRequest, "field '\(field.name)' (\(field.displayLabel)): '\(trimmed)' is not in the form "
                                    + "it asks for (it does not match the pattern \(pattern))")
            }
            return trimmed
        case .checkbox:
            guard value == "true" || value == "false" else {
                throw WorkflowError(.invalidRequest, "field '\(field.name)' is a checkbox: 'true' or 'false', not '\(value)'")
            }
            return value
        case .dropdown:
            guard field.options.contains(value) else {
                throw WorkflowError(.invalidRequest, "field '\(field.name)': '\(value)' is not one of " + field.options.joined(separator: ", "))
            }
            return value
        case .dateSigned, .signature:
            throw WorkflowError(.invalidRequest, "field '\(field.name)' is filled when the recipient signs")
        }
    }

    /// Adopts the signature drawn into the signer's field: a typed name (in the script font it
    /// names, recorded in the event as `font`), a drawing or an uploaded PNG.
    public func adopt(token: String, mark: AdoptedMark, context: RequestContext) async throws {
        let data: [String: String]
        switch mark {
        case .typed(let name, let font):
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 100 else {
                throw WorkflowError(.invalidRequest, "a typed signature needs 1 to 100 characters")
            }
            guard HiddenCharacters.hasVisibleCharacter(name) else {
                throw WorkflowError(.invalidRequest, "the typed signature has only characters that print as nothing; type your name")
            }
            // Drawn into the sealed document and shown on its certificate: no character that
            // would make them show other text than the stored one.
            try Check.visible(name, "the typed signature")
            try await requirePrintable([(name, "the typed signature")])
            data = ["kind": "typed", "font": font.rawValue]
        case .drawn(let png), .uploaded(let png):
            guard png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), png.count <= 1_000_000 else {
                throw WorkflowError(.invalidRequest, "a signature image must be a PNG of at most 1 MB")
            }
            // Drawn into the sealed document at completion, after the signer has gone: what
            // could not be drawn there, or would show nothing, is refused now.
            if let problem = SignatureImage.problem(Array(png)) {
                throw WorkflowError(.invalidRequest, "the signature image cannot be used: \(problem)")
            }
            data = ["kind": mark.kind, "pngSHA256": sha256Hex(png)]
        }
        try await act(token: token, context: context, "recipient.adopted_signature", data: data) { envelope, recipient, _, _ throws(WorkflowError) in
            try requireReady(recipient)
            guard recipient.role == .signer else { throw WorkflowError(.invalidRequest, "only a signer adopts a signature") }
            try envelope.update(recipient.id) { (value: inout Recipient) throws(WorkflowError) in value.mark = mark }
            return true
        }
    }

    /// Signs (a signer) or approves (an approver): every required field must be filled and a
    /// signer must have adopted a signature. The next routing order is then invited, or, when
    /// everyone has acted, the completion job is queued.
    public func sign(token: String, context: RequestContext) async throws {
        try await finishAction(token: token, context: context, role: .signer)
    }

    /// Fills `values` (as ``fill(token:values:context:)``) and signs, in one transaction: what
    /// is signed is exactly the form that was sent, even if another tab saved other values
    /// meanwhile. The fill is its own `recipient.filled` event, before `recipient.signed`.
    public func sign(token: String, filling values: [String: String], context: RequestContext) async throws {
        try await finishAction(token: token, context: context, role: .signer, filling: values)
    }

    /// Approves (an approver).
    public func approve(token: String, context: RequestContext) async throws {
        try await finishAction(token: token, context: context, role: .approver)
    }

    /// Fills `values` and approves, in one transaction (as ``sign(token:filling:context:)``).
    public func approve(token: String, filling values: [String: String], context: RequestContext) async throws {
        try await finishAction(token: token, context: context, role: .approver, filling: values)
    }

    func finishAction(token: String, context: RequestContext, role: Recipient.Role, filling values: [String: String] = [:]) async throws {
        let type = role == .signer ? "recipient.signed" : "recipient.approved"
        if !values.isEmpty { try await requirePrintable(values.sorted { $0.key < $1.key }.map { ($0.value, "field '\($0.key)'") }) }
        try await act(token: token, context: context, type) { envelope, recipient, transition, now throws(WorkflowError) in
            try requireReady(recipient)
            guard recipient.role == role else {
                throw WorkflowError(.invalidRequest, "recipient \(recipient.id) is \(recipient.role == .approver ? "an" : "a") \(recipient.role.rawValue) and cannot \(role == .signer ? "sign" : "approve")")
            }
            if role == .signer, recipient.mark == nil {
                throw WorkflowError(.invalidRequest, "adopt a signature (typed, drawn or uploaded) before signing")
            }
            var fields = recipient.fields
            if !values.isEmpty {
                fields = try Self.filling(recipient, with: values)
                transition.record("recipient.filled", EventActor(kind: .recipient, id: recipient.id),
                                  data: ["fields": values.keys.sorted().joined(separator: " "), "recipient": recipient.id,
                                         "method": recipient.authentication.displayName],
                                  personal: context.personal.merging(values.reduce(into: [:]) { $0["field." + $1.key] = $1.value }) { $1 }
                                      .merging(["email": recipient.email]) { $1 })
            }
            for index in fields.indices where fields[index].kind == .dateSigned { fields[index].value = String(EventTime.iso(now).prefix(10)) }
            // A required checkbox is one the signer must tick (an acknowledgement), as in the
            // other e-signature tools; an optional one may stay unticked.
            let missing = fields.filter {
                $0.required && $0.kind != .signature && ($0.kind == .checkbox ? $0.value != "true" : $0.value == nil)
            }
            guard missing.isEmpty else {
                throw WorkflowError(.invalidRequest, "fill the required fields first"
                                    + (missing.contains { $0.kind == .checkbox } ? " (a required checkbox is ticked)" : "") + ": "
                                    + missing.map { "\($0.displayLabel) (\($0.name))" }.joined(separator: ", "))
            }
            try envelope.update(recipient.id) { (value: inout Recipient) throws(WorkflowError) in
                value.fields = fields
                value.actedAt = now
                try Routing.move(&value, to: .completed)
            }
            return true
        } then: { envelope, transition, now throws(WorkflowError) in
            try advance(&envelope, &transition, now: now)
        }
    }

    /// After a signer or approver acted, in the same transition: invite the next routing order,
    /// or — everyone has acted — queue completion. One transaction, so no crash can leave an
    /// envelope whose last signer signed with nothing queued.
    func advance(_ envelope: inout Envelope, _ transition: inout Transition, now: Date) throws(WorkflowError) {
        guard envelope.state == .sent, !envelope.completionQueued else { return }
        if Routing.allActed(envelope) {
            envelope.completionQueued = true
            transition.record("envelope.completion_queued", .system)
            transition.jobs.append(job(.completion, envelope, at: now))
        } else {
            try activate(&envelope, &transition, now: now)
        }
    }

    /// Declines with a reason: the envelope ends (declined), and everyone invited is told.
    public func decline(token: String, reason: String, context: RequestContext) async throws {
        let reason = try Check.nonEmpty(reason, "the reason for declining", multiline: true)
        try await act(token: token, context: context, "recipient.declined", personal: ["reason": reason]) { envelope, recipient, transition, now throws(WorkflowError) in
            guard recipient.role.mustAct else { throw WorkflowError(.invalidRequest, "a \(recipient.role.rawValue) cannot decline") }
            try envelope.update(recipient.id) { (value: inout Recipient) throws(WorkflowError) in
                value.actedAt = now
                value.declineReason = reason
                try Routing.move(&value, to: .declined)
            }
            try Routing.move(&envelope, to: .declined)
            finish(&envelope, &transition, reason: reason, now: now)
            transition.record("envelope.declined", .system, data: ["recipient": recipient.id], personal: ["reason": reason])
            for other in envelope.recipients where other.id != recipient.id && other.state != .created {
                transition.jobs.append(mail(envelope, to: other.email, subject: "Declined: \(envelope.subject)",
                                            text: "\(recipient.name) declined \"\(envelope.subject)\": \(reason)\n",
                                            html: "<p>\(Self.value(recipient.name)) declined “\(Self.value(envelope.subject))”: \(Self.value(reason))</p>",
                                            now: now))
            }
            return true
        }
    }

    // MARK: Shared

    func requireReady(_ recipient: Recipient) throws(WorkflowError) {
        guard recipient.consent != nil else {
            throw WorkflowError(.notAuthenticated, "consent to electronic records and signatures first")
        }
        guard recipient.authenticatedAt != nil else {
            let how = switch recipient.authentication {
            case .link: "open the signing link first: opening it is how a link recipient authenticates"
            case .emailOTP: "authenticate first with the one-time code e-mailed to the recipient (ask for one, then give it)"
            case .accessCode(_): "authenticate first with the access code the sender gave the recipient"
            }
            throw WorkflowError(.notAuthenticated, how)
        }
    }

    /// The recipient a token belongs to and their envelope as stored now.
    func resolveEnvelope(token: String) async throws -> (recipient: String, envelope: Envelope) {
        guard token.count == 64, let found = try await store.envelope(tokenHash: sha256Hex(token)) else {
            throw WorkflowError(.unauthenticated, "this signing link is not valid; ask the sender for a new one")
        }
        return found
    }

    /// Runs a recipient action in one transition: the token must be valid, the envelope sent
    /// and not past its expiry, the recipient invited and not finished. `body` returns whether
    /// to record the action's event; `then` runs after it is recorded, in the same transition.
    @discardableResult
    func act(token: String, context: RequestContext, _ type: String, data: [String: String] = [:], personal: [String: String] = [:],
             _ body: (inout Envelope, Recipient, inout Transition, Date) throws(WorkflowError) -> Bool,
             then: (inout Envelope, inout Transition, Date) throws(WorkflowError) -> Void = { _, _, _ in }) async throws -> Envelope {
        let hash = sha256Hex(token)
        let remembered = token.count == 64 ? recent.envelope(tokenHash: hash) : nil
        let resolved: (recipient: String, envelope: Envelope)
        if let remembered { resolved = remembered } else { resolved = try await resolveEnvelope(token: token) }
        let (recipientID, read) = resolved
        return try await change(account: read.account, envelope: read.id, firstRead: read, remembered: remembered != nil) {
            envelope, transition, now throws(WorkflowError) in
            // The token must still be the recipient's: a correction since the envelope was read
            // (or remembered) revokes it.
            guard envelope.recipients.contains(where: { $0.id == recipientID && $0.tokenHashes.contains(hash) }) else {
                throw WorkflowError(.unauthenticated, "this signing link is not valid; ask the sender for a new one")
            }
            guard envelope.state == .sent else {
                throw WorkflowError(.illegalTransition, "envelope \(envelope.id) is \(envelope.state.rawValue); nothing can be done on it any more")
            }
            if let expiresAt = envelope.expiresAt, now >= expiresAt {
                throw WorkflowError(.illegalTransition, "envelope \(envelope.id) expired on \(EventTime.iso(expiresAt))")
            }
            let recipient = try envelope.recipient(recipientID)
            guard recipient.state == .sent || recipient.state == .delivered else {
                throw WorkflowError(.illegalTransition, "recipient \(recipient.id) is \(recipient.state.rawValue); there is nothing left for them to do")
            }
            if try body(&envelope, recipient, &transition, now) {
                var eventData = data
                eventData["recipient"] = recipient.id
                eventData["method"] = recipient.authentication.displayName
                transition.record(type, EventActor(kind: .recipient, id: recipient.id), data: eventData,
                                  personal: context.personal.merging(personal) { $1 }.merging(["email": recipient.email]) { $1 })
            }
            try envelope.update(recipient.id) { (value: inout Recipient) throws(WorkflowError) in
                if context.ip != nil { value.lastIP = context.ip }
                if context.userAgent != nil { value.lastUserAgent = context.userAgent }
            }
            try then(&envelope, &transition, now)
        }
    }
}
