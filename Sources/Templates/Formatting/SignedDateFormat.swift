/// How a `<date-signed>` field prints the day its signer signed (`format='date:"long"'`,
/// `format='date:"d MMMM yyyy":"de-DE"'`): one `date` formatter, in the document's language
/// unless it names a locale. Without a format the field prints the ISO date (`2026-12-08`),
/// which reads the same in every country; the value kept and exported is that ISO date either way.
public struct SignedDateFormat: Sendable, Hashable {
    let formatter: ValueFormatter

    /// Reads `format` as written in the template; why it is not one `date` formatter otherwise.
    public init(_ format: String) throws(SignedDateFormatError) {
        let scalars = Array(("v|" + format + "}}").unicodeScalars)
        let calls: [FormatterCall]
        do throws(ExpressionSyntaxError) {
            var parser = try ExpressionParser(scalars: scalars)
            calls = try parser.parseInterpolation().1
            guard calls.count == 1 else {
                throw ExpressionSyntaxError(message: "a date signed takes one date formatter, e.g. date:\"long\"", offset: 2)
            }
            formatter = try ValueFormatter(calls[0])
        } catch {
            throw SignedDateFormatError(message: error.message, offset: max(0, error.offset - 2))
        }
        guard case .date = formatter else {
            throw SignedDateFormatError(message: "a date signed takes a date formatter, e.g. date:\"long\" or date:\"d MMMM yyyy\"", offset: 0)
        }
    }

    /// The day `isoDate` (`YYYY-MM-DD…`) as this format prints it in `language`; nil when the
    /// text is not an ISO date.
    public func text(isoDate: String, language: String) -> String? {
        guard let day = CalendarDate(iso: isoDate.prefix(10)) else { return nil }
        return formatter.apply(.date(day), language: language).text
    }
}

/// Why a `<date-signed>` field's `format` was refused, and where in it.
public struct SignedDateFormatError: Error, Sendable, Hashable {
    public var message: String
    /// The offset in the attribute's value (in Unicode scalars).
    public var offset: Int
}
