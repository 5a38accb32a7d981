import Foundation
import InputChecks

/// A formatter as written: `currency:"EUR"` → name `currency`, arguments `["EUR"]`.
struct FormatterCall: Sendable, Hashable {
    var name: String
    var arguments: [TemplateValue]
    var offset: Int
}

/// Recursive-descent parser for expressions and `{{ … }}` interpolations.
///
///     expression  := or
///     or          := and ("or" and)*
///     and         := not ("and" not)*
///     not         := "not" not | comparison
///     comparison  := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in") sum)?
///     sum         := product (("+" | "-") product)*
///     product     := unary (("*" | "/") unary)*
///     unary       := "-" unary | primary
///     primary     := literal | path | "empty" "(" expression ")" | "len" "(" expression ")"
///                  | "sum" "(" expression ("," string)? ")"
///                  | "(" expression ")" | "[" (expression ("," expression)*)? "]"
///     path        := name ("." name)*
///     interpolation := expression ("|" name (":" literal)*)* "}}"
///
/// Hostile or careless input is bounded: at most `maximumNesting` levels of parentheses,
/// brackets, calls, `not` and unary minus (the parser recurses on each), and at most
/// `maximumOperators` operators in all (every one deepens the tree that evaluation and
/// deallocation walk recursively). Real templates stay far below both.
struct ExpressionParser {
    static let maximumNesting = 64
    static let maximumOperators = 1_000
    private var lexer: Lexer
    private var token: Token
    private var nesting = 0
    private var operators = 0
    static let keywords: Set<String> = ["and", "or", "not", "in", "true", "false", "null"]
    static let functions = ["empty", "len", "sum"]

    init(scalars: [Unicode.Scalar], start: Int = 0) throws(ExpressionSyntaxError) {
        lexer = Lexer(scalars: scalars, start: start)
        token = Token(kind: .end, offset: start)
        token = try lexer.next()
    }

    /// The offset just after the last token read (where an interpolation's text resumes).
    var resumeOffset: Int { lexer.index }

    /// Parses a whole attribute expression (nothing may follow it).
    static func parse(_ text: String) throws(ExpressionSyntaxError) -> Expression {
        var parser = try ExpressionParser(scalars: Array(text.unicodeScalars))
        guard parser.token.kind != .end else {
            throw ExpressionSyntaxError(message: "empty expression", offset: 0)
        }
        let expression = try parser.parseOr()
        guard parser.token.kind == .end else { throw parser.unexpected("end of expression") }
        return expression
    }

    /// Parses `expression | formatter:arg … }}` starting just after `{{`.
    mutating func parseInterpolation() throws(ExpressionSyntaxError) -> (Expression, [FormatterCall]) {
        if token.kind == .closeInterpolation {
            throw ExpressionSyntaxError(message: "empty interpolation; expected an expression", offset: token.offset)
        }
        let expression = try parseOr()
        var formatters: [FormatterCall] = []
        while token.kind == .symbol("|") {
            try advance()
            guard case .identifier(let name) = token.kind else { throw unexpected("a formatter name after '|'") }
            var call = FormatterCall(name: name, arguments: [], offset: token.offset)
            try advance()
            while token.kind == .symbol(":") {
                try advance()
                switch token.kind {
                case .string(let text): call.arguments.append(.string(text))
                case .number(let text): call.arguments.append(.number(Decimal(string: text) ?? 0))
                default: throw unexpected("a quoted or numeric formatter argument after ':'")
                }
                try advance()
            }
            formatters.append(call)
        }
        guard token.kind == .closeInterpolation else {
            if token.kind == .end {
                throw ExpressionSyntaxError(message: "unterminated interpolation; expected '}}'", offset: token.offset)
            }
            throw unexpected("'|' or '}}'")
        }
        return (expression, formatters)
    }

    private mutating func advance() throws(ExpressionSyntaxError) { token = try lexer.next() }

    /// Counts an operator (or a call, a list, a parenthesis); refuses the expression past the limit.
    private mutating func counted() throws(ExpressionSyntaxError) {
        operators += 1
        guard operators <= Self.maximumOperators else {
            throw ExpressionSyntaxError(message: "the expression has more than \(Self.maximumOperators) operators; split it, or compute the value before merging",
                                        offset: token.offset)
        }
    }

    /// Enters one more level of nesting; the caller leaves it with `nesting -= 1`.
    private mutating func nested() throws(ExpressionSyntaxError) {
        try counted()
        nesting += 1
        guard nesting <= Self.maximumNesting else {
            throw ExpressionSyntaxError(message: "the expression is nested more than \(Self.maximumNesting) levels deep", offset: token.offset)
        }
    }

    private func unexpected(_ expected: String) -> ExpressionSyntaxError {
        ExpressionSyntaxError(message: "unexpected \(token.describe); expected \(expected)", offset: token.offset)
    }

