import Foundation
import Testing
import Workflow

/// Routing and states as tables: who is invited after each action.
@Suite(.serialized) struct RoutingTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        /// (role, routing order) per recipient, in request order; signers get the template's two roles in turn.
        var recipients: [(Recipient.Role, Int)]
        /// After each step (the recipient index that acts), the expected states of all recipients.
        var steps: [(actor: Int, states: [Recipient.State])]
        var sentAtStart: [Recipient.State]
    }

    static let cases: [Case] = [
        Case(description: "sequential: order 2 waits for order 1", recipients: [(.signer, 1), (.signer, 2)],
             steps: [(0, [.completed, .sent]), (1, [.completed, .completed])], sentAtStart: [.sent, .created]),
        Case(description: "parallel: equal orders are invited together", recipients: [(.signer, 1), (.signer, 1)],
             steps: [(1, [.sent, .completed]), (0, [.completed, .completed])], sentAtStart: [.sent, .sent]),
        Case(description: "an approver blocks the later signer until approved", recipients: [(.signer, 1), (.approver, 2), (.signer, 3)],
             steps: [(0, [.completed, .sent, .created]), (1, [.completed, .completed, .sent]), (2, [.completed, .completed, .completed])],
             sentAtStart: [.sent, .created, .created]),
        Case(description: "mixed: a parallel group inside a sequence", recipients: [(.approver, 1), (.signer, 2), (.signer, 2)],
             steps: [(0, [.completed, .sent, .sent]), (2, [.completed, .sent, .completed]), (1, [.completed, .completed, .completed])],
             sentAtStart: [.sent, .created, .created]),
        Case(description: "a viewer is invited with its order and never blocks", recipients: [(.signer, 1), (.viewer, 1), (.signer, 2)],
             steps: [(0, [.completed, .sent, .sent]), (2, [.completed, .sent, .completed])], sentAtStart: [.sent, .sent, .created]),
    ]

    @Test(arguments: cases)
    func routing(_ test: Case) async throws {
        let fixture = try await WorkflowFixture.make("routing")
        var roles = ["customer", "company"].makeIterator()
        let recipients = test.recipients.enumerated().map { index, item in
            RecipientRequest(name: "Person \(index)", email: "p\(index)@example.com", role: item.0, routingOrder: item.1,
                             authentication: .link, signatureRole: item.0 == .signer ? roles.next() : nil)
        }
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(recipients: recipients))
        let sent = try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        #expect(sent.recipients.map(\.state) == test.sentAtStart)
        for step in test.steps {
            let address = "p\(step.actor)@example.com"
            let token = try await fixture.token(for: address)
            let context = RequestContext(ip: "198.51.100.1", userAgent: "Routing")
            let view = try await fixture.engine.open(token: token, context: context)
            try await fixture.engine.consent(token: token, disclosureVersion: view.disclosureVersion,
                                             disclosureSHA256: fixture.engine.configuration.disclosure.sha256, context: context)
            if view.recipient.role == .approver {
                try await fixture.engine.approve(token: token, context: context)
            } else {
                try await fixture.engine.adopt(token: token, mark: .typed("Person \(step.actor)"), context: context)
                try await fixture.engine.sign(token: token, context: context)
            }
            let now = try await fixture.engine.envelope(fixture.agent, id: envelope.id)
            #expect(now.recipients.map(\.state) == step.states, "after recipient \(step.actor) acted")
        }
        #expect(try await fixture.engine.envelope(fixture.agent, id: envelope.id).completionQueued)
    }

    @Test func conditionalRecipientsFollowTheData() async throws {
        let fixture = try await WorkflowFixture.make()
        let director = RecipientRequest(name: "Sales Director", email: "director@northbeam.example", role: .approver,
                                         routingOrder: 1, authentication: .link, when: "discount_pct > 20")
        let customer = RecipientRequest(name: "Gabriel", email: "g@example.com", role: .signer, routingOrder: 2,
                                        authentication: .link, signatureRole: "customer")
        let company = RecipientRequest(name: "Jamie Chen", email: "jamie.chen@northbeam.example", role: .signer, routingOrder: 3,
                                       authentication: .link, signatureRole: "company")
        var data = WorkflowFixture.lead
        data["discount_pct"] = "25"
        let discounted = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(data: data, recipients: [director, customer, company]))
        #expect(discounted.recipients.map(\.email) == ["director@northbeam.example", "g@example.com", "jamie.chen@northbeam.example"])
        data["discount_pct"] = "10"
        let plain = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(data: data, recipients: [director, customer, company]))
        #expect(plain.recipients.map(\.email) == ["g@example.com", "jamie.chen@northbeam.example"])
        // A signer left out by their condition whose signature the contract needs: refused, saying why.
        let conditionalCompany = RecipientRequest(name: "Jamie Chen", email: "jamie.chen@northbeam.example", role: .signer, routingOrder: 3,
                                                  authentication: .link, signatureRole: "company", when: "discount_pct > 20")
        do {
            _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(data: data, recipients: [customer, conditionalCompany]))
            Issue.record("a contract whose company signer was left out by a condition was made")
        } catch let error as WorkflowError {
            #expect(error.reason.contains("required signature for 'company'") && error.reason.contains("left out by their condition"), "\(error.reason)")
        }
        let created = try await fixture.store.events(account: fixture.admin.account, stream: plain.id).first
        #expect(created?.data["excludedByCondition"]?.contains("discount_pct > 20") == true)
    }

    @Test func declineEndsTheEnvelopeAndTellsTheOthers() async throws {
        let fixture = try await WorkflowFixture.make()
        let recipients = [
            RecipientRequest(name: "A", email: "a@example.com", role: .signer, routingOrder: 1, authentication: .link, signatureRole: "customer"),
            RecipientRequest(name: "B", email: "b@example.com", role: .signer, routingOrder: 1, authentication: .link, signatureRole: "company"),
        ]
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(recipients: recipients))
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        let token = try await fixture.token(for: "a@example.com")
        try await fixture.engine.decline(token: token, reason: "Terms changed", context: RequestContext())
        let declined = try await fixture.engine.envelope(fixture.agent, id: envelope.id)
        #expect(declined.state == .declined && declined.finishReason == "Terms changed")
        #expect(try await fixture.mails(to: "b@example.com").contains { $0.subject.hasPrefix("Declined") })
        let other = try await fixture.token(for: "b@example.com")
        await #expect(throws: WorkflowError(.illegalTransition, "")) { _ = try await fixture.engine.open(token: other, context: RequestContext()) }
        // The decline's log (the envelope's end, then the recipient's action) is a possible history.
        let audit = try await AuditVerifier(store: fixture.store, trustAnchors: fixture.trust).verify()
        #expect(audit.isIntact, "\(audit.findings)")
    }

    @Test func remindersExpiryAndTheMovedClock() async throws {
        let fixture = try await WorkflowFixture.make()
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        let worker = WorkflowWorker(engine: fixture.engine, smtp: nil)
        #expect(try await worker.runDue().ran[.reminder] == nil, "nothing is due at once")
        fixture.clock.advance(by: 48 * 3600)
        #expect(try await worker.runDue().ran[.reminder] == 1)
        let reminders = try await fixture.mails(to: "gabriel.cote@crescentcapital.ca").filter { $0.subject.hasPrefix("Reminder") }
        #expect(reminders.count == 1)
        // Both links work: a reminder adds a link, it does not revoke the first one.
        let first = WorkflowFixture.token(in: try await fixture.mails(to: "gabriel.cote@crescentcapital.ca")[0].text,
                                          prefix: fixture.engine.configuration.signingURL)
        _ = try await fixture.engine.open(token: first, context: RequestContext())
        fixture.clock.advance(by: 14 * 86_400)
        _ = try await worker.runDue()
        let expired = try await fixture.engine.envelope(fixture.agent, id: envelope.id)
        #expect(expired.state == .expired)
        #expect(expired.reminders.sent <= expired.reminders.maximum)
        let audit = try await AuditVerifier(store: fixture.store, trustAnchors: fixture.trust).verify()
        #expect(audit.isIntact, "\(audit.findings)")
    }

    /// A worker that was down past the deadline finds the reminder and the expiry both due: it
    /// expires the envelope and sends no reminder of a link that has run out.
    @Test func aLateWorkerSendsNoReminderPastTheDeadline() async throws {
        let fixture = try await WorkflowFixture.make()
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        fixture.clock.advance(by: 15 * 86_400)
        let worker = WorkflowWorker(engine: fixture.engine, smtp: nil)
        for _ in 0..<3 { _ = try await worker.runDue() }
        let expired = try await fixture.engine.envelope(fixture.agent, id: envelope.id)
        #expect(expired.state == .expired)
        #expect(expired.reminders.sent == 0)
        let events = try await fixture.engine.events(fixture.agent, envelope: envelope.id)
        #expect(!events.contains { $0.type == "recipient.reminded" }, "\(events.map(\.type))")
        #expect(try await fixture.mails(to: "gabriel.cote@crescentcapital.ca").allSatisfy { !$0.subject.hasPrefix("Reminder") })
    }

    @Test func voidAndCorrect() async throws {
        let fixture = try await WorkflowFixture.make()
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        let oldToken = try await fixture.token(for: "gabriel.cote@crescentcapital.ca")
        try await fixture.engine.correct(fixture.agent, envelope: envelope.id, recipient: "rcp_1", email: "gabriel@crescent.example")
        await #expect(throws: WorkflowError(.unauthenticated, "")) { _ = try await fixture.engine.open(token: oldToken, context: RequestContext()) }
        let newToken = try await fixture.token(for: "gabriel@crescent.example")
        #expect(try await fixture.engine.open(token: newToken, context: RequestContext()).recipient.email == "gabriel@crescent.example")
        try await fixture.engine.void(fixture.agent, envelope: envelope.id, reason: "Wrong plan")
        #expect(try await fixture.engine.envelope(fixture.agent, id: envelope.id).state == .voided)
        #expect(try await fixture.mails(to: "gabriel@crescent.example").contains { $0.subject.hasPrefix("Voided") })
        let audit = try await AuditVerifier(store: fixture.store, trustAnchors: fixture.trust).verify()
        #expect(audit.isIntact, "\(audit.findings)")
    }
}
