import Typesetting
import InputChecks

extension Compiler {
    /// Compiles `<styles>`: new styles and overrides of the built-ins (body, title, h1–h3, small,
    /// cell, item). Unset properties come from the base style (`base`, default `body`).
    func compileStyles(_ element: ParsedElement) {
        checkAttributes(element, Schema.elements["styles"]!)
        var declared: [String: Int] = [:]
        var pending: [(ParsedElement, String)] = []
        for child in element.children {
            guard case .element(let styleElement) = child else {
                if case .text(let text) = child, !text.isBlank {
                    reportStrayText(text, in: element, expected: "<style> elements")
                }
                continue
            }
            guard checkNamespace(styleElement) else { continue }
            guard styleElement.name == "style" else {
                misplacedOrUnknown(styleElement, allowed: ["style"], parent: "styles")
                continue
            }
            checkAttributes(styleElement, Schema.elements["style"]!)
            guard let nameAttribute = styleElement.attribute("name") else { continue }
            let name = nameAttribute.value
            guard Compiler.isName(name) else {
                report(.invalidValue, "name: '\(name)' is not a style name; expected lower-case letters, digits and '-'",
                       at: nameAttribute.position(atValueOffset: 0), element: "style")
                continue
            }
            if let line = declared[name] {
                report(.duplicate, "duplicate style '\(name)' (first declared at line \(line))",
                       at: nameAttribute.position(atValueOffset: 0), element: "style")
                continue
            }
            declared[name] = styleElement.position.line
            pending.append((styleElement, name))
        }
        let known = Set(StyleSheet.builtInNames).union(declared.keys)
        for (styleElement, name) in pending {
            var base: String?
            if let baseAttribute = styleElement.attribute("base") {
                if known.contains(baseAttribute.value), baseAttribute.value != name {
                    base = baseAttribute.value
                } else {
                    let hint = Suggestions.hint(for: baseAttribute.value, in: known.sorted())
                    report(.unknownStyle, "base: unknown style '\(baseAttribute.value)'\(hint)",
                           at: baseAttribute.position(atValueOffset: 0), element: "style")
                }
            }
            styles.define(name, base: base, apply: properties(styleElement))
        }
        for (styleElement, name) in pending where styles.style(name) == nil {
            report(.unknownStyle, "style '\(name)' is based on itself through its bases", at: styleElement.position,
                   element: "style")
        }
    }

    /// The property setters a `<style>` declares.
    private func properties(_ element: ParsedElement) -> [(inout ParagraphStyle) -> Void] {
        var setters: [(inout ParagraphStyle) -> Void] = []
        if let font = element.attribute("font") {
            let family = font.value.trimmed
            if family.isEmpty {
                report(.invalidValue, "font: empty; expected a family such as \"Liberation Serif\"", at: font.position,
                       element: "style")
            } else if let families = fontFamilies, !families.contains(where: { $0.lowercased() == family.lowercased() }) {
                let hint = Suggestions.hint(for: family, in: families)
                report(.unknownFont, "font: no shipped font is named '\(family)'"
                       + (hint.isEmpty ? "; the families are \(families.joined(separator: ", "))" : hint),
                       at: font.position(atValueOffset: 0), element: "style")
            } else {
                setters.append { $0.fontFamily = family }
            }
        }
        if let size = value(element, "size", Units.length) {
            if size < 4 || size > 144 {
                report(.invalidValue, "size: \(Units.plain(size))pt is out of range; expected 4pt to 144pt",
                       at: element.attribute("size")!.position(atValueOffset: 0), element: "style")
            } else {
                setters.append { $0.fontSize = size }
            }
        }
        if let weight = value(element, "weight", { Units.choice($0, ["normal", "bold"]) }) {
            setters.append { $0.bold = weight == "bold" }
        }
        if let italic = value(element, "italic", Units.bool) { setters.append { $0.italic = italic } }
        if let color = value(element, "color", Units.color) { setters.append { $0.color = color } }
        if let leading = value(element, "leading", { Units.number($0, range: 0.8...3) }) {
            setters.append { $0.leading = leading }
        }
        if let align = value(element, "align", Compiler.alignment) { setters.append { $0.alignment = align } }
        if let before = value(element, "space-before", Units.length) { setters.append { $0.spaceBefore = before } }
        if let after = value(element, "space-after", Units.length) { setters.append { $0.spaceAfter = after } }
        if let indent = value(element, "indent", Units.length) { setters.append { $0.indent = indent } }
        if let keep = value(element, "keep-with-next", Units.bool) { setters.append { $0.keepWithNext = keep } }
        if let hyphenate = value(element, "hyphenate", Units.bool) { setters.append { $0.hyphenate = hyphenate } }
        return setters
    }

    static func alignment(_ text: String) -> Result<TextAlignment, UnitError> {
        Units.choice(text, TextAlignment.allCases.map(\.rawValue)).map { TextAlignment(rawValue: $0)! }
    }

    /// A paragraph style by name (reported when unknown).
    func namedStyle(_ element: ParsedElement, default name: String) -> ParagraphStyle {
        guard let attribute = element.attribute("style") else { return styles.style(name) ?? ParagraphStyle() }
        if let style = styles.style(attribute.value) { return style }
        let hint = Suggestions.hint(for: attribute.value, in: styles.names)
        report(.unknownStyle, "unknown style '\(attribute.value)'\(hint.isEmpty ? "; declare it in <styles>" : hint)",
               at: attribute.position(atValueOffset: 0), element: element.name)
        return styles.style(name) ?? ParagraphStyle()
    }
}
