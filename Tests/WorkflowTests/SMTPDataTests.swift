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
