import Foundation
public import Workflow

/// A recipient acting through the library API the way a person acts on their e-mails: the
/// signing link and the one-time code are read from the outbox (the store's e-mail jobs), so no
/// mailbox is needed while nothing delivers them — or, given a `mailbox`, from the delivered
/// messages (a delivered message's stored copy no longer holds its link or code). The demo, the
/// workflow benchmark and tests sign with it.
public enum OutboxSigner {
    /// The text parts of the messages delivered to an address, newest first.
    public typealias Mailbox = @Sendable (_ address: String) async throws -> [String]

    /// Opens the newest link e-mailed to `email` in the envelope, consents, authenticates (with
    /// the newest one-time code when the recipient needs one), adopts `name` as a typed signature
    /// and signs (an approver approves the same way). With `mailbox`, the link and the code are
    /// read from it, waiting up to 30 s for each to arrive.
    public static func sign(_ engine: WorkflowEngine, account: String, envelope: String, email: String, name: String,
                            context: RequestContext, mailbox: Mailbox? = nil) async throws {
        /// The newest e-mail text to `email` in the envelope that `matches` (read newest first,
        /// as a person reads their inbox, so the older messages are not decoded at all).
        func newest(_ matches: (String) -> Bool) async throws -> String? {
            if let mailbox {
                for _ in 0..<300 {
                    if let text = try await mailbox(email).first(where: matches) { return text }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return nil
            }
            for job in try await engine.store.jobs(account: account, kind: .email, envelope: envelope).reversed() {
                let mail = try JSONDecoder().decode(MailMessage.self, from: job.payload)
                guard mail.to.contains(email), matches(mail.subject + "\n" + mail.text) else { continue }
                guard !mail.text.contains(MailMessage.removedSecret) else {
                    throw WorkflowError(.notFound, "the newest message to \(email) was delivered, and its stored copy no longer holds the link or code; read it from the mailbox")
                }
                return mail.text
            }
            return nil
        }
        let prefix = engine.configuration.signingURL
        guard let text = try await newest({ $0.contains(prefix) || $0.contains("Open the documents: " + MailMessage.removedSecret) }),
              let range = text.range(of: prefix) else {
            throw WorkflowError(.notFound, "no signing link was e-mailed to \(email) for envelope \(envelope); send it first")
        }
        let token = String(text[range.upperBound...].prefix { $0.isHexDigit })
        let view = try await engine.open(token: token, context: context)
        try await engine.consent(token: token, disclosureVersion: view.disclosureVersion,
                                 disclosureSHA256: engine.configuration.disclosure.sha256, context: context)
        if view.needsAuthentication {
            try await engine.requestCode(token: token, context: context)
            let message = try await newest { $0.hasPrefix("Your code") || $0.contains("Your one-time code is") } ?? ""
            let code = message.split(separator: " ").first { $0.count == 7 && $0.hasSuffix(".") }.map { String($0.dropLast()) } ?? ""
            try await engine.authenticate(token: token, code: code, context: context)
        }
        try await engine.adopt(token: token, mark: .typed(name), context: context)
        try await engine.sign(token: token, context: context)
    }
}
