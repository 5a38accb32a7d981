import Foundation
import Testing
@testable import Workflow

/// `RowJSON` writes what Foundation's `JSONEncoder` (seconds-since-1970 dates) writes, up to
/// spelling: the same JSON structure, and the same value when `JSONDecoder` reads it back.
@Suite struct RowJSONTests {
    /// A generator of awkward text: quotes, backslashes, slashes, control characters, every
    /// plane of Unicode, combining marks.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func text() -> String {
            let pieces = ["a", "Zé", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "\u{8}", "\u{C}",
                          "€", "𝄞", "🙂", "e\u{301}", "\u{2028}", "\u{FEFF}", " ", "{}", "[]", ":", ","]
            return (0..<Int.random(in: 0...12, using: &self)).map { _ in pieces.randomElement(using: &self)! }.joined()
        }

        mutating func date() -> Date { Date(timeIntervalSince1970: Double.random(in: -1e9...4e9, using: &self)) }
    }

    static func envelope(_ random: inout Random) -> Envelope {
        var envelope = Envelope(id: "env_" + random.text(), account: "acc_1", subject: random.text(),
                                template: Bool.random(using: &random) ? TemplateReference(templateID: random.text(), version: "3", sha256: random.text()) : nil,
                                data: Dictionary((0..<Int.random(in: 0...20, using: &random)).map { ("k\($0)" + random.text(), random.text()) },
                                                 uniquingKeysWith: { $1 }),
                                createdAt: random.date(), createdBy: random.text(),
                                metadata: Dictionary((0..<Int.random(in: 0...3, using: &random)).map { ("m\($0)", random.text()) }, uniquingKeysWith: { $1 }))
        envelope.revision = Int.random(in: 0...1_000_000, using: &random)
        envelope.documents = [EnvelopeDocument(id: "doc_1", name: random.text(), sentSHA256: random.text(), pages: 3,
                                               origin: Bool.random(using: &random) ? .generated : .uploaded)]
        if Bool.random(using: &random) { envelope.documents[0].sealedSHA256 = random.text() }
        for index in 0..<Int.random(in: 0...3, using: &random) {
            let authentication: Authentication = [.link, .emailOTP, .accessCode(sha256: random.text())].randomElement(using: &random)!
            var recipient = Recipient(id: "rcp_\(index)", name: random.text(), email: random.text(), role: .signer, routingOrder: index,
                                      authentication: authentication, signatureRole: Bool.random(using: &random) ? random.text() : nil,
                                      fields: [Field(name: random.text(), kind: .text, value: Bool.random(using: &random) ? random.text() : nil,
                                                     placement: Bool.random(using: &random) ? FieldPlacement(document: "doc_1", page: 1, x: 0.1, y: -3e-7,
                                                                                                           width: 1e300, height: 12) : nil)])
            recipient.consent = Consent(disclosureVersion: random.text(), disclosureSHA256: random.text(), at: random.date())
            recipient.actedAt = Bool.random(using: &random) ? random.date() : nil
            recipient.mark = [AdoptedMark.typed(random.text()),
                              .drawn(png: Data((0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })),
                              .uploaded(png: Data())].randomElement(using: &random)!
            recipient.tokenHashes = (0..<Int.random(in: 0...2, using: &random)).map { _ in random.text() }
            envelope.recipients.append(recipient)
        }
        return envelope
    }

    static func foundation(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return try encoder.encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(type, from: data)
    }

    /// Any JSON, to compare two texts' structure (objects as dictionaries, so order does not matter).
    indirect enum JSONValue: Decodable, Equatable {
        case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

        init(from decoder: any Decoder) throws {
            if let container = try? decoder.container(keyedBy: AnyKey.self) {
                self = .object(try Dictionary(uniqueKeysWithValues: container.allKeys.map { ($0.stringValue, try container.decode(JSONValue.self, forKey: $0)) }))
            } else if var container = try? decoder.unkeyedContainer() {
                var items: [JSONValue] = []
                while !container.isAtEnd { items.append(try container.decode(JSONValue.self)) }
                self = .array(items)
            } else {
                let single = try decoder.singleValueContainer()
                if single.decodeNil() { self = .null }
                else if let flag = try? single.decode(Bool.self) { self = .bool(flag) }
                else if let number = try? single.decode(Double.self) { self = .number(number) }
                else { self = .string(try single.decode(String.self)) }
            }
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    @Test func envelopesReadBackAsFoundationsEncodingDoes() throws {
        var random = Random(state: 20261205)
        for _ in 0..<400 {
            let envelope = Self.envelope(&random)
            let ours = Data(try RowJSON.encode(envelope).utf8), theirs = try Self.foundation(envelope)
            #expect(try Self.decode(Envelope.self, ours) == Self.decode(Envelope.self, theirs))
            #expect(try Self.decode(JSONValue.self, ours) == Self.decode(JSONValue.self, theirs))
        }
    }

    struct Nested: Codable, Equatable {
        var matrix: [[Double?]]
        var maps: [String: [String: Int]]
        var empty: [Int]
        var flag: Bool
        var small: Int8
        var big: UInt64
        var tiny: UInt8
        var half: Float
        var single: Float
        var optional: String?
        var url: URL
    }

    @Test func nestedContainersAndPrimitivesAreBracketedAndSpelledRight() throws {
        let value = Nested(matrix: [[1.5, nil, -0.0], [], [1e-7, 123456789012.25]], maps: ["a": ["x": 1], "b": [:]], empty: [],
                           flag: false, small: -128, big: .max, tiny: 255, half: -1.25, single: 0.1, optional: nil, url: URL(string: "https://example.com/a?b=c")!)
        let text = try RowJSON.encode(value)
        #expect(try Self.decode(Nested.self, Data(text.utf8)) == value)
        #expect(try Self.decode(JSONValue.self, Data(text.utf8)) == Self.decode(JSONValue.self, Self.foundation(value)))
        #expect(try RowJSON.encode(["a\"b\\c\u{1}": "/"]) == #"{"a\"b\\c\u0001":"/"}"#)
    }

    class Base: Encodable {
        enum Keys: CodingKey { case a }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode([1, 2], forKey: .a)
        }
    }

    final class Derived: Base {
        enum MoreKeys: CodingKey { case b }
        override func encode(to encoder: any Encoder) throws {
            try super.encode(to: encoder)
            var container = encoder.container(keyedBy: MoreKeys.self)
            try container.encode("x", forKey: .b)
        }
    }

    /// A subclass and its superclass asking for the keyed container each get the same object.
    @Test func aSecondRequestForTheContainerGetsTheSameObject() throws {
        let text = try RowJSON.encode(["v": [Derived(), Derived()]])
        #expect(text == #"{"v":[{"a":[1,2],"b":"x"},{"a":[1,2],"b":"x"}]}"#)
        #expect(try Self.decode(JSONValue.self, Data(text.utf8)) == Self.decode(JSONValue.self, Self.foundation(["v": [Derived(), Derived()]])))
    }

    /// A value that asks for no container is `{}`, as in Foundation; a NaN is refused.
    @Test func anEmptyValueIsAnObjectAndNaNIsAnError() throws {
        struct Silent: Encodable { func encode(to encoder: any Encoder) throws {} }
        #expect(try RowJSON.encode(["quiet": Silent()]) == #"{"quiet":{}}"#)
        #expect(throws: EncodingError.self) { try RowJSON.encode(["x": Double.nan]) }
        #expect(throws: EncodingError.self) { try RowJSON.encode([Date(timeIntervalSince1970: .infinity)]) }
    }
}
