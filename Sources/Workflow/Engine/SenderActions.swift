import Foundation

extension WorkflowEngine {
    /// Sends a draft (role agent): it expires after the configured days, reminders and expiry
    /// are scheduled, and the first routing order is invited.
    @discardableResult
    public func send(_ principal: Principal, envelope id: String) async throws -> Envelope {
        try principal.require(.agent, to: "send envelopes")
        return try await change(account: principal.account, envelope: id) { envelope, transition, now throws(WorkflowError) in
            try Routing.move(&envelope, to: .sent)
            envelope.sentAt = now
            let expiresAt = now.addingTimeInterval(TimeInterval(configuration.expiryDays) * 86_400)
            envelope.expiresAt = expiresAt
            transition.record("envelope.sent", principal.actor, data: ["expiresAt": EventTime.iso(expiresAt)])
            try activate(&envelope, &transition, now: now)
            transition.jobs.append(job(.expiry, envelope, at: expiresAt))
            if envelope.reminders.maximum > 0 {
                transition.jobs.append(job(.reminder, envelope, at: now.addingTimeInterval(envelope.reminders.interval)))
            }
        }
    }

    /// Reminds every recipient whose turn it is and who has not acted (role agent): a new link each.
    @discardableResult
    public func remind(_ principal: Principal, envelope id: String) async throws -> Envelope {
        try principal.require(.agent, to: "remind recipients")
        return try await change(account: principal.account, envelope: id) { envelope, transition, now throws(WorkflowError) in
            try remindWaiting(&envelope, &transition, actor: principal.actor, now: now)
        }
    }

    func remindWaiting(_ envelope: inout Envelope, _ transition: inout Transition, actor: EventActor, now: Date) throws(WorkflowError) {
        guard envelope.state == .sent else {
            throw WorkflowError(.illegalTransition, "envelope \(envelope.id) is \(envelope.state.rawValue); only a sent envelope has recipients to remind")
        }
        let waiting = envelope.recipients.filter { ($0.state == .sent || $0.state == .delivered) && $0.role.mustAct }
        for recipient in waiting {
            try invite(&envelope, recipient.id, &transition, kind: .reminder, now: now)
            transition.record("recipient.reminded", actor, data: ["recipient": recipient.id], personal: ["email": recipient.email])
        }
    }

    /// Voids an envelope that is not finished (role agent), with a reason; recipients already
    /// invited are told.
    @discardableResult
    public func void(_ principal: Principal, envelope id: String, reason: String) async throws -> Envelope {
        try principal.require(.agent, to: "void envelopes")
        let reason = try Check.nonEmpty(reason, "the reason for voiding", multiline: true)
        return try await change(account: principal.account, envelope: id) { envelope, transition, now throws(WorkflowError) in
            try Routing.move(&envelope, to: .voided)
            finish(&envelope, &transition, reason: reason, now: now)
            transition.record("envelope.voided", principal.actor, personal: ["reason": reason])
            for recipient in envelope.recipients where recipient.state != .created && recipient.role != .cc {
                transition.jobs.append(mail(envelope, to: recipient.email, subject: "Voided: \(envelope.subject)",
                                            text: "\"\(envelope.subject)\" was voided: \(reason)\nYou need not do anything.\n",
                                            html: "<p>“\(Self.value(envelope.subject))” was voided: \(Self.value(reason))</p>", now: now))
            }
        }
    }

