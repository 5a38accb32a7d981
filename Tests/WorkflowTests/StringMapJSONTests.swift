import Foundation
import Testing
import TestSupport
import Workflow

/// The stores' direct JSON for string maps: what it writes is JSON that `JSONDecoder` reads to
/// the same map, what it reads agrees with `JSONDecoder`, and whatever it does not read exactly
/// it declines (nil), so the store's fallback decides.
@Suite struct StringMapJSONTests {
    static let awkward: [String] = [
        "", "plain", "quote \" and backslash \\", "slash / and \\/", "line\nbreak\r\ttab", "\u{0}\u{1}\u{1F}\u{7F}",
        "Côté — ünïcödé", "emoji 👩🏽‍⚖️ and 𝄞", "\u{2028}\u{2029}", "{\"not\":\"an object\"}", "\\u0041 literally",
    ]

    func jsonDecoder(_ text: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }

    @Test func whatItWritesIsJSONThatReadsBackToTheSameMap() throws {
        for (index, value) in Self.awkward.enumerated() {
            let map = ["value": value, "key \(value)": "k", "n": String(index)]
            let text = StringMapJSON.encode(map)
            #expect(StringMapJSON.decode(text) == map, "\(text)")
            #expect(try jsonDecoder(text) == map, "\(text)")
        }
        var generator = SeededGenerator(state: 42)
        let alphabet = Array("ab\"\\/\n\u{0}\u{1F} é€𝄞😀{}[]:,".unicodeScalars)
        for _ in 0..<500 {
            var map: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                func word() -> String {
                    String(String.UnicodeScalarView((0..<Int.random(in: 0...8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
                }
                map[word()] = word()
            }
            let text = StringMapJSON.encode(map)
            #expect(StringMapJSON.decode(text) == map && (try? jsonDecoder(text)) == map, "\(text)")
        }
        #expect(StringMapJSON.encode(["b": "2", "a": "1"]) == #"{"a":"1","b":"2"}"#, "keys sorted")
    }

    @Test func itReadsWhatOtherWritersWroteAsJSONDecoderDoes() throws {
        let texts = [
            #"{}"#, #" { } "#, #"{"a": "1", "b": "2"}"#,  // PostgreSQL jsonb's output, with spaces
            "{\n  \"a\" : \"x\\/y\",\n  \"b\" : \"\\u00e9\\u20AC\\ud834\\udd1e\\b\\f\\n\\r\\t\\\"\\\\\"\n}",
        ]
        for text in texts {
            #expect(StringMapJSON.decode(text) == (try jsonDecoder(text)), "\(text)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted]
        for value in Self.awkward {
            let text = String(decoding: try encoder.encode(["v": value]), as: UTF8.self)
            #expect(StringMapJSON.decode(text) == ["v": value], "\(text)")
        }
    }

    @Test func itDeclinesAnythingButAnObjectOfDistinctStringValues() {
        for text in ["", "[]", "\"a\"", #"{"a":1}"#, #"{"a":null}"#, #"{"a":{"b":"c"}}"#, #"{"a":["b"]}"#, #"{"a":"1","a":"2"}"#,
                     #"{"a":"1"} x"#, #"{"a":"1",}"#, #"{"a" "1"}"#, #"{a:"1"}"#, #"{"a":"1""#, #"{"a":"\ud800"}"#,
                     #"{"a":"\udc00"}"#, #"{"a":"\u12"}"#, #"{"a":"\x"}"#, "{\"a\":\"raw\ncontrol\"}", #"{"a":"1"}{}"#] {
            #expect(StringMapJSON.decode(text) == nil, "\(text)")
        }
    }

    @Test func anActorReadsBackAndAnythingElseIsLeftToJSONDecoder() {
        for actor in [EventActor.system, EventActor(kind: .key, id: "key_1", onBehalfOf: "agent@northbeam.example"),
                      EventActor(kind: .recipient, id: "rcp_\"1\"")] {
            #expect(EventActor(storedJSON: actor.storedJSON) == actor)
            #expect((try? JSONDecoder().decode(EventActor.self, from: Data(actor.storedJSON.utf8))) == actor)
        }
        #expect(EventActor(storedJSON: #"{"kind":"robot","id":"x"}"#) == nil)
        #expect(EventActor(storedJSON: #"{"kind":"key","id":"x","extra":"y"}"#) == nil)
        #expect(EventActor(storedJSON: #"{"kind":"key"}"#) == nil)
    }

    /// Random JSON-like text (as an attacker with the database file might leave): the reader never
    /// traps, and whatever it accepts `JSONDecoder` reads to the same map.
    @Test func randomTextIsDeclinedOrReadAsJSONDecoderReadsIt() {
        var generator = SeededGenerator(state: 2026)
        let pieces = ["{", "}", "\"", "\"a\"", "\"b\"", ":", ",", " ", "\\", "\\u", "d83d", "de00", "00e9", "\\n", "x", "é", "1", "[", "]",
                      "null", "\u{1}", "\\\"", "𝄞"]
        var accepted = 0
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...14, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            guard let map = StringMapJSON.decode(text) else { continue }
            accepted += 1
            #expect((try? jsonDecoder(text)) == map, "\(text)")
        }
        #expect(accepted > 0)
    }
}
