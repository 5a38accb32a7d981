import PDFSyntax
/// A minimal PDF tokenizer over the raw file bytes, written for the verifier alone: it finds
/// where tokens and objects lie, which the object layer does not say. Signature checks need the
/// exact byte span of the `/Contents` hex string, and the update check needs each object's span.
struct RawScanner {
    /// A token's kind and byte span.
    struct Token: Equatable {
        enum Kind: Equatable {
            case number, name, literalString, hexString, dictionaryStart, dictionaryEnd, arrayStart, arrayEnd, keyword
        }

        var kind: Kind
        var start: Int
        var end: Int
    }

    /// One top-level entry of a dictionary: the key's bytes (without `/`) and where its value lies.
    struct Entry {
        var key: [UInt8]
        var keyStart: Int
        var valueStart: Int
        var valueEnd: Int
        /// The value's first token (for a reference `n g R`, the object number).
        var valueKind: Token.Kind
    }

    struct Failure: Error, CustomStringConvertible {
        var message: String
        var offset: Int
        var description: String { "\(message) (at byte offset \(offset))" }
    }

    let bytes: PDFBytes
    /// Deepest nesting followed before giving up (hostile files).
    let maxDepth = 256

    init(bytes: PDFBytes) { self.bytes = bytes }

    // MARK: Byte classes (ISO 32000-2 §7.2.3)

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 || byte == 0x0C || byte == 0x00
    }

    static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "["),
             UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "/"), UInt8(ascii: "%"):
            return true
        default:
            return false
        }
    }

    /// Skips whitespace and comments.
    func skipBlank(from position: Int) -> Int {
        var index = position
        while index < bytes.count {
            if Self.isWhitespace(bytes[index]) {
                index += 1
            } else if bytes[index] == UInt8(ascii: "%") {
                while index < bytes.count, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
            } else {
                break
            }
        }
        return index
    }

    /// The token at `position` (after blanks), or nil at the end of the bytes.
    func token(at position: Int) throws -> Token? {
        let start = skipBlank(from: position)
        guard start < bytes.count else { return nil }
        let byte = bytes[start]
        switch byte {
        case UInt8(ascii: "/"):
            var index = start + 1
            while index < bytes.count, !Self.isWhitespace(bytes[index]), !Self.isDelimiter(bytes[index]) { index += 1 }
            return Token(kind: .name, start: start, end: index)
        case UInt8(ascii: "("):
            return Token(kind: .literalString, start: start, end: try endOfLiteralString(from: start))
        case UInt8(ascii: "<"):
            if start + 1 < bytes.count, bytes[start + 1] == UInt8(ascii: "<") {
                return Token(kind: .dictionaryStart, start: start, end: start + 2)
            }
            var index = start + 1
            while index < bytes.count, bytes[index] != UInt8(ascii: ">") {
                let digit = bytes[index]
                let isHex = (digit >= 0x30 && digit <= 0x39) || ((digit | 0x20) >= 0x61 && (digit | 0x20) <= 0x66)
                guard isHex || Self.isWhitespace(digit) else {
                    throw Failure(message: "a hex string holds a byte that is not a hex digit", offset: index)
                }
                index += 1
            }
            guard index < bytes.count else { throw Failure(message: "a hex string is not closed", offset: start) }
            return Token(kind: .hexString, start: start, end: index + 1)
        case UInt8(ascii: ">"):
            guard start + 1 < bytes.count, bytes[start + 1] == UInt8(ascii: ">") else {
                throw Failure(message: "a lone '>'", offset: start)
            }
            return Token(kind: .dictionaryEnd, start: start, end: start + 2)
        case UInt8(ascii: "["):
            return Token(kind: .arrayStart, start: start, end: start + 1)
        case UInt8(ascii: "]"):
            return Token(kind: .arrayEnd, start: start, end: start + 1)
        case UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            throw Failure(message: "an unexpected '\(Character(UnicodeScalar(byte)))'", offset: start)
        default:
            var index = start
            while index < bytes.count, !Self.isWhitespace(bytes[index]), !Self.isDelimiter(bytes[index]) { index += 1 }
            let first = bytes[start]
            let numeric = (first >= 0x30 && first <= 0x39) || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
                || first == UInt8(ascii: ".")
            return Token(kind: numeric ? .number : .keyword, start: start, end: index)
        }
    }

    private func endOfLiteralString(from start: Int) throws -> Int {
        var depth = 0
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"):
                index += 2
                continue
            case UInt8(ascii: "("):
                depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return index + 1 }
            default:
                break
            }
            index += 1
        }
        throw Failure(message: "a literal string is not closed", offset: start)
    }

    /// The bytes of a token.
    func text(_ token: Token) -> Slice<PDFBytes> { bytes[token.start..<token.end] }

    func spells(_ token: Token, _ word: String) -> Bool { text(token).elementsEqual(word.utf8) }

    /// The integer a number token spells, if it is an integer.
    func integer(_ token: Token) -> Int? {
        guard token.kind == .number else { return nil }
        return Int(String(decoding: text(token), as: UTF8.self))
    }

    // MARK: Objects

    /// Skips one complete direct object starting at `position`; returns its first token and its end.
    /// A reference `n g R` counts as one object.
    func skipObject(at position: Int, depth: Int = 0) throws -> (first: Token, end: Int) {
        guard depth <= maxDepth else { throw Failure(message: "objects nest too deeply", offset: position) }
        guard let first = try token(at: position) else {
            throw Failure(message: "the file ends where an object was expected", offset: position)
        }
        switch first.kind {
        case .dictionaryStart:
            var index = first.end
            while true {
                guard let key = try token(at: index) else { throw Failure(message: "a dictionary is not closed", offset: first.start) }
                if key.kind == .dictionaryEnd { return (first, key.end) }
                guard key.kind == .name else { throw Failure(message: "a dictionary key is not a name", offset: key.start) }
                index = try skipObject(at: key.end, depth: depth + 1).end
            }
        case .arrayStart:
            var index = first.end
            while true {
                guard let next = try token(at: index) else { throw Failure(message: "an array is not closed", offset: first.start) }
                if next.kind == .arrayEnd { return (first, next.end) }
                index = try skipObject(at: index, depth: depth + 1).end
            }
        case .number:
            // `n g R`?
            if let generation = try? token(at: first.end), generation.kind == .number,
               let keyword = try? token(at: generation.end), keyword.kind == .keyword, spells(keyword, "R") {
                return (first, keyword.end)
            }
            return (first, first.end)
        case .dictionaryEnd, .arrayEnd:
            throw Failure(message: "an unexpected closing delimiter", offset: first.start)
        default:
            return (first, first.end)
        }
    }

    /// Reads `n g obj` at `offset` and the top-level entries of the dictionary that follows.
    func dictionaryEntries(ofObjectAt offset: Int) throws -> (entries: [Entry], start: Int, end: Int) {
        try dictionaryEntries(at: try afterObjectHeader(at: offset))
    }

    /// The top-level entries of the dictionary that starts at `start` (blanks may come first).
    func dictionaryEntries(at start: Int) throws -> (entries: [Entry], start: Int, end: Int) {
        guard let open = try token(at: start), open.kind == .dictionaryStart else {
            throw Failure(message: "the object is not a dictionary", offset: start)
        }
        var entries: [Entry] = []
        var index = open.end
        while true {
            guard let key = try token(at: index) else { throw Failure(message: "the dictionary is not closed", offset: open.start) }
            if key.kind == .dictionaryEnd { return (entries, open.start, key.end) }
            guard key.kind == .name else { throw Failure(message: "a dictionary key is not a name", offset: key.start) }
            let (first, end) = try skipObject(at: key.end)
            entries.append(Entry(key: Array(bytes[(key.start + 1)..<key.end]), keyStart: key.start,
                                 valueStart: first.start, valueEnd: end, valueKind: first.kind))
            index = end
        }
    }

    /// The position after `n g obj` at `offset`.
    func afterObjectHeader(at offset: Int) throws -> Int {
        guard offset >= 0, offset < bytes.count,
              let number = try token(at: offset), number.start == offset, integer(number) != nil,
              let generation = try token(at: number.end), integer(generation) != nil,
              let keyword = try token(at: generation.end), keyword.kind == .keyword, spells(keyword, "obj") else {
            throw Failure(message: "no object header 'n g obj'", offset: offset)
        }
        return keyword.end
    }

    /// The byte span of the indirect object at `offset`: from its header to one past `endobj`.
    /// `streamLength` is the stream's data length when the object is a stream (validated by the
    /// strict object layer).
    func objectSpan(at offset: Int, streamLength: Int?) throws -> Range<Int> {
        let valueEnd = try skipObject(at: try afterObjectHeader(at: offset)).end
        guard var next = try token(at: valueEnd) else { throw Failure(message: "the object has no 'endobj'", offset: valueEnd) }
        if next.kind == .keyword, spells(next, "stream") {
            guard let streamLength else { throw Failure(message: "a stream whose length is unknown", offset: next.start) }
            var data = next.end
            if data < bytes.count, bytes[data] == 0x0D { data += 1 }
            if data < bytes.count, bytes[data] == 0x0A { data += 1 }
            guard let end = try token(at: data + streamLength), end.kind == .keyword, spells(end, "endstream") else {
                throw Failure(message: "the stream's data does not end at 'endstream'", offset: data)
            }
            guard let closing = try token(at: end.end) else { throw Failure(message: "the object has no 'endobj'", offset: end.end) }
            next = closing
        }
        guard next.kind == .keyword, spells(next, "endobj") else {
            throw Failure(message: "the object is not closed with 'endobj'", offset: next.start)
        }
        return offset..<next.end
    }
}
