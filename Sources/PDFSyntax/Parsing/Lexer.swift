/// One lexical token of PDF syntax (ISO 32000-2 §7.2–7.3).
enum Token: Equatable {
    static func == (lhs: Token, rhs: Token) -> Bool {
        switch (lhs, rhs) {
        case let (.integer(a), .integer(b)): return a == b
        case let (.real(a), .real(b)): return a == b
        case let (.name(a), .name(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.keyword(a), .keyword(b)): return a.elementsEqual(b)
        case (.arrayStart, .arrayStart), (.arrayEnd, .arrayEnd), (.dictionaryStart, .dictionaryStart),
             (.dictionaryEnd, .dictionaryEnd), (.endOfInput, .endOfInput):
            return true
        default: return false
        }
    }

    case integer(Int)
    case real(Double)
    case name(PDFName)
    case string(PDFString)
    case arrayStart, arrayEnd, dictionaryStart, dictionaryEnd
    /// A bare word: `true`, `false`, `null`, `R`, `obj`, `endobj`, `stream`, `xref`, `trailer`, …
    case keyword(Slice<PDFBytes>)
    case endOfInput
}

/// Byte classes of PDF syntax.
enum ByteClass {
    @inline(__always) static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 || byte == 0x0C || byte == 0x00
    }

    @inline(__always) static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "["),
             UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "/"), UInt8(ascii: "%"):
            return true
        default:
            return false
        }
    }

    @inline(__always) static func isRegular(_ byte: UInt8) -> Bool { !isWhitespace(byte) && !isDelimiter(byte) }

    @inline(__always) static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Splits bytes of a PDF file into tokens, from a position, tracking byte offsets for errors.
struct Lexer {
    let bytes: PDFBytes
    var position: Int
    /// One past the last byte the lexer may read.
    let end: Int
    /// Whether a `#` in a name that no two hex digits follow is read as itself (PDF 1.0 and 1.1
    /// names, where `#` was an ordinary character) instead of refused. Readers differ on such
    /// names (qpdf and pdf.js keep the `#`, poppler refuses the name), so only tolerant reading does.
    let literalNumberSignsAllowed: Bool
    /// Offsets of the `#`s read as themselves.
    var literalNumberSigns: [Int] = []

    init(bytes: PDFBytes, position: Int = 0, end: Int? = nil, literalNumberSignsAllowed: Bool = false) {
        self.bytes = bytes
        self.position = position
        self.end = min(end ?? bytes.count, bytes.count)
        self.literalNumberSignsAllowed = literalNumberSignsAllowed
    }

    var atEnd: Bool { position >= end }

    /// Skips whitespace and comments.
    mutating func skipWhitespace() {
        while position < end {
            let byte = bytes[position]
            if ByteClass.isWhitespace(byte) {
                position += 1
            } else if byte == UInt8(ascii: "%") {
                while position < end, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
            } else {
                return
            }
        }
    }

