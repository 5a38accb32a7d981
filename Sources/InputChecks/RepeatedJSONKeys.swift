public import Foundation

/// Finds a key given twice in one JSON object (and a comma before a closing brace).
///
/// RFC 8259 leaves the meaning of `{"email": "a@x", "email": "b@x"}` to the reader, and readers
/// differ: Foundation's keeps one silently, another service in the same pipeline may keep the
/// other. A request whose meaning depends on the reader is refused instead (its path names the
/// key). Keys compare as Swift strings do (canonically equivalent spellings, and `\u` escapes,
/// are the same key), as the decoder that reads them afterwards would.
///
/// This is a scan, not a parser: text that is not JSON makes it stop and answer nil, and the
/// decoder run afterwards reports the syntax error where it is.
public enum RepeatedJSONKeys {
    /// What the scan found that a strict reader refuses and Foundation's accepts.
    public enum Finding: Sendable, Equatable {
        /// A key given twice in one object, by its path (`recipients[1].email`).
        case repeated(path: String)
        /// A comma before an object's closing brace (`{"port": 8080,}`), which JSON does not
        /// allow and Foundation's decoder lets through; the byte offset of the comma.
        case trailingComma(offset: Int, line: Int, column: Int)

        /// What is wrong, for a message about `what` (`the configuration`).
        public func describe(_ what: String) -> String {
            switch self {
            case .repeated(let path): "\(path) is given twice in one object of \(what); give each field once"
            case .trailingComma(_, let line, let column):
                "\(what) has a comma before '}' at line \(line), column \(column); JSON allows none there: remove it"
            }
        }
    }

    /// The path of the first key repeated in its object (`recipients[1].email`), or nil.
    public static func first(in data: Data) -> String? {
        if case .repeated(let path)? = scan(data) { return path }
        return nil
    }

    /// The first repeated key or trailing comma, or nil.
    public static func scan(_ data: Data) -> Finding? {
        data.withUnsafeBytes { raw in
            var scanner = Scanner(bytes: raw.bindMemory(to: UInt8.self))
            guard !scanner.value(depth: 0) else { return nil }
            if let found = scanner.found { return .repeated(path: found) }
            if let comma = scanner.trailingComma {
                let (line, column) = TextPosition.lineAndColumn(of: comma, in: scanner.bytes)
                return .trailingComma(offset: comma, line: line, column: column)
            }
            return nil
        }
    }

    /// Deeper than this, the decoder refuses the document anyway.
    static let maximumDepth = 512

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        /// The path of the value being read, as keys and indexes.
        var path: [PathPart] = []
        var found: String?
        var trailingComma: Int?

        enum PathPart {
            case key(String)
            case index(Int)
        }

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        }

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
                index += 1
            }
        }

        /// Reads one value; false when it met a repeated key (in `found`) or text that is not JSON.
        mutating func value(depth: Int) -> Bool {
            guard depth < RepeatedJSONKeys.maximumDepth else { return false }
            skipSpace()
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "{"): return object(depth: depth)
            case UInt8(ascii: "["): return array(depth: depth)
            case UInt8(ascii: "\""): return skipString()
            default:
                // A number or a literal: everything up to the next delimiter.
                let start = index
                while index < bytes.count, !Self.isDelimiter(bytes[index]) { index += 1 }
                return index > start
            }
        }

        static func isDelimiter(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ":"), 0x20, 0x09, 0x0A, 0x0D: true
            default: false
            }
        }

        mutating func object(depth: Int) -> Bool {
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return true }
            var keys = Set<String>()
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = string() else { return false }
                path.append(.key(key))
                guard keys.insert(key).inserted else {
                    found = Self.text(path)
                    return false
                }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
                index += 1
                guard value(depth: depth + 1) else { return false }
                path.removeLast()
                skipSpace()
                guard index < bytes.count else { return false }
                if bytes[index] == UInt8(ascii: ",") {
                    let comma = index
                    index += 1
                    skipSpace()
                    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                        trailingComma = comma
                        return false
                    }
                    continue
                }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return true }
                return false
            }
        }

        mutating func array(depth: Int) -> Bool {
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return true }
            var position = 0
            while true {
                path.append(.index(position))
                guard value(depth: depth + 1) else { return false }
                path.removeLast()
                position += 1
                skipSpace()
                guard index < bytes.count else { return false }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return true }
                return false
            }
        }

        /// Steps over a string value without making its text (a document's base64 can be
        /// megabytes); false when it does not end.
        mutating func skipString() -> Bool {
            index += 1
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""): index += 1; return true
                case UInt8(ascii: "\\"): index += 2
                default: index += 1
                }
            }
            return false
        }

        /// A string's text, escapes decoded; nil when it does not end or an escape is bad.
        mutating func string() -> String? {
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self)
            }
            var utf8 = Array(bytes[start..<index])
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: "\"") { return String(decoding: utf8, as: UTF8.self) }
                guard byte == UInt8(ascii: "\\") else { utf8.append(byte); continue }
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    guard var code = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count,
                       bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    utf8.append(contentsOf: String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8)
                default: utf8.append(escape)  // \" \\ \/ (anything else the decoder refuses)
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for byte in bytes[index..<(index + 4)] {
                guard let digit = UInt32(String(UnicodeScalar(byte)), radix: 16) else { return nil }
                value = value << 4 | digit
            }
            index += 4
            return value
        }

        static func text(_ path: [PathPart]) -> String {
            path.reduce("") { text, part in
                switch part {
                case .key(let key): JSONPath.appending(key, to: text)
                case .index(let position): "\(text)[\(position)]"
                }
            }
        }
    }
}
