import Foundation
import InputChecks

/// Why a value does not fit a field's type.
struct CoercionFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Strict conversions of text (CSV cells) into typed values, and the checks a row's data must
/// pass before it is bound.
enum DataCoercion {
    /// The most characters a text value may have (a 50-page contract is about 150 000 in all).
    static let maximumTextLength = 100_000
    /// The most items a list value may have.
    static let maximumListItems = 10_000
    private static let posix = Locale(identifier: "en_US_POSIX")

    /// Optional sign, then digits.
    static func isInteger(_ text: some StringProtocol) -> Bool {
        var scalars = Substring(text).unicodeScalars[...]
        if let first = scalars.first, first == "+" || first == "-" { scalars = scalars.dropFirst() }
        return !scalars.isEmpty && scalars.allSatisfy { $0 >= "0" && $0 <= "9" }
    }

    /// The most significant digits a number may have: what `Decimal` keeps exactly (it would
    /// round the rest away without a word).
    static let maximumSignificantDigits = 38

    /// The significant digits of a number's text (its digits without the zeros around them;
    /// an exponent's digits are not counted).
    static func significantDigits(_ text: some Sequence<UInt8>) -> Int {
        let mantissa = text.prefix { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }
        let digits = mantissa.filter { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        return digits.drop { $0 == UInt8(ascii: "0") }.reversed().drop { $0 == UInt8(ascii: "0") }.count
    }

    /// The failure for a number too precise to keep, or nil.
    static func tooPrecise(_ text: String) -> CoercionFailure? {
        let count = significantDigits(text.utf8)
        guard count > maximumSignificantDigits else { return nil }
        return CoercionFailure("'\(text)' has \(count) significant digits; at most \(maximumSignificantDigits) are kept exactly")
    }

    /// Optional sign, digits, optional `.` and digits.
    static func isDecimal(_ text: some StringProtocol) -> Bool {
        var scalars = Substring(text).unicodeScalars[...]
        if let first = scalars.first, first == "+" || first == "-" { scalars = scalars.dropFirst() }
        let parts = scalars.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return false }
        if parts.count == 2 { return !parts[1].isEmpty && parts[1].allSatisfy { $0 >= "0" && $0 <= "9" } }
        return true
    }

