import Foundation
import Typesetting
import InputChecks

/// What block content may hold where it is being compiled, and the loop variables in scope.
struct BlockContext {
    enum Region { case body, headerFooter, clause }
    var region: Region
    var inLoop = false
    /// Inside an `<if>`, `<elif>` or `<else>`: what is here is not in every document.
    var conditional = false
    var locals: [(name: String, slot: Int)] = []
    var nextSlot: Int { (locals.map(\.slot).max() ?? -1) + 1 }
}

/// One compile run: the template's declarations so far and every problem found. Used by one
/// thread for one template; the result is copied into a `CompiledTemplate`.
final class Compiler {
    static let namespace = "urn:countersign:template:1"
    static let reservedNames: Set<String> = ["page", "pages", "today"]

    /// The file diagnostics are reported against (switches to a clause file while one is compiled).
    var file: String
    let baseDirectory: URL
    let library: ClauseLibrary
    var diagnostics: [Diagnostic] = []
    var fields: [FieldRules] = []
    var fieldIndex: [String: Int] = [:]
    /// Fields declared with an error of their own (a type that is not one, say): already
    /// reported, so their uses are not reported again as undeclared.
    var brokenFields: Set<String> = []
    var styles = StyleSheet()
    var roles: [String] = []
    /// Roles whose signature not every document requires: `required="false"`, or inside a condition.
    var optionalRoles: Set<String> = []
    /// Signer fields in document order, with where their role was written (checked at the end).
    var signerFields: [(declaration: SignerFieldDeclaration, position: SourcePosition, element: String)] = []
    var pins: [ClauseLibrary.Clause] = []
    var clauseContent: [String: [Flow<BlockNode>]] = [:]
    /// `file:line:col` of the pin whose clause is being compiled, for messages about the clause.
    var clauseSite: String?
    /// The wrong namespace of the current file's root, already reported (see `checkRootNamespace`).
    var toleratedNamespace: String??

    /// The font families `font=` may name; nil when the shipped fonts cannot be read (no check).
    let fontFamilies: [String]?

    init(file: String, baseDirectory: URL, library: ClauseLibrary, fontFamilies: [String]? = nil) {
        self.file = file
        self.fontFamilies = fontFamilies
        self.baseDirectory = baseDirectory
        self.library = library
    }

    // MARK: Reporting

    func report(_ code: TemplateError.Code, _ message: String, at position: SourcePosition, element: String?) {
        diagnostics.append(Diagnostic(code, message, file: file, line: position.line, column: position.column,
                                      element: element))
    }

    /// Reports attributes the element does not take and required ones it lacks. Attributes in
    /// another namespace (tool metadata) are ignored.
    func checkAttributes(_ element: ParsedElement, _ schema: Schema.Element) {
        for attribute in element.attributes where attribute.namespace == nil {
            guard !schema.attributes.contains(attribute.name) else { continue }
            let hint = Suggestions.hint(for: attribute.name, in: schema.attributes)
            let expected = schema.attributes.isEmpty ? "; <\(element.name)> takes no attributes"
                : hint.isEmpty ? "; expected one of " + schema.attributes.joined(separator: ", ") : hint
            report(.unknownAttribute, "unknown attribute '\(attribute.name)'\(expected)", at: attribute.position,
                   element: element.name)
        }
        for name in schema.required where element.attribute(name) == nil {
            let example = Schema.examples["\(element.name).\(name)"].map { ", e.g. \($0)" } ?? ""
            report(.missingAttribute, "missing attribute '\(name)'; expected a value\(example)", at: element.position,
                   element: element.name)
        }
    }

    /// An attribute parsed by `parser`; a bad value is reported at the value.
    func value<T>(_ element: ParsedElement, _ name: String, _ parser: (String) -> Result<T, UnitError>) -> T? {
        guard let attribute = element.attribute(name) else { return nil }
        switch parser(attribute.value) {
        case .success(let value): return value
        case .failure(let error):
            report(error.code, "\(name): \(error.message)", at: attribute.position(atValueOffset: 0), element: element.name)
            return nil
        }
    }

