import Foundation
import Testing
import Workflow

/// The decode cache returns exactly what decoding the text would: a remembered envelope only for
/// byte-identical text, a fresh decode for anything else (another revision, a hand edit, the
/// same name in another Unicode normal form), and it stays within its bound.
@Suite struct EnvelopeDecodeCacheTests {
    static func envelope(_ id: String, subject: String) -> Envelope {
        Envelope(id: id, account: "acme", subject: subject, template: nil,
                 createdAt: Date(timeIntervalSince1970: 1_800_000_000), createdBy: "key")
    }

    /// The envelope as a store writes it. Foundation's encoder does not keep key order, so two
    /// encodings of one envelope may differ: the cache is keyed on the text actually stored.
    static func text(_ envelope: Envelope) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return String(decoding: try encoder.encode(envelope), as: UTF8.self)
    }

    static func decoder(_ calls: Counter) -> (String) throws -> Envelope {
        { text in
            calls.count += 1
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            return try decoder.decode(Envelope.self, from: Data(text.utf8))
        }
    }

    final class Counter: @unchecked Sendable { var count = 0 }

    @Test func theSameTextIsNotDecodedAgain() throws {
        let cache = EnvelopeDecodeCache()
        let written = Self.envelope("env_1", subject: "Service agreement")
        let text = try Self.text(written)
        cache.remember(written, text: text)
        let calls = Counter()
        let read = try cache.envelope(account: "acme", id: "env_1", text: text, decode: Self.decoder(calls))
        #expect(read == written && calls.count == 0)
    }

    @Test func otherTextIsDecoded() throws {
        let cache = EnvelopeDecodeCache()
        let remembered = Self.envelope("env_1", subject: "Before")
        cache.remember(remembered, text: try Self.text(remembered))
        let calls = Counter()
        let stored = Self.envelope("env_1", subject: "After, written by another node")
        let storedText = try Self.text(stored)
        let read = try cache.envelope(account: "acme", id: "env_1", text: storedText, decode: Self.decoder(calls))
        #expect(read == stored && calls.count == 1)
        // ...and that decode is remembered in turn.
        _ = try cache.envelope(account: "acme", id: "env_1", text: storedText, decode: Self.decoder(calls))
        #expect(calls.count == 1)
    }

    /// "é" precomposed and decomposed are equal Swift strings but different stored bytes.
    @Test func canonicallyEquivalentTextIsStillDecoded() throws {
        let cache = EnvelopeDecodeCache()
        let composed = Self.envelope("env_1", subject: "Caf\u{E9}")
        let composedText = try Self.text(composed)
        let decomposedText = composedText.replacingOccurrences(of: "Caf\u{E9}", with: "Cafe\u{301}", options: .literal)
        #expect(composedText == decomposedText && composedText.utf8.count != decomposedText.utf8.count,
                "the premise: String's == calls them equal, their bytes differ")
        cache.remember(composed, text: composedText)
        let calls = Counter()
        let read = try cache.envelope(account: "acme", id: "env_1", text: decomposedText, decode: Self.decoder(calls))
        #expect(calls.count == 1 && Array(read.subject.unicodeScalars) == Array("Cafe\u{301}".unicodeScalars))
    }

    @Test func anotherAccountsEnvelopeIsNotServed() throws {
        let cache = EnvelopeDecodeCache()
        let ours = Self.envelope("env_1", subject: "Ours")
        cache.remember(ours, text: try Self.text(ours))
        let calls = Counter()
        _ = try cache.envelope(account: "globex", id: "env_1", text: try Self.text(ours), decode: Self.decoder(calls))
        #expect(calls.count == 1)
    }

    @Test func itHoldsAtMostTwoGenerations() throws {
        let cache = EnvelopeDecodeCache(capacity: 4)
        let envelopes = (1...9).map { Self.envelope("env_\($0)", subject: "S\($0)") }
        let texts = try envelopes.map(Self.text)
        for (envelope, text) in zip(envelopes, texts) { cache.remember(envelope, text: text) }
        let calls = Counter()
        // Newest first: env_9 is in the current generation, env_5…env_8 in the previous one;
        // env_1…env_4 were dropped (and the misses, remembered again, do not evict the hits).
        for (envelope, text) in zip(envelopes, texts).reversed() {
            _ = try cache.envelope(account: "acme", id: envelope.id, text: text, decode: Self.decoder(calls))
        }
        #expect(calls.count == 4)
    }

    @Test func anyRowIsDecodedAgainWhenItsTextChanges() {
        let cache = RowDecodeCache<String>(capacity: 8)
        var decoded: [String] = []
        func read(_ key: String, _ text: String) -> String {
            cache.value(key: key, text: text) { decoded.append($0); return "value of " + $0 }
        }
        let published = RowDecodeCache<String>.key("acme", "service-agreement", "3")
        #expect(read(published, #"{"state":"published"}"#) == #"value of {"state":"published"}"#)
        #expect(read(published, #"{"state":"published"}"#) == #"value of {"state":"published"}"#)
        #expect(decoded.count == 1, "the same text is decoded once")
        #expect(read(published, #"{"state":"retired"}"#) == #"value of {"state":"retired"}"#, "a retired version reads as retired")
        #expect(read(RowDecodeCache<String>.key("acme", "service-agreement", "4"), #"{"state":"retired"}"#) == #"value of {"state":"retired"}"#)
        #expect(decoded.count == 3, "another text or another key is decoded")
    }
}
