/// Writes JSON straight into bytes in the exact form `JSONValue.renderedBytes(pretty: true)` gives
/// (two-space indent, `": "` after keys), for reports too large to build as a `JSONValue` tree
/// first. The caller writes object members in sorted key order, as `JSONValue` sorts them.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Per open container: whether it has members yet.
    private var hasMembers: [Bool] = []

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    /// Hands the bytes written so far to `sink` once they reach `threshold`, and reuses the buffer.
    mutating func flush(ifOver threshold: Int, to sink: ([UInt8]) -> Void) {
        guard bytes.count >= threshold else { return }
        sink(bytes)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Hands the rest of the bytes to `sink` (the buffer moves: no copy).
    mutating func finish(to sink: ([UInt8]) -> Void) {
        var rest: [UInt8] = []
        swap(&rest, &bytes)
        sink(rest)
    }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}"), empty: "{}") }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]"), empty: "[]") }

    /// Starts an object member: the key; its value follows.
    mutating func key(_ key: String) {
        element()
        JSONValue.writeString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(UInt8(ascii: " "))
        pendingValue = true
    }

    /// A key known to need no escaping (a literal of the report's own), copied as it is.
    mutating func key(literal key: StaticString) {
        element()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        bytes.append(UInt8(ascii: " "))
        pendingValue = true
    }

    mutating func string(_ value: String) { element(); JSONValue.writeString(value, to: &bytes) }
    mutating func int(_ value: Int) { element(); JSONValue.writeInteger(value, to: &bytes) }
    mutating func double(_ value: Double) {
        element()
        // As `JSONValue.double` writes it, without building the value first.
        if value.isFinite, value.rounded() == value, abs(value) < 1e15 {
            JSONValue.writeInteger(Int(value), to: &bytes)
        } else {
            JSONValue.double(value).write(to: &bytes, indent: 0)
        }
    }
    mutating func bool(_ value: Bool) { element(); bytes += (value ? "true" : "false").utf8 }
    mutating func null() { element(); bytes += "null".utf8 }
    /// A byte outside the JSON structure (a final line feed).
    mutating func raw(_ byte: UInt8) { bytes.append(byte) }

    /// A writer for a value that is to sit where this writer's next value goes (at the same
    /// depth): what it writes can be copied in with `value(rendered:)`, as often as needed.
    func nestedWriter() -> JSONWriter {
        var writer = JSONWriter(capacity: 256)
        writer.hasMembers = Array(repeating: true, count: hasMembers.count)
        writer.pendingValue = true
        return writer
    }

    /// The next value, from pieces a `nestedWriter()` wrote, with decimal digits between them.
    mutating func value(rendered head: [UInt8], _ number: Int, _ tail: [UInt8]) {
        element()
        bytes += head
        JSONValue.writeInteger(number, to: &bytes)
        bytes += tail
    }
    /// Any value through `JSONValue` (for small parts), indented to the current depth.
    mutating func value(_ value: JSONValue) { element(); value.write(to: &bytes, indent: hasMembers.count) }

    mutating func optional(_ value: Int?) { if let value { int(value) } else { null() } }
    mutating func optional(_ value: String?) { if let value { string(value) } else { null() } }

    /// A key's value follows directly; anything else starts a new line inside its container.
    private var pendingValue = false

    private mutating func element() {
        if pendingValue {
            pendingValue = false
            return
        }
        guard let last = hasMembers.indices.last else { return }
        if hasMembers[last] { bytes.append(UInt8(ascii: ",")) }
        hasMembers[last] = true
        newline(depth: hasMembers.count)
    }

    private mutating func open(_ bracket: UInt8) {
        element()
        bytes.append(bracket)
        hasMembers.append(false)
    }

    private mutating func close(_ bracket: UInt8, empty: StaticString) {
        let hadMembers = hasMembers.removeLast()
        if hadMembers {
            newline(depth: hasMembers.count)
            bytes.append(bracket)
        } else {
            // `[` or `{` was just written: JSONValue writes an empty container as `[]` / `{}`.
            bytes.removeLast()
            empty.withUTF8Buffer { bytes += $0 }
        }
    }

    private mutating func newline(depth: Int) {
        bytes.append(0x0A)
        let spaces = depth * 2
        if spaces <= Self.spaces.count {
            bytes.append(contentsOf: Self.spaces[..<spaces])
        } else {
            bytes.append(contentsOf: repeatElement(0x20, count: spaces))
        }
    }

    private static let spaces = [UInt8](repeating: 0x20, count: 32)
}