    /// `local@domain.tld`: no spaces, one `@`, a dotted domain of letters, digits and hyphens
    /// (internationalised letters allowed), a top-level label of two or more characters.
    static func isEmail(_ text: String) -> Bool {
        var local = 0
        var sawAt = false
        var labels = 0, labelLength = 0
        var labelStartsWithHyphen = false, lastWasHyphen = false
        for scalar in text.unicodeScalars {
            if !sawAt {
                if scalar == "@" {
                    sawAt = true
                    continue
                }
                if scalar == " " || scalar == "," || scalar == ";" || scalar == "<" || scalar == ">" || scalar == "\t"
                    || scalar.value < 0x20 || (!scalar.isASCII && scalar.properties.isWhitespace) { return false }
                local += 1
                continue
            }
            if scalar == "." {
                guard labelLength > 0, !labelStartsWithHyphen, !lastWasHyphen else { return false }
                labels += 1
                labelLength = 0
                continue
            }
            let isHyphen = scalar == "-"
            let isWordy = scalar.isASCII
                ? (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                : scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            guard isHyphen || isWordy else { return false }
            if labelLength == 0 { labelStartsWithHyphen = isHyphen }
            lastWasHyphen = isHyphen
            labelLength += 1
        }
        return sawAt && local > 0 && local <= 64 && labels >= 1 && labelLength >= 2 && !labelStartsWithHyphen
            && !lastWasHyphen
    }

    /// Converts text to a field's type; the message says what was expected.
    static func coerce(_ text: String, to type: FieldDeclaration.FieldType,
                       language: String? = nil) -> Result<TemplateValue, CoercionFailure> {
        let trimmed = text.trimmed
        switch type {
        case .text, .enumeration:
            return .success(.string(text))
        case .email:
            return isEmail(trimmed) ? .success(.string(trimmed))
                : .failure(CoercionFailure("'\(text)' is not an email address; expected name@example.com"))
        case .integer:
            guard isInteger(trimmed), let value = Decimal(string: trimmed, locale: posix) else {
                return .failure(CoercionFailure("'\(text)' is not an integer; expected digits with an optional sign, e.g. 42"))
            }
            if let failure = tooPrecise(trimmed) { return .failure(failure) }
            return .success(.number(value))
        case .decimal, .money:
            if type == .money, let language, let ambiguity = ambiguousAmount(trimmed, language: language) {
                return .failure(CoercionFailure(ambiguity))
            }
            guard isDecimal(trimmed), let value = Decimal(string: trimmed, locale: posix) else {
                return .failure(CoercionFailure("'\(text)' is not a decimal number; expected digits with an optional '.' fraction, e.g. 1250.00"))
            }
            if let failure = tooPrecise(trimmed) { return .failure(failure) }
            return .success(.number(value))
        case .date:
            guard let date = CalendarDate(iso: trimmed) else {
                return .failure(CoercionFailure("'\(text)' is not a date; expected YYYY-MM-DD"))
            }
            return .success(.date(date))
        case .datetime:
            guard let date = CalendarDate.parseDateTime(trimmed) else {
                return .failure(CoercionFailure("'\(text)' is not a date-time; expected ISO 8601 such as 2024-05-01T09:30:00Z"))
            }
            return .success(.datetime(date))
        case .boolean:
            switch trimmed.lowercased() {
            case "true", "yes", "1": return .success(.bool(true))
            case "false", "no", "0": return .success(.bool(false))
            default: return .failure(CoercionFailure("'\(text)' is not a boolean; expected true, false, yes, no, 1 or 0"))
            }
        case .list, .object:
            let kind = type == .list ? "array" : "object"
            guard let value = try? TemplateValue.fromJSON(trimmed) else {
                return .failure(CoercionFailure("the value is not valid JSON; expected a JSON \(kind)"))
            }
            switch (type, value) {
            case (.list, .list), (.object, .object): return .success(value)
            default: return .failure(CoercionFailure("the value is JSON \(value.kindName), not a JSON \(kind)"))
            }
        }
    }

    /// Why a money text such as `1.234` cannot be read in `language`: where `.` groups thousands
    /// (de-DE, es-ES, it-IT, pt-BR, …) a reader means 1234, the strict reading is 1.234 — and a
    /// formatter would print €1.23. Nil when the text is not of that shape or the language
    /// groups with something else.
    static func ambiguousAmount(_ text: String, language: String) -> String? {
        guard text.wholeMatch(of: /[+-]?[0-9]{1,3}(\.[0-9]{3})+/) != nil,
              Locale(identifier: language).groupingSeparator == "." else { return nil }
        return "'\(text)' is ambiguous as an amount in \(language), where '.' separates thousands: it could be "
            + "\(text.replacingOccurrences(of: ".", with: "")) or \(text); write the amount with '.' only before the "
            + "cents (e.g. \(text.replacingOccurrences(of: ".", with: "")).00), or read the column with "
            + "\"format\": \"decimal-comma\" in a mapping"
    }

    /// A value in the field's type (text converted strictly), or why it does not fit.
    static func normalize(_ value: TemplateValue, for type: FieldDeclaration.FieldType,
                          language: String? = nil) -> Result<TemplateValue, CoercionFailure> {
        if case .string(let text) = value, type != .text, type != .enumeration { return coerce(text, to: type, language: language) }
        switch (type, value) {
        case (.text, .string), (.enumeration, .string), (.decimal, .number), (.money, .number), (.date, .date),
             (.datetime, .datetime), (.boolean, .bool), (.list, .list), (.object, .object):
            return .success(value)
        case (.text, .number), (.enumeration, .number):
            return .success(.string(value.text))
        case (.integer, .number(let number)):
            var copy = number, rounded = Decimal()
            NSDecimalRound(&rounded, &copy, 0, .plain)
            return rounded == number ? .success(value) : .failure(CoercionFailure("\(value.text) is not an integer"))
        case (.datetime, .date(let date)):
            return .success(.datetime(date.date))
        default:
            let article = ["email", "integer", "enum", "object"].contains(type.rawValue) ? "an" : "a"
            return .failure(CoercionFailure("a \(value.kindName) value where \(article) \(type.rawValue) is expected"))
        }
    }

    /// Checks and converts a row's data against the declared fields: every problem, in field order.
    static func validate(_ data: [String: TemplateValue], rules: [FieldRules],
                         language: String? = nil) -> ([String: TemplateValue], [Diagnostic]) {
        var result = data
        var diagnostics: [Diagnostic] = []
        let maximumTextLength = DataCoercion.maximumTextLength, maximumListItems = DataCoercion.maximumListItems
        for rule in rules {
            let field = rule.declaration
            func problem(_ code: TemplateError.Code, _ message: String) {
                diagnostics.append(Diagnostic(code, message, field: field.name))
            }
            var value = data[field.name] ?? .null
            if value.isEmptyValue, field.type != .list || value == .null {
                if let fallback = field.defaultValue {
                    value = fallback
                } else {
                    if field.isRequired {
                        problem(.missingField, "required, but the data has no value; expected \(field.type.rawValue)")
                    }
                    result[field.name] = .null
                    continue
                }
            }
            if let scalar = value.firstUnprintable {
                // What the document would print differs from the stored data: text ends at a NUL
                // in every layout and PDF string path, layout drops other control characters, and
                // a directional override reorders what follows it.
                let consequence = scalar.value == 0 ? "and the text after it would not be printed"
                    : HiddenCharacters.isDirectional(scalar) ? "which would print the text in another order than the data holds it"
                    : "which the document would drop"
                problem(.invalidValue, "contains \(HiddenCharacters.describe(scalar)), \(consequence); remove it")
                result[field.name] = .null
                continue
            }
            switch normalize(value, for: field.type, language: language) {
            case .failure(let failure):
                problem(.wrongType, failure.message)
                result[field.name] = .null
                continue
            case .success(let typed):
                value = typed
            }
            // Bounds on what one value may make a document do: a megabyte-long word is set in
            // quadratic time, and a list's items multiply through nested loops.
            if case .string(let text) = value, text.count > maximumTextLength {
                problem(.invalidValue, "is \(text.count) characters long; a text value may have at most \(maximumTextLength)")
                result[field.name] = .null
                continue
            }
            if case .list(let items) = value, items.count > maximumListItems {
                problem(.invalidValue, "has \(items.count) items; a list may have at most \(maximumListItems) (split the document)")
                result[field.name] = .null
                continue
            }
            result[field.name] = value
            if field.type == .enumeration, !field.allowedValues.contains(value.text) {
                let hint = Suggestions.hint(for: value.text, in: field.allowedValues)
                problem(.valueNotAllowed, "'\(value.text)' is not allowed; expected one of "
                        + field.allowedValues.joined(separator: ", ") + hint)
            }
            if let minimum = rule.minimum, let below = compare(value, minimum), below < 0 {
                problem(.belowMinimum, "\(describe(value, minimum)) is below the minimum (min=\"\(field.minimum ?? "")\")")
            }
            if let maximum = rule.maximum, let above = compare(value, maximum), above > 0 {
                problem(.aboveMaximum, "\(describe(value, maximum)) is above the maximum (max=\"\(field.maximum ?? "")\")")
            }
            if let pattern = rule.pattern, !pattern.wholeMatch(value.text) {
                let shown = value.text.count > 60 ? value.text.prefix(60) + "…" : value.text
                problem(.patternMismatch, "'\(shown)' does not match the pattern (pattern=\"\(field.pattern ?? "")\")")
            }
        }
        return (result, diagnostics)
    }

    /// -1/0/1 of a value against a bound of the matching kind.
    private static func compare(_ value: TemplateValue, _ bound: FieldRules.Bound) -> Int? {
        switch (value, bound) {
        case (.number(let number), .number(let limit)): return number < limit ? -1 : number == limit ? 0 : 1
        case (.string(let text), .length(let limit)): return text.count < limit ? -1 : text.count == limit ? 0 : 1
        case (.date(let date), .date(let limit)): return date < limit ? -1 : date == limit ? 0 : 1
        case (.list(let items), .count(let limit)): return items.count < limit ? -1 : items.count == limit ? 0 : 1
        default: return nil
        }
    }

    private static func describe(_ value: TemplateValue, _ bound: FieldRules.Bound) -> String {
        switch (value, bound) {
        case (.string(let text), .length): return "length \(text.count)"
        case (.list(let items), .count): return "\(items.count) items"
        default: return value.text
        }
    }
}
