/// A page content stream being written: PDF operators appended as bytes, numbers formatted
/// without Foundation (at most three decimals, no exponent, no trailing zeros), so the same
/// drawing always gives the same bytes.
struct ContentStream {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(16 * 1024) }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Appends an operator or any other ASCII text as is.
    mutating func op(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func space() { bytes.append(0x20) }
    mutating func newline() { bytes.append(0x0A) }

    /// A number followed by a space.
    mutating func number(_ value: Double) {
        appendNumber(value)
        bytes.append(0x20)
    }

    /// Several numbers, each followed by a space.
    mutating func numbers(_ values: Double...) {
        for value in values { number(value) }
    }

    /// A name operand (`/F1 `) for names made of regular characters only.
    mutating func name(_ name: String) {
        bytes.append(UInt8(ascii: "/"))
        bytes.append(contentsOf: name.utf8)
        bytes.append(0x20)
    }

    /// A 2-byte glyph id as four hex digits (inside `<…>`).
    mutating func glyph(_ id: UInt32) {
        bytes.append(Self.hexDigits[Int(id >> 12) & 0xF])
        bytes.append(Self.hexDigits[Int(id >> 8) & 0xF])
        bytes.append(Self.hexDigits[Int(id >> 4) & 0xF])
        bytes.append(Self.hexDigits[Int(id) & 0xF])
    }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    /// Writes `value` rounded to 1/1000.
    mutating func appendNumber(_ value: Double) {
        guard value.isFinite else { bytes.append(UInt8(ascii: "0")); return }
        var scaled = (value * 1000).rounded()
        if scaled == 0 { bytes.append(UInt8(ascii: "0")); return }
        if scaled < 0 { bytes.append(UInt8(ascii: "-")); scaled = -scaled }
        let whole = UInt64(scaled) / 1000
        var fraction = Int(UInt64(scaled) % 1000)
        appendInteger(whole)
        guard fraction != 0 else { return }
        bytes.append(UInt8(ascii: "."))
        var digits = 3
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
            divisor /= 10
        }
    }

    mutating func appendInteger(_ value: UInt64) {
        if value < 10 { bytes.append(UInt8(ascii: "0") + UInt8(value)); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }

    // MARK: Graphics

    mutating func fillColor(_ color: Color) {
        numbers(color.red, color.green, color.blue)
        op("rg\n")
    }

    mutating func strokeColor(_ color: Color) {
        numbers(color.red, color.green, color.blue)
        op("RG\n")
    }

    mutating func rectangle(_ x: Double, _ y: Double, _ width: Double, _ height: Double) {
        numbers(x, y, width, height)
        op("re\n")
    }
}
