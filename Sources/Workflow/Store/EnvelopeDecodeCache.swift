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
public final class EnvelopeDecodeCache: Sendable {
    private struct Entry: Sendable {
        var text: String
        var envelope: Envelope
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

    /// The envelope stored as `text` under `account`/`id`: remembered if the same text was seen
    /// last time, otherwise `decode(text)`, remembered for next time.
    public func envelope(account: String, id: String, text: String,
                         decode: (String) throws -> Envelope) rethrows -> Envelope {
        let key = Self.key(account, id)
        let hit: Envelope? = generations.withLock { state in
            if let entry = state.current[key] ?? state.previous[key], Self.sameBytes(entry.text, text) {
                return entry.envelope
            }
            return nil
        }
        if let hit { return hit }
        let envelope = try decode(text)
        remember(envelope, text: text)
        return envelope
    }

    /// Remembers that `text` decodes to `envelope` (a store calls this with the text it has
    /// just encoded for writing).
    public func remember(_ envelope: Envelope, text: String) {
        let key = Self.key(envelope.account, envelope.id)
        generations.withLock { state in
            if state.current[key] == nil, state.current.count >= capacity {
                state.previous = state.current
                state.current = [:]
            }
            state.current[key] = Entry(text: text, envelope: envelope)
        }
    }

    private static func key(_ account: String, _ id: String) -> String { account + "\u{0}" + id }

    /// Byte equality of the UTF-8 texts (String's `==` is canonical equivalence, which would
    /// treat differently normalised names as equal).
    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in x.elementsEqual(y) } }
    }
}
