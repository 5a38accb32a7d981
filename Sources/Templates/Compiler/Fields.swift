import Foundation

/// A data field a template declares in `<fields>`: what the data must provide.
public struct FieldDeclaration: Sendable, Hashable {
    /// The field types of the template language.
    public enum FieldType: String, Sendable, Hashable, CaseIterable {
        case text, email, date, datetime, integer, decimal, money
        case enumeration = "enum"
        case boolean, list, object
    }

    /// The name expressions use.
    public let name: String
    public let type: FieldType
    /// Whether a missing or empty value is a data error.
    public let isRequired: Bool
    /// `min` / `max` as written: numbers for numeric types, lengths for text, dates for dates,
    /// item counts for lists.
    public let minimum: String?
    public let maximum: String?
    /// A regular expression the whole text must match (text and email).
    public let pattern: String?
    /// The allowed values of an `enum`.
    public let allowedValues: [String]
    /// Used when the data has no value (already converted to the field's type).
    public let defaultValue: TemplateValue?
    /// A human label (for mapping tools), when given.
    public let label: String?

    /// A declaration (the compiler makes these from `<field>` elements).
    public init(name: String, type: FieldType, isRequired: Bool = false, minimum: String? = nil,
                maximum: String? = nil, pattern: String? = nil, allowedValues: [String] = [],
                defaultValue: TemplateValue? = nil, label: String? = nil) {
        self.name = name; self.type = type; self.isRequired = isRequired; self.minimum = minimum
        self.maximum = maximum; self.pattern = pattern; self.allowedValues = allowedValues
        self.defaultValue = defaultValue; self.label = label
    }
}

/// A field's checks, prepared at compile time.
struct FieldRules: Sendable {
    enum Bound: Sendable, Hashable {
        case number(Decimal)
        case length(Int)
        case date(CalendarDate)
        case count(Int)
    }

    let declaration: FieldDeclaration
    var minimum: Bound?
    var maximum: Bound?
    var pattern: RegexBox?
    /// Applied when the field is interpolated bare (`{{effective_date}}`).
    var format: [ValueFormatter] = []

    init(declaration: FieldDeclaration) { self.declaration = declaration }

    /// Parses a `min`/`max` value for this field's type; nil with a message when it does not fit.
    static func bound(_ text: String, for type: FieldDeclaration.FieldType) -> Result<Bound, UnitError> {
        let trimmed = text.trimmed
        switch type {
        case .integer, .decimal, .money:
            if DataCoercion.isDecimal(trimmed), let value = Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX")) {
                return .success(.number(value))
            }
            return .failure(UnitError(code: .invalidValue, message: "'\(text)' is not a number; expected a bound such as 0 or 99.5"))
        case .text, .email, .enumeration:
            if let value = Int(trimmed), value >= 0 { return .success(.length(value)) }
            return .failure(UnitError(code: .invalidValue, message: "'\(text)' is not a length; expected a number of characters"))
        case .date:
            if let date = CalendarDate(iso: trimmed) { return .success(.date(date)) }
            return .failure(UnitError(code: .invalidValue, message: "'\(text)' is not a date; expected YYYY-MM-DD"))
        case .list:
            if let value = Int(trimmed), value >= 0 { return .success(.count(value)) }
            return .failure(UnitError(code: .invalidValue, message: "'\(text)' is not a count; expected a number of items"))
        case .datetime, .boolean, .object:
            return .failure(UnitError(code: .invalidValue, message: "does not apply to \(type.rawValue) fields; min and max bound numbers, text lengths, dates and list sizes"))
        }
    }
}

/// NSRegularExpression is immutable and documented thread-safe once made; this box says so to
/// the compiler.
struct RegexBox: @unchecked Sendable {
    let expression: NSRegularExpression

    init?(_ pattern: String) {
        guard let expression = try? NSRegularExpression(pattern: "\\A(?:\(pattern))\\z", options: []) else { return nil }
        self.expression = expression
    }

    func wholeMatch(_ text: String) -> Bool {
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.firstMatch(in: text, options: [], range: range) != nil
    }
}
