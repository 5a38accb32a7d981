/// Writes objects in PDF syntax: compact, deterministic, and re-readable by our strict parser.
public enum ObjectSerializer {
    /// The bytes of one direct object (streams include their `stream … endstream` body).
    public static func serialize(_ object: PDFObject) -> [UInt8] {
        var out: [UInt8] = []
        write(object, to: &out)
        return out
    }

    /// The bytes of `n g obj … endobj` followed by a newline.
    public static func serializeIndirect(_ reference: PDFReference, _ object: PDFObject) -> [UInt8] {
        var out: [UInt8] = []
        writeIndirect(reference, object, to: &out)
        return out
    }

    /// Appends `n g obj … endobj` and a newline to `out`.
    public static func writeIndirect(_ reference: PDFReference, _ object: PDFObject, to out: inout [UInt8]) {
        writeInteger(reference.number, to: &out)
        out.append(0x20)
        writeInteger(reference.generation, to: &out)
        append(" obj\n", to: &out)
        write(object, to: &out)
        append("\nendobj\n", to: &out)
    }

    public static func write(_ object: PDFObject, to out: inout [UInt8]) {
        switch object {
        case .null: append("null", to: &out)
        case .bool(let value): append(value ? "true" : "false", to: &out)
        case .integer(let value): writeInteger(value, to: &out)
        case .real(let value): out += Array((value.isFinite ? value.pdfWritten : "0").utf8)
        case .string(let string): writeString(string, to: &out)
        case .name(let name): writeName(name, to: &out)
        case .reference(let reference):
            writeInteger(reference.number, to: &out)
            out.append(0x20)
            writeInteger(reference.generation, to: &out)
            append(" R", to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(0x20) }
                write(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            writeDictionary(dictionary, to: &out)
        case .stream(let stream):
            out.reserveCapacity(out.count + stream.encodedData.count + 256)
            writeDictionary(stream.dictionary, length: stream.encodedData.count, to: &out)
            append("\nstream\n", to: &out)
            out += stream.encodedData
            append("\nendstream", to: &out)
        }
    }

    /// The dictionary; with `length`, its `/Length` is that number (in place, or added last).
    private static func writeDictionary(_ dictionary: PDFDictionary, length: Int? = nil, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "<"))
        out.append(UInt8(ascii: "<"))
        var wroteLength = false
        for (index, entry) in dictionary.entries.enumerated() {
            if index > 0 { out.append(0x20) }
            writeName(entry.key, to: &out)
            out.append(0x20)
            if let length, entry.key == "Length" {
                writeInteger(length, to: &out)
                wroteLength = true
            } else {
                write(entry.value, to: &out)
            }
        }
        if let length, !wroteLength {
            if !dictionary.entries.isEmpty { out.append(0x20) }
            append("/Length ", to: &out)
            writeInteger(length, to: &out)
        }
        out.append(UInt8(ascii: ">"))
        out.append(UInt8(ascii: ">"))
    }

    /// Appends ASCII text known at compile time.
    @inline(__always)
    private static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends a decimal integer without making a String.
    static func writeInteger(_ value: Int, to out: inout [UInt8]) {
        if value >= 0 && value < 10 {
            out.append(0x30 + UInt8(value))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for Int.min
        var magnitude = value.magnitude
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[23 - count] = 0x30 + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            if value < 0 {
                buffer[23 - count] = UInt8(ascii: "-")
                count += 1
            }
            out.append(contentsOf: buffer[(24 - count)...])
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Names escape every byte outside `!`…`~`, delimiters and `#` as `#xx`.
    static func writeName(_ name: PDFName, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "/"))
        for byte in name.bytes {
            if byte < 0x21 || byte > 0x7E || byte == UInt8(ascii: "#") || ByteClass.isDelimiter(byte) {
                out += [UInt8(ascii: "#"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            } else {
                out.append(byte)
            }
        }
    }

    /// Hex strings stay hex; literal strings escape `\`, parentheses and non-printable bytes.
    static func writeString(_ string: PDFString, to out: inout [UInt8]) {
        if string.syntax == .hex {
            out.reserveCapacity(out.count + 2 * string.bytes.count + 2)
            out.append(UInt8(ascii: "<"))
            hexDigits.withUnsafeBufferPointer { digits in
                for byte in string.bytes {
                    out.append(digits[Int(byte >> 4)])
                    out.append(digits[Int(byte & 0x0F)])
                }
            }
            out.append(UInt8(ascii: ">"))
            return
        }
        out.append(UInt8(ascii: "("))
        for byte in string.bytes {
            switch byte {
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x20...0x7E: out.append(byte)
            default:
                out += [UInt8(ascii: "\\"), 0x30 + (byte >> 6), 0x30 + ((byte >> 3) & 7), 0x30 + (byte & 7)]
            }
        }
        out.append(UInt8(ascii: ")"))
    }
}
