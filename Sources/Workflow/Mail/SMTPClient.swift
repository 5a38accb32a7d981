public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small SMTP client (RFC 5321): one connection per batch of messages, `EHLO`, then for each
/// message `MAIL FROM`, `RCPT TO` for each recipient, `DATA` with dot-stuffing; `QUIT`. No TLS or
/// AUTH: it talks to a relay on a trusted network (a local MTA, a sidecar), which is how the outbox
/// is meant to be deployed.
public struct SMTPClient: Sendable {
    public var host: String
    public var port: Int
    /// The name given in `EHLO`.
    public var heloName: String
    public var timeout: TimeInterval

    public init(host: String, port: Int = 25, heloName: String = "countersign.localhost", timeout: TimeInterval = 20) {
        self.host = host
        self.port = port
        self.heloName = heloName
        self.timeout = timeout
    }

    /// A relay from its address as configured: `HOST:PORT`, or `[IPv6]:PORT` for an IPv6
    /// address (whose own colons would otherwise be read as the port's).
    ///
    /// - Throws: ``WorkflowError`` `invalidRequest` naming what is wrong with `relay`.
    public init(relay: String) throws {
        func refuse(_ why: String) -> WorkflowError {
            WorkflowError(.invalidRequest, "the SMTP relay '\(relay)' \(why); give HOST:PORT, e.g. localhost:25 or [::1]:2525")
        }
        let host: Substring
        let port: Substring
        if relay.hasPrefix("[") {
            guard let close = relay.firstIndex(of: "]"), relay[relay.index(after: close)...].hasPrefix(":") else {
                throw refuse("has an IPv6 address with no ']:' before its port")
            }
            host = relay[relay.index(after: relay.startIndex)..<close]
            port = relay[relay.index(close, offsetBy: 2)...]
            guard host.contains(":") else { throw refuse("has brackets around something that is not an IPv6 address") }
        } else {
            let parts = relay.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw refuse(parts.count < 2 ? "has no port" : "has more than one ':' (write an IPv6 address in brackets)")
            }
            host = parts[0]
            port = parts[1]
        }
        guard !host.isEmpty else { throw refuse("has no host") }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-_:".contains($0)) }) else {
            throw refuse("has a host with characters no host name or address has")
        }
        guard !port.isEmpty, port.count <= 5, port.allSatisfy({ ("0"..."9").contains($0) }), let number = Int(port), (1...65535).contains(number) else {
            throw refuse("has a port that is not a number from 1 to 65535")
        }
        self.init(host: String(host), port: number)
    }

    /// One message to deliver: the envelope sender, the recipients and the message itself.
    public struct Outgoing: Sendable {
        public var from: String
        public var to: [String]
        public var data: String

        public init(from: String, to: [String], data: String) {
            self.from = from
            self.to = to
            self.data = data
        }
    }

    /// Delivers a message; throws `WorkflowError.mail` naming the step and the server's reply.
    public func send(from: String, to recipients: [String], data message: String) throws {
        if let error = send([Outgoing(from: from, to: recipients, data: message)]).first ?? nil { throw error }
    }

    /// Delivers messages over one connection, in order, and returns each one's error (nil when
    /// the relay accepted it). A message the relay refuses is followed by `RSET` and the next
    /// message; once the connection fails, every message not yet accepted fails with that error.
    public func send(_ messages: [Outgoing]) -> [WorkflowError?] {
        guard !messages.isEmpty else { return [] }
        let connection: Connection
        do {
            connection = try Connection(host: host, port: port, timeout: timeout)
        } catch {
            return messages.map { _ in Self.mailError(error) }
        }
        defer { connection.close() }
        var broken: WorkflowError?
        var offersSMTPUTF8 = false
        do {
            try connection.expect(220, step: "greeting")
            // The reply's lines after the first name the extensions (RFC 5321 §4.1.1.1).
            offersSMTPUTF8 = try connection.command("EHLO \(heloName)", expect: 250).dropFirst()
                .contains { $0.dropFirst(4).uppercased().hasPrefix("SMTPUTF8") }
        } catch {
            broken = Self.mailError(error)
        }
        var results: [WorkflowError?] = []
        for message in messages {
            if let broken {
                results.append(broken)
                continue
            }
            do {
                let from = MailAddress.transportForm(message.from), to = message.to.map(MailAddress.transportForm)
                let international = ([from] + to).filter(MailAddress.needsSMTPUTF8)
                if let address = international.first, !offersSMTPUTF8 {
                    // Before MAIL FROM: nothing to undo, and the next message goes on.
                    results.append(WorkflowError(.mailRefused, "SMTP \(connection.name): the address '\(address)' has a local part that is not "
                                                 + "ASCII, which only a relay offering SMTPUTF8 (RFC 6531) can carry, and this one does not "
                                                 + "offer it; use a relay that does, or an ASCII address for this recipient"))
                    continue
                }
                try connection.command("MAIL FROM:<\(from)>" + (international.isEmpty ? "" : " SMTPUTF8"), expect: 250)
                for recipient in to { try connection.command("RCPT TO:<\(recipient)>", expect: 250, or: 251) }
                try connection.command("DATA", expect: 354)
                try connection.write(bytes: Self.data(message.data))
                try connection.expect(250, step: "end of data")
                results.append(nil)
            } catch {
                results.append(Self.mailError(error))
                // A refused message leaves the session usable after RSET; a broken connection does not.
                do { try connection.command("RSET", expect: 250) } catch { broken = Self.mailError(error) }
            }
        }
        if broken == nil { _ = try? connection.command("QUIT", expect: 221) }
        return results
    }

    private static func mailError(_ error: any Error) -> WorkflowError {
        error as? WorkflowError ?? WorkflowError(.mail, "SMTP: \(error)")
    }

    /// The bytes sent after `DATA` (RFC 5321 §4.5.2): the message's lines, each ending in CRLF
    /// (a last line without one gets it), a line starting with "." doubled (dot-stuffing), then
    /// "." alone. Worked on the UTF-8 bytes: a message carries whole PDFs in base64, and
    /// splitting it into Swift strings by lines cost a quarter of a service node's CPU.
    static func data(_ message: String) -> [UInt8] {
        let (cr, lf, dot) = (UInt8(ascii: "\r"), UInt8(ascii: "\n"), UInt8(ascii: "."))
        var out: [UInt8] = []
        out.reserveCapacity(message.utf8.count + message.utf8.count / 64 + 8)
        var previous: (UInt8, UInt8) = (cr, lf)
        for byte in message.utf8 {
            if previous == (cr, lf), byte == dot { out.append(dot) }
            out.append(byte)
            previous = (previous.1, byte)
        }
        if !out.isEmpty, previous != (cr, lf) { out += [cr, lf] }
        out += [dot, cr, lf]
        return out
    }

    /// One TCP connection with line-oriented replies.
    final class Connection {
        let socket: Int32
        let name: String
        var buffer: [UInt8] = []

        init(host: String, port: Int, timeout: TimeInterval) throws {
            name = "\(host):\(port)"
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
                throw WorkflowError(.mail, "SMTP \(host):\(port): cannot resolve the host")
            }
            defer { freeaddrinfo(list) }
            var candidate: UnsafeMutablePointer<addrinfo>? = first
            var connected: Int32 = -1
            var lastError: Int32 = 0
            while let info = candidate {
                let fd = Glibc.socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
                if fd >= 0 {
                    var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                    if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                        connected = fd
                        break
                    }
                    lastError = errno
                    Glibc.close(fd)
                }
                candidate = info.pointee.ai_next
            }
            guard connected >= 0 else {
                throw WorkflowError(.mail, "SMTP \(host):\(port): cannot connect (\(String(cString: strerror(lastError))))")
            }
            socket = connected
        }

        func close() { Glibc.close(socket) }

        func write(_ text: String) throws {
            try write(bytes: Array(text.utf8))
        }

        func write(bytes all: [UInt8]) throws {
            var bytes = all[...]
            while !bytes.isEmpty {
                let sent = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard sent > 0 else { throw WorkflowError(.mail, "SMTP \(name): the connection closed while sending") }
                bytes = bytes.dropFirst(sent)
            }
        }

        /// Sends a command and checks its reply's code; the reply's lines.
        @discardableResult
        func command(_ line: String, expect code: Int, or other: Int? = nil) throws -> [String] {
            try write(line + "\r\n")
            return try expect(code, or: other, step: String(line.prefix(while: { $0 != " " && $0 != ":" })))
        }

        /// The steps of one message's transaction, whose permanent refusals are the message's own.
        static let messageSteps: Set<String> = ["MAIL", "RCPT", "DATA", "end of data"]

        /// Reads a (possibly multi-line) reply and checks its code; the reply's lines.
        @discardableResult
        func expect(_ code: Int, or other: Int? = nil, step: String) throws -> [String] {
            var lines: [String] = []
            while true {
                let line: String
                do {
                    line = try readLine()
                } catch let error as WorkflowError {
                    throw WorkflowError(.mail, "\(error.reason) (waiting for the reply to \(step))")
                }
                lines.append(line)
                guard line.count >= 4, line[line.index(line.startIndex, offsetBy: 3)] == "-" else { break }
            }
            let reply = lines.joined(separator: " / ")
            guard let got = Int(reply.prefix(3)), got == code || got == other else {
                // A 5xx to one message's sender, recipient or content is for good (RFC 5321
                // §4.2.1); one to the greeting or EHLO is about this relay and may mend.
                let refused = Self.messageSteps.contains(step) && reply.first == "5"
                throw WorkflowError(refused ? .mailRefused : .mail, "SMTP \(name): \(step) was answered '\(reply)' (expected \(code))")
            }
            return lines
        }

        func readLine() throws -> String {
            while true {
                if let end = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[..<end], as: UTF8.self).trimmingCharacters(in: .newlines)
                    buffer.removeSubrange(...end)
                    return line
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = recv(socket, &chunk, chunk.count, 0)
                guard count > 0 else { throw WorkflowError(.mail, "SMTP \(name): the server closed the connection or timed out") }
                buffer += chunk[..<count]
                guard buffer.count < 65_536 else { throw WorkflowError(.mail, "SMTP \(name): a reply line is too long") }
            }
        }
    }
}
