/// The operators of a content stream (ISO 32000-2 §7.8.2), for rules that judge what a stream
/// draws without drawing it.
public enum ContentOperators {
    /// The operators in `data`, in order. An inline image (`BI`) ends the list: its data is
    /// binary and is not tokenized. Throws on bytes that are not content-stream syntax.
    public static func operators(in data: [UInt8], limits: PDFLimits = .default) throws -> [String] {
        var lexer = Lexer(bytes: PDFBytes(data), position: 0, end: data.count)
        var operators: [String] = []
        var depth = 0
        while true {
            let token = try lexer.next().token
            switch token {
            case .endOfInput:
                return operators
            case .arrayStart, .dictionaryStart:
                depth += 1
                guard depth <= limits.maxNestingDepth else {
                    throw PDFError(.limitExceeded, "content operands nest deeper than \(limits.maxNestingDepth)")
                }
            case .arrayEnd, .dictionaryEnd:
                depth = max(0, depth - 1)
            case .keyword(let bytes):
                let name = String(decoding: bytes, as: UTF8.self)
                operators.append(name)
                if name == "BI" { return operators }
            default:
                continue
            }
        }
    }

    /// How the `q`/`Q` operators of content streams drawn one after another use the graphics
    /// state stack: `deficit`, the most restores beyond the saves made so far (they pop
    /// whatever the streams were drawn inside); `unclosed`, the saves left at the end above that
    /// lowest point. A writer drawing after the streams puts `deficit + 1` saves before them and
    /// `unclosed + 1` restores after them, and is back at the page's initial state. Inline image
    /// data is skipped, not read as operators.
    public static func graphicsStateBalance(of streams: [[UInt8]]) throws -> (unclosed: Int, deficit: Int) {
        var depth = 0, lowest = 0
        for data in streams {
            var lexer = Lexer(bytes: PDFBytes(data), position: 0, end: data.count)
            while true {
                let token = try lexer.next().token
                guard case .keyword(let bytes) = token else {
                    if case .endOfInput = token { break }
                    continue
                }
                switch Array(bytes) {
                case [0x71]: depth += 1  // q
                case [0x51]:  // Q
                    depth -= 1
                    lowest = min(lowest, depth)
                case [0x49, 0x44]:  // ID: binary data up to whitespace, EI, whitespace or the end
                    lexer = Lexer(bytes: PDFBytes(data), position: inlineImageEnd(data, from: lexer.position), end: data.count)
                default:
                    continue
                }
            }
        }
        return (max(0, depth - lowest), -lowest)
    }

    /// The offset just past the `EI` that ends inline image data starting at `start`.
    private static func inlineImageEnd(_ data: [UInt8], from start: Int) -> Int {
        func isSpace(_ byte: UInt8) -> Bool { [0x00, 0x09, 0x0A, 0x0C, 0x0D, 0x20].contains(byte) }
        var index = start + 1
        while index + 2 < data.count + 1 {
            if index + 1 < data.count, isSpace(data[index - 1]), data[index] == 0x45, data[index + 1] == 0x49,
               index + 2 == data.count || isSpace(data[index + 2]) {
                return index + 2
            }
            index += 1
        }
        return data.count
    }
}
