/// A syntax error inside an expression, at a scalar offset into the text it was read from.
struct ExpressionSyntaxError: Error, Sendable {
    var message: String
    var offset: Int
}

/// One token of the expression language.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        case string(String)
        case number(String)
        case symbol(String)      // == != < <= > >= ( ) [ ] , . | : - + * /
        case closeInterpolation  // }}
        case end
    }
    var kind: Kind
    /// Scalar offset of the token's first character.
    var offset: Int

    var describe: String {
        switch kind {
        case .identifier(let name): return "'\(name)'"
        case .string(let text): return "string '\(text)'"
        case .number(let text): return "number \(text)"
        case .symbol(let symbol): return "'\(symbol)'"
        case .closeInterpolation: return "'}}'"
        case .end: return "end of expression"
        }
    }
}

/// Splits expression text into tokens. Stops at `}}` when reading an interpolation.
struct Lexer {
    let scalars: [Unicode.Scalar]
    var index: Int

    init(scalars: [Unicode.Scalar], start: Int = 0) {
        self.scalars = scalars
        self.index = start
    }

    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
    }
    static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || (scalar >= "0" && scalar <= "9")
    }

    mutating func next() throws(ExpressionSyntaxError) -> Token {
        while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" || scalars[index] == "\n"
            || scalars[index] == "\r" { index += 1 }
        guard index < scalars.count else { return Token(kind: .end, offset: index) }
        let start = index
        let scalar = scalars[index]
        func peek(_ offset: Int) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }
        if Lexer.isIdentifierStart(scalar) {
            while index < scalars.count, Lexer.isIdentifierPart(scalars[index]) { index += 1 }
            return Token(kind: .identifier(String(String.UnicodeScalarView(scalars[start..<index]))), offset: start)
        }
        if scalar >= "0" && scalar <= "9" {
            while index < scalars.count, scalars[index] >= "0" && scalars[index] <= "9" { index += 1 }
            if index < scalars.count, scalars[index] == ".", let after = peek(1), after >= "0" && after <= "9" {
                index += 1
                while index < scalars.count, scalars[index] >= "0" && scalars[index] <= "9" { index += 1 }
            }
            if index < scalars.count, Lexer.isIdentifierStart(scalars[index]) {
                throw ExpressionSyntaxError(message: "a number cannot run into a name", offset: index)
            }
            return Token(kind: .number(String(String.UnicodeScalarView(scalars[start..<index]))), offset: start)
        }
        if scalar == "'" || scalar == "\"" {
            index += 1
            var text = String.UnicodeScalarView()
            while true {
                guard index < scalars.count else {
                    throw ExpressionSyntaxError(message: "unterminated string; expected a closing \(scalar)", offset: start)
                }
                let current = scalars[index]
                index += 1
                if current == scalar { break }
                if current == "\\", index < scalars.count {
                    text.append(scalars[index])
                    index += 1
                } else {
                    text.append(current)
                }
            }
            return Token(kind: .string(String(text)), offset: start)
        }
        if scalar == "}", peek(1) == "}" {
            index += 2
            return Token(kind: .closeInterpolation, offset: start)
        }
        for symbol in ["==", "!=", "<=", ">="] where scalar == symbol.unicodeScalars.first
            && peek(1) == symbol.unicodeScalars.last {
            index += 2
            return Token(kind: .symbol(symbol), offset: start)
        }
        if "<>()[],.|:-+*/".unicodeScalars.contains(scalar) {
            index += 1
            return Token(kind: .symbol(String(scalar)), offset: start)
        }
        if scalar == "=" {
            throw ExpressionSyntaxError(message: "unexpected '='; use '==' to compare", offset: start)
        }
        if scalar == "&" || scalar == "!" {
            let hint = scalar == "&" ? "use 'and'" : "use 'not' or '!='"
            throw ExpressionSyntaxError(message: "unexpected '\(scalar)'; \(hint)", offset: start)
        }
        throw ExpressionSyntaxError(message: "unexpected character '\(scalar)'", offset: start)
    }
}
