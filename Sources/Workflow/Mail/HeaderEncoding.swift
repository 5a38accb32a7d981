import Foundation

/// Text from senders — a subject, a document's name — written into e-mail and HTTP headers so
/// that it stays text: never a second parameter, a line of its own or an encoded word the sender
/// did not write, and within the lengths the standards allow.
public enum HeaderEncoding {
    /// `Content-Disposition` for a download (RFC 6266): an ASCII `filename` for old clients and,
    /// when the name is not plain ASCII, the exact name as `filename*` (RFC 8187), which clients
    /// prefer. A quote or a backslash in the name cannot end the parameter.
    public static func attachment(named name: String) -> String {
        let fallback = asciiFallback(name)
        guard fallback != name else { return "attachment; filename=\"\(fallback)\"" }
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(percentEncoded(name))"
    }

    /// `name` with every character a quoted-string or an old client would misread — non-ASCII,
    /// controls, `"`, `\`, `/`, `%`, `;`, and the `=` of an `=?` that a client would decode as an
    /// RFC 2047 word (`=?utf-8?B?ZXZpbC5leGU=?=.pdf` shown as `evil.exe.pdf`) — as `_`, keeping
    /// the extension: the name clients that ignore `filename*` save under.
    public static func asciiFallback(_ name: String) -> String {
        let folded = name.applyingTransform(.toLatin, reverse: false)?.applyingTransform(.stripDiacritics, reverse: false) ?? name
        var out = String(String.UnicodeScalarView(folded.unicodeScalars.map { scalar in
            scalar.isASCII && scalar.value >= 0x20 && scalar.value < 0x7F && !"\"\\/%;".unicodeScalars.contains(scalar) ? scalar : "_"
        })).replacingOccurrences(of: "=?", with: "_?")
        if out.trimmingCharacters(in: CharacterSet(charactersIn: "_. ")).isEmpty { out = "document" + (name.hasSuffix(".pdf") ? ".pdf" : "") }
        return out
    }

    /// RFC 8187 / RFC 2231 percent-encoding of the UTF-8 bytes: attr-char stays, the rest is `%XX`.
    static func percentEncoded(_ text: String) -> String {
        let attrChar = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~".utf8)
        return text.utf8.map { attrChar.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
    }

    /// A MIME parameter (RFC 2045, RFC 2231) as header continuation pieces, each at most about 70
    /// characters: `name="value"` for short plain ASCII, else `name*0*=utf-8''…; name*1*=…` split
    /// between encoded characters. Join with `;\r\n ` after the header's first value.
    static func mimeParameter(_ name: String, _ value: String) -> [String] {
        if asciiFallback(value) == value, value.count <= 60 { return ["\(name)=\"\(value)\""] }
        var pieces: [String] = []
        var current = "utf-8''"
        for scalar in value.unicodeScalars {
            let encoded = percentEncoded(String(scalar))
            if current.count + encoded.count > 60, !current.hasSuffix("''") {
                pieces.append(current)
                current = ""
            }
            current += encoded
        }
        pieces.append(current)
        return pieces.enumerated().map { "\(name)*\($0.offset)*=\($0.element)" }
    }

    /// A header line folded before spaces (RFC 5322 §2.2.3) so that no line passes 78
    /// characters where a space allows; a word longer than that stays whole (under 998).
    static func folded(_ line: String) -> String {
        guard line.utf8.count > 78 else { return line }
        var lines: [String] = []
        var current = ""
        for (index, word) in line.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            let piece = index == 0 ? String(word) : " " + word
            if !current.isEmpty, current.utf8.count + piece.utf8.count > 78, !current.allSatisfy({ $0 == " " }) {
                lines.append(current)
                current = piece.hasPrefix(" ") ? piece : " " + piece
            } else {
                current += piece
            }
        }
        lines.append(current)
        return lines.joined(separator: "\r\n")
    }

    /// An unstructured header's value (RFC 5322 §2.2): plain printable ASCII as it is unless it
    /// looks like an encoded word (`=?`), which a reader would decode into text the sender did
    /// not write; otherwise RFC 2047 encoded words of at most 75 characters, each holding whole
    /// code points, folded onto lines of their own (CRLF and a space). `prefix` is the header's
    /// name and colon, counted in the first line.
    static func unstructured(_ text: String, prefix: String) -> String {
        let plain = text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        if plain, !text.contains("=?"), prefix.count + 1 + text.utf8.count <= 998 { return folded("\(prefix) \(text)") }
        // 39 bytes of UTF-8 make 52 base64 characters, a word of 64 (RFC 2047 allows 75): the
        // first line, after "Subject: ", stays within 78 too.
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {   // whole code points: a long emoji sequence may span words
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=") }
        return "\(prefix) " + words.joined(separator: "\r\n ")
    }
}
