internal import CPango

extension TextLayout {
    /// The first number-like token (digits with their separators, signs and currency symbols)
    /// that a line starts inside of where no line break is allowed: pango's fallback of
    /// breaking between characters (`PANGO_WRAP_WORD_CHAR`), which keeps a long URL readable
    /// but turns "$1,234,567,890,123.45" into "$1,234,567,890," and "123.45".
    static func splitNumber(_ layout: OpaquePointer, text: [UInt8]) -> String? {
        let lineCount = Int(pango_layout_get_line_count(layout))
        guard lineCount > 1 else { return nil }
        var attributeCount: Int32 = 0
        guard let attributes = pango_layout_get_log_attrs_readonly(layout, &attributeCount) else { return nil }
        // Character index of each byte offset that starts a character.
        var characters = 0, byte = 0
        for index in 1..<lineCount {
            guard let line = pango_layout_get_line_readonly(layout, Int32(index)) else { continue }
            let start = Int(line.pointee.start_index)
            guard start > 0, start < text.count else { continue }
            while byte < start {
                if text[byte] & 0xC0 != 0x80 { characters += 1 }
                byte += 1
            }
            guard characters < Int(attributeCount), attributes[characters].is_line_break == 0 else { continue }
            let token = numberToken(around: start, in: text)
            if let token { return token }
        }
        return nil
    }

    /// The run of number characters around `offset` when it is a number (it has a digit and
    /// nothing but digits, separators, signs and currency symbols); nil otherwise.
    static func numberToken(around offset: Int, in text: [UInt8]) -> String? {
        func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }
        var lower = offset, upper = offset
        while lower > 0, !isWhitespace(text[lower - 1]) { lower -= 1 }
        while upper < text.count, !isWhitespace(text[upper]) { upper += 1 }
        let word = String(decoding: text[lower..<upper], as: UTF8.self)
        var digits = 0
        for scalar in word.unicodeScalars {
            if scalar.properties.numericType == .decimal { digits += 1; continue }
            if ".,'’·+-−%()\u{00A0}\u{202F}\u{2009}".unicodeScalars.contains(scalar) { continue }
            if scalar.properties.generalCategory == .currencySymbol { continue }
            return nil
        }
        return digits > 0 ? word : nil
    }
}
