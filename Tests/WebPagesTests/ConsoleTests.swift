import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport
import WebPages
import Workflow

/// The agent console over HTTP: log in with a key, find, remind, void; refusals change nothing.
@Suite(.serialized) struct ConsoleTests {
    func withConsole<Value>(_ fixture: PagesFixture, _ body: @Sendable @escaping (PageClient) async throws -> Value) async throws -> Value {
        let router = Router(context: PagesTestContext.self)
        router.addRoutes(fixture.pages.routes())
        return try await Application(router: router).test(.router) { client in try await body(PageClient(client)) }
    }

    func logIn(_ browser: PageClient, key: String) async throws -> PageClient.Page {
        let form = try await browser.get("/console/login")
        return try await browser.post("/console/login", ["csrf": form.csrf ?? "", "key": key])
    }

    @Test func anAgentFindsAnEnvelopeByCRMIdAndRemindsAndVoidsIt() async throws {
        let fixture = try await PagesFixture.make()
        let envelope = try await fixture.sentEnvelope(authentication: .link, lead: "LD-000777")
        _ = try await fixture.sentEnvelope(customer: "someone@example.com", authentication: .link, lead: "LD-000888")
        try await withConsole(fixture) { browser in
            #expect(try await browser.get("/console").location == "/console/login")
            let loggedIn = try await logIn(browser, key: fixture.agentKey)
            #expect(loggedIn.location == "/console")
            let cookie = try #require(loggedIn.setCookie.first { $0.hasPrefix("cs_console=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Strict"))
            let all = try await browser.get("/console")
            #expect(all.body.contains("2 envelope(s)"))
            let found = try await browser.get("/console?crm=lead_id%3DLD-000777")
            #expect(found.body.contains("1 envelope(s)") && found.body.contains(envelope.id))
            let page = try await browser.get("/console/envelopes/\(envelope.id)")
            #expect(page.body.contains("envelope.sent") && page.body.contains("Gabriel Côté"))
            let csrf = try #require(page.csrf)
            #expect(try await browser.post("/console/envelopes/\(envelope.id)/remind", [:]).status == .forbidden)
            #expect(try await browser.post("/console/envelopes/\(envelope.id)/remind", ["csrf": csrf]).location?.contains("notice=reminded") == true)
            let voided = try await browser.post("/console/envelopes/\(envelope.id)/void", ["csrf": csrf, "reason": "Wrong plan"])
            #expect(voided.status == .seeOther)
            #expect(try await browser.get("/console?state=voided").body.contains(envelope.id))
        }
        let after = try await fixture.engine.envelope(fixture.agent, id: envelope.id)
        #expect(after.state == .voided && after.finishReason == "Wrong plan")
        let types = try await fixture.engine.events(fixture.agent, envelope: envelope.id).map(\.type)
        #expect(types.contains("recipient.reminded") && types.contains("envelope.voided"))
    }

