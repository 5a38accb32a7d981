import Foundation

/// JSON for a stored row, written straight into bytes as the value encodes itself: no tree of
/// intermediate values, unlike Foundation's `JSONEncoder`, which took about 5 % of the workflow
/// benchmark's CPU for the envelope row alone (written by each of an envelope's eleven
/// transactions). What it writes is what `JSONEncoder` with `.secondsSince1970` dates writes, up
/// to insignificant spelling — `/` is not escaped, numbers are Swift's shortest round-trip text
/// (a whole number without `.0`) —
/// so `JSONDecoder` reads every value back the same: dates as seconds since 1970, `Data` in
/// Base64, `URL` as its absolute string, dictionaries in their own order, an `encode(to:)` that
/// asks for no container as `{}`. A NaN or infinite number is an error, as there.
public enum RowJSON {
    /// The JSON text of `value`.
    public static func encode(_ value: some Encodable) throws -> String {
        let writer = RowJSONWriter()
        try writer.value(value, path: nil, key: nil)
        writer.close(above: 0)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

/// The bytes written so far and the containers still open, innermost last. A container is
/// closed when something is written at a shallower depth (its parent's next element) or when
/// the value that opened it is done; that is all the bracketing JSON needs.
final class RowJSONWriter {
    var bytes: [UInt8] = []
    /// Each open container's closing byte and whether it has an element yet.
    private var open: [(closer: UInt8, empty: Bool)] = []

    init() { bytes.reserveCapacity(4096) }

    /// Opens `{` or `[` for the value whose containers start at `depth`, and returns the
    /// container's index. A value that asks again (a subclass and its superclass sharing one
    /// keyed container) gets the one it has, as from Foundation.
    func begin(_ opener: UInt8, _ closer: UInt8, at depth: Int) -> Int {
        if open.count > depth, open[depth].closer == closer {
            close(above: depth + 1)
            return depth
        }
        bytes.append(opener)
        open.append((closer, true))
        return open.count - 1
    }

    /// Closes every container deeper than `depth`.
    func close(above depth: Int) {
        while open.count > depth { bytes.append(open.removeLast().closer) }
    }

    /// Starts the next element of container `index`: closes what is open inside it, then a comma
    /// unless it is the first.
    func element(of index: Int) {
        close(above: index + 1)
        if open[index].empty { open[index].empty = false } else { bytes.append(UInt8(ascii: ",")) }
    }

    func key(_ key: some CodingKey, of index: Int) {
        element(of: index)
        string(key.stringValue)
        bytes.append(UInt8(ascii: ":"))
    }

    func string(_ text: String) { Self.escaped(text, into: &bytes) }

    /// The string in quotes, escaped. Static and `inout`: one exclusive access to `bytes` for the
    /// whole string, where appending to the property byte by byte checked exclusivity per byte
    /// (half of the encoder's time).
    private static func escaped(_ text: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Runs of bytes that need no escape are copied whole.
            var run = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<index]))
                run = index + 1
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
                case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "f"))
                default:
                    let hex: StaticString = "0123456789abcdef"
                    bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                              hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0x0F)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    func literal(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// A floating-point number in its own type's shortest round-trip text (a `Float` as a
    /// `Float`), without the ".0" of a whole number, as Foundation writes it.
    func number<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F, _ path: RowPath?, _ key: (any CodingKey)?) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, EncodingError.Context(codingPath: RowPath.codingPath(path, key),
                                                                          debugDescription: "\(value) is not a JSON number"))
        }
        let text = value.description
        literal(text.hasSuffix(".0") ? String(text.dropLast(2)) : text)
    }

    /// Writes one value where a value goes: primitives directly, anything else by its own
    /// `encode(to:)`, with whatever containers it opened closed after it. Types are told apart by
    /// their metatype, not by dynamic casts (a cast to `any FixedWidthInteger` looks up
    /// conformances, and the casts alone made this slower than Foundation).
    func value<T: Encodable>(_ value: T, path: RowPath?, key: (any CodingKey)?) throws {
        if T.self == String.self { return string(unsafeBitCast(value, to: String.self)) }
        if T.self == Double.self { return try number(unsafeBitCast(value, to: Double.self), path, key) }
        if T.self == Date.self { return try number(unsafeBitCast(value, to: Date.self).timeIntervalSince1970, path, key) }
        if T.self == Bool.self { return literal(unsafeBitCast(value, to: Bool.self) ? "true" : "false") }
        if T.self == Int.self { return literal(String(unsafeBitCast(value, to: Int.self))) }
        if T.self == Data.self { return string(unsafeBitCast(value, to: Data.self).base64EncodedString()) }
        if T.self == URL.self { return string(unsafeBitCast(value, to: URL.self).absoluteString) }
        if T.self == Float.self { return try number(unsafeBitCast(value, to: Float.self), path, key) }
        // Every other integer type too: a primitive's own encode(to:) asks a single-value
        // container to encode it, which comes back here.
        if T.self == Int64.self || T.self == Int32.self || T.self == Int16.self || T.self == Int8.self
            || T.self == UInt64.self || T.self == UInt32.self || T.self == UInt16.self || T.self == UInt8.self || T.self == UInt.self {
            return literal("\(value)")
        }
        if T.self == Decimal.self {
            // Foundation writes a Decimal as a number of any precision; nothing stored holds one.
            throw EncodingError.invalidValue(value, EncodingError.Context(codingPath: RowPath.codingPath(path, key),
                                                                          debugDescription: "Decimal is not supported in rows"))
        }
        let start = bytes.count, depth = open.count
        try value.encode(to: RowEncoder(writer: self, path: RowPath.child(of: path, key), depth: depth))
        if bytes.count == start { literal("{}") }
        close(above: depth)
    }
}

