/// The audit record's JSON, written directly: keys sorted, two-space indentation, `"key" : value`,
/// slashes unescaped — the layout `JSONSerialization` gives with `.prettyPrinted, .sortedKeys,
/// .withoutEscapingSlashes` (a test holds the two to the same bytes), without its cost: sorting
/// keys through locale-aware string comparison was a quarter of a seal's time.
enum AuditJSON {
    case string(String)
    case integer(Int)
    case null
    case array([AuditJSON])
    case object([String: AuditJSON])

    /// `value` or `null`.
    static func optional(_ value: String?) -> AuditJSON { value.map(AuditJSON.string) ?? .null }

    /// The UTF-8 bytes.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(to: &out, indent: 0)
        return out
    }

    private func write(to out: inout [UInt8], indent: Int) {
        switch self {
        case .string(let text): Self.writeString(text, to: &out)
        case .integer(let value): out.append(contentsOf: String(value).utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            Self.writeItems(items.count, to: &out, indent: indent) { index, out in
                items[index].write(to: &out, indent: indent + 2)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            // Keys are compared as Unicode scalars; every key the record uses is ASCII, where
            // this is also the order of Foundation's `.sortedKeys`. UTF-8 bytes sort as their scalars do.
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            out.append(UInt8(ascii: "{"))
            Self.writeItems(keys.count, to: &out, indent: indent) { index, out in
                Self.writeString(keys[index], to: &out)
                out.append(contentsOf: " : ".utf8)
                members[keys[index]]!.write(to: &out, indent: indent + 2)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Items one per line, indented; an empty container keeps an empty line (Foundation's layout).
    private static func writeItems(_ count: Int, to out: inout [UInt8], indent: Int,
                                   item: (Int, inout [UInt8]) -> Void) {
        out.append(0x0A)
        if count == 0 { out.append(0x0A) }
        for index in 0..<count {
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent + 2))
            item(index, &out)
            if index < count - 1 { out.append(UInt8(ascii: ",")) }
            out.append(0x0A)
        }
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape: copied whole.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: text.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            case 0x00..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
