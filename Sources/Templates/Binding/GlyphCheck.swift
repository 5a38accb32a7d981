public import Typesetting

extension CompiledTemplate {
    /// The text values of `data` holding characters no font in `coverage` can draw: one
    /// diagnostic (`.missingGlyphs`) per value, naming the field (`line_items[2].name` inside
    /// lists and objects) and the characters. Run before typesetting so the message can name the
    /// field; the typesetter still refuses characters it cannot draw in the template's own text.
    /// `characters` is every character reported.
    public func missingGlyphs(in data: [String: TemplateValue], coverage: GlyphCoverage)
        -> (diagnostics: [Diagnostic], characters: Set<Unicode.Scalar>) {
        var problems: [Diagnostic] = []
        var characters: Set<Unicode.Scalar> = []
        func visit(_ value: TemplateValue, path: String) {
            switch value {
            case .string(let text):
                let missing = coverage.missing(in: text)
                if !missing.isEmpty {
                    characters.formUnion(missing)
                    problems.append(Diagnostic(.missingGlyphs, "no shipped font has \(GlyphCoverage.describe(missing)); "
                                               + "the text would print without them (see Fonts/README.md for the "
                                               + "scripts covered)", field: path))
                }
            case .list(let items):
                for (index, item) in items.enumerated() { visit(item, path: "\(path)[\(index + 1)]") }
            case .object(let members):
                for key in members.keys.sorted() { visit(members[key]!, path: "\(path).\(key)") }
            case .null, .number, .bool, .date, .datetime:
                break
            }
        }
        for rule in rules {
            if let value = data[rule.declaration.name] { visit(value, path: rule.declaration.name) }
        }
        return (problems, characters)
    }
}
