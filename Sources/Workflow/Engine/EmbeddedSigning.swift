public import Foundation

extension WorkflowEngine {
    /// How long an embedded signing URL may wait before it is redeemed.
    public static let embeddedLinkLifetime: TimeInterval = 300

    /// Issues a short-lived, single-use secret for embedded signing (role agent): the integration
    /// puts it in an iframe URL; redeeming it once gives the recipient a signing session. The
    /// recipient must be invited and not have acted; `recipient.embeddedLinkIssued` is recorded.
    public func issueEmbeddedLink(_ principal: Principal, links: any ServiceRecordStore, envelope id: String,
                                  recipient recipientID: String,
                                  lifetime: TimeInterval = embeddedLinkLifetime) async throws -> (secret: String, expiresAt: Date) {
        try principal.require(.agent, to: "issue embedded signing links")
        guard lifetime > 0, lifetime <= Self.embeddedLinkLifetime else {
            throw WorkflowError(.invalidRequest, "an embedded link lives between 1 and \(Int(Self.embeddedLinkLifetime)) seconds")
        }
        let secret = "cse_" + Secrets.hex(bytes: 32)
        let expiresAt = clock.now().addingTimeInterval(lifetime)
        let envelope = try await change(account: principal.account, envelope: id) { envelope, transition, _ throws(WorkflowError) in
            try Self.requireWaiting(envelope, recipientID)
            transition.record("recipient.embeddedLinkIssued", principal.actor,
                              data: ["recipient": recipientID, "expiresAt": EventTime.iso(expiresAt)])
        }
        try await links.insertEmbeddedLink(EmbeddedLink(secretHash: sha256Hex(secret), account: envelope.account, envelope: id,
                                                        recipient: recipientID, createdBy: principal.keyID, expiresAt: expiresAt))
        return (secret, expiresAt)
    }

    /// Redeems an embedded signing secret once: a new recipient token (the signing session) is
    /// issued and `recipient.embeddedLinkRedeemed` recorded. A used, expired or unknown secret is
    /// `unauthenticated`, and so is one whose recipient can no longer act.
    public func redeemEmbeddedLink(links: any ServiceRecordStore, secret: String, context: RequestContext) async throws -> String {
        guard let link = try await links.redeemEmbeddedLink(secretHash: sha256Hex(secret), now: clock.now()) else {
            throw WorkflowError(.unauthenticated, "this embedded signing link is unknown, already used or expired; ask the sender's application for a new one")
        }
        let token = Secrets.hex(bytes: 32)
        do {
            try await change(account: link.account, envelope: link.envelope) { envelope, transition, _ throws(WorkflowError) in
                try Self.requireWaiting(envelope, link.recipient)
                try envelope.update(link.recipient) { (recipient: inout Recipient) throws(WorkflowError) in
                    recipient.tokenHashes.append(sha256Hex(token))
                }
                transition.record("recipient.embeddedLinkRedeemed", EventActor(kind: .recipient, id: link.recipient),
                                  data: ["recipient": link.recipient], personal: context.personal)
            }
        } catch let error as WorkflowError where error.code == .illegalTransition || error.code == .notFound {
            throw WorkflowError(.unauthenticated, "this embedded signing link can no longer be used: \(error.reason)")
        }
        return token
    }

    /// The envelope is sent and the recipient invited and still to act.
    static func requireWaiting(_ envelope: Envelope, _ recipientID: String) throws(WorkflowError) {
        guard envelope.state == .sent else {
            throw WorkflowError(.illegalTransition, "envelope \(envelope.id) is \(envelope.state.rawValue); embedded signing needs a sent envelope")
        }
        let recipient = try envelope.recipient(recipientID)
        guard recipient.state == .sent || recipient.state == .delivered else {
            throw WorkflowError(.illegalTransition, "recipient \(recipientID) is \(recipient.state.rawValue); only an invited recipient who has not acted can sign embedded")
        }
    }
}
