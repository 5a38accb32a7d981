import Foundation
import Testing
@testable import Workflow

/// The bytes the SMTP client sends after DATA: CRLF line ends, dot-stuffing, the final ".".
@Suite struct SMTPDataTests {
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test(arguments: [
        ("", ".\r\n"),
        ("x\r\n", "x\r\n.\r\n"),
        ("x", "x\r\n.\r\n"),
        (".", "..\r\n.\r\n"),
        ("a\r\n.b\r\n..c", "a\r\n..b\r\n...c\r\n.\r\n"),
        ("a\n.b", "a\n.b\r\n.\r\n"),
        ("Côté\r\n.é", "Côté\r\n..é\r\n.\r\n"),
        ("\r\n\r\n.", "\r\n\r\n..\r\n.\r\n"),
    ])
    func examples(_ message: String, _ expected: String) {
        #expect(Self.text(SMTPClient.data(message)) == expected)
    }

    /// The line-by-line reading of RFC 5321 §4.5.2, as strings, agrees on many random messages.
    @Test func agreesWithSplittingIntoLines() {
        func reference(_ message: String) -> [UInt8] {
            var lines = message.components(separatedBy: "\r\n")
            if lines.last == "" { lines.removeLast() }
            return Array((lines.map { ($0.hasPrefix(".") ? "." : "") + $0 + "\r\n" }.joined() + ".\r\n").utf8)
        }
        var generator = SystemRandomNumberGenerator()
        let alphabet = ["a", ".", "\r", "\n", "\r\n", "é"]
        for _ in 0..<2000 {
            let message = (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
            #expect(SMTPClient.data(message) == reference(message), "\(Array(message.utf8))")
        }
    }
}

/// The relay's address as an operator writes it in `worker.smtp` or `--smtp`.
@Suite struct SMTPRelayAddressTests {
    @Test(arguments: [
        ("localhost:25", "localhost", 25),
        ("mail.example.com:2525", "mail.example.com", 2525),
        ("127.0.0.1:1", "127.0.0.1", 1),
        ("[::1]:2525", "::1", 2525),
        ("[2001:db8::25]:587", "2001:db8::25", 587),
    ])
    func relays(_ text: String, _ host: String, _ port: Int) throws {
        let relay = try SMTPClient(relay: text)
        #expect(relay.host == host && relay.port == port)
    }

    /// `::1:2525` was read as host "1", port 2525: an IPv6 address needs its brackets.
    @Test(arguments: [
        ("::1:2525", "more than one ':'"), ("localhost", "no port"), ("", "no port"), (":25", "no host"),
        ("localhost:", "port that is not a number"), ("localhost:0", "port that is not a number"),
        ("localhost:65536", "port that is not a number"), ("localhost:+25", "port that is not a number"),
        ("[::1]2525", "no ']:'"), ("[::1", "no ']:'"), ("[localhost]:25", "not an IPv6 address"),
        ("mail host:25", "characters no host name"), ("mail/x:25", "characters no host name"),
    ])
    func refusedRelays(_ text: String, _ why: String) {
        do {
            _ = try SMTPClient(relay: text)
            Issue.record("'\(text)' was accepted")
        } catch let error as WorkflowError {
            #expect(error.code == .invalidRequest)
            #expect(error.reason.contains(why), "\(error.reason)")
            #expect(error.reason.contains("HOST:PORT"), "\(error.reason)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
