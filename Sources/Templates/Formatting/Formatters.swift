import Foundation
import Synchronization
import InputChecks

/// A formatter in an interpolation, checked when the template is compiled.
enum ValueFormatter: Sendable, Hashable {
    enum DateStyle: Sendable, Hashable {
        case short, medium, long, full, iso
        /// An ICU date pattern such as `d MMMM yyyy`.
        case pattern(String)
    }

    case date(DateStyle, locale: String?)
    case datetime(DateStyle, locale: String?)
    case currency(code: String, locale: String?)
    case number(decimals: Int?, locale: String?)
    /// Percentage points: 15 → "15%".
    case percent(decimals: Int?, locale: String?)
    case upper(locale: String?)
    case lower(locale: String?)
    case title(locale: String?)
    case fallback(String)
    case join(String)

    static let names = ["date", "datetime", "currency", "number", "percent", "upper", "lower", "title", "default",
                        "join"]

    /// Checks a formatter call; the error message names what was expected.
    init(_ call: FormatterCall) throws(ExpressionSyntaxError) {
        var arguments = call.arguments[...]
        func fail(_ message: String) -> ExpressionSyntaxError { ExpressionSyntaxError(message: message, offset: call.offset) }
        func text(_ value: TemplateValue?) -> String? { if case .string(let s) = value { s } else { nil } }
        /// A trailing locale argument, when the last argument looks like one.
        func takeLocale(after count: Int) throws(ExpressionSyntaxError) -> String? {
            guard arguments.count > count, let last = text(arguments.last) else { return nil }
            if let problem = ValueFormatter.localeProblem(last) {
                throw fail(ValueFormatter.isLocaleIdentifier(last) || problem.contains("write '") ? problem
                           : "'\(last)' is not a locale; expected a BCP 47 tag such as \"fr-FR\"")
            }
            arguments.removeLast()
            return last
        }
        func decimals(_ value: TemplateValue?) throws(ExpressionSyntaxError) -> Int? {
            guard let value else { return nil }
            guard case .number(let number) = value, number >= 0, number <= 10,
                  let whole = Int(exactly: NSDecimalNumber(decimal: number).doubleValue) else {
                throw fail("\(call.name) takes a number of decimals from 0 to 10, e.g. \(call.name):2")
            }
            return whole
        }
        switch call.name {
        case "date", "datetime":
            let locale = try takeLocale(after: 1)
            guard arguments.count <= 1 else { throw fail("\(call.name) takes a style and a locale at most") }
            var style = DateStyle.medium
            if let first = arguments.first {
                guard let name = text(first), !name.isEmpty else { throw fail("\(call.name) style must be quoted text") }
                switch name {
                case "short": style = .short
                case "medium": style = .medium
                case "long": style = .long
                case "full": style = .full
                case "iso", "ISO": style = .iso
                default:
                    guard ValueFormatter.isDatePattern(name) else {
                        throw fail("unknown \(call.name) style '\(name)'; expected short, medium, long, full, iso "
                                   + "or a pattern such as \"d MMMM yyyy\"")
                    }
                    style = .pattern(name)
                }
            }
            self = call.name == "date" ? .date(style, locale: locale) : .datetime(style, locale: locale)
        case "currency":
            let locale = try takeLocale(after: 1)
            guard arguments.count == 1, let code = text(arguments.first) else {
                throw fail("currency needs an ISO 4217 code, e.g. currency:\"USD\"")
            }
            guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
                throw fail("'\(code)' is not a currency code; expected three capital letters such as \"EUR\"")
            }
            self = .currency(code: code, locale: locale)
        case "number", "percent":
            let locale = try takeLocale(after: 0)
            guard arguments.count <= 1 else { throw fail("\(call.name) takes decimals and a locale at most") }
            let places = try decimals(arguments.first)
            self = call.name == "number" ? .number(decimals: places, locale: locale)
                : .percent(decimals: places, locale: locale)
        case "upper", "lower", "title":
            let locale = try takeLocale(after: 0)
            guard arguments.isEmpty else { throw fail("\(call.name) takes a locale at most") }
            self = call.name == "upper" ? .upper(locale: locale) : call.name == "lower" ? .lower(locale: locale)
                : .title(locale: locale)
        case "default":
            guard arguments.count == 1, let fallback = text(arguments.first) else {
                throw fail("default needs the text to show, e.g. default:\"n/a\"")
            }
            self = .fallback(fallback)
        case "join":
            guard arguments.count <= 1 else { throw fail("join takes one separator") }
            self = .join(text(arguments.first) ?? ", ")
        default:
            let hint = Suggestions.hint(for: call.name, in: ValueFormatter.names)
            throw fail("unknown formatter '\(call.name)'\(hint.isEmpty ? "; expected one of " + ValueFormatter.names.joined(separator: ", ") : hint)")
        }
    }

    /// ICU pattern letters, punctuation, spaces and quoted literals, with at least one date field.
    static func isDatePattern(_ text: String) -> Bool {
        let letters = "GyYuUrQqMLlwWdDFgEecahHKkjJmsSAzZOvVXx"
        var quoted = false
        var hasField = false
        for character in text {
            if character == "'" { quoted.toggle(); continue }
            if quoted || !character.isLetter { continue }
            guard letters.contains(character) else { return false }
            if "yMLdEG".contains(character) { hasField = true }
        }
        return hasField && !quoted
    }

    /// What is wrong with `text` as the language of a document or a formatter, or nil when it
    /// is a BCP 47 tag of a known language (ISO 639) and region (ISO 3166 or UN M.49), each in
    /// BCP 47's case (a script subtag is taken by its shape). A tag that is one in another case or with `_`
    /// (`EN-us`, `en_US`, as CRM exports write them) gets the spelling to use; an unknown code
    /// (`zz-ZZ`, which would be formatted as no language at all) is named.
    public static func localeProblem(_ text: String) -> String? {
        if isLocaleIdentifier(text) {
            let parts = text.split(separator: "-").map(String.init)
            if !knownLanguages.contains(parts[0]) { return "'\(text)' names no known language ('\(parts[0])' is not an ISO 639 code)" }
            for part in parts.dropFirst() {
                if part.count != 4, !knownRegions.contains(part) {
                    return "'\(text)' names no known region ('\(part)' is not an ISO 3166 or UN M.49 code)"
                }
            }
            return nil
        }
        let parts = text.replacingOccurrences(of: "_", with: "-").split(separator: "-", omittingEmptySubsequences: false)
        let respelled = parts.enumerated().map { index, part in
            index == 0 ? part.lowercased() : part.count == 4 ? part.prefix(1).uppercased() + part.dropFirst().lowercased() : part.uppercased()
        }.joined(separator: "-")
        if respelled != text, isLocaleIdentifier(respelled), localeProblem(respelled) == nil {
            return "'\(text)' is not written as a BCP 47 tag; write '\(respelled)'"
        }
        return "'\(text)' is not a language tag; expected BCP 47 such as en-US or fr-FR"
    }

    static let knownLanguages = Set(Locale.LanguageCode.isoLanguageCodes.map(\.identifier))
    static let knownRegions = Set(Locale.Region.isoRegions.map(\.identifier))


    /// `en`, `fr-FR`, `zh-Hant-TW`, `es-419`: the shape of a tag, in BCP 47's case.
    static func isLocaleIdentifier(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let language = parts.first, (2...3).contains(language.count),
              language.allSatisfy({ $0.isASCII && $0.isLowercase }), parts.count <= 3 else { return false }
        for part in parts.dropFirst() {
            let isScript = part.count == 4 && part.first!.isUppercase && part.dropFirst().allSatisfy { $0.isASCII && $0.isLowercase }
            let isRegion = (part.count == 2 && part.allSatisfy { $0.isASCII && $0.isUppercase })
                || (part.count == 3 && part.allSatisfy { $0.isASCII && $0.isNumber })
            guard isScript || isRegion else { return false }
        }
        return true
    }

    /// Applies the formatter; `language` is the document's language when the call names none.
    func apply(_ value: TemplateValue, language: String) -> TemplateValue {
        switch self {
        case .fallback(let text):
            return value.isEmptyValue ? .string(text) : value
        case .join(let separator):
            if case .list(let items) = value { return .string(items.map(\.text).joined(separator: separator)) }
            return value
        case .upper(let locale):
            return value == .null ? .null : .string(value.text.uppercased(with: Locale(identifier: locale ?? language)))
        case .lower(let locale):
            return value == .null ? .null : .string(value.text.lowercased(with: Locale(identifier: locale ?? language)))
        case .title(let locale):
            return value == .null ? .null : .string(value.text.capitalized(with: Locale(identifier: locale ?? language)))
        case .date(let style, let locale), .datetime(let style, let locale):
            let instant: Date
            switch value {
            case .date(let date): instant = date.date
            case .datetime(let date): instant = date
            case .string(let text):
                guard let parsed = CalendarDate.parseDateTime(text) else { return value }
                instant = parsed
            default: return value
            }
            var withTime = false
            if case .datetime = self { withTime = true }
            return .string(DateFormatting.format(instant, style: style, withTime: withTime, locale: locale ?? language))
        case .currency(let code, let locale):
            guard let number = value.decimalValue else { return value }
            let style = Decimal.FormatStyle.Currency(code: code, locale: Locale(identifier: locale ?? language))
                .rounded(rule: .toNearestOrAwayFromZero)
            return .string(style.format(number))
        case .number(let decimals, let locale):
            guard let number = value.decimalValue else { return value }
            var style = Decimal.FormatStyle(locale: Locale(identifier: locale ?? language))
                .rounded(rule: .toNearestOrAwayFromZero)
            if let decimals { style = style.precision(.fractionLength(decimals)) }
            return .string(style.format(number))
        case .percent(let decimals, let locale):
            guard let number = value.decimalValue else { return value }
            // Scale 1: the value already is in percentage points (saves two decimal divisions).
            var style = Decimal.FormatStyle.Percent(locale: Locale(identifier: locale ?? language))
                .rounded(rule: .toNearestOrAwayFromZero).scale(1)
            if let decimals { style = style.precision(.fractionLength(decimals)) }
            return .string(style.format(number))
        }
    }
}

