public import Foundation
import InputChecks

/// A calendar date without time or zone, as data carries it (`YYYY-MM-DD`).
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Year (1–9999), month (1–12) and day of the month.
    public let year: Int, month: Int, day: Int

    /// A valid Gregorian date, or nil.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
              day <= CalendarDate.daysIn(month: month, year: year) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(iso text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = CalendarDate.digits(bytes[0..<4]), let month = CalendarDate.digits(bytes[5..<7]),
              let day = CalendarDate.digits(bytes[8..<10]) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Midnight UTC of this date.
    public var date: Date {
        // Days from 1970-01-01 (civil-from-days inverse, proleptic Gregorian).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days) * 86_400)
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Parses an ISO 8601 date-time: `YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)`, or a bare date
    /// (midnight UTC). A missing zone means UTC.
    static func parseDateTime(_ text: String) -> Date? {
        if let date = CalendarDate(iso: text) { return date.date }
        let bytes = Array(text.utf8)
        guard bytes.count >= 16, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
              let day = CalendarDate(iso: String(decoding: bytes[0..<10], as: UTF8.self)),
              bytes[13] == UInt8(ascii: ":"), let hour = digits(bytes[11..<13]), let minute = digits(bytes[14..<16]),
              hour < 24, minute < 60 else { return nil }
        var index = 16
        var seconds = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            guard index + 3 <= bytes.count, let whole = digits(bytes[(index + 1)..<(index + 3)]), whole < 61 else {
                return nil
            }
            seconds = Double(whole)
            index += 3
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                let start = index + 1
                index = start
                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                    index += 1
                }
                guard index > start else { return nil }
                seconds += Double("0." + String(decoding: bytes[start..<index], as: UTF8.self)) ?? 0
            }
        }
        var offset = 0
        if index < bytes.count {
            let sign = bytes[index]
            if sign == UInt8(ascii: "Z"), index + 1 == bytes.count {
                offset = 0
            } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), index + 6 == bytes.count,
                      bytes[index + 3] == UInt8(ascii: ":"), let hours = digits(bytes[(index + 1)..<(index + 3)]),
                      let minutes = digits(bytes[(index + 4)..<(index + 6)]), hours < 24, minutes < 60 {
                offset = (hours * 60 + minutes) * 60 * (sign == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return nil
            }
        }
        let interval = Double(hour * 3600 + minute * 60 - offset) + seconds
        return day.date.addingTimeInterval(interval)
    }
}

/// A data value a template is bound to: what JSON, CSV coercion or a caller provides.
public enum TemplateValue: Sendable, Hashable {
    /// No value (missing field, JSON null, empty CSV cell).
    case null
    case string(String)
    /// Numbers are decimals, so money keeps its cents exactly.
    case number(Decimal)
    case bool(Bool)
    /// A calendar date (`YYYY-MM-DD` in the data).
    case date(CalendarDate)
    /// An instant (ISO 8601 date-time in the data).
    case datetime(Date)
    /// A JSON array (line items and the like).
    case list([TemplateValue])
    /// A JSON object; its members are reached with dotted paths.
    case object([String: TemplateValue])

    /// A number from an integer.
    public static func integer(_ value: Int) -> TemplateValue { .number(Decimal(value)) }

    /// The plain text a value shows when interpolated without a formatter.
    public var text: String {
        switch self {
        case .null: return ""
        case .string(let string): return string
        case .number(let number): return TemplateValue.plain(number)
        case .bool(let bool): return bool ? "true" : "false"
        case .date(let date): return date.description
        case .datetime(let date): return TemplateValue.iso(date)
        case .list(let items): return items.map(\.text).joined(separator: ", ")
        case .object: return ""
        }
    }

    /// A short name for the value's kind, for messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .string: "text"
        case .number: "number"
        case .bool: "boolean"
        case .date: "date"
        case .datetime: "datetime"
        case .list: "list"
        case .object: "object"
        }
    }

    /// `1250.5`, never exponent notation, "." as decimal separator. A number is printed as it
    /// is, every digit the data gave; only one longer than any data gives — a division's
    /// repeating result filling `Decimal`'s 38 digits — is rounded to 12 decimal places.
    static func plain(_ number: Decimal) -> String {
        var value = number
        guard DataCoercion.significantDigits(value.description.utf8) > plainDigits else { return value.description }
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 12, .plain)
        return rounded.description
    }

    /// Significant digits printed as they are (more come only from arithmetic).
    static let plainDigits = 28

    static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
    }
}

extension TemplateValue {
    /// The first character in a string of this value (or its items or members) that the document
    /// could not show as the data has it: a NUL (text ends there), another control character
    /// (dropped by layout; tab and line breaks are text), or a directional embedding, override or
    /// isolate (the document would show the text in another order than the data holds it).
    var firstUnprintable: Unicode.Scalar? {
        func first(_ text: String) -> Unicode.Scalar? { HiddenCharacters.first(in: text, allowingLineBreaks: true)?.scalar }
        switch self {
        case .string(let text): return first(text)
        case .list(let items): return items.lazy.compactMap(\.firstUnprintable).first
        case .object(let members): return members.lazy.compactMap { first($0.key) ?? $0.value.firstUnprintable }.first
        default: return nil
        }
    }
}
