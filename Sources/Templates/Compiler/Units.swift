import Foundation
import Typesetting
import InputChecks

/// Lengths, colours, page sizes and other attribute value syntaxes. Each parser returns the
/// value or a message saying what was expected.
enum Units {
    static let lengthUnits: [String: Double] = ["pt": 1, "px": 1, "in": 72, "mm": 72 / 25.4, "cm": 72 / 2.54]

    /// Splits `12.5pt` into the number and the unit text.
    private static func split(_ text: String) -> (Double, String)? {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        if index < scalars.count, scalars[index] == "+" || scalars[index] == "-" { index += 1 }
        let digitsStart = index
        while index < scalars.count, (scalars[index] >= "0" && scalars[index] <= "9") || scalars[index] == "." {
            index += 1
        }
        guard index > digitsStart else { return nil }
        let numberText = String(String.UnicodeScalarView(scalars[0..<index]))
        guard numberText.filter({ $0 == "." }).count <= 1, let number = Double(numberText) else { return nil }
        return (number, String(String.UnicodeScalarView(scalars[index...])).trimmed)
    }

    /// A non-negative length in points: a number with pt, in, mm, cm or px (a bare number is points).
    static func length(_ text: String) -> Result<Double, UnitError> {
        let trimmed = text.trimmed
        guard let (number, unit) = split(trimmed) else {
            return .failure(UnitError(code: .badUnit, message: "'\(text)' is not a length; expected a number with "
                                      + "pt, in, mm, cm or px, e.g. 12pt or 1.5in"))
        }
        guard let scale = unit.isEmpty ? 1 : lengthUnits[unit] else {
            let hint = Suggestions.closest(to: unit, in: lengthUnits.keys.sorted()).map { "; did you mean '\($0)'?" } ?? ""
            return .failure(UnitError(code: .badUnit, message: "unknown unit '\(unit)' in '\(text)'; expected pt, in, mm, "
                                      + "cm or px\(hint)"))
        }
        guard number >= 0 else {
            return .failure(UnitError(code: .invalidValue, message: "'\(text)' is negative; expected a length of 0 or more"))
        }
        return .success(number * scale)
    }

    /// One column width: `2fr` (or a bare number), a length, or a percentage.
    static func column(_ text: String) -> Result<ColumnWidth, UnitError> {
        guard let (number, unit) = split(text), number > 0 else {
            return .failure(UnitError(code: .badUnit, message: "'\(text)' is not a column width; expected a positive "
                                      + "fraction (2fr), length (1.5in) or percentage (30%)"))
        }
        switch unit {
        case "", "fr": return .success(.fraction(number))
        case "%": return .success(.percent(number))
        default:
            return length(text).map { .points($0) }
        }
    }

    static let pageSizes: [String: PageSetup] = ["letter": .letter, "a4": .a4, "legal": .legal]

    /// `letter`, `a4`, `legal` or `WIDTHxHEIGHT` with units (`210mm x 297mm`).
    static func page(_ text: String) -> Result<PageSetup, UnitError> {
        let name = text.trimmed.lowercased()
        if let known = pageSizes[name] { return .success(known) }
        let scalars = Array(name.unicodeScalars)
        // The separating "x" is the one followed by (spaces and) a digit.
        var separator: Int?
        for index in scalars.indices where scalars[index] == "x" {
            var next = index + 1
            while next < scalars.count, scalars[next] == " " { next += 1 }
            if next < scalars.count, scalars[next] >= "0" && scalars[next] <= "9" { separator = index }
        }
        guard let separator else {
            let hint = Suggestions.closest(to: name, in: pageSizes.keys.sorted()).map { "; did you mean '\($0)'?" } ?? ""
            return .failure(UnitError(code: .invalidValue, message: "unknown page size '\(text)'; expected letter, a4, "
                                      + "legal or WIDTHxHEIGHT such as 210mmx297mm\(hint)"))
        }
        let widthText = String(String.UnicodeScalarView(scalars[..<separator]))
        let heightText = String(String.UnicodeScalarView(scalars[(separator + 1)...]))
        switch (length(widthText), length(heightText)) {
        case (.success(let width), .success(let height)):
            guard width >= 72, height >= 72, width <= 14_400, height <= 14_400 else {
                return .failure(UnitError(code: .invalidValue, message: "page size '\(text)' is out of range; expected "
                                          + "each side between 1in and 200in"))
            }
            return .success(PageSetup(width: width, height: height, margins: 72))
        case (.failure(let error), _), (_, .failure(let error)):
            return .failure(error)
        }
    }