    // MARK: Names

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, Lexer.isIdentifierStart(first) else { return false }
        return text.unicodeScalars.allSatisfy(Lexer.isIdentifierPart)
    }

    func field(_ name: String) -> FieldRules? { fieldIndex[name].map { fields[$0] } }

    // MARK: Expressions

    /// Resolves each path to a loop variable, a field or `today`; unknown names are reported.
    func resolve(_ expression: Expression, locals: [(name: String, slot: Int)],
                 position: (Int) -> SourcePosition, element: String) -> Expression {
        expression.mapPaths { path in
            var resolved = path
            let name = path.segments[0]
            if let local = locals.last(where: { $0.name == name }) {
                resolved.root = .local(local.slot)
            } else if let rule = field(name) {
                resolved.root = .field(name)
                if path.segments.count > 1, rule.declaration.type != .object {
                    report(.undeclaredField, "'\(path.text)': field '\(name)' is \(rule.declaration.type.rawValue) and has "
                           + "no members; only object fields and loop variables do", at: position(path.offset), element: element)
                }
            } else if name == "today" {
                resolved.root = .today
            } else if brokenFields.contains(name) {
                // Its declaration's error says what is wrong; "undeclared" would contradict it.
            } else {
                var candidates = fields.map(\.declaration.name) + locals.map(\.name)
                candidates.append("today")
                let hint = Suggestions.hint(for: name, in: candidates)
                let advice = clauseSite.map { site in "; declare it in the <fields> of the template pinning this clause (\(site))" }
                    ?? (hint.isEmpty ? "; declare it in <fields>" : hint)
                report(.undeclaredField, "undeclared field '\(name)'\(advice)", at: position(path.offset), element: element)
            }
            return resolved
        }
    }

    /// The expression in an attribute (`test`, `in`, `when`), parsed and resolved.
    func expression(_ element: ParsedElement, _ name: String, locals: [(name: String, slot: Int)]) -> Expression? {
        guard let attribute = element.attribute(name) else { return nil }
        do throws(ExpressionSyntaxError) {
            let parsed = try ExpressionParser.parse(attribute.value)
            let before = diagnostics.count
            let resolved = resolve(parsed, locals: locals, position: { attribute.position(atValueOffset: $0) },
                                   element: element.name)
            return diagnostics.count == before ? resolved : nil
        } catch {
            report(.expressionSyntax, "\(name): \(error.message)", at: attribute.position(atValueOffset: error.offset),
                   element: element.name)
            return nil
        }
    }

    // MARK: Text

    /// Text with `{{ … }}` interpolations. `collapse` turns each run of white space in the literal
    /// parts into one space (element content); attribute text is kept as written.
    func text(_ content: String, source: SourceText?, fallback: SourcePosition, element: String,
              locals: [(name: String, slot: Int)], pages: Bool, collapse: Bool) -> TextTemplate {
        let scalars = Array(content.unicodeScalars)
        func position(_ offset: Int) -> SourcePosition { source?.position(atScalarOffset: offset) ?? fallback }
        var parts: [TextTemplate.Part] = []
        var literal = String.UnicodeScalarView()
        var lastWasSpace = false
        func flush() {
            if !literal.isEmpty { parts.append(.literal(String(literal))) }
            literal = String.UnicodeScalarView()
        }
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "{", index + 1 < scalars.count, scalars[index + 1] == "{" {
                do throws(ExpressionSyntaxError) {
                    var parser = try ExpressionParser(scalars: scalars, start: index + 2)
                    let (parsed, calls) = try parser.parseInterpolation()
                    if let part = interpolation(parsed, calls, position: position, element: element, locals: locals,
                                                pages: pages) {
                        flush()
                        parts.append(part)
                    }
                    index = parser.resumeOffset
                    lastWasSpace = false
                } catch {
                    report(.expressionSyntax, error.message, at: position(error.offset), element: element)
                    return TextTemplate(parts: [])
                }
                continue
            }
            if collapse, scalar == " " || scalar == "\n" || scalar == "\t" || scalar == "\r" {
                if !lastWasSpace { literal.append(" ") }
                lastWasSpace = true
            } else {
                literal.append(scalar)
                lastWasSpace = false
            }
            index += 1
        }
        flush()
        return TextTemplate(parts: parts)
    }

    private func interpolation(_ parsed: Expression, _ calls: [FormatterCall], position: (Int) -> SourcePosition,
                               element: String, locals: [(name: String, slot: Int)], pages: Bool) -> TextTemplate.Part? {
        if case .path(let path) = parsed, path.segments.count == 1, path.segments[0] == "page" || path.segments[0] == "pages" {
            guard pages else {
                report(.misplacedElement, "{{\(path.segments[0])}} is only available in <header> and <footer>",
                       at: position(path.offset), element: element)
                return nil
            }
            guard calls.isEmpty else {
                report(.unknownFormatter, "{{\(path.segments[0])}} takes no formatters", at: position(calls[0].offset),
                       element: element)
                return nil
            }
            return path.segments[0] == "page" ? .pageNumber : .pageCount
        }
        let before = diagnostics.count
        let resolved = resolve(parsed, locals: locals, position: position, element: element)
        var formatters: [ValueFormatter] = []
        for call in calls {
            do throws(ExpressionSyntaxError) {
                formatters.append(try ValueFormatter(call))
            } catch {
                report(.unknownFormatter, error.message, at: position(error.offset), element: element)
            }
        }
        guard diagnostics.count == before else { return nil }
        if calls.isEmpty, case .path(let path) = resolved, path.segments.count == 1, case .field(let name) = path.root,
           let rule = field(name) {
            formatters = rule.format
        }
        return .value(Interpolation(expression: resolved, formatters: formatters))
    }

    /// An attribute's text with interpolations (titles, labels, links), or nil when absent.
    func textAttribute(_ element: ParsedElement, _ name: String, locals: [(name: String, slot: Int)]) -> TextTemplate? {
        guard let attribute = element.attribute(name) else { return nil }
        return text(attribute.value, source: attribute.source, fallback: attribute.position, element: element.name,
                    locals: locals, pages: false, collapse: false)
    }

    /// Non-blank text where only elements may go.
    func reportStrayText(_ text: ParsedText, in element: ParsedElement, expected: String) {
        let offset = text.content.unicodeScalars.firstIndex { !$0.properties.isWhitespace }
            .map { text.content.unicodeScalars.distance(from: text.content.unicodeScalars.startIndex, to: $0) } ?? 0
        report(.textNotAllowed, "text is not allowed directly in <\(element.name)>; expected \(expected)",
               at: text.source?.position(atScalarOffset: offset) ?? element.position, element: element.name)
    }
}

extension ParsedText {
    var isBlank: Bool { content.unicodeScalars.allSatisfy { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" } }
}
