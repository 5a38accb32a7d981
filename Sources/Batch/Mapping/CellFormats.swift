import Foundation
public import Templates

/// How a mapped CSV cell is read before the template checks it: the formats real exports use
/// that the template's strict types do not (US dates, Excel serial dates, decimal commas).
public enum CellFormat: Sendable, Hashable {
    /// The template's own strict reading (ISO dates, `1250.00`, JSON lists).
    case standard
    /// A date written with `YYYY`, `YY`, `MM`/`M` and `DD`/`D` and literal separators, e.g. `MM/DD/YYYY`.
    case datePattern(DatePattern)
    /// A spreadsheet serial day number: 1900 date system (Windows Excel, Google Sheets, LibreOffice
    /// default) or 1904 (old Mac Excel). A fraction is the time of day (UTC).
    case excelSerial(base1904: Bool)
    /// `1.234,56`, `1 234,56` or `1234,56`: comma decimal separator; `.`, space or `'` grouping.
    case decimalComma
    /// `1,234.56` or `$1,234.56`: comma grouping, point decimal separator.
    case thousandsComma
    /// A JSON array or object (the default for `list` and `object` fields).
    case json

    /// Parses a `format` value of a mapping entry.
    public init?(name: String) {
        switch name.lowercased() {
        case "", "standard", "iso": self = .standard
        case "excel", "excel-1900": self = .excelSerial(base1904: false)
        case "excel-1904": self = .excelSerial(base1904: true)
        case "decimal-comma": self = .decimalComma
        case "thousands-comma": self = .thousandsComma
        case "json": self = .json
        default:
            guard let pattern = DatePattern(name) else { return nil }
            self = .datePattern(pattern)
        }
    }

    /// The field types a format can feed, for checking a mapping before any row is read.
    func fits(_ type: FieldDeclaration.FieldType) -> Bool {
        switch self {
        case .standard: return true
        case .datePattern: return type == .date || type == .datetime || type == .text
        case .excelSerial: return type == .date || type == .datetime || type == .text
        case .decimalComma, .thousandsComma: return [.integer, .decimal, .money, .text].contains(type)
        case .json: return type == .list || type == .object
        }
    }

    /// Reads a non-empty cell for a field of `type`; the message says what was expected.
    func read(_ text: String, as type: FieldDeclaration.FieldType) -> Result<TemplateValue, CellProblem> {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch self {
        case .standard, .json:
            // The template converts text strictly by the field's type when it validates the row.
            return .success(.string(type == .text || type == .enumeration ? text : trimmed))
        case .datePattern(let pattern):
            guard let date = pattern.parse(trimmed) else {
                return .failure(CellProblem("'\(text)' is not a date in the format \(pattern.source)"))
            }
            return .success(type == .text ? .string(date.description) : .date(date))
        case .excelSerial(let base1904):
            guard let (date, seconds) = ExcelSerial.parse(trimmed, base1904: base1904) else {
                return .failure(CellProblem("'\(text)' is not a spreadsheet serial date; expected a day number such as 45292"
                                            + (base1904 ? " (1904 date system)" : "")))
            }
            switch type {
            case .datetime: return .success(.datetime(date.date.addingTimeInterval(seconds)))
            case .text: return .success(.string(date.description))
            default: return .success(.date(date))
            }
        case .decimalComma, .thousandsComma:
            guard let plain = NumberText.plain(trimmed, decimalComma: self == .decimalComma) else {
                let example = self == .decimalComma ? "1.234,56" : "1,234.56"
                return .failure(CellProblem("'\(text)' is not a number in the format \(example)"))
            }
            return .success(.string(plain))
        }
    }
}