extension TemplateValue {
    /// The number a value stands for (numbers, and text that is a plain decimal).
    var decimalValue: Decimal? {
        switch self {
        case .number(let number): return number
        case .string(let text): return DataCoercion.isDecimal(text) ? Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) : nil
        default: return nil
        }
    }
}

/// CLDR date formats through Foundation's DateFormatter, always Gregorian in UTC (dates in the
/// data are calendar dates; time zones would shift them). DateFormatter is not thread-safe and
/// costly to make, so formatters are cached per (locale, style) and used under a lock.
enum DateFormatting {
    private static let cache = Mutex<[String: DateFormatterBox]>([:])

    private final class DateFormatterBox: @unchecked Sendable {
        let formatter: DateFormatter
        init(_ formatter: DateFormatter) { self.formatter = formatter }
    }

    static func format(_ date: Date, style: ValueFormatter.DateStyle, withTime: Bool, locale: String) -> String {
        if case .iso = style {
            if withTime { return TemplateValue.iso(date) }
            return TemplateValue.iso(date).prefix(10).description
        }
        let key = "\(locale)|\(withTime)|\(style)"
        return cache.withLock { formatters -> String in
            let box: DateFormatterBox
            if let cached = formatters[key] {
                box = cached
            } else {
                box = DateFormatterBox(make(style: style, withTime: withTime, locale: locale))
                formatters[key] = box
            }
            let text = box.formatter.string(from: date)
            // A time means nothing without its zone: named styles say UTC (joined by a no-break
            // space so the zone never wraps away from the time). A pattern says what it asks for.
            if withTime, case .pattern = style { return text }
            return withTime ? text + "\u{00A0}UTC" : text
        }
    }

    private static func make(style: ValueFormatter.DateStyle, withTime: Bool, locale: String) -> DateFormatter {
        let formatter = DateFormatter()
        var calendar = Calendar(identifier: .gregorian)
        let utc = TimeZone(identifier: "UTC")!
        calendar.timeZone = utc
        formatter.locale = Locale(identifier: locale)
        formatter.calendar = calendar
        formatter.timeZone = utc
        let styles: [ValueFormatter.DateStyle: DateFormatter.Style] = [.short: .short, .medium: .medium, .long: .long,
                                                                  .full: .full]
        if case .pattern(let pattern) = style {
            formatter.dateFormat = pattern
        } else {
            formatter.dateStyle = styles[style] ?? .medium
            formatter.timeStyle = withTime ? .short : .none
        }
        return formatter
    }
}
