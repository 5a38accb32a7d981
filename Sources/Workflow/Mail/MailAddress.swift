import Foundation

/// E-mail addresses as SMTP and headers carry them. An internationalised domain
/// (`müller.example`, `例子.广告`) is written in its ASCII form (IDNA A-labels, `xn--…`), which
/// every relay takes; a local part that is not ASCII (`用户@…`) can only travel through a relay
/// that offers SMTPUTF8 (RFC 6531), so the client asks for it then and refuses otherwise.
public enum MailAddress {
    /// `address` with its domain in A-labels; the local part as it is.
    public static func transportForm(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return address }
        let domain = address[address.index(after: at)...]
        guard !domain.allSatisfy(\.isASCII), let ascii = asciiDomain(String(domain)) else { return address }
        return address[..<at] + "@" + ascii
    }

    /// Whether the address needs SMTPUTF8 once its domain is in A-labels: its local part is not ASCII.
    public static func needsSMTPUTF8(_ address: String) -> Bool {
        !transportForm(address).allSatisfy(\.isASCII)
    }

    /// A domain in IDNA A-labels, or nil when it is not a domain name (`aLabels(_:)` says why).
    public static func asciiDomain(_ domain: String) -> String? {
        try? aLabels(domain)
    }

    /// Why a domain is not one (`aLabels(_:)`).
    public struct DomainProblem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// A domain in IDNA A-labels (RFC 5890–5892, with UTS #46's mapping): compatibility forms
    /// folded (a fullwidth `ｅｘａｍｐｌｅ．com` is `example.com`), lower case, NFC, the ideographic
    /// full stops as dots; each label that is not ASCII Punycode-encoded (RFC 3492) after `xn--`.
    ///
    /// Refused, since the address people see would not be the one the mail goes to: a label with
    /// a character that prints as nothing (a zero-width joiner or space, a soft hyphen, a
    /// directional mark — `exa\u{200D}mple.com` would send the link to `xn--example-j06c.com`
    /// while every page shows `example.com`), symbols and punctuation, a label mixing Latin,
    /// Greek and Cyrillic letters (`аpple.com` with a Cyrillic `а`), an `xn--` label that is not
    /// valid Punycode, a hyphen at a label's start or end, and names over DNS's limits.
    public static func aLabels(_ domain: String) throws(DomainProblem) -> String {
        let mapped = domain.precomposedStringWithCompatibilityMapping.lowercased().precomposedStringWithCanonicalMapping
            .replacingOccurrences(of: "\u{3002}", with: ".")
        var labels: [String] = []
        for label in mapped.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            guard !label.isEmpty else { throw DomainProblem(description: "has an empty label (two dots in a row, or one at an end)") }
            guard !label.hasPrefix("-"), !label.hasSuffix("-") else {
                throw DomainProblem(description: "has a label that starts or ends with a hyphen ('\(label)')")
            }
            if label.allSatisfy(\.isASCII) {
                guard label.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
                    throw DomainProblem(description: "has a label with a character other than letters, digits and hyphens ('\(label)')")
                }
                if label.hasPrefix("xn--") {
                    guard let decoded = Punycode.decode(String(label.dropFirst(4))), Punycode.encode(decoded) == String(label.dropFirst(4)) else {
                        throw DomainProblem(description: "has a label '\(label)' that is not valid Punycode")
                    }
                    try checkULabel(decoded)
                } else if label.count >= 4, label.dropFirst(2).hasPrefix("--") {
                    throw DomainProblem(description: "has a label with '--' in its third and fourth places ('\(label)'), which IDNA reserves")
                }
                labels.append(label)
            } else {
                try checkULabel(label)
                try checkWholeScriptLookalike(label, topLevel: mapped.split(separator: ".").last.map(String.init) ?? "")
                guard let encoded = Punycode.encode(label) else { throw DomainProblem(description: "has a label that cannot be encoded ('\(label)')") }
                labels.append("xn--" + encoded)
            }
            guard labels.last!.utf8.count <= 63 else { throw DomainProblem(description: "has a label longer than 63 bytes") }
        }
        let result = labels.joined(separator: ".")
        guard result.utf8.count <= 253 else { throw DomainProblem(description: "is longer than 253 bytes") }
        return result
    }

    /// The letters of one internationalised label: letters, marks after a letter, digits and
    /// hyphens, of one of Latin, Greek and Cyrillic at most.
    static func checkULabel(_ label: String) throws(DomainProblem) {
        var scripts: Set<String> = []
        for (offset, scalar) in label.unicodeScalars.enumerated() {
            let properties = scalar.properties
            let category = properties.generalCategory
            let isMark = category == .nonspacingMark || category == .spacingMark || category == .enclosingMark
            let allowed: Bool
            switch category {
            case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber: allowed = true
            case .nonspacingMark, .spacingMark: allowed = offset > 0
            default: allowed = scalar == "-"
            }
            guard allowed, !properties.isDefaultIgnorableCodePoint, !isMark || offset > 0 else {
                let what = properties.isDefaultIgnorableCodePoint || category == .format ? "a character that prints as nothing"
                    : isMark ? "a mark with no letter before it" : "a character a domain name may not have"
                throw DomainProblem(description: "has \(what) (\(scalar.codePoint)) in '\(label)'")
            }
            if let script = script(of: scalar) { scripts.insert(script) }
        }
        // One script, or Latin with Chinese, Japanese or Korean (as UTS #39's "highly
        // restrictive" level allows): `аpple` (Cyrillic а), `ցoogle` (Armenian ց) are refused.
        let cjk: Set<String> = ["Han", "Hiragana", "Katakana", "Hangul", "Bopomofo"]
        let others = scripts.subtracting(cjk)
        guard others.count <= 1, others.isEmpty || others == ["Latin"] || scripts.isDisjoint(with: cjk) else {
            throw DomainProblem(description: "mixes \(scripts.sorted().joined(separator: " and ")) letters in '\(label)', "
                                + "which can imitate another domain; write it in one script")
        }
        try checkBidiRule(label, rightToLeft: scripts.contains("Hebrew") || scripts.contains("Arabic"))
    }

    /// The script of a letter, for the scripts domains are written in; nil for digits, hyphens
    /// and scripts not told apart here.
    static func script(of scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF: "Latin"
        case 0x370...0x3FF, 0x1F00...0x1FFF: "Greek"
        case 0x400...0x52F: "Cyrillic"
        case 0x530...0x58F: "Armenian"
        case 0x591...0x5F4: "Hebrew"
        case 0x600...0x65F, 0x66E...0x6EF, 0x6FA...0x6FF, 0x750...0x77F, 0x8A0...0x8FF: "Arabic"
        case 0x900...0x97F: "Devanagari"
        case 0x980...0x9FF: "Bengali"
        case 0xE00...0xE7F: "Thai"
        case 0x10A0...0x10FF, 0x2D00...0x2D2F: "Georgian"
        case 0x3040...0x309F: "Hiragana"
        case 0x30A0...0x30FF: "Katakana"
        case 0x3100...0x312F: "Bopomofo"
        case 0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7AF: "Hangul"
        case 0x3400...0x4DBF, 0x4E00...0x9FFF: "Han"
        default: nil
        }
    }

    /// RFC 5893's Bidi rule, in short, and RFC 5892's digit rule: a right-to-left label starts
    /// with a letter and ends with a letter or a digit (`1שלום` would show as `שלום1`), and no
    /// label mixes Arabic-Indic digits with extended ones, nor (right to left) either with 0–9.
    static func checkBidiRule(_ label: String, rightToLeft: Bool) throws(DomainProblem) {
        let scalars = Array(label.unicodeScalars)
        let arabicIndic = scalars.contains { (0x660...0x669).contains($0.value) }
        let extended = scalars.contains { (0x6F0...0x6F9).contains($0.value) }
        let european = scalars.contains { ("0"..."9").contains($0) }
        guard !(arabicIndic && extended), !(rightToLeft && european && (arabicIndic || extended)) else {
            throw DomainProblem(description: "mixes two kinds of digits in '\(label)'; write its numbers in one")
        }
        guard rightToLeft, let first = scalars.first, let last = scalars.last else { return }
        let isLetter = { (scalar: Unicode.Scalar) in script(of: scalar) != nil }
        let isDigit = { (scalar: Unicode.Scalar) in ("0"..."9").contains(scalar) || (0x660...0x669).contains(scalar.value)
            || (0x6F0...0x6F9).contains(scalar.value) }
        let isMark = { (scalar: Unicode.Scalar) in scalar.properties.generalCategory == .nonspacingMark }
        guard isLetter(first), isLetter(last) || isDigit(last) || isMark(last) else {
            throw DomainProblem(description: "is written right to left but '\(label)' starts or ends with a digit or hyphen, "
                                + "which would show it in another order (IDNA's Bidi rule); start and end it with a letter")
        }
    }

    /// Cyrillic and Greek small letters that print as a Latin one in common fonts.
    static let latinLookalikes: [Unicode.Scalar: Character] = [
        "а": "a", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k", "ӏ": "l", "о": "o", "р": "p",
        "ԛ": "q", "г": "r", "ѕ": "s", "т": "t", "у": "y", "ү": "y", "ѵ": "v", "ԝ": "w", "ѡ": "w", "х": "x", "ь": "b", "п": "n",
        "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
    ]

    /// A label typed wholly in Cyrillic or Greek letters that all look Latin (`аррӏе.com`, in
    /// Cyrillic) reads as a Latin domain it is not; one script alone does not give it away. As
    /// browsers do, such a label is refused under a Latin top-level domain, and allowed under
    /// one of its own script (`сахар.рф`). The `xn--` form is accepted, for the rare address
    /// that is really meant: it shows what it is.
    static func checkWholeScriptLookalike(_ label: String, topLevel: String) throws(DomainProblem) {
        let letters = label.unicodeScalars.filter { $0.properties.isAlphabetic }
        guard !letters.isEmpty, letters.allSatisfy({ latinLookalikes[$0] != nil }) else { return }
        if !topLevel.unicodeScalars.allSatisfy(\.isASCII) { return }
        let reading = String(label.unicodeScalars.map { latinLookalikes[$0].map(String.init) ?? String($0) }.joined())
        throw DomainProblem(description: "has a label '\(label)' whose letters are all Cyrillic or Greek ones that look Latin: "
                            + "it reads as '\(reading)', which can imitate another domain; if it is really meant, "
                            + "write it in its xn-- form ('xn--\(Punycode.encode(label) ?? "")')")
    }
}
