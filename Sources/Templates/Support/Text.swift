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