    /// The next token, and the offset it starts at.
    mutating func next() throws -> (token: Token, offset: Int) {
        skipWhitespace()
        let start = position
        guard position < end else { return (.endOfInput, start) }
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: "["):
            position += 1
            return (.arrayStart, start)
        case UInt8(ascii: "]"):
            position += 1
            return (.arrayEnd, start)
        case UInt8(ascii: "<"):
            if position + 1 < end, bytes[position + 1] == UInt8(ascii: "<") {
                position += 2
                return (.dictionaryStart, start)
            }
            return (.string(try readHexString()), start)
        case UInt8(ascii: ">"):
            if position + 1 < end, bytes[position + 1] == UInt8(ascii: ">") {
                position += 2
                return (.dictionaryEnd, start)
            }
            throw PDFError(.syntax, "unexpected '>' outside a dictionary or hex string", offset: start)
        case UInt8(ascii: "("):
            return (.string(try readLiteralString()), start)
        case UInt8(ascii: "/"):
            return (.name(try readName()), start)
        case UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            position += 1
            throw PDFError(.syntax, "unexpected '\(Character(UnicodeScalar(byte)))'", offset: start)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return (try readNumber(), start)
        default:
            while position < end, ByteClass.isRegular(bytes[position]) { position += 1 }
            return (.keyword(bytes[start..<position]), start)
        }
    }

    /// The largest integer every smaller one of which a double holds exactly (2^53).
    private static let exactIntegerLimit = 1 << 53
    /// 10^0 … 10^22, each exact in a double.
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }

    /// Reads a number; a lone sign or dot, or a second dot, is a syntax error.
    private mutating func readNumber() throws -> Token {
        let start = position
        var negative = false
        if bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
            negative = bytes[position] == UInt8(ascii: "-")
            position += 1
        }
        var integerPart = 0
        var digits = 0
        var overflow = false
        while position < end, bytes[position] >= 0x30, bytes[position] <= 0x39 {
            let (times, o1) = integerPart.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int(bytes[position] - 0x30))
            overflow = overflow || o1 || o2
            integerPart = plus
            digits += 1
            position += 1
        }
        var isReal = false
        // A real's digits as one integer and a power of ten, so that its value is the double
        // nearest the decimal (as `strtod` gives it): written back, it shows the same digits.
        var significand = overflow || integerPart > Self.exactIntegerLimit ? -1 : integerPart
        var fractionDigits = 0
        if position < end, bytes[position] == UInt8(ascii: ".") {
            isReal = true
            position += 1
            while position < end, bytes[position] >= 0x30, bytes[position] <= 0x39 {
                let digit = Int(bytes[position] - 0x30)
                if significand >= 0, significand <= (Self.exactIntegerLimit - digit) / 10, fractionDigits < Self.powersOfTen.count - 1 {
                    significand = significand * 10 + digit
                    fractionDigits += 1
                } else if digit != 0 || significand < 0 {
                    significand = -1
                }
                digits += 1
                position += 1
            }
        }
        guard digits > 0 else {
            throw PDFError(.syntax, "a number needs at least one digit", offset: start)
        }
        if position < end, ByteClass.isRegular(bytes[position]) {
            throw PDFError(.syntax, "malformed number '\(String(decoding: bytes[start...position], as: UTF8.self))'",
                           offset: start)
        }
        if isReal || overflow {
            let magnitude: Double
            if significand >= 0 {
                // Both exact in a double, so the quotient is correctly rounded.
                magnitude = Double(significand) / Self.powersOfTen[fractionDigits]
            } else {
                var text = String(decoding: bytes[start..<position], as: UTF8.self)
                if text.first == "+" || text.first == "-" { text.removeFirst() }
                if text.first == "." { text = "0" + text }
                if text.last == "." { text += "0" }
                magnitude = Double(text) ?? 0
            }
            return .real(negative ? -magnitude : magnitude)
        }
        return .integer(negative ? -integerPart : integerPart)
    }

    /// Reads `/Name`, resolving `#xx` escapes (a `#` without two hex digits is itself, when allowed).
    private mutating func readName() throws -> PDFName {
        position += 1
        let start = position
        // Most names have no #xx escape: their bytes are the file's, shared when common.
        while position < end, ByteClass.isRegular(bytes[position]), bytes[position] != UInt8(ascii: "#") { position += 1 }
        if position >= end || bytes[position] != UInt8(ascii: "#") {
            let length = position - start
            return bytes.withUnsafeBytes { PDFName(interning: UnsafeRawBufferPointer(rebasing: $0[start..<(start + length)])) }
        }
        var out: [UInt8] = bytes.array(start..<position)
        while position < end, ByteClass.isRegular(bytes[position]) {
            let byte = bytes[position]
            if byte == UInt8(ascii: "#") {
                guard position + 2 < end, let high = ByteClass.hexValue(bytes[position + 1]),
                      let low = ByteClass.hexValue(bytes[position + 2]) else {
                    guard literalNumberSignsAllowed else {
                        throw PDFError(.syntax, "'#' in a name must be followed by two hex digits", offset: position)
                    }
                    literalNumberSigns.append(position)
                    out.append(byte)
                    position += 1
                    continue
                }
                let value = high << 4 | low
                if value == 0 { throw PDFError(.syntax, "a name may not contain #00", offset: position) }
                out.append(value)
                position += 3
            } else {
                out.append(byte)
                position += 1
            }
        }
        return out.withUnsafeBytes { PDFName(interning: $0) }
    }

    /// Reads `<…>`: hex digits, whitespace ignored, an odd final digit followed by 0.
    private mutating func readHexString() throws -> PDFString {
        let start = position
        position += 1
        var out: [UInt8] = []
        out.reserveCapacity(64)
        var pending: UInt8? = nil
        while position < end {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: ">") {
                if let high = pending { out.append(high << 4) }
                return PDFString(bytes: out, syntax: .hex)
            }
            if ByteClass.isWhitespace(byte) { continue }
            guard let value = ByteClass.hexValue(byte) else {
                throw PDFError(.syntax, "hex string holds a non-hex byte 0x\(String(byte, radix: 16))",
                               offset: position - 1)
            }
            if let high = pending {
                out.append(high << 4 | value)
                pending = nil
            } else {
                pending = value
            }
        }
        throw PDFError(.unexpectedEnd, "hex string is not closed with '>'", offset: start)
    }

    /// Reads `(…)` with balanced parentheses, all escapes, and end-of-line normalisation.
    private mutating func readLiteralString() throws -> PDFString {
        let start = position
        position += 1
        var out: [UInt8] = []
        var depth = 1
        while position < end {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "("):
                depth += 1
                out.append(byte)
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return PDFString(bytes: out, syntax: .literal) }
                out.append(byte)
            case 0x0D:
                // An unescaped end of line (CR or CR LF) reads as a single LF.
                if position < end, bytes[position] == 0x0A { position += 1 }
                out.append(0x0A)
            case UInt8(ascii: "\\"):
                guard position < end else { break }
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"): out.append(escaped)
                case 0x0D:
                    if position < end, bytes[position] == 0x0A { position += 1 }
                case 0x0A:
                    break
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var value = Int(escaped - 0x30)
                    var count = 1
                    while count < 3, position < end, bytes[position] >= 0x30, bytes[position] <= 0x37 {
                        value = value * 8 + Int(bytes[position] - 0x30)
                        position += 1
                        count += 1
                    }
                    out.append(UInt8(value & 0xFF))
                default:
                    // An unknown escape: the backslash is ignored (§7.3.4.2).
                    out.append(escaped)
                }
            default:
                out.append(byte)
            }
        }
        throw PDFError(.unexpectedEnd, "literal string is not closed with ')'", offset: start)
    }
}

