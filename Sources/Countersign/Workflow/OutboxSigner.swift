import Foundation
public import Workflow

/// A recipient acting through the library API the way a person acts on their e-mails: the
/// signing link and the one-time code are read from the outbox (the store's e-mail jobs), so no
/// mailbox is needed. The demo, the workflow benchmark and tests sign with it.
public enum OutboxSigner {
    /// Opens the newest link e-mailed to `email` in the envelope, consents, authenticates (with
    /// the newest one-time code when the recipient needs one), adopts `name` as a typed signature
    /// and signs (an approver approves the same way).
    public static func sign(_ engine: WorkflowEngine, account: String, envelope: String, email: String, name: String,
                            context: RequestContext) async throws {
        func mails() async throws -> [MailMessage] {
            try await engine.store.jobs(account: account, kind: .email, envelope: envelope)
                .map { try JSONDecoder().decode(MailMessage.self, from: $0.payload) }.filter { $0.to.contains(email) }
        }
        let prefix = engine.configuration.signingURL
        guard let text = try await mails().last(where: { $0.text.contains(prefix) })?.text, let range = text.range(of: prefix) else {
            throw WorkflowError(.notFound, "no signing link was e-mailed to \(email) for envelope \(envelope); send it first")
        }
        let token = String(text[range.upperBound...].prefix { $0.isHexDigit })
        let view = try await engine.open(token: token, context: context)
        try await engine.consent(token: token, disclosureVersion: view.disclosureVersion,
                                 disclosureSHA256: engine.configuration.disclosure.sha256, context: context)
        if view.needsAuthentication {
            try await engine.requestCode(token: token, context: context)
            let message = try await mails().last { $0.subject.hasPrefix("Your code") }?.text ?? ""
            let code = message.split(separator: " ").first { $0.count == 7 && $0.hasSuffix(".") }.map { String($0.dropLast()) } ?? ""
            try await engine.authenticate(token: token, code: code, context: context)
        }
        try await engine.adopt(token: token, mark: .typed(name), context: context)
        try await engine.sign(token: token, context: context)
    }
}