    /// Corrects a recipient's name or e-mail before they act (role agent). A new address
    /// invalidates the links sent so far; a recipient already invited gets a new one.
    @discardableResult
    public func correct(_ principal: Principal, envelope id: String, recipient recipientID: String, name: String? = nil,
                        email: String? = nil) async throws -> Envelope {
        try principal.require(.agent, to: "correct recipients")
        let newName = try name.map { name throws(WorkflowError) in try Check.nonEmpty(name, "the corrected name") }
        let newEmail = try email.map { email throws(WorkflowError) in try Check.email(email, "the corrected e-mail") }
        guard newName != nil || newEmail != nil else {
            throw WorkflowError(.invalidRequest, "nothing to correct: give a new name or e-mail")
        }
        try await requirePrintable([newName.map { ($0, "the corrected name") }, newEmail.map { ($0, "the corrected e-mail") }]
            .compactMap { $0 })
        return try await change(account: principal.account, envelope: id) { envelope, transition, now throws(WorkflowError) in
            guard envelope.state == .draft || envelope.state == .sent else {
                throw WorkflowError(.illegalTransition, "envelope \(envelope.id) is \(envelope.state.rawValue); its recipients can no longer be corrected")
            }
            let before = try envelope.recipient(recipientID)
            // Until the recipient signs, approves or declines (opening the link, even consenting,
            // is no reason to refuse a correction: a mail scanner opens links too).
            guard before.state == .created || before.state == .sent || before.state == .delivered, before.actedAt == nil else {
                throw WorkflowError(.illegalTransition, "recipient \(recipientID) has already acted (\(before.state.rawValue)); it cannot be corrected")
            }
            try envelope.update(recipientID) { (recipient: inout Recipient) throws(WorkflowError) in
                if let newName { recipient.name = newName }
                if let newEmail, newEmail != recipient.email {
                    // Another person: nothing the previous address's holder did stands for them.
                    recipient.email = newEmail
                    recipient.tokenHashes = []
                    recipient.otp = nil
                    recipient.consent = nil
                    recipient.authenticatedAt = nil
                    recipient.failedAttempts = 0
                    recipient.mark = nil
                    for index in recipient.fields.indices { recipient.fields[index].value = nil }
                    if recipient.state == .delivered { recipient.state = .sent }
                }
            }
            let after = try envelope.recipient(recipientID)
            transition.record("recipient.corrected", principal.actor, data: ["recipient": recipientID],
                              personal: ["name": after.name, "email": after.email, "previousName": before.name,
                                         "previousEmail": before.email])
            if after.email != before.email, after.state != .created {
                try invite(&envelope, recipientID, &transition, kind: .resend, now: now)
            }
        }
    }

    /// Sends a recipient whose turn it is a new link (role agent).
    @discardableResult
    public func resend(_ principal: Principal, envelope id: String, recipient recipientID: String) async throws -> Envelope {
        try principal.require(.agent, to: "resend envelopes")
        return try await change(account: principal.account, envelope: id) { envelope, transition, now throws(WorkflowError) in
            guard envelope.state == .sent else {
                throw WorkflowError(.illegalTransition, "envelope \(envelope.id) is \(envelope.state.rawValue); only a sent envelope can be resent")
            }
            let recipient = try envelope.recipient(recipientID)
            guard recipient.state == .sent || recipient.state == .delivered else {
                throw WorkflowError(.illegalTransition, "recipient \(recipientID) is \(recipient.state.rawValue); only an invited recipient who has not acted can be sent the link again")
            }
            // A resend is the sender's deliberate act, so it also lifts a lock-out: the count of
            // wrong codes starts again, and the evidence says it was lifted.
            try envelope.update(recipientID) { (value: inout Recipient) throws(WorkflowError) in
                value.failedAttempts = 0
                value.otp = nil
            }
            try invite(&envelope, recipientID, &transition, kind: .resend, now: now)
            transition.record("recipient.resent", principal.actor,
                              data: ["recipient": recipientID].merging(recipient.failedAttempts > 0 ? ["failedAttemptsCleared": String(recipient.failedAttempts)] : [:]) { $1 },
                              personal: ["email": recipient.email])
        }
    }

    /// Places or lifts a legal hold (role compliance): a held envelope is never purged.
    @discardableResult
    public func setLegalHold(_ principal: Principal, envelope id: String, hold: Bool, reason: String) async throws -> Envelope {
        try principal.require(.compliance, to: "place legal holds")
        let reason = try Check.nonEmpty(reason, "the reason for the hold", multiline: true)
        return try await change(account: principal.account, envelope: id) { envelope, transition, _ throws(WorkflowError) in
            guard envelope.retention.legalHold != hold else {
                throw WorkflowError(.illegalTransition, "envelope \(envelope.id) is \(hold ? "already" : "not") on legal hold")
            }
            envelope.retention.legalHold = hold
            transition.record(hold ? "retention.held" : "retention.released", principal.actor, personal: ["reason": reason])
        }
    }

    /// Marks an envelope finished, sets how long it is kept and schedules its purge.
    func finish(_ envelope: inout Envelope, _ transition: inout Transition, reason: String?, now: Date) {
        envelope.finishedAt = now
        envelope.finishReason = reason
        let years = RetentionPolicy.categories[envelope.retention.category] ?? 7
        let until = Calendar(identifier: .gregorian).date(byAdding: .year, value: years, to: now) ?? now
        envelope.retention.retainUntil = until
        transition.jobs.append(job(.purge, envelope, at: until))
    }
}