extension Collection where Element == UInt8 {
    /// Whether these bytes spell an ASCII word.
    @inline(__always) func spells(_ word: StaticString) -> Bool {
        guard count == word.utf8CodeUnitCount else { return false }
        return word.withUTF8Buffer { elementsEqual($0) }
    }
}

/// What the bytes after an integer say about an `n g R` reference, read without making tokens.
enum PlainReferenceTail {
    /// `g R`: the generation, and the position just past `R`.
    case reference(generation: Int, end: Int)
    /// The next two tokens are certainly not `g R` (or do not lex): no reference.
    case notReference
    /// Something the scan leaves to the tokenizer (a comment, a sign or a leading dot).
    case undecided
}

extension Lexer {
    /// Plain decimal digits at `position` (no sign or dot): the value and the position after them;
    /// nil if none, or if they overflow.
    @inline(__always) private func plainDigits(at start: Int) -> (value: Int, end: Int)? {
        var position = start
        var value = 0
        while position < end {
            let byte = bytes[position]
            guard byte >= 0x30, byte <= 0x39 else { break }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int(byte - 0x30))
            if o1 || o2 { return nil }
            value = plus
            position += 1
        }
        return position == start ? nil : (value, position)
    }

    @inline(__always) private func skippingWhitespaceOnly(from start: Int) -> Int {
        var position = start
        while position < end, ByteClass.isWhitespace(bytes[position]) { position += 1 }
        return position
    }

    /// The tokens `g R` after an integer, the way `next()` would read them, for the common plain
    /// spelling (whitespace, unsigned digits, `R`); `.undecided` when `next()` must decide.
    func plainReferenceTail() -> PlainReferenceTail {
        var position = skippingWhitespaceOnly(from: self.position)
        guard position < end else { return .notReference }
        let first = bytes[position]
        if first == UInt8(ascii: "%") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
            || first == UInt8(ascii: ".") { return .undecided }
        // Anything else that is not a digit starts a token other than an integer.
        guard first >= 0x30, first <= 0x39 else { return .notReference }
        // Digits that overflow, go on with a dot or run into a regular byte make a real or a
        // syntax error: not an integer either.
        guard let (generation, digitsEnd) = plainDigits(at: position), generation <= 65535 else { return .notReference }
        if digitsEnd < end, ByteClass.isRegular(bytes[digitsEnd]) { return .notReference }
        position = skippingWhitespaceOnly(from: digitsEnd)
        guard position < end else { return .notReference }
        let keyword = bytes[position]
        if keyword == UInt8(ascii: "%") { return .undecided }
        guard keyword == UInt8(ascii: "R"), position + 1 >= end || !ByteClass.isRegular(bytes[position + 1]) else {
            return .notReference
        }
        return .reference(generation: generation, end: position + 1)
    }

    /// `n g obj` at the position in its plain spelling (whitespace, unsigned digits, `obj`): the
    /// reference and the position after `obj`. Nil when `next()` must decide (it may still be a header).
    func plainObjectHeader() -> (reference: PDFReference, end: Int)? {
        let start = skippingWhitespaceOnly(from: position)
        guard let (number, numberEnd) = plainDigits(at: start), numberEnd < end,
              ByteClass.isWhitespace(bytes[numberEnd]) else { return nil }
        let generationStart = skippingWhitespaceOnly(from: numberEnd)
        guard let (generation, generationEnd) = plainDigits(at: generationStart), generation <= 65535,
              generationEnd < end, ByteClass.isWhitespace(bytes[generationEnd]) else { return nil }
        let keyword = skippingWhitespaceOnly(from: generationEnd)
        guard keyword + 3 <= end, bytes[keyword] == UInt8(ascii: "o"), bytes[keyword + 1] == UInt8(ascii: "b"),
              bytes[keyword + 2] == UInt8(ascii: "j"), keyword + 3 == end || !ByteClass.isRegular(bytes[keyword + 3]) else {
            return nil
        }
        return (PDFReference(number, generation), keyword + 3)
    }
}
