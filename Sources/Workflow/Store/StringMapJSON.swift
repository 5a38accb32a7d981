/// The stores' JSON for objects whose values are all strings (an event's data and personal
/// data, its actor), written and read without Foundation's coders: every event of an envelope
/// is read again at completion and at each audit, and Foundation's `JSONDecoder` was most of
/// that read's time.
///
/// Reading is strict and falls back rather than guesses: anything but one JSON object of
/// string values with distinct keys gives nil, and the store then decodes the text with
/// `JSONDecoder`, which either reads it (whitespace or escapes another writer chose) or says
/// what is wrong with it.
public enum StringMapJSON {
    /// `{"key":"value",…}` with the keys sorted; `"`, `\` and control characters escaped.
    public static func encode(_ map: [String: String]) -> String {
        var output: [UInt8] = [0x7B]
        output.reserveCapacity(map.reduce(2) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 })
        for (index, entry) in map.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { output.append(0x2C) }
            write(entry.key, into: &output)
            output.append(0x3A)
            write(entry.value, into: &output)
        }
        output.append(0x7D)
        return String(decoding: output, as: UTF8.self)
    }

    /// The object `text` holds, or nil when it is not exactly a JSON object of string values
    /// with no key twice (the caller then uses `JSONDecoder`).
    public static func decode(_ text: String) -> [String: String]? {
        var text = text
        return text.withUTF8 { bytes in
            var reader = Reader(bytes: bytes)
            return reader.object()
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private static func write(_ text: String, into output: inout [UInt8]) {
        output.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22: output.append(contentsOf: [0x5C, 0x22])
            case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: output.append(contentsOf: [0x5C, 0x72])
            case 0x09: output.append(contentsOf: [0x5C, 0x74])
            case 0x00..<0x20:
                output.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: output.append(byte)
            }
        }
        output.append(0x22)
    }

    /// A cursor over the UTF-8 of a (valid UTF-8) Swift string.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func object() -> [String: String]? {
            skipSpace()
            guard take(0x7B) else { return nil }
            var result: [String: String] = [:]
            skipSpace()
            if take(0x7D) { return atEnd() ? result : nil }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard take(0x3A) else { return nil }
                skipSpace()
                guard let value = string(), result.updateValue(value, forKey: key) == nil else { return nil }
                skipSpace()
                if take(0x2C) { continue }
                guard take(0x7D) else { return nil }
                return atEnd() ? result : nil
            }
        }

        mutating func atEnd() -> Bool {
            skipSpace()
            return index == bytes.count
        }

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                index += 1
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// A string: the bytes between the quotes as they are until the first escape, then
        /// decoded into a buffer.
        mutating func string() -> String? {
            guard take(0x22) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x22 {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return text
                }
                if byte == 0x5C { break }
                if byte < 0x20 { return nil }
                index += 1
            }
            var buffer = Array(bytes[start..<index])
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case 0x22: return String(decoding: buffer, as: UTF8.self)
                case 0x5C:
                    guard index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case 0x22, 0x5C, 0x2F: buffer.append(escape)
                    case 0x62: buffer.append(0x08)
                    case 0x66: buffer.append(0x0C)
                    case 0x6E: buffer.append(0x0A)
                    case 0x72: buffer.append(0x0D)
                    case 0x74: buffer.append(0x09)
                    case 0x75:
                        guard let scalar = unicodeEscape() else { return nil }
                        UTF8.encode(scalar) { buffer.append($0) }
                    default: return nil
                    }
                case 0x00..<0x20: return nil
                default: buffer.append(byte)
                }
            }
            return nil
        }

        /// After `\u`: four hex digits, and a low surrogate's six more after a high one.
        mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let first = hex4() else { return nil }
            if (0xD800..<0xDC00).contains(first) {
                guard take(0x5C), take(0x75), let second = hex4(), (0xDC00..<0xE000).contains(second) else { return nil }
                return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
            }
            return Unicode.Scalar(first)  // nil for a lone low surrogate
        }

        mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case 0x30...0x39: digit = byte - 0x30
                case 0x41...0x46: digit = byte - 0x41 + 10
                case 0x61...0x66: digit = byte - 0x61 + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }
    }
}

extension EventActor {
    /// The actor as the stores keep it: a string map (`kind`, `id`, `onBehalfOf` when there is one).
    public var storedJSON: String {
        var map = ["kind": kind.rawValue, "id": id]
        if let onBehalfOf { map["onBehalfOf"] = onBehalfOf }
        return StringMapJSON.encode(map)
    }

    /// The actor in `text` when it is a plain string map with known keys and kind; otherwise
    /// nil (the store then decodes with `JSONDecoder`).
    public init?(storedJSON text: String) {
        guard let map = StringMapJSON.decode(text), let kindName = map["kind"], let kind = Kind(rawValue: kindName),
              let id = map["id"], map.keys.allSatisfy({ ["kind", "id", "onBehalfOf"].contains($0) }) else { return nil }
        self.init(kind: kind, id: id, onBehalfOf: map["onBehalfOf"])
    }
}
