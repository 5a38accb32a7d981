#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Envelopes already decoded, by the exact stored text they came from.
///
/// Every action reads its envelope, changes it and writes it back, so the same JSON row is
/// decoded again and again; Foundation's decoder was the largest single cost of an envelope
/// after typesetting. A store keeps one of these: it remembers each envelope it encodes or
/// decodes with its text, and a read whose row holds byte for byte the same text gets the
/// remembered value instead of decoding it. The text is the key's proof, not the revision: a
/// row changed by anyone (another node, a rolled-back write, a hand edit) has other bytes and
/// is decoded afresh, so what comes back is always the envelope those exact bytes stand for —
/// decoded from them, or the one that was encoded into them. (The two can differ only in the
/// last bit of a `Date`: seconds since 1970 as a JSON number do not round-trip every `Date`
/// exactly, as the envelope a commit returns and the one read back afterwards never did.)
///
/// Bounded: two generations of at most `capacity` envelopes each; when the current one fills
/// it becomes the previous one and the older is dropped, so memory stays flat however many
/// envelopes pass through. The envelopes being worked on at one time (a few per client and
/// worker) are what it is for, so the default is small: 512 envelopes at most, a few MB.
///
/// The same holds for any stored row read far more often than it changes (a published
/// template version is read by every envelope made from it): `RowDecodeCache` is the general
/// form, `EnvelopeDecodeCache` its use for envelopes.
public typealias EnvelopeDecodeCache = RowDecodeCache<Envelope>

/// Values already decoded, by a key and the exact stored text they came from (see
/// `EnvelopeDecodeCache`).
public final class RowDecodeCache<Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        var text: String
        var value: Value
    }

    private struct Generations: Sendable {
        var current: [String: Entry] = [:]
        var previous: [String: Entry] = [:]
    }

    private let capacity: Int
    private let generations = Mutex(Generations())

    public init(capacity: Int = 256) {
        self.capacity = max(1, capacity)
    }

    /// The value stored as `text` under `key`: remembered if the same text was seen last time,
    /// otherwise `decode(text)`, remembered for next time.
    public func value(key: String, text: String, decode: (String) throws -> Value) rethrows -> Value {
        let hit: Value? = generations.withLock { state in
            if let entry = state.current[key] ?? state.previous[key], Self.sameBytes(entry.text, text) {
                return entry.value
            }
            return nil
        }
        if let hit { return hit }
        let value = try decode(text)
        remember(value, key: key, text: text)
        return value
    }

    /// Remembers that `text`, stored under `key`, decodes to `value`.
    public func remember(_ value: Value, key: String, text: String) {
        generations.withLock { state in
            if state.current[key] == nil, state.current.count >= capacity {
                state.previous = state.current
                state.current = [:]
            }
            state.current[key] = Entry(text: text, value: value)
        }
    }

    /// A key of several parts (an account and an id; ids hold no NUL, so the key is unambiguous).
    public static func key(_ parts: String...) -> String { parts.joined(separator: "\u{0}") }

    /// Byte equality of the UTF-8 texts (String's `==` is canonical equivalence, which would
    /// treat differently normalised names as equal).
    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var a = a, b = b
        // memcmp: `elementsEqual` walks the two buffers a byte at a time through the generic
        // iterator, and a 3 KB envelope row is compared on every read of an envelope.
        return a.withUTF8 { x in b.withUTF8 { y in x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
    }
}

extension RowDecodeCache where Value == Envelope {
    /// The envelope stored as `text` under `account`/`id`: remembered if the same text was seen
    /// last time, otherwise `decode(text)`, remembered for next time.
    public func envelope(account: String, id: String, text: String,
                         decode: (String) throws -> Envelope) rethrows -> Envelope {
        try value(key: Self.key(account, id), text: text, decode: decode)
    }

    /// Remembers that `text` decodes to `envelope` (a store calls this with the text it has
    /// just encoded for writing).
    public func remember(_ envelope: Envelope, text: String) {
        remember(envelope, key: Self.key(envelope.account, envelope.id), text: text)
    }
}
