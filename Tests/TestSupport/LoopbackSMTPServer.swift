public import Foundation

/// A real SMTP server on loopback (aiosmtpd from the venv) receives the outbox; the test follows
/// the link and reads the one-time code from the delivered messages.
public final class LoopbackSMTPServer: @unchecked Sendable {
    let process = Process()
    public let mailDirectory: URL
    public let port: Int
    /// One line per message as its delivery starts: `DATA <Message-ID>` (after the delay, `SAVED <Message-ID>`).
    public let deliveryLog: URL

    /// Starts the server. With `delay`, each message's DATA is held that many seconds before it
    /// is stored (a slow relay: a client can be stopped mid-delivery).
    /// `refusing`: recipients containing this text are refused (`550`) at `RCPT TO`.
    /// `smtputf8`: the server offers SMTPUTF8 (RFC 6531); without it, it takes ASCII only.
    /// Each `MAIL FROM` and `RCPT TO` is logged too (`MAIL address options`, `RCPT address`).
    public init(delay: Double = 0, refusing: String? = nil, smtputf8: Bool = false) throws {
        let python = TestEnvironment.venv.appendingPathComponent("bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw TestTSAError("no venv with aiosmtpd at \(TestEnvironment.venv.path): run scripts/lib/common.sh ensure_venv")
        }
        // The server makes the Maildir (tmp/, new/, cur/) in a folder that does not exist yet.
        let scratch = try TestEnvironment.scratchDirectory("smtp-\(UUID().uuidString.prefix(8))")
        mailDirectory = scratch.appendingPathComponent("maildir")
        deliveryLog = scratch.appendingPathComponent("deliveries.log")
        // The handler stores each message's bytes as received (CRLF line ends) in the Maildir,
        // as aiosmtpd's Mailbox handler would but without parsing and re-serialising it: in the
        // service benchmark that parse cost a quarter of a core, on a machine the service shares.
        let script = """
            import asyncio, itertools, os, re, socket, sys, time
            from aiosmtpd.controller import Controller
            root, delay = sys.argv[1], float(sys.argv[3])
            for folder in ("tmp", "new", "cur"):
                os.makedirs(os.path.join(root, folder), exist_ok=True)
            log = open(sys.argv[2], "a", buffering=1)
            counter = itertools.count()
            refusing = sys.argv[4]
            class Sink:
                async def handle_MAIL(self, server, session, envelope, address, mail_options):
                    log.write("MAIL " + address + " " + " ".join(mail_options) + "\\n")
                    envelope.mail_from = address
                    envelope.mail_options.extend(mail_options)
                    return "250 OK"
                async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                    log.write("RCPT " + address + "\\n")
                    if refusing and refusing in address:
                        return "550 5.1.1 no such mailbox here"
                    envelope.rcpt_tos.append(address)
                    return "250 OK"
                async def handle_DATA(self, server, session, envelope):
                    found = re.search(rb"^Message-ID: (\\S+)", envelope.original_content, re.M)
                    mid = found.group(1).decode() if found else "?"
                    log.write("DATA " + mid + "\\n")
                    if delay > 0:
                        await asyncio.sleep(delay)
                    name = "%d.%06d.countersign" % (time.time_ns(), next(counter))
                    with open(os.path.join(root, "tmp", name), "wb") as file:
                        file.write(envelope.original_content)
                    os.rename(os.path.join(root, "tmp", name), os.path.join(root, "new", name))
                    log.write("SAVED " + mid + "\\n")
                    return "250 Message accepted for delivery"
            s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
            c = Controller(Sink(), hostname="127.0.0.1", port=port, enable_SMTPUTF8=sys.argv[5] == "1"); c.start()
            print(port, flush=True)
            sys.stdin.read()
            c.stop()
            """
        process.executableURL = python
        process.arguments = ["-c", script, mailDirectory.path, deliveryLog.path, String(delay), refusing ?? "", smtputf8 ? "1" : "0"]
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

    /// Stops the server and deletes what it received.
    public func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitForExit(timeout: 10)
        try? FileManager.default.removeItem(at: mailDirectory)
    }

    /// The delivered messages (raw RFC 5322 text).
    public func messages() -> [String] {
        let new = mailDirectory.appendingPathComponent("new")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: new.path)) ?? []
        return names.sorted().compactMap { try? String(contentsOf: new.appendingPathComponent($0), encoding: .utf8) }
    }

    /// The `Message-ID` of every stored message (a message delivered twice is listed twice).
    public func messageIDs() -> [String] {
        messages().compactMap { message in
            message.split(whereSeparator: \.isNewline).first { $0.hasPrefix("Message-ID: ") }.map { String($0.dropFirst(12)) }
        }
    }

    /// The delivery log's lines (`MAIL <from> <options>` and `RCPT <to>` as commanded, `DATA <id>`
    /// when a message's delivery starts, `SAVED <id>` once stored).
    public func deliveries() -> [String] {
        ((try? String(contentsOf: deliveryLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The text part of each message to `address`, quoted-printable decoded.
    public func texts(to address: String) -> [String] {
        // Messages are stored as received, with CRLF line ends.
        messages().map { $0.replacingOccurrences(of: "\r\n", with: "\n") }.filter { $0.contains("To: \(address)") }.map { message in
            let part = message.components(separatedBy: "Content-Type: text/plain; charset=utf-8")[1]
                .components(separatedBy: "\n\n").dropFirst().joined(separator: "\n\n")
            return Self.decodeQuotedPrintable(part.components(separatedBy: "\n--").first ?? "")
        }
    }

    public static func decodeQuotedPrintable(_ text: String) -> String {
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