    /// One to four lengths in CSS order (top right bottom left).
    static func margins(_ text: String) -> Result<[Double], UnitError> {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard (1...4).contains(parts.count) else {
            return .failure(UnitError(code: .invalidValue, message: "'\(text)' has \(parts.count) values; expected 1 to 4 "
                                      + "lengths (top right bottom left)"))
        }
        var values: [Double] = []
        for part in parts {
            switch length(String(part)) {
            case .success(let value): values.append(value)
            case .failure(let error): return .failure(error)
            }
        }
        switch values.count {
        case 1: return .success([values[0], values[0], values[0], values[0]])
        case 2: return .success([values[0], values[1], values[0], values[1]])
        case 3: return .success([values[0], values[1], values[2], values[1]])
        default: return .success(values)
        }
    }

    static let colorNames: [String: Color] = [
        "black": .black, "white": .white, "gray": Color(hex: "#808080")!, "grey": Color(hex: "#808080")!,
        "darkgray": Color(hex: "#404040")!, "lightgray": Color(hex: "#d3d3d3")!, "silver": Color(hex: "#c0c0c0")!,
        "red": Color(hex: "#cc0000")!, "maroon": Color(hex: "#800000")!, "green": Color(hex: "#008000")!,
        "teal": Color(hex: "#008080")!, "blue": Color(hex: "#0044cc")!, "navy": Color(hex: "#000080")!,
        "orange": Color(hex: "#e67300")!, "purple": Color(hex: "#800080")!,
    ]

    /// `#rgb`, `#rrggbb` or a colour name.
    static func color(_ text: String) -> Result<Color, UnitError> {
        let trimmed = text.trimmed
        if trimmed.hasPrefix("#"), trimmed.dropFirst().allSatisfy(\.isHexDigit), let color = Color(hex: trimmed) {
            return .success(color)
        }
        if let named = colorNames[trimmed.lowercased()] { return .success(named) }
        let hint = trimmed.hasPrefix("#") ? ""
            : Suggestions.closest(to: trimmed, in: colorNames.keys.sorted()).map { "; did you mean '\($0)'?" } ?? ""
        return .failure(UnitError(code: .badColor, message: "'\(text)' is not a colour; expected #rgb, #rrggbb or a name "
                                  + "such as black, gray, navy\(hint)"))
    }

    static func bool(_ text: String) -> Result<Bool, UnitError> {
        switch text.trimmed {
        case "true": return .success(true)
        case "false": return .success(false)
        default: return .failure(UnitError(code: .invalidValue, message: "'\(text)' is not a boolean; expected true or false"))
        }
    }

    /// A positive number (line spacing multiples and the like).
    static func number(_ text: String, range: ClosedRange<Double>) -> Result<Double, UnitError> {
        guard let value = Double(text.trimmed), range.contains(value) else {
            return .failure(UnitError(code: .invalidValue, message: "'\(text)' is not a number from "
                                      + "\(plain(range.lowerBound)) to \(plain(range.upperBound))"))
        }
        return .success(value)
    }

    /// `2` or `1.5` (no locale).
    static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// One of a fixed set of words.
    static func choice(_ text: String, _ options: [String]) -> Result<String, UnitError> {
        if options.contains(text) { return .success(text) }
        let hint = Suggestions.hint(for: text, in: options)
        return .failure(UnitError(code: .invalidValue, message: "'\(text)' is not allowed; expected "
                                  + "\(options.joined(separator: ", "))\(hint)"))
    }
}

/// Why an attribute value did not parse.
struct UnitError: Error {
    var code: TemplateError.Code
    var message: String
}
