import Foundation
import Testing
import TestSupport
@testable import Workflow

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
        #expect(results[1]?.code == .mailRefused && results[1]?.reason.contains("550") == true, "the refused one says why, for good: \(String(describing: results[1]))")
        let ids = server.messageIDs()
        #expect(Set(ids) == ["<batch-1@test>", "<batch-3@test>"], "\(ids)")
        #expect(server.messages().allSatisfy { $0.contains("\r\n.leading dot line") }, "dot-stuffing undone by the server")
        let down = SMTPClient(host: "127.0.0.1", port: 1, timeout: 2).send([message("ana@example.com", 4), message("li@example.com", 5)])
        #expect(down.count == 2 && down.allSatisfy { $0?.reason.contains("cannot connect") == true }, "no relay: every message fails: \(down)")
    }
}

/// An e-mail that cannot arrive is the sender's to hear of: a relay's permanent refusal is not
/// retried, and it — or the last of a temporary failure's attempts — is a
/// `recipient.email_failed` event (and webhook) naming the recipient.
@Suite(.serialized) struct UndeliverableMailTests {
    /// An invitation still queued when the envelope is voided is not sent: its link would lead
    /// to a voided page, after the sender withdrew the contract. The void's own notice goes.
    @Test func anInvitationForAVoidedEnvelopeIsNotSent() async throws {
        let server = try LoopbackSMTPServer()
        defer { server.stop() }
        let fixture = try await WorkflowFixture.make()
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        _ = try await fixture.engine.void(fixture.agent, envelope: envelope.id, reason: "Wrong price")
        let worker = WorkflowWorker(engine: fixture.engine, smtp: SMTPClient(host: "127.0.0.1", port: server.port))
        _ = try await worker.runDue()
        let jobs = try await fixture.store.jobs(account: fixture.admin.account, kind: .email, envelope: envelope.id)
        let withheld = jobs.filter { $0.state == .failed }
        #expect(!withheld.isEmpty && withheld.allSatisfy { ($0.lastError ?? "").contains("is voided, so the link or code") }, "\(jobs)")
        #expect(!server.messages().contains { $0.contains("/s/") }, "a signing link was mailed after the void")
    }

    @Test func aRefusedRecipientIsNotRetriedAndTheSenderIsTold() async throws {
        let server = try LoopbackSMTPServer(refusing: "gabriel.cote@")
        defer { server.stop() }
        let fixture = try await WorkflowFixture.make()
        let worker = WorkflowWorker(engine: fixture.engine, smtp: SMTPClient(host: "127.0.0.1", port: server.port))
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        let pass = try await worker.runDue()
        #expect(pass.failed.count == 1 && pass.failed[0].contains("550"), "\(pass.failed)")
        let jobs = try await fixture.store.jobs(account: fixture.admin.account, kind: .email, envelope: envelope.id)
        #expect(jobs.count == 1 && jobs[0].state == .failed && jobs[0].attempts == 1, "given up at once: \(jobs)")
        let events = try await fixture.engine.events(fixture.agent, envelope: envelope.id)
        let failure = try #require(events.last)
        let recipient = try #require(envelope.recipients.first { $0.email == "gabriel.cote@crescentcapital.ca" })
        #expect(failure.type == "recipient.email_failed" && failure.data["recipient"] == recipient.id, "\(events.map(\.type))")
        #expect(failure.data["cause"] == "refused" && failure.data["attempts"] == "1" && failure.data["message"]?.hasPrefix("<msg_") == true,
                "\(failure.data)")
        #expect(failure.personal?["error"]?.contains("550") == true && failure.personal?["email"] == recipient.email,
                "the reply and the address are personal data: \(String(describing: failure.personal))")
        #expect(WebhookEventTypes.delivered("recipient.email_failed"))
        // The webhook carries the cause, the message's id and the attempts, not the personal data.
        let payload = try #require(try JSONSerialization.jsonObject(with: WebhookPayload.make(failure, envelope: nil)) as? [String: Any])
        let data = try #require(payload["data"] as? [String: Any])
        #expect(data["cause"] as? String == "refused" && data["attempts"] as? Int == 1 && (data["message"] as? String)?.hasPrefix("<msg_") == true,
                "\(data)")
        #expect(!String(decoding: WebhookPayload.make(failure, envelope: nil), as: UTF8.self).contains(recipient.email))
        // Nothing is tried again, however long the worker runs.
        fixture.clock.advance(by: 7_200)
        #expect(try await worker.runDue().failed.isEmpty)
        #expect(server.deliveries().filter { $0.contains("gabriel.cote@") }.count == 1, "\(server.deliveries())")
        // The sender corrects the address; the new invitation goes out.
        _ = try await fixture.engine.correct(fixture.agent, envelope: envelope.id, recipient: recipient.id, email: "gabriel@crescentcapital.ca")
        let after = try await worker.runDue()
        #expect(after.ran[.email] == 1 && after.failed.isEmpty, "\(after.failed)")
        #expect(!server.texts(to: "gabriel@crescentcapital.ca").isEmpty)
    }

    @Test func aRelayThatStaysDownIsToldOnceTheAttemptsAreUsedUp() async throws {
        let fixture = try await WorkflowFixture.make()
        let closed = try LoopbackSMTPServer()
        let port = closed.port
        closed.stop()
        let worker = WorkflowWorker(engine: fixture.engine, smtp: SMTPClient(host: "127.0.0.1", port: port, timeout: 2))
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        func failures() async throws -> [WorkflowEvent] {
            try await fixture.engine.events(fixture.agent, envelope: envelope.id).filter { $0.type == "recipient.email_failed" }
        }
        for attempt in 1...8 {
            let pass = try await worker.runDue()
            #expect(pass.failed.count == 1 && pass.failed[0].contains("cannot connect"), "attempt \(attempt): \(pass.failed)")
            // A temporary failure is retried quietly; only the last attempt tells the sender.
            #expect(try await failures().count == (attempt == 8 ? 1 : 0), "attempt \(attempt)")
            fixture.clock.advance(by: 3_601)
        }
        let last = try #require(try await failures().first)
        #expect(last.data["cause"] == "attemptsUsedUp" && last.data["attempts"] == "8", "\(last.data)")
        #expect(try await fixture.store.jobs(account: fixture.admin.account, kind: .email, envelope: envelope.id).first?.state == .failed)
        #expect(try await worker.runDue().failed.isEmpty)
    }
}
