import Typesetting

/// Named paragraph styles: the built-ins, overridden and extended by `<styles>`.
struct StyleSheet {
    /// A style as declared: a base and the properties it sets.
    struct Definition {
        var base: String?
        var apply: [(inout ParagraphStyle) -> Void]
    }

    private(set) var definitions: [String: Definition]
    private var resolved: [String: ParagraphStyle] = [:]

    static let builtInNames = ["body", "title", "h1", "h2", "h3", "small", "cell", "item"]

    init() {
        func heading(_ size: Double, before: Double, after: Double) -> Definition {
            Definition(base: nil, apply: [{
                $0.fontFamily = "Liberation Sans"; $0.bold = true; $0.fontSize = size; $0.spaceBefore = before
                $0.spaceAfter = after; $0.keepWithNext = true; $0.hyphenate = false; $0.leading = 1.2
            }])
        }
        definitions = [
            "body": Definition(base: nil, apply: [{ $0.leading = 1.35 }]),
            "title": heading(20, before: 0, after: 12),
            "h1": heading(16, before: 12, after: 8),
            "h2": heading(13, before: 10, after: 6),
            "h3": heading(11, before: 8, after: 4),
            "small": Definition(base: "body", apply: [{ $0.fontSize = 8.5; $0.spaceAfter = 2; $0.leading = 1.25 }]),
            "cell": Definition(base: "body", apply: [{ $0.fontSize = 9.5; $0.spaceAfter = 0; $0.leading = 1.25 }]),
            "item": Definition(base: "body", apply: [{ $0.spaceAfter = 3 }]),
        ]
    }

    func contains(_ name: String) -> Bool { definitions[name] != nil }
    var names: [String] { definitions.keys.sorted() }

    /// Adds a style, or adds overrides to an existing one (built-ins keep their base unless given).
    mutating func define(_ name: String, base: String?, apply: [(inout ParagraphStyle) -> Void]) {
        if var existing = definitions[name] {
            if let base { existing.base = base }
            existing.apply += apply
            definitions[name] = existing
        } else {
            definitions[name] = Definition(base: base ?? "body", apply: apply)
        }
        resolved = [:]
    }

    /// The finished style, or nil for an unknown name or a cycle of bases.
    mutating func style(_ name: String) -> ParagraphStyle? {
        if let done = resolved[name] { return done }
        var chain: [Definition] = []
        var current: String? = name
        var seen: Set<String> = []
        while let step = current {
            guard let definition = definitions[step], seen.insert(step).inserted else { return nil }
            chain.append(definition)
            current = definition.base
        }
        var style = ParagraphStyle()
        for definition in chain.reversed() {
            for apply in definition.apply { apply(&style) }
        }
        resolved[name] = style
        return style
    }

    /// The character-level part of a named style, for `<span style>`.
    mutating func inline(_ name: String) -> InlineStyle? {
        guard let style = style(name) else { return nil }
        return InlineStyle(bold: style.bold, italic: style.italic, color: style.color, fontFamily: style.fontFamily,
                           fontSize: style.fontSize)
    }
}