/// Where a value is, for error messages: built as the encoding goes down, read only on an error.
final class RowPath {
    let parent: RowPath?
    let key: any CodingKey

    init(parent: RowPath?, key: any CodingKey) {
        self.parent = parent
        self.key = key
    }

    /// The path one key further down (the same path for a single value, which adds no key).
    static func child(of parent: RowPath?, _ key: (any CodingKey)?) -> RowPath? {
        key.map { RowPath(parent: parent, key: $0) } ?? parent
    }

    static func codingPath(_ path: RowPath?, _ last: (any CodingKey)? = nil) -> [any CodingKey] {
        var keys: [any CodingKey] = last.map { [$0] } ?? []
        var node = path
        while let current = node {
            keys.insert(current.key, at: 0)
            node = current.parent
        }
        return keys
    }
}

/// The `Encoder` a value encodes itself into.
struct RowEncoder: Encoder {
    let writer: RowJSONWriter
    let path: RowPath?
    /// How many containers were open when the value started: its own container goes at this index.
    let depth: Int
    var codingPath: [any CodingKey] { RowPath.codingPath(path) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(RowKeyedContainer<Key>(writer: writer, index: writer.begin(UInt8(ascii: "{"), UInt8(ascii: "}"), at: depth),
                                                      path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        RowUnkeyedContainer(writer: writer, index: writer.begin(UInt8(ascii: "["), UInt8(ascii: "]"), at: depth), path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        RowSingleValueContainer(writer: writer, path: path)
    }
}

struct RowKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: RowJSONWriter
    let index: Int
    let path: RowPath?
    var codingPath: [any CodingKey] { RowPath.codingPath(path) }

    mutating func encodeNil(forKey key: Key) throws {
        writer.key(key, of: index)
        writer.literal("null")
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        writer.key(key, of: index)
        try writer.value(value, path: path, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                        forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        writer.key(key, of: index)
        return KeyedEncodingContainer(RowKeyedContainer<NestedKey>(writer: writer, index: writer.begin(UInt8(ascii: "{"), UInt8(ascii: "}"), at: index + 1),
                                                                   path: RowPath(parent: path, key: key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        writer.key(key, of: index)
        return RowUnkeyedContainer(writer: writer, index: writer.begin(UInt8(ascii: "["), UInt8(ascii: "]"), at: index + 1),
                                   path: RowPath(parent: path, key: key))
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        writer.key(key, of: index)
        return RowEncoder(writer: writer, path: RowPath(parent: path, key: key), depth: index + 1)
    }
}

struct RowUnkeyedContainer: UnkeyedEncodingContainer {
    let writer: RowJSONWriter
    let index: Int
    let path: RowPath?
    var codingPath: [any CodingKey] { RowPath.codingPath(path) }
    private(set) var count = 0

    init(writer: RowJSONWriter, index: Int, path: RowPath?) {
        self.writer = writer
        self.index = index
        self.path = path
    }

    private var nextKey: RowIndexKey { RowIndexKey(intValue: count) }

    mutating func encodeNil() throws {
        writer.element(of: index)
        writer.literal("null")
        count += 1
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        writer.element(of: index)
        try writer.value(value, path: path, key: nextKey)
        count += 1
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        writer.element(of: index)
        defer { count += 1 }
        return KeyedEncodingContainer(RowKeyedContainer<NestedKey>(writer: writer, index: writer.begin(UInt8(ascii: "{"), UInt8(ascii: "}"), at: index + 1),
                                                                   path: RowPath(parent: path, key: nextKey)))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        writer.element(of: index)
        defer { count += 1 }
        return RowUnkeyedContainer(writer: writer, index: writer.begin(UInt8(ascii: "["), UInt8(ascii: "]"), at: index + 1),
                                   path: RowPath(parent: path, key: nextKey))
    }

    mutating func superEncoder() -> any Encoder {
        writer.element(of: index)
        defer { count += 1 }
        return RowEncoder(writer: writer, path: RowPath(parent: path, key: nextKey), depth: index + 1)
    }
}

struct RowSingleValueContainer: SingleValueEncodingContainer {
    let writer: RowJSONWriter
    let path: RowPath?
    var codingPath: [any CodingKey] { RowPath.codingPath(path) }

    mutating func encodeNil() throws { writer.literal("null") }

    mutating func encode<T: Encodable>(_ value: T) throws { try writer.value(value, path: path, key: nil) }
}

/// An unkeyed container's position in a coding path.
struct RowIndexKey: CodingKey {
    var stringValue: String { "Index \(intValue ?? 0)" }
    var intValue: Int?

    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { return nil }
}
