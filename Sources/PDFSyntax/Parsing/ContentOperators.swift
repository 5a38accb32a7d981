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
}
