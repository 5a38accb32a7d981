/// Characters that make what people are shown differ from what is stored: control characters
/// (a NUL ends text in layout and PDF strings, an ESC rewrites an operator's terminal, a line
/// break splits an e-mail header) and the directional embeddings, overrides and isolates that
/// reorder the text after them (U+202A–U+202E, U+2066–U+2069). One classification for names,
/// subjects, reasons, metadata and template data, so they cannot drift apart.
public enum HiddenCharacters {
    /// Whether `scalar` is hidden. With `allowingLineBreaks`, tab, CR, LF and the Unicode line
    /// and paragraph separators are text (a reason, a CRM note, an address may have lines).
    public static func isHidden(_ scalar: Unicode.Scalar, allowingLineBreaks: Bool) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x2028, 0x2029: !allowingLineBreaks
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// The first hidden scalar of `text` and its 1-based position (in scalars), or nil.
    public static func first(in text: String, allowingLineBreaks: Bool) -> (position: Int, scalar: Unicode.Scalar)? {
        for (offset, scalar) in text.unicodeScalars.enumerated() where isHidden(scalar, allowingLineBreaks: allowingLineBreaks) {
            return (offset + 1, scalar)
        }
        return nil
    }

    /// Whether `scalar` is a directional embedding, override or isolate.
    public static func isDirectional(_ scalar: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    /// What `scalar` is, with its code point: "a control character (U+001B)".
    public static func describe(_ scalar: Unicode.Scalar) -> String {
        let code = scalar.codePoint
        switch scalar.value {
        case 0x00: return "a NUL character (\(code))"
        case 0x0A, 0x0D, 0x2028, 0x2029: return "a line break (\(code))"
        case _ where isDirectional(scalar): return "a directional formatting character (\(code))"
        default: return "a control character (\(code))"
        }
    }
}
