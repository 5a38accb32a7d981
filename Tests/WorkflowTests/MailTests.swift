import Foundation
import Testing
import TestSupport
import Workflow

@Suite(.serialized) struct MailTests {
    @Test func theOutboxIsDeliveredOverSMTPAndTheLinkAndCodeInItWork() async throws {
        let server = try LoopbackSMTPServer()
        defer { server.stop() }
        let fixture = try await WorkflowFixture.make()
        let worker = WorkflowWorker(engine: fixture.engine, smtp: SMTPClient(host: "127.0.0.1", port: server.port))
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        let first = try await worker.runDue()
        #expect(first.ran[.email] == 1 && first.failed.isEmpty, "\(first.failed)")
        let invitation = try #require(server.texts(to: "gabriel.cote@crescentcapital.ca").first)
        let token = WorkflowFixture.token(in: invitation, prefix: fixture.engine.configuration.signingURL)
        #expect(token.count == 64, "\(server.messages().first ?? "no message")")
        #expect(invitation.contains("Please sign by Friday."))
        let raw = try #require(server.messages().first)
        #expect(raw.contains("Message-ID: <msg_") && raw.contains("multipart/alternative") && raw.contains("text/html"))

        let context = RequestContext(ip: "203.0.113.50", userAgent: "Mail test")
        let view = try await fixture.engine.open(token: token, context: context)
        try await fixture.engine.consent(token: token, disclosureVersion: view.disclosureVersion,
                                         disclosureSHA256: fixture.engine.configuration.disclosure.sha256, context: context)
        try await fixture.engine.requestCode(token: token, context: context)
        _ = try await worker.runDue()
        let codeMail = try #require(server.texts(to: "gabriel.cote@crescentcapital.ca").first { $0.contains("one-time code") })
        let code = String(codeMail.split(separator: " ").first { $0.count == 7 && $0.hasSuffix(".") }?.dropLast() ?? "")
        try await fixture.engine.authenticate(token: token, code: code, context: context)
        #expect(try await fixture.engine.envelope(fixture.agent, id: envelope.id).recipients[0].authenticatedAt != nil)

        // The store keeps hashes of links and codes; once delivered, the outbox's copies keep
        // neither (the rest of the message stays, for support to read what was sent).
        let stored = try await fixture.store.jobs(account: fixture.admin.account, kind: .email, envelope: envelope.id)
        #expect(stored.count == 2 && stored.allSatisfy { $0.state == .done })
        for job in stored {
            let message = try JSONDecoder().decode(MailMessage.self, from: job.payload)
            #expect(!(message.text + message.html).contains(token) && !(message.text + message.html).contains(code), "\(message.text)")
            #expect(message.text.contains(MailMessage.removedSecret) && message.secrets == nil, "\(message.text)")
        }
        #expect(try await fixture.store.jobs(account: fixture.admin.account, kind: .email, envelope: envelope.id)
            .map { try JSONDecoder().decode(MailMessage.self, from: $0.payload).subject }.contains { $0.hasPrefix("Your code") })
    }

    @Test func aMailDirectoryHoldsEachMessageAsAFileWithItsLink() async throws {
        let fixture = try await WorkflowFixture.make()
        let folder = try TestEnvironment.scratchDirectory().appendingPathComponent("mail")
        let worker = WorkflowWorker(engine: fixture.engine, smtp: MailDirectory(directory: folder))
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        let pass = try await worker.runDue()
        #expect(pass.ran[.email] == 1 && pass.failed.isEmpty, "\(pass.failed)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.count == 1 && files[0].hasSuffix("-1-gabriel.cote@crescentcapital.ca.eml"), "\(files)")
        let text = try String(contentsOf: folder.appendingPathComponent(files[0]), encoding: .utf8)
        #expect(text.hasPrefix("X-Countersign-From: ") && text.contains("Message-ID: <msg_") && text.contains("To: "))
        // The link is in it, as a recipient would read it (quoted-printable soft breaks undone).
        let readable = text.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=3D", with: "=")
        #expect(WorkflowFixture.token(in: readable, prefix: fixture.engine.configuration.signingURL).count == 64)
        // The HTML isolates the sender's and the signer's text, so an Arabic name or subject
        // keeps the e-mail's own words and numbers in their order.
        let html = try #require(try await fixture.mails(to: "gabriel.cote@crescentcapital.ca").first?.html)
        #expect(html.contains("<p>Hello <bdi>Gabriel Côté</bdi>,</p>") && html.contains("“<bdi>Service Agreement — Crescent Capital</bdi>”"), "\(html)")
        // A folder that cannot be made fails the delivery, which stays queued.
        let blocked = WorkflowWorker(engine: fixture.engine, smtp: MailDirectory(directory: URL(fileURLWithPath: "/proc/countersign-mail")))
        _ = try await fixture.engine.remind(fixture.agent, envelope: envelope.id)
        let failed = try await blocked.runDue()
        #expect(failed.failed.count == 1 && failed.failed[0].contains("cannot create the mail folder /proc/countersign-mail"), "\(failed.failed)")
    }

    @Test func aFailingRelayNeverBlocksAStateChangeAndTheMessageIsRetried() async throws {
        let fixture = try await WorkflowFixture.make()
        // Nothing listens on this port yet: delivery fails, the envelope is sent regardless.
        let server = try LoopbackSMTPServer()
        let port = server.port
        server.stop()
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        let failing = WorkflowWorker(engine: fixture.engine, smtp: SMTPClient(host: "127.0.0.1", port: port, timeout: 2))
        let pass = try await failing.runDue()
        #expect(pass.failed.count == 1 && pass.failed[0].contains("cannot connect"))
        #expect(try await fixture.engine.envelope(fixture.agent, id: envelope.id).state == .sent)
        let pending = try await fixture.store.jobs(account: fixture.admin.account, kind: .email, envelope: envelope.id)
        #expect(pending.count == 1 && pending[0].state == .pending && pending[0].lastError != nil)
        // Later, with a relay up, the same message (same Message-ID) goes out.
        let relay = try LoopbackSMTPServer()
        defer { relay.stop() }
        fixture.clock.advance(by: 60)
        let delivered = try await WorkflowWorker(engine: fixture.engine, smtp: SMTPClient(host: "127.0.0.1", port: relay.port)).runDue()
        #expect(delivered.ran[.email] == 1)
        let message = try JSONDecoder().decode(MailMessage.self, from: pending[0].payload)
        #expect(relay.messages().first?.contains("Message-ID: \(message.messageID)") == true)
    }

    @Test func oneConnectionCarriesABatchAndARefusedMessageCostsOnlyItself() async throws {
        let server = try LoopbackSMTPServer(refusing: "nobody@")
        defer { server.stop() }
        let client = SMTPClient(host: "127.0.0.1", port: server.port)
        func message(_ to: String, _ n: Int) -> SMTPClient.Outgoing {
            SMTPClient.Outgoing(from: "contracts@northbeam.example", to: [to],
                                data: "Message-ID: <batch-\(n)@test>\r\nSubject: \(n)\r\n\r\n.leading dot line \(n)\r\n")
        }
        let results = client.send([message("ana@example.com", 1), message("nobody@example.com", 2), message("li@example.com", 3)])
        #expect(results.count == 3)
        #expect(results[0] == nil && results[2] == nil, "the others are accepted: \(results)")
        #expect(results[1]?.code == .mail && results[1]?.reason.contains("550") == true, "the refused one says why: \(String(describing: results[1]))")
        let ids = server.messageIDs()
        #expect(Set(ids) == ["<batch-1@test>", "<batch-3@test>"], "\(ids)")
        #expect(server.messages().allSatisfy { $0.contains("\r\n.leading dot line") }, "dot-stuffing undone by the server")
        let down = SMTPClient(host: "127.0.0.1", port: 1, timeout: 2).send([message("ana@example.com", 4), message("li@example.com", 5)])
        #expect(down.count == 2 && down.allSatisfy { $0?.reason.contains("cannot connect") == true }, "no relay: every message fails: \(down)")
    }
}
