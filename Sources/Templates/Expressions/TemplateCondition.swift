import InputChecks

/// A condition in the template expression language (`discount_pct > 20 and plan == 'Enterprise'`)
/// evaluated outside a template body — for example the `when` of a conditional recipient.
///
/// Names resolve against the template's declared fields (and `today`), as they do inside the
/// template; an unknown name or bad syntax is a `TemplateError` naming the problem.
public struct TemplateCondition: Sendable, Hashable, CustomStringConvertible {
    /// The condition as written.
    public let source: String
    private let expression: Expression

    /// Parses and resolves a condition against a template's fields.
    public init(_ source: String, fields: [FieldDeclaration]) throws(TemplateError) {
        let parsed: Expression
        do {
            parsed = try ExpressionParser.parse(source)
        } catch {
            throw TemplateError([Diagnostic(.expressionSyntax, "in condition '\(source)' at offset \(error.offset): \(error.message)")])
        }
        let names = Set(fields.map(\.name))
        var unknown: [String] = []
        expression = parsed.mapPaths { path in
            var resolved = path
            let name = path.segments[0]
            if names.contains(name) {
                resolved.root = .field(name)
            } else if name == "today" {
                resolved.root = .today
            } else {
                unknown.append(name)
            }
            return resolved
        }
        if let name = unknown.first {
            let hint = Suggestions.hint(for: name, in: fields.map(\.name))
            throw TemplateError([Diagnostic(.undeclaredField, "condition '\(source)' names '\(name)', which the template does not declare\(hint)")])
        }
        self.source = source
    }

    /// Whether the condition holds for typed data (`CompiledTemplate.coerce(row:)` gives it).
    public func evaluate(_ data: [String: TemplateValue], today: TemplateValue = .null) -> Bool {
        expression.evaluate(in: Scope(data: data, locals: [], today: today)).isTruthy
    }

    public var description: String { source }
}
