import Foundation
import Testing
import TestSupport
import Workflow

/// A real SMTP server on loopback (aiosmtpd from the venv) receives the outbox; the test follows
/// the link and reads the one-time code from the delivered messages.
final class LoopbackSMTPServer {
    let process = Process()
    let mailDirectory: URL
    let port: Int

    init() throws {
        let python = TestEnvironment.venv.appendingPathComponent("bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw TestTSAError("no venv with aiosmtpd at \(TestEnvironment.venv.path): run scripts/lib/common.sh ensure_venv")
        }
        // Maildir makes its own folder (with tmp/, new/, cur/): give it one that does not exist yet.
        mailDirectory = try TestEnvironment.scratchDirectory("smtp-\(UUID().uuidString.prefix(8))").appendingPathComponent("maildir")
        let script = """
            import socket, sys, time
            from aiosmtpd.controller import Controller
            from aiosmtpd.handlers import Mailbox
            s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
            c = Controller(Mailbox(sys.argv[1]), hostname="127.0.0.1", port=port); c.start()
            print(port, flush=True)
            sys.stdin.read()
            c.stop()
            """
        process.executableURL = python
        process.arguments = ["-c", script, mailDirectory.path]
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestTSAError("aiosmtpd did not start") }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestTSAError("aiosmtpd printed no port")
        }
        self.port = port
        stdin = input
    }

    private let stdin: Pipe

    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: mailDirectory)
    }

    /// The delivered messages (raw RFC 5322 text).
    func messages() -> [String] {
        let new = mailDirectory.appendingPathComponent("new")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: new.path)) ?? []
        return names.sorted().compactMap { try? String(contentsOf: new.appendingPathComponent($0), encoding: .utf8) }
    }

    /// The text part of each message to `address`, quoted-printable decoded.
    func texts(to address: String) -> [String] {
        // The maildir stores messages with LF line ends.
        messages().map { $0.replacingOccurrences(of: "\r\n", with: "\n") }.filter { $0.contains("To: \(address)") }.map { message in
            let part = message.components(separatedBy: "Content-Type: text/plain; charset=utf-8")[1]
                .components(separatedBy: "\n\n").dropFirst().joined(separator: "\n\n")
            return Self.decodeQuotedPrintable(part.components(separatedBy: "\n--").first ?? "")
        }
    }

    static func decodeQuotedPrintable(_ text: String) -> String {
        let joined = Array(text.replacingOccurrences(of: "=\n", with: "").utf8)
        var bytes: [UInt8] = []
        var index = 0
        while index < joined.count {
            if joined[index] == UInt8(ascii: "="), index + 2 < joined.count,
               let value = UInt8(String(decoding: joined[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(joined[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

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
}
