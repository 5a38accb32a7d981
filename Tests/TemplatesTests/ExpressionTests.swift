import Foundation
import Testing
@testable import Templates

/// Parses `text` and evaluates it with `data` as fields and `locals` as loop variables.
private func evaluate(_ text: String, _ data: [String: TemplateValue] = [:],
                      locals: [String: TemplateValue] = [:]) throws -> TemplateValue {
    let names = Array(locals.keys)
    let expression = try ExpressionParser.parse(text).mapPaths { path in
        var resolved = path
        if let slot = names.firstIndex(of: path.segments[0]) {
            resolved.root = .local(slot)
        } else if path.segments[0] == "today" {
            resolved.root = .today
        } else {
            resolved.root = .field(path.segments[0])
        }
        return resolved
    }
    let scope = Scope(data: data, locals: names.map { locals[$0]! }, today: .date(CalendarDate(iso: "2025-06-01")!))
    return expression.evaluate(in: scope)
}

private func number(_ text: String) -> TemplateValue { .number(Decimal(string: text)!) }

private let data: [String: TemplateValue] = [
    "plan": .string("Enterprise"), "seats": .integer(120), "industry": .string("Healthcare"),
    "discount": .null, "effective_date": .date(CalendarDate(iso: "2025-03-07")!), "name": .string("Zoë"),
    "items": .list([.object(["amount": number("10.25")]), .object(["amount": number("20.25")])]),
    "customer": .object(["address": .object(["city": .string("Lyon")])]), "blank": .string("  "),
]

@Suite struct ExpressionTests {
    @Test(arguments: [
        ("1 + 2 * 3", number("7")),
        ("(1 + 2) * 3", number("9")),
        ("10 - 4 - 3", number("3")),
        ("10 / 4", number("2.5")),
        ("-2 * 3", number("-6")),
        ("-(2 + 3)", number("-5")),
        ("1 / 0", .null),
        ("'a' + 1", .null),
        ("not 1 == 2", .bool(true)),
        ("true or false and false", .bool(true)),
        ("(true or false) and false", .bool(false)),
        ("not true or true", .bool(true)),
        ("not (true or true)", .bool(false)),
        ("1 + 1 == 2 and 2 * 2 == 4", .bool(true)),
    ] as [(String, TemplateValue)])
    func precedence(text: String, expected: TemplateValue) throws {
        #expect(try evaluate(text) == expected)
    }

    @Test(arguments: [
        ("plan == 'Enterprise' and seats >= 100", true),
        ("plan == \"Enterprise\" and seats < 100", false),
        ("seats == 120.0", true),
        ("seats != 120", false),
        ("'10' == 10", false),
        ("seats > '100'", false),
        ("'abc' < 'abd'", true),
        ("'Zoe' < 'Zoë'", true),
        ("discount > 0", false),
        ("discount < 0", false),
        ("discount == null", true),
        ("null == null", true),
        ("discount == 0", false),
        ("effective_date == '2025-03-07'", true),
        ("effective_date < '2025-04-01'", true),
        ("effective_date >= today", false),
        ("true == 1", false),
        ("customer.address.city == 'Lyon'", true),
        ("customer.address.zip == null", true),
        ("seats.value == null", true),
    ])
    func comparisons(text: String, expected: Bool) throws {
        #expect(try evaluate(text, data) == .bool(expected))
    }

    @Test(arguments: [
        ("plan in ['Business', 'Enterprise']", true),
        ("plan not in ['Business', 'Enterprise']", false),
        ("'Health' in industry", true),
        ("'health' in industry", false),
        ("120 in [100, 120.00]", true),
        ("'city' in customer.address", true),
        ("'x' in discount", false),
        ("empty(discount)", true),
        ("empty(blank)", true),
        ("empty(name)", false),
        ("empty([])", true),
        ("empty(0)", false),
        ("not empty(items)", true),
    ])
    func membershipAndEmptiness(text: String, expected: Bool) throws {
        #expect(try evaluate(text, data) == .bool(expected))
    }

    @Test func functionsAndTruthiness() throws {
        #expect(try evaluate("len(items)", data) == .integer(2))
        #expect(try evaluate("len(name)", data) == .integer(3))
        #expect(try evaluate("len(discount)", data) == .integer(0))
        #expect(try evaluate("sum(items, 'amount')", data) == number("30.5"))
        #expect(try evaluate("sum([1, 2.5, 3])") == number("6.5"))
        #expect(try evaluate("sum([1, 'x'])") == .null)
        #expect(try evaluate("sum(items, 'amount') * 15 / 100", data) == number("4.575"))
        #expect(try evaluate("item.qty * 2", locals: ["item": .object(["qty": .integer(4)])]) == number("8"))
        #expect(try evaluate("[1, seats]", data) == .list([.integer(1), .integer(120)]))
        for (value, truthy) in [(TemplateValue.null, false), (.string(""), false), (.integer(0), false),
                                (.list([]), false), (.object([:]), false), (.bool(false), false),
                                (.string("0"), true), (.integer(-1), true), (.date(CalendarDate(iso: "2025-01-01")!), true)] {
            #expect(value.isTruthy == truthy, "\(value)")
        }
    }

    @Test(arguments: [
        ("plan = 'x'", "unexpected '='; use '==' to compare", 5),
        ("plan == 'x' and", "unexpected end of expression; expected a value", 15),
        ("(seats", "unexpected end of expression; expected ')'", 6),
        ("1 < 2 < 3", "comparisons cannot be chained; use 'and'", 6),
        ("foo(seats)", "unknown function 'foo'; expected empty(…), len(…) or sum(…)", 0),
        ("lenn(seats)", "unknown function 'lenn'; did you mean 'len'?", 0),
        ("'abc", "unterminated string; expected a closing '", 0),
        ("a && b", "unexpected '&'; use 'and'", 2),
        ("a || b", "unexpected '|'; expected end of expression", 2),
        ("12abc", "a number cannot run into a name", 2),
        ("item.", "unexpected end of expression; expected a name after '.'", 5),
        ("not in x", "unexpected 'in'; expected a value", 4),
        ("[1, 2", "unexpected end of expression; expected ',' or ']'", 5),
        ("a not b", "unexpected 'b'; expected 'in' after 'not'", 6),
        ("sum(items, amount)", "unexpected 'amount'; expected a quoted member name", 11),
        ("", "empty expression", 0),
        ("a ? b", "unexpected character '?'", 2),
    ] as [(String, String, Int)])
    func syntaxErrors(text: String, message: String, offset: Int) {
        #expect {
            _ = try ExpressionParser.parse(text)
        } throws: { error in
            guard let error = error as? ExpressionSyntaxError else { return false }
            #expect(error.message == message)
            #expect(error.offset == offset)
            return true
        }
    }

    @Test func interpolationsParseFormattersAndStopAtClosingBraces() throws {
        let text = Array("Total {{ sum(items, 'amount') | currency:\"USD\":'fr-FR' | default:\"n/a\" }} due".unicodeScalars)
        var parser = try ExpressionParser(scalars: text, start: 8)
        let (expression, formatters) = try parser.parseInterpolation()
        #expect(expression == .sum(.path(Path(segments: ["items"], offset: 13)), member: "amount"))
        #expect(formatters.map(\.name) == ["currency", "default"])
        #expect(formatters[0].arguments == [.string("USD"), .string("fr-FR")])
        #expect(String(String.UnicodeScalarView(text[parser.resumeOffset...])) == " due")
    }
}
