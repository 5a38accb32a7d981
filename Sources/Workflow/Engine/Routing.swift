import Foundation

/// Routing (DESIGN.md §13): the lowest routing order with a signer or approver still to act is
/// active; equal orders run in parallel; later orders wait — an approver blocks everyone after
/// it until approved; a decline ends the envelope.
enum Routing {
    /// The active routing order, or nil when every signer and approver has acted.
    static func activeOrder(_ envelope: Envelope) -> Int? {
        envelope.recipients.filter { $0.role.mustAct && $0.state != .completed && $0.state != .declined }
            .map(\.routingOrder).min()
    }

    /// Recipients whose turn it is and who have not been sent the envelope: signers, approvers
    /// and viewers of every order up to the active one (viewers never block).
    static func due(_ envelope: Envelope) -> [Recipient] {
        guard let active = activeOrder(envelope) else { return [] }
        return envelope.recipients.filter { $0.state == .created && $0.role != .cc && $0.routingOrder <= active }
    }

    /// Whether every signer and approver has acted.
    static func allActed(_ envelope: Envelope) -> Bool {
        envelope.recipients.allSatisfy { !$0.role.mustAct || $0.state == .completed }
    }

    /// Recipient transitions: which states each state may move to.
    static let recipientMoves: [Recipient.State: Set<Recipient.State>] = [
        .created: [.sent], .sent: [.delivered, .declined, .completed], .delivered: [.completed, .declined],
        .completed: [], .declined: [],
    ]

    /// Envelope transitions.
    static let envelopeMoves: [Envelope.State: Set<Envelope.State>] = [
        .draft: [.sent, .voided], .sent: [.completed, .declined, .voided, .expired],
        .completed: [], .declined: [], .voided: [], .expired: [],
    ]

    static func move(_ recipient: inout Recipient, to state: Recipient.State) throws(WorkflowError) {
        guard recipientMoves[recipient.state, default: []].contains(state) else {
            if recipient.state == state {
                throw WorkflowError(.illegalTransition, "recipient \(recipient.id) is already \(state.rawValue)")
            }
            throw WorkflowError(.illegalTransition, "recipient \(recipient.id) is \(recipient.state.rawValue) and cannot become \(state.rawValue)")
        }
        recipient.state = state
    }

    static func move(_ envelope: inout Envelope, to state: Envelope.State) throws(WorkflowError) {
        guard envelopeMoves[envelope.state, default: []].contains(state) else {
            if envelope.state == state {
                throw WorkflowError(.illegalTransition, "envelope \(envelope.id) is already \(state.rawValue)")
            }
            let ended = envelopeMoves[envelope.state, default: []].isEmpty ? " (it has ended; nothing can change it now)" : ""
            throw WorkflowError(.illegalTransition, "envelope \(envelope.id) is \(envelope.state.rawValue) and cannot become \(state.rawValue)\(ended)")
        }
        envelope.state = state
    }
}

extension WorkflowEngine {
    /// Sends the envelope to every recipient whose turn has come: a new token each, an e-mail with
    /// the signing link, a `recipient.sent` event.
    func activate(_ envelope: inout Envelope, _ transition: inout Transition, now: Date) throws(WorkflowError) {
        for recipient in Routing.due(envelope) {
            try envelope.update(recipient.id) { (recipient: inout Recipient) throws(WorkflowError) in
                try Routing.move(&recipient, to: .sent)
            }
            try invite(&envelope, recipient.id, &transition, kind: .invitation, now: now)
            transition.record("recipient.sent", .system, data: ["recipient": recipient.id, "role": recipient.role.rawValue,
                                                                 "routingOrder": String(recipient.routingOrder)],
                              personal: ["email": recipient.email, "name": recipient.name])
        }
    }

    enum InvitationKind { case invitation, reminder, resend }

    /// Issues a new signing token for a recipient and enqueues the e-mail carrying its link.
    func invite(_ envelope: inout Envelope, _ id: String, _ transition: inout Transition, kind: InvitationKind,
                now: Date) throws(WorkflowError) {
        let token = Secrets.hex(bytes: 32)
        try envelope.update(id) { (recipient: inout Recipient) throws(WorkflowError) in recipient.tokenHashes.append(sha256Hex(token)) }
        let recipient = try envelope.recipient(id)
        let link = configuration.signingURL + token
        let action = recipient.role == .approver ? "review and approve" : recipient.role == .viewer ? "view" : "review and sign"
        let lead = kind == .reminder ? "Reminder: " : ""
        let subject = "\(lead)\(envelope.subject)"
        var text = "Hello \(recipient.name),\n\n\(configuration.organisation) asks you to \(action) \"\(envelope.subject)\".\n"
        if let message = envelope.message { text += "\n\(message)\n" }
        text += "\nOpen the documents: \(link)\n"
        if let expiresAt = envelope.expiresAt { text += "\nThis link expires on \(EventTime.iso(expiresAt)).\n" }
        let html = """
            <p>Hello \(Self.value(recipient.name)),</p>
            <p>\(Self.escape(configuration.organisation)) asks you to \(action) “\(Self.value(envelope.subject))”.</p>
            \(envelope.message.map { "<p dir=\"auto\">\(Self.escape($0))</p>" } ?? "")
            <p><a href="\(Self.escape(link))">Open the documents</a></p>
            """
        transition.jobs.append(mail(envelope, to: recipient.email, subject: subject, text: text, html: html, now: now,
                                    secrets: [token]))
    }

    /// An e-mail job of the envelope's account.
    func mail(_ envelope: Envelope, to address: String, subject: String, text: String, html: String, now: Date,
              attachments: [MailMessage.Attachment] = [], secrets: [String] = []) -> Job {
        let domain = configuration.sender.split(separator: "@").last.map(String.init) ?? "countersign.invalid"
        let message = MailMessage(messageID: "<\(Secrets.identifier("msg", at: now))@\(domain)>", from: configuration.sender,
                                  to: [address], subject: subject, text: text, html: html, date: now, attachments: attachments,
                                  secrets: secrets.isEmpty ? nil : secrets)
        let payload = (try? JSONEncoder().encode(message)) ?? Data()
        return job(.email, envelope, at: now, payload: payload)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A sender's or signer's text (a name, a subject, a reason) escaped and isolated (`<bdi>`):
    /// an Arabic name does not pull the e-mail's own words and numbers into its direction.
    static func value(_ text: String) -> String { "<bdi>" + escape(text) + "</bdi>" }
}
