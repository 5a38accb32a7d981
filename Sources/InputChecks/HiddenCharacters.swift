/// Characters that make what people are shown differ from what is stored: control characters
/// (a NUL ends text in layout and PDF strings, an ESC rewrites an operator's terminal, a line
/// break splits an e-mail header) and the directional marks, embeddings, overrides and isolates
/// that reorder the text around them (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069:
/// "ref 1<ALM>0<ALM>0<ALM>9" prints as "ref 1900"). One classification for names,
/// subjects, reasons, metadata and template data, so they cannot drift apart.
public enum HiddenCharacters {
    /// Whether `scalar` is hidden. With `allowingLineBreaks`, tab, CR, LF and the Unicode line
    /// and paragraph separators are text (a reason, a CRM note, an address may have lines).
    public static func isHidden(_ scalar: Unicode.Scalar, allowingLineBreaks: Bool) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x2028, 0x2029: !allowingLineBreaks
        case 0x00...0x1F, 0x7F...0x9F: true
        default: isDirectional(scalar)
        }
    }

    /// The first hidden scalar of `text` and its 1-based position (in scalars), or nil.
    public static func first(in text: String, allowingLineBreaks: Bool) -> (position: Int, scalar: Unicode.Scalar)? {
        for (offset, scalar) in text.unicodeScalars.enumerated() where isHidden(scalar, allowingLineBreaks: allowingLineBreaks) {
            return (offset + 1, scalar)
        }
        return nil
    }

    /// Whether `scalar` prints as nothing and is not needed to write any language: format and
    /// other default-ignorable characters (a zero-width space, a word joiner, a soft hyphen, a
    /// byte-order mark, tag characters, interlinear annotation marks, a Hangul filler) — but not
    /// the zero-width joiner and non-joiner (Persian, Indic scripts, emoji sequences) or the
    /// variation selectors (emoji and CJK forms). "Gab\u{200B}riel" shows as "Gabriel" on every
    /// page and in the sealed PDF while being another name in the evidence.
    public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200C, 0x200D, 0xFE00...0xFE0F, 0xE0100...0xE01EF: return false
        default:
            return scalar.properties.isDefaultIgnorableCodePoint || scalar.properties.generalCategory == .format
        }
    }

    /// Whether `scalar` is a directional mark, embedding, override or isolate.
    public static func isDirectional(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200E, 0x200F, 0x061C, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// Whether `text` has something to see: a character that is not a space, a format or other
    /// default-ignorable character (a zero-width joiner, a Hangul filler, a variation selector),
    /// a mark without a base, or the blank braille pattern. A name or a typed signature of only
    /// such characters looks empty on the page and in the sealed PDF while passing for text.
    public static func hasVisibleCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            let properties = scalar.properties
            guard !properties.isWhitespace, !properties.isDefaultIgnorableCodePoint, scalar.value != 0x2800 else { return false }
            switch properties.generalCategory {
            case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .nonspacingMark, .enclosingMark,
                 .unassigned, .surrogate:
                return false
            default:
                return true
            }
        }
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
