public import Foundation

/// One e-mail in the outbox: rendered to an RFC 5322 message (multipart/alternative, plain text
/// and HTML) when delivered. Its `messageID` is fixed when it is enqueued, so a retried delivery
/// is the same message and a receiver can drop the duplicate.
public struct MailMessage: Sendable, Hashable, Codable {
    public var messageID: String
    public var from: String
    public var to: [String]
    public var subject: String
    public var text: String
    public var html: String
    /// When it was enqueued (the `Date:` header).
    public var date: Date
    /// Files attached (the completed documents sent to CC recipients), by name.
    public var attachments: [Attachment]
    /// What the message carries that lets its reader act (a signing link's token, a one-time
    /// code). The store keeps only hashes of these; the outbox's copy keeps them until the
    /// message is delivered, and then `delivered()` takes them out.
    public var secrets: [String]?

    /// The stored copy of a delivered message: each secret replaced by a note, so the store
    /// never keeps a working link or code once the recipient has it.
    public func delivered() -> MailMessage {
        var copy = self
        for secret in secrets ?? [] where !secret.isEmpty {
            copy.text = copy.text.replacingOccurrences(of: secret, with: Self.removedSecret)
            copy.html = copy.html.replacingOccurrences(of: secret, with: Self.removedSecret)
        }
        copy.secrets = nil
        return copy
    }

    /// What a delivered message's stored copy says in place of a secret.
    public static let removedSecret = "[removed once delivered]"

    public struct Attachment: Sendable, Hashable, Codable {
        public var name: String
        public var contentType: String
        /// The document's SHA-256 in the document store (read when the message is delivered).
        public var sha256: String
    }

    /// The RFC 5322 message, CRLF line ends, lines ≤ 78 characters in the bodies (quoted-printable
    /// text, base64 attachments).
    public func rendered(attachmentBytes: [String: [UInt8]] = [:]) -> String {
        let boundary = "=_cs_" + sha256Hex(messageID).prefix(24)
        let alternative = "=_alt_" + sha256Hex(messageID + "alt").prefix(24)
        var lines = [
            "Message-ID: \(messageID)",
            "Date: \(Self.rfc5322Date(date))",
            "From: \(from)",
            "To: \(to.map(MailAddress.transportForm).joined(separator: ", "))",
            HeaderEncoding.unstructured(subject, prefix: "Subject:"),
            "MIME-Version: 1.0",
        ]
        func alternativeParts() -> [String] {
            ["--\(alternative)", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "",
             Self.quotedPrintable(text), "--\(alternative)", "Content-Type: text/html; charset=utf-8",
             "Content-Transfer-Encoding: quoted-printable", "", Self.quotedPrintable(html), "--\(alternative)--"]
        }
        if attachments.isEmpty {
            lines += ["Content-Type: multipart/alternative; boundary=\"\(alternative)\"", ""] + alternativeParts()
        } else {
            lines += ["Content-Type: multipart/mixed; boundary=\"\(boundary)\"", "", "--\(boundary)",
                      "Content-Type: multipart/alternative; boundary=\"\(alternative)\"", ""] + alternativeParts()
            for attachment in attachments {
                let bytes = attachmentBytes[attachment.sha256] ?? []
                let encoded = Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn,
                                                                          .endLineWithLineFeed])
                // The name as RFC 2231 parameters, so a quote in it cannot add a parameter and a
                // long or non-ASCII name stays on lines a relay takes (`name` for old readers).
                func parameter(_ key: String) -> String { HeaderEncoding.mimeParameter(key, attachment.name).joined(separator: ";\r\n ") }
                lines += ["--\(boundary)", "Content-Type: \(attachment.contentType);\r\n " + parameter("name"),
                          "Content-Disposition: attachment;\r\n " + parameter("filename"),
                          "Content-Transfer-Encoding: base64", "", encoded]
            }
            lines.append("--\(boundary)--")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// Quoted-printable (RFC 2045) with CRLF line ends and soft breaks before 76 characters.
    static func quotedPrintable(_ text: String) -> String {
        var output: [String] = []
        for line in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            var current = ""
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let piece: String
                if (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 0x20 || byte == 0x09) && !isLast) {
                    piece = String(UnicodeScalar(byte))
                } else {
                    piece = String(format: "=%02X", byte)
                }
                if current.count + piece.count > 75 {
                    output.append(current + "=")
                    current = ""
                }
                current += piece
            }
            output.append(current)
        }
        return output.joined(separator: "\r\n")
    }
}
