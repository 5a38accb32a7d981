public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// PDF dates (ISO 32000-2 §7.9.4): `D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year optional.
enum PDFDate {
    /// The date a PDF date string names, or nil if it is not one.
    static func parse(_ text: String) -> Date? {
        var characters = Substring(text)
        if characters.hasPrefix("D:") { characters = characters.dropFirst(2) }
        let digits = characters.prefix { $0.isASCII && $0.isNumber }
        guard digits.count >= 4, digits.count <= 14, digits.count % 2 == 0 else { return nil }
        let numbers = stride(from: 0, to: digits.count, by: 2).map { offset -> Int32 in
            let start = digits.index(digits.startIndex, offsetBy: offset)
            return Int32(digits[start..<digits.index(start, offsetBy: 2)])!
        }
        var parts = tm()
        parts.tm_year = numbers[0] * 100 + numbers[1] - 1900
        parts.tm_mon = (numbers.count > 2 ? numbers[2] : 1) - 1
        parts.tm_mday = numbers.count > 3 ? numbers[3] : 1
        parts.tm_hour = numbers.count > 4 ? numbers[4] : 0
        parts.tm_min = numbers.count > 5 ? numbers[5] : 0
        parts.tm_sec = numbers.count > 6 ? numbers[6] : 0
        guard (0...11).contains(parts.tm_mon), (1...31).contains(parts.tm_mday), parts.tm_hour < 24, parts.tm_min < 60,
              parts.tm_sec < 61 else { return nil }
        var offsetSeconds = 0
        let zone = characters.dropFirst(digits.count)
        // Nothing but a zone may follow the digits (Z, +HH'mm', -HHmm…): "20261207T000000" is
        // not half a date.
        guard zone.isEmpty || zone.wholeMatch(of: /Z(00'?00'?)?|[+-]\d{2}('?\d{2}'?|')?/) != nil else { return nil }
        if let sign = zone.first, sign == "+" || sign == "-" {
            let zoneDigits = zone.dropFirst().filter { $0.isASCII && $0.isNumber }
            guard zoneDigits.count >= 2 else { return nil }
            let hours = Int(zoneDigits.prefix(2))!
            let minutes = zoneDigits.count >= 4 ? Int(zoneDigits.dropFirst(2).prefix(2))! : 0
            offsetSeconds = (hours * 3600 + minutes * 60) * (sign == "-" ? -1 : 1)
        }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)) - TimeInterval(offsetSeconds))
    }
}

/// ISO 8601 text for reports (UTC, whole seconds), without a formatter (they are slow to make).
public enum ReportTime {
    /// `2026-03-02T14:05:09Z`.
    public static func iso(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
