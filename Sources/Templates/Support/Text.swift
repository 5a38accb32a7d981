/// Small text helpers that stay in the standard library (Foundation's `trimmingCharacters` goes
/// through NSString on Linux and showed up as the top cost of binding).
extension StringProtocol {
    /// Without white space (Unicode `White_Space`) at either end.
    var trimmed: String {
        let scalars = unicodeScalars
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII ? scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" : scalar.properties.isWhitespace
        }
        guard let first = scalars.first, let last = scalars.last else { return "" }
        if !isSpace(first), !isSpace(last) { return String(self) }
        guard let start = scalars.firstIndex(where: { !isSpace($0) }),
              let end = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(String.UnicodeScalarView(scalars[start...end]))
    }

    /// Whether the text is empty or only white space.
    var isBlank: Bool { trimmed.isEmpty }
}

/// Collapses each run of ASCII white space (space, tab, CR, LF) to one space.
func collapseWhiteSpace(_ text: String) -> String {
    var needsWork = false
    var previousSpace = false
    for byte in text.utf8 {
        if byte == 0x0A || byte == 0x09 || byte == 0x0D || (byte == 0x20 && previousSpace) {
            needsWork = true
            break
        }
        previousSpace = byte == 0x20
    }
    guard needsWork else { return text }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    var lastWasSpace = false
    for byte in text.utf8 {
        let space = byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
        if space {
            if !lastWasSpace { bytes.append(0x20) }
        } else {
            bytes.append(byte)
        }
        lastWasSpace = space
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// `text` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE (U+2068 … U+2069, HTML's
/// `<bdi>`) when it holds right-to-left letters: an interpolated Arabic or Hebrew value then
/// keeps its own order without reordering the template's text around it. Unisolated, a footer
/// `{{lead_id}} · {{page}} / {{pages}}` with an Arabic lead id took the paragraph's direction
/// from it and printed page 1 of 3 as "3 / 1", and numbers after such a value ("2025 / 0042")
/// joined its run and were printed in reverse order. Spaces at either end stay outside, so
/// white space still collapses across runs. Text without right-to-left letters is unchanged.
func bidiIsolated(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isRightToLeftLetter) else { return text }
    let core = text.trimmingCharacters(in: .whitespaces)
    guard let start = text.range(of: core) else { return text }
    return String(text[..<start.lowerBound]) + "\u{2068}" + core + "\u{2069}" + String(text[start.upperBound...])
}

/// Letters of the right-to-left scripts (bidi classes R and AL): Hebrew, Arabic, Syriac, Thaana,
/// N'Ko, Samaritan, Mandaic and their presentation forms, and the historic ones beyond the BMP.
func isRightToLeftLetter(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x0590...0x08FF, 0xFB1D...0xFDFF, 0xFE70...0xFEFF, 0x10800...0x10FFF, 0x1E800...0x1EFFF:
        return scalar.properties.isAlphabetic
    default:
        return false
    }
}
