/// A light scan of the raw XML source, run after libxml2 accepted it, that finds where each start
/// tag, attribute and text run begins. libxml2 only keeps a line number per node; this gives
/// columns. Elements and text runs come out in document order, the order libxml2's tree has them.
struct SourceScanner {
    struct StartTag {
        var name: String
        var position: SourcePosition
        var attributes: [String: (position: SourcePosition, value: SourceText)]
    }

    private(set) var startTags: [StartTag] = []
    /// Text and CDATA runs inside the root element.
    private(set) var texts: [SourceText] = []

    init(bytes: [UInt8]) {
        var cursor = SourceCursor(bytes: bytes[...])
        if cursor.looking(at: "\u{FEFF}") {
            for _ in 0..<3 { cursor.advance() }
            cursor.column = 1
        }
        var depth = 0
        while !cursor.atEnd {
            if cursor.looking(at: "<!--") {
                cursor.skip(past: "-->")
            } else if cursor.looking(at: "<![CDATA[") {
                for _ in 0..<9 { cursor.advance() }
                let start = cursor.position, from = cursor.index
                while !cursor.atEnd, !cursor.looking(at: "]]>") { cursor.advance() }
                if depth > 0, cursor.index > from {
                    texts.append(SourceText(raw: bytes[from..<cursor.index], start: start, isCDATA: true))
                }
                cursor.skip(past: "]]>")
            } else if cursor.looking(at: "<?") {
                cursor.skip(past: "?>")
            } else if cursor.looking(at: "<!") {
                var brackets = 0
                while !cursor.atEnd {
                    let byte = cursor.current
                    cursor.advance()
                    if byte == UInt8(ascii: "[") { brackets += 1 }
                    if byte == UInt8(ascii: "]") { brackets -= 1 }
                    if byte == UInt8(ascii: ">"), brackets <= 0 { break }
                }
            } else if cursor.looking(at: "</") {
                cursor.skip(past: ">")
                depth -= 1
            } else if cursor.looking(at: "<") {
                if scanStartTag(&cursor, bytes) { depth += 1 }
            } else {
                let start = cursor.position, from = cursor.index
                while !cursor.atEnd, cursor.current != UInt8(ascii: "<") { cursor.advance() }
                if depth > 0 { texts.append(SourceText(raw: bytes[from..<cursor.index], start: start)) }
            }
        }
    }

    /// Scans one start tag; returns true when it opens content (not `/>`).
    private mutating func scanStartTag(_ cursor: inout SourceCursor, _ bytes: [UInt8]) -> Bool {
        let tagPosition = cursor.position
        cursor.advance()
        let name = readName(&cursor, bytes)
        var attributes: [String: (position: SourcePosition, value: SourceText)] = [:]
        var opens = false
        while !cursor.atEnd {
            skipSpace(&cursor)
            if cursor.atEnd { break }
            if cursor.current == UInt8(ascii: ">") { cursor.advance(); opens = true; break }
            if cursor.looking(at: "/>") { cursor.advance(); cursor.advance(); break }
            let attributePosition = cursor.position
            let attributeName = readName(&cursor, bytes)
            skipSpace(&cursor)
            guard !attributeName.isEmpty, !cursor.atEnd, cursor.current == UInt8(ascii: "=") else {
                cursor.advance()
                continue
            }
            cursor.advance()
            skipSpace(&cursor)
            guard !cursor.atEnd else { break }
            let quote = cursor.current
            cursor.advance()
            let valueStart = cursor.position, from = cursor.index
            while !cursor.atEnd, cursor.current != quote { cursor.advance() }
            attributes[attributeName] = (attributePosition, SourceText(raw: bytes[from..<cursor.index], start: valueStart))
            if !cursor.atEnd { cursor.advance() }
        }
        startTags.append(StartTag(name: name, position: tagPosition, attributes: attributes))
        return opens
    }

    private func readName(_ cursor: inout SourceCursor, _ bytes: [UInt8]) -> String {
        let from = cursor.index
        while !cursor.atEnd {
            let byte = cursor.current
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "=") || byte == UInt8(ascii: ">")
                || byte == UInt8(ascii: "/") { break }
            cursor.advance()
        }
        return String(decoding: bytes[from..<cursor.index], as: UTF8.self)
    }

    private func skipSpace(_ cursor: inout SourceCursor) {
        while !cursor.atEnd, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")]
            .contains(cursor.current) { cursor.advance() }
    }
}