    @Test func anEMailTheRelayRefusedIsShownBesideItsRecipientUntilCorrected() async throws {
        let relay = try LoopbackSMTPServer(refusing: "gabriel.cote@")
        defer { relay.stop() }
        let fixture = try await PagesFixture.make()
        let envelope = try await fixture.sentEnvelope(authentication: .link)
        let worker = WorkflowWorker(engine: fixture.engine, smtp: SMTPClient(host: "127.0.0.1", port: relay.port))
        #expect(try await worker.runDue().failed.count == 1)
        let recipient = try #require(envelope.recipients.first { $0.email == "gabriel.cote@crescentcapital.ca" })
        try await withConsole(fixture) { browser in
            _ = try await logIn(browser, key: fixture.agentKey)
            let page = try await browser.get("/console/envelopes/\(envelope.id)")
            #expect(page.body.contains("<strong>E-mail not delivered:</strong> mailRefused: SMTP 127.0.0.1:"), "\(page.body)")
            #expect(page.body.contains("550 5.1.1 no such mailbox here") && page.body.contains("recipient.email_failed"))
            let corrected = try await browser.post("/console/envelopes/\(envelope.id)/correct",
                                                   ["csrf": try #require(page.csrf), "recipient": recipient.id, "email": "gabriel@crescentcapital.ca"])
            #expect(corrected.status == .seeOther)
            #expect(try await !browser.get("/console/envelopes/\(envelope.id)").body.contains("E-mail not delivered"))
        }
    }

    /// A customer locked out by wrong codes is helped from the console: the lock-out shows, and
    /// Resend (a new link, the count of wrong codes cleared) lifts it.
    @Test func aLockedOutRecipientIsShownAndResendLiftsIt() async throws {
        let fixture = try await PagesFixture.make()
        let envelope = try await fixture.sentEnvelope(authentication: .accessCode("Blue-Heron-42"))
        let customer = try #require(envelope.recipients.first { $0.email == "gabriel.cote@crescentcapital.ca" })
        let token = try await fixture.token(for: customer.email)
        let context = RequestContext(ip: "203.0.113.7", userAgent: "Tests/1.0")
        let view = try await fixture.engine.open(token: token, context: context)
        try await fixture.engine.consent(token: token, disclosureVersion: view.disclosureVersion,
                                         disclosureSHA256: fixture.engine.configuration.disclosure.sha256, context: context)
        for _ in 0..<OneTimeCode.maximumAttempts { try? await fixture.engine.authenticate(token: token, code: "wrong-guess", context: context) }
        try await withConsole(fixture) { browser in
            _ = try await logIn(browser, key: fixture.agentKey)
            let page = try await browser.get("/console/envelopes/\(envelope.id)")
            #expect(page.body.contains("<strong>Locked out</strong> after 5 wrong codes"), "\(page.body)")
            #expect(page.body.contains("— locked out</option>"))
            let resent = try await browser.post("/console/envelopes/\(envelope.id)/resend", ["csrf": try #require(page.csrf), "recipient": customer.id])
            #expect(resent.location == "/console/envelopes/\(envelope.id)?notice=resent", "\(resent.status) \(resent.body.prefix(300))")
            #expect(try await !browser.get("/console/envelopes/\(envelope.id)").body.contains("<strong>Locked out</strong>"))
        }
        let after = try await fixture.engine.envelope(fixture.agent, id: envelope.id)
        #expect(after.recipients.first { $0.id == customer.id }?.failedAttempts == 0)
    }

    @Test func aKeyWithoutTheAgentRoleOrAWrongKeyCannotSignIn() async throws {
        let fixture = try await PagesFixture.make()
        let legal = try await fixture.engine.issueKey(fixture.admin, role: .legal, name: "legal 2").secret
        try await withConsole(fixture) { browser in
            let refused = try await logIn(browser, key: legal)
            #expect(refused.status == .forbidden && refused.body.contains("cannot use the console"))
            let wrong = try await logIn(browser, key: "csk_nope")
            #expect(wrong.status == .unauthorized && wrong.body.contains("unknown or revoked"))
            let noToken = try await browser.post("/console/login", ["key": fixture.agentKey])
            #expect(noToken.status == .forbidden)
            #expect(try await browser.get("/console").location == "/console/login")
        }
    }

    @Test func aKeyRevokedAfterSignInEndsItsSessionAtOnce() async throws {
        let fixture = try await PagesFixture.make()
        let envelope = try await fixture.sentEnvelope(authentication: .link, lead: "LD-000779")
        let issued = try await fixture.engine.issueKey(fixture.admin, role: .agent, name: "temporary agent")
        try await withConsole(fixture) { browser in
            #expect(try await logIn(browser, key: issued.secret).location == "/console")
            let page = try await browser.get("/console/envelopes/\(envelope.id)")
            let csrf = try #require(page.csrf)
            _ = try await fixture.engine.revokeKey(fixture.admin, id: issued.record.id)
            #expect(try await browser.get("/console").location == "/console/login")
            let voided = try await browser.post("/console/envelopes/\(envelope.id)/void", ["csrf": csrf, "reason": "After revocation"])
            // The agent is told the void was not done, not sent to a plain sign-in page.
            #expect(voided.location == "/console/login?ended=1")
            #expect(try await browser.get("/console/login?ended=1").body.contains("so the last action was not done"))
        }
        #expect(try await fixture.engine.envelope(fixture.agent, id: envelope.id).state == .sent)
    }

    @Test func anAgentStartsAnEnvelopeFromAPublishedTemplateWithTheGeneratedForm() async throws {
        let fixture = try await PagesFixture.make()
        try await withConsole(fixture) { browser in
            _ = try await logIn(browser, key: fixture.agentKey)
            let templates = try await browser.get("/console/new")
            #expect(templates.body.contains("/console/new/service-agreement/3"))
            let form = try await browser.get("/console/new/service-agreement/3")
            #expect(form.body.contains("name=\"data.company_name\"") && form.body.contains("name=\"data.plan\""))
            var fields = ["csrf": form.csrf ?? "", "subject": "Console agreement", "crm.key": "lead_id", "crm.value": "LD-000555",
                          "owner": "jamie.chen@northbeam.example", "action": "preview",
                          "r1.name": "Gabriel Côté", "r1.email": "gabriel.cote@crescentcapital.ca", "r1.role": "signer", "r1.order": "1",
                          "r1.signatureRole": "customer", "r1.auth": "emailOTP",
                          "r2.name": "Jamie Chen", "r2.email": "jamie.chen@northbeam.example", "r2.role": "signer", "r2.order": "2",
                          "r2.signatureRole": "company", "r2.auth": "link"]
            for (key, value) in PagesFixture.lead where key != "lead_id" { fields["data.\(key)"] = value }
            fields["data.lead_id"] = "LD-000555"
            // Refused (an address no relay takes): the form comes back as typed, with the reason.
            var mistyped = fields
            mistyped["r2.email"] = "jamie.chen@northbeam"
            let refused = try await browser.post("/console/new/service-agreement/3", mistyped)
            #expect(refused.status == .badRequest && refused.body.contains("jamie.chen@northbeam"), "\(refused.body.prefix(2000))")
            #expect(refused.body.contains(#"value="Console agreement""#) && refused.body.contains(#"value="Gabriel Côté""#)
                    && refused.body.contains(#"value="LD-000555""#) && refused.body.contains("<option selected>company</option>")
                    && refused.body.contains(#"<option value="link" selected>Link only</option>"#), "\(refused.body)")
            let created = try await browser.post("/console/new/service-agreement/3", fields)
            let location = try #require(created.location, "\(created.body)")
            #expect(location.contains("notice=created"))
            let preview = try await browser.get(String(location.split(separator: "?")[0]))
            #expect(preview.body.contains("Preview") && preview.body.contains("/pages/1"))
            let id = String(location.split(separator: "/").last!.split(separator: "?")[0])
            #expect(try await browser.post("/console/envelopes/\(id)/send", ["csrf": preview.csrf ?? ""]).status == .seeOther)
            let sent = try await fixture.engine.envelope(fixture.agent, id: id)
            #expect(sent.state == .sent && sent.metadata["lead_id"] == "LD-000555" && sent.data["company_name"] == "Crescent Capital Inc.")
        }
    }
}
