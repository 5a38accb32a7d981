/// A position in a source file: 1-based line and column (columns count Unicode scalars).
struct SourcePosition: Sendable, Hashable {
    var line: Int
    var column: Int
}

/// A stretch of raw source (an attribute value or a text run) and where it starts, so a position
/// inside the decoded text (after entity and line-end decoding) can be mapped back to the file.
struct SourceText: Sendable {
    var raw: ArraySlice<UInt8>
    var start: SourcePosition
    /// CDATA has no entity references to decode.
    var isCDATA: Bool = false

    /// The file position of the decoded scalar at `offset` (clamped to the end of the text).
    func position(atScalarOffset offset: Int) -> SourcePosition {
        var cursor = SourceCursor(bytes: raw, line: start.line, column: start.column)
        var decoded = 0
        while cursor.index < raw.endIndex, decoded < offset {
            let byte = raw[cursor.index]
            if byte == UInt8(ascii: "&"), !isCDATA {
                while cursor.index < raw.endIndex, raw[cursor.index] != UInt8(ascii: ";") { cursor.advance() }
                if cursor.index < raw.endIndex { cursor.advance() }
                decoded += 1
            } else if byte == UInt8(ascii: "\r") {
                cursor.advance()
                if cursor.index < raw.endIndex, raw[cursor.index] == UInt8(ascii: "\n") { cursor.advance() }
                decoded += 1
            } else {
                cursor.advance()
                while cursor.index < raw.endIndex, raw[cursor.index] & 0xC0 == 0x80 { cursor.advance() }
                decoded += 1
            }
        }
        return cursor.position
    }
}

/// Walks raw UTF-8 bytes keeping line and column (CR LF, CR and LF each end one line).
struct SourceCursor {
    let bytes: ArraySlice<UInt8>
    var index: Int
    var line: Int
    var column: Int

    init(bytes: ArraySlice<UInt8>, line: Int = 1, column: Int = 1) {
        self.bytes = bytes
        self.index = bytes.startIndex
        self.line = line
        self.column = column
    }

    var position: SourcePosition { SourcePosition(line: line, column: column) }
    var atEnd: Bool { index >= bytes.endIndex }
    var current: UInt8 { bytes[index] }

    mutating func advance() {
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\n"):
            line += 1
            column = 1
        case UInt8(ascii: "\r"):
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "\n") { return }
            line += 1
            column = 1
        default:
            if byte & 0xC0 != 0x80 { column += 1 }
        }
    }

    /// Whether the bytes at the cursor start with `prefix`.
    func looking(at prefix: String) -> Bool {
        var probe = index
        for byte in prefix.utf8 {
            guard probe < bytes.endIndex, bytes[probe] == byte else { return false }
            probe += 1
        }
        return true
    }

    /// Advances until just past `terminator` (or to the end).
    mutating func skip(past terminator: String) {
        while !atEnd, !looking(at: terminator) { advance() }
        for _ in terminator.utf8 where !atEnd { advance() }
    }
}

/// An attribute as the template compiler sees it.
struct ParsedAttribute: Sendable {
    /// Local name (with its prefix, `prefix:name`, when it has a namespace).
    var name: String
    var namespace: String?
    var value: String
    /// Where the attribute name starts.
    var position: SourcePosition
    /// The raw value, for positions inside it (nil when the source scan did not line up).
    var source: SourceText?

    /// The file position of a scalar offset into the decoded value.
    func position(atValueOffset offset: Int) -> SourcePosition {
        source?.position(atScalarOffset: offset) ?? position
    }
}

/// Character data inside an element.
struct ParsedText: Sendable {
    var content: String
    var source: SourceText?
}

/// An element of the parsed document (comments and processing instructions are dropped).
struct ParsedElement: Sendable {
    var name: String
    var namespace: String?
    var attributes: [ParsedAttribute]
    var children: [ParsedNode]
    var position: SourcePosition

    func attribute(_ name: String) -> ParsedAttribute? { attributes.first { $0.name == name } }
    var childElements: [ParsedElement] {
        children.compactMap { if case .element(let element) = $0 { element } else { nil } }
    }
}

enum ParsedNode: Sendable {
    case element(ParsedElement)
    case text(ParsedText)
}

extension SourceText {
    /// The raw text decoded the way an XML parser does (predefined and character references,
    /// line ends; attribute values also turn tabs and line ends into spaces). Used to check the
    /// source scan lined up with libxml2's tree before trusting its positions.
    func decoded(asAttribute: Bool) -> String {
        var scalars = String.UnicodeScalarView()
        let text = String(decoding: raw, as: UTF8.self).unicodeScalars
        var index = text.startIndex
        while index < text.endIndex {
            let scalar = text[index]
            text.formIndex(after: &index)
            if scalar == "&", !isCDATA, let end = text[index...].firstIndex(of: ";") {
                let name = String(String.UnicodeScalarView(text[index..<end]))
                index = text.index(after: end)
                switch name {
                case "lt": scalars.append("<")
                case "gt": scalars.append(">")
                case "amp": scalars.append("&")
                case "quot": scalars.append("\"")
                case "apos": scalars.append("'")
                default:
                    let number = name.hasPrefix("#x") ? UInt32(name.dropFirst(2), radix: 16)
                        : name.hasPrefix("#") ? UInt32(name.dropFirst(), radix: 10) : nil
                    scalars.append(number.flatMap(Unicode.Scalar.init) ?? "\u{FFFD}")
                }
            } else if scalar == "\r" {
                if index < text.endIndex, text[index] == "\n" { text.formIndex(after: &index) }
                scalars.append(asAttribute ? " " : "\n")
            } else if asAttribute, scalar == "\n" || scalar == "\t" {
                scalars.append(" ")
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}