    private mutating func parseOr() throws(ExpressionSyntaxError) -> Expression {
        var left = try parseAnd()
        while token.kind == .identifier("or") {
            try counted()
            try advance()
            left = .or(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(ExpressionSyntaxError) -> Expression {
        var left = try parseNot()
        while token.kind == .identifier("and") {
            try counted()
            try advance()
            left = .and(left, try parseNot())
        }
        return left
    }

    private mutating func parseNot() throws(ExpressionSyntaxError) -> Expression {
        if token.kind == .identifier("not") {
            try nested()
            defer { nesting -= 1 }
            try advance()
            return .not(try parseNot())
        }
        return try parseComparison()
    }

    private mutating func parseComparison() throws(ExpressionSyntaxError) -> Expression {
        let left = try parseSum()
        let result: Expression
        if case .symbol(let symbol) = token.kind, let op = Comparison(rawValue: symbol) {
            try counted()
            try advance()
            result = .compare(op, left, try parseSum())
        } else if token.kind == .identifier("in") {
            try counted()
            try advance()
            result = .contains(left, try parseSum(), negated: false)
        } else if token.kind == .identifier("not") {
            try advance()
            guard token.kind == .identifier("in") else { throw unexpected("'in' after 'not'") }
            try advance()
            result = .contains(left, try parseSum(), negated: true)
        } else {
            return left
        }
        if case .symbol(let symbol) = token.kind, Comparison(rawValue: symbol) != nil {
            throw ExpressionSyntaxError(message: "comparisons cannot be chained; use 'and'", offset: token.offset)
        }
        return result
    }

    private mutating func parseSum() throws(ExpressionSyntaxError) -> Expression {
        var left = try parseProduct()
        while case .symbol(let symbol) = token.kind, symbol == "+" || symbol == "-" {
            try counted()
            try advance()
            left = .arithmetic(Arithmetic(rawValue: symbol)!, left, try parseProduct())
        }
        return left
    }

    private mutating func parseProduct() throws(ExpressionSyntaxError) -> Expression {
        var left = try parseUnary()
        while case .symbol(let symbol) = token.kind, symbol == "*" || symbol == "/" {
            try counted()
            try advance()
            left = .arithmetic(Arithmetic(rawValue: symbol)!, left, try parseUnary())
        }
        return left
    }

    private mutating func parseUnary() throws(ExpressionSyntaxError) -> Expression {
        guard token.kind == .symbol("-") else { return try parsePrimary() }
        try nested()
        defer { nesting -= 1 }
        try advance()
        let inner = try parseUnary()
        if case .literal(.number(let number)) = inner { return .literal(.number(-number)) }
        return .negate(inner)
    }

    private mutating func parsePrimary() throws(ExpressionSyntaxError) -> Expression {
        let start = token
        switch token.kind {
        case .string(let text):
            try advance()
            return .literal(.string(text))
        case .number(let text):
            try advance()
            return .literal(.number(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) ?? 0))
        case .symbol("("):
            try nested()
            defer { nesting -= 1 }
            try advance()
            let inner = try parseOr()
            guard token.kind == .symbol(")") else { throw unexpected("')'") }
            try advance()
            return inner
        case .symbol("["):
            try nested()
            defer { nesting -= 1 }
            try advance()
            var items: [Expression] = []
            if token.kind != .symbol("]") {
                items.append(try parseOr())
                while token.kind == .symbol(",") {
                    try counted()
                    try advance()
                    items.append(try parseOr())
                }
            }
            guard token.kind == .symbol("]") else { throw unexpected("',' or ']'") }
            try advance()
            return .list(items)
        case .identifier(let name):
            switch name {
            case "true": try advance(); return .literal(.bool(true))
            case "false": try advance(); return .literal(.bool(false))
            case "null": try advance(); return .literal(.null)
            case "and", "or", "not", "in": throw unexpected("a value")
            default: break
            }
            try advance()
            if token.kind == .symbol("(") {
                guard ExpressionParser.functions.contains(name) else {
                    let hint = Suggestions.hint(for: name, in: ExpressionParser.functions)
                    throw ExpressionSyntaxError(
                        message: "unknown function '\(name)'\(hint.isEmpty ? "; expected empty(…), len(…) or sum(…)" : hint)",
                        offset: start.offset)
                }
                try nested()
                defer { nesting -= 1 }
                try advance()
                let argument = try parseOr()
                var member: String?
                if name == "sum", token.kind == .symbol(",") {
                    try advance()
                    guard case .string(let text) = token.kind else { throw unexpected("a quoted member name") }
                    member = text
                    try advance()
                }
                guard token.kind == .symbol(")") else { throw unexpected("')' to close \(name)(…)") }
                try advance()
                switch name {
                case "empty": return .empty(argument)
                case "len": return .length(argument)
                default: return .sum(argument, member: member)
                }
            }
            var segments = [name]
            while token.kind == .symbol(".") {
                try advance()
                guard case .identifier(let member) = token.kind else { throw unexpected("a name after '.'") }
                segments.append(member)
                try advance()
            }
            return .path(Path(segments: segments, offset: start.offset))
        case .end:
            throw unexpected("a value")
        default:
            throw unexpected("a value")
        }
    }
}