/// Why one cell could not be read.
struct CellProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// A date layout such as `MM/DD/YYYY`, `DD.MM.YYYY` or `YYYYMMDD`.
public struct DatePattern: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case year4, year2, month, day
        case literal(Character)
    }

    /// The pattern as written.
    public let source: String
    let parts: [Part]

    /// Parses a pattern; it needs a year, a month and a day, once each.
    public init?(_ source: String) {
        var parts: [Part] = []
        var rest = Substring(source.uppercased())
        while let first = rest.first {
            if rest.hasPrefix("YYYY") {
                parts.append(.year4); rest = rest.dropFirst(4)
            } else if rest.hasPrefix("YY") {
                parts.append(.year2); rest = rest.dropFirst(2)
            } else if rest.hasPrefix("MM") || rest.hasPrefix("DD") {
                parts.append(first == "M" ? .month : .day); rest = rest.dropFirst(2)
            } else if first == "M" || first == "D" {
                parts.append(first == "M" ? .month : .day); rest = rest.dropFirst()
            } else if first.isLetter || first.isNumber {
                return nil
            } else {
                parts.append(.literal(first)); rest = rest.dropFirst()
            }
        }
        let years = parts.filter { $0 == .year4 || $0 == .year2 }.count
        guard years == 1, parts.filter({ $0 == .month }).count == 1, parts.filter({ $0 == .day }).count == 1 else {
            return nil
        }
        self.source = source
        self.parts = parts
    }

    /// The date a cell holds, or nil. Months and days take one or two digits (`3/7/2025`) unless
    /// no separator follows them; two-digit years are 2000–2068 for 00–68 and 1969–1999 for 69–99.
    public func parse(_ text: String) -> CalendarDate? {
        let characters = Array(text)
        var index = 0
        var year = 0, month = 0, day = 0
        func digits(_ minimum: Int, _ maximum: Int) -> Int? {
            var value = 0, count = 0
            while index < characters.count, count < maximum, let digit = characters[index].wholeNumberValue,
                  characters[index].isASCII {
                value = value * 10 + digit
                index += 1
                count += 1
            }
            return count >= minimum ? value : nil
        }
        for (position, part) in parts.enumerated() {
            let followedBySeparator: Bool = {
                if position + 1 < parts.count, case .literal = parts[position + 1] { return true }
                return position + 1 == parts.count
            }()
            switch part {
            case .year4:
                guard let value = digits(4, 4) else { return nil }
                year = value
            case .year2:
                guard let value = digits(2, 2) else { return nil }
                year = value < 69 ? 2000 + value : 1900 + value
            case .month:
                guard let value = digits(followedBySeparator ? 1 : 2, 2) else { return nil }
                month = value
            case .day:
                guard let value = digits(followedBySeparator ? 1 : 2, 2) else { return nil }
                day = value
            case .literal(let character):
                guard index < characters.count, characters[index] == character else { return nil }
                index += 1
            }
        }
        guard index == characters.count else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }
}

/// Spreadsheet serial dates.
enum ExcelSerial {
    /// Days from 1970-01-01 to serial 0: 1899-12-30 in the 1900 system (so that serials after the
    /// fictitious 1900-02-29 Lotus 1-2-3 and Excel count come out right), 1904-01-01 in the 1904 one.
    private static let epoch1900 = -25_569  // 1899-12-30
    private static let epoch1904 = -24_107  // 1904-01-01

    /// The date and the seconds into that day, or nil for text that is not a serial in range.
    static func parse(_ text: String, base1904: Bool) -> (CalendarDate, TimeInterval)? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= 7, whole.allSatisfy({ $0.isASCII && $0.isNumber }),
              let serial = Int(whole) else { return nil }
        var fraction = 0.0
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Double("0." + parts[1]) else { return nil }
            fraction = value
        }
        let days: Int
        if base1904 {
            days = epoch1904 + serial
        } else {
            // Serial 60 is 1900-02-29, which never was; serials before it are one day earlier.
            guard serial >= 1, serial != 60 else { return nil }
            days = epoch1900 + serial + (serial < 60 ? 1 : 0)
        }
        guard let date = CivilDays.date(days) else { return nil }
        return (date, (fraction * 86_400).rounded())
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days).
enum CivilDays {
    static func date(_ days: Int) -> CalendarDate? {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return CalendarDate(year: year, month: month, day: day)
    }
}

/// Grouped numbers to the plain form the template reads (`-1234.56`).
enum NumberText {
    static func plain(_ text: String, decimalComma: Bool) -> String? {
        var scalars = Array(text.unicodeScalars)
        // One currency sign at either end, with optional space.
        if let first = scalars.first, first.properties.generalCategory == .currencySymbol {
            scalars.removeFirst()
        } else if let last = scalars.last, last.properties.generalCategory == .currencySymbol {
            scalars.removeLast()
        }
        var body = String(String.UnicodeScalarView(scalars)).trimmingCharacters(in: .whitespaces)
        var sign = ""
        if let first = body.first, first == "-" || first == "+" {
            sign = first == "-" ? "-" : ""
            body.removeFirst()
        }
        let decimalMark: Character = decimalComma ? "," : "."
        let parts = body.split(separator: decimalMark, maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty else { return nil }
        let groupMarks: Set<Character> = decimalComma ? [".", " ", "'", "\u{00A0}", "\u{202F}"] : [","]
        // Groups: 1–3 digits, then groups of exactly 3, all separated by one kind of mark.
        let groups = whole.split(omittingEmptySubsequences: false, whereSeparator: { groupMarks.contains($0) })
        let marks = Set(whole.filter { groupMarks.contains($0) })
        guard marks.count <= 1, groups.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            return nil
        }
        if groups.count > 1 {
            guard groups[0].count <= 3, groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
        }
        var result = sign + groups.joined()
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            result += "." + parts[1]
        }
        return result
    }
}
