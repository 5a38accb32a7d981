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
        var out = Array("\(reference.number) \(reference.generation) obj\n".utf8)
        write(object, to: &out)
        out += Array("\nendobj\n".utf8)
        return out
    }

    public static func write(_ object: PDFObject, to out: inout [UInt8]) {
        switch object {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .integer(let value): out += Array(String(value).utf8)
        case .real(let value): out += Array((value.isFinite ? value.pdfFormatted : "0").utf8)
        case .string(let string): writeString(string, to: &out)
        case .name(let name): writeName(name, to: &out)
        case .reference(let reference): out += Array("\(reference.number) \(reference.generation) R".utf8)
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
            var dictionary = stream.dictionary
            dictionary["Length"] = .integer(stream.encodedData.count)
            writeDictionary(dictionary, to: &out)
            out += Array("\nstream\n".utf8)
            out += stream.encodedData
            out += Array("\nendstream".utf8)
        }
    }

    private static func writeDictionary(_ dictionary: PDFDictionary, to out: inout [UInt8]) {
        out += [UInt8(ascii: "<"), UInt8(ascii: "<")]
        for (index, entry) in dictionary.entries.enumerated() {
            if index > 0 { out.append(0x20) }
            writeName(entry.key, to: &out)
            out.append(0x20)
            write(entry.value, to: &out)
        }
        out += [UInt8(ascii: ">"), UInt8(ascii: ">")]
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
            out.append(UInt8(ascii: "<"))
            for byte in string.bytes { out += [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]] }
            out.append(UInt8(ascii: ">"))
            return
        }
        out.append(UInt8(ascii: "("))
        for byte in string.bytes {
            switch byte {
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"):
                out += [UInt8(ascii: "\\"), byte]
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
