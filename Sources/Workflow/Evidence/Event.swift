public import Foundation
import CountersignCrypto

/// Who did something recorded in an event.
public struct EventActor: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// An API key (`id` is the key id).
        case key
        /// A recipient acting through their token (`id` is the recipient id).
        case recipient
        /// The workflow itself (a worker: expiry, completion, purge).
        case system
    }

    public var kind: Kind
    public var id: String
    /// The human an integration says it acts for (keys only).
    public var onBehalfOf: String?

    public init(kind: Kind, id: String, onBehalfOf: String? = nil) {
        self.kind = kind
        self.id = id
        self.onBehalfOf = onBehalfOf
    }

    public static let system = EventActor(kind: .system, id: "workflow")
}

/// One append-only evidence event of a stream (an envelope, or an account's template library).
///
/// `hash` = SHA-256(`previousHash` ‖ canonical JSON of the event without `hash`), hex. Personal
/// data (names, e-mail addresses, IP, user agent, reasons) is kept beside the event and enters
/// the chain through `personalSHA256`, so a retention purge can delete it and leave a chain that
/// still verifies.
public struct WorkflowEvent: Sendable, Hashable, Codable {
    public var account: String
    /// The envelope id, or `library` for template and clause events.
    public var stream: String
    /// 1, 2, 3… within the stream.
    public var sequence: Int
    public var type: String
    public var at: Date
    public var actor: EventActor
    /// Non-personal facts: states, hashes, methods, metadata (CRM ids).
    public var data: [String: String]
    /// Personal facts (names, e-mails, IP, user agent, reasons); nil once purged.
    public var personal: [String: String]?
    /// SHA-256 (hex) of the canonical JSON of `personal` as written.
    public var personalSHA256: String
    public var previousHash: String
    public var hash: String

    /// An event as stored; `make` builds and hashes a new one.
    public init(account: String, stream: String, sequence: Int, type: String, at: Date, actor: EventActor,
                data: [String: String], personal: [String: String]?, personalSHA256: String, previousHash: String,
                hash: String) {
        self.account = account
        self.stream = stream
        self.sequence = sequence
        self.type = type
        self.at = at
        self.actor = actor
        self.data = data
        self.personal = personal
        self.personalSHA256 = personalSHA256
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The hash of nothing: the `previousHash` of a stream's first event.
    public static let genesis = String(repeating: "0", count: 64)

    /// The bytes hashed after the previous hash: every member but `hash` and `personal`, as
    /// canonical JSON (sorted keys, no insignificant whitespace, times as ISO 8601 UTC).
    public var canonicalJSON: [UInt8] {
        var object: [String: CanonicalJSON] = [
            "account": .string(account), "stream": .string(stream), "sequence": .int(sequence), "type": .string(type),
            "at": .string(EventTime.iso(at)), "data": .object(data.mapValues { .string($0) }),
            "personalSHA256": .string(personalSHA256), "previousHash": .string(previousHash),
        ]
        var actorObject: [String: CanonicalJSON] = ["kind": .string(actor.kind.rawValue), "id": .string(actor.id)]
        if let onBehalfOf = actor.onBehalfOf { actorObject["onBehalfOf"] = .string(onBehalfOf) }
        object["actor"] = .object(actorObject)
        return CanonicalJSON.object(object).bytes
    }

    /// The hash this event should have.
    public var computedHash: String {
        sha256Hex(Array(previousHash.utf8) + canonicalJSON)
    }

    /// The hash of a personal-data object as written.
    public static func personalHash(_ personal: [String: String]) -> String {
        sha256Hex(CanonicalJSON.object(personal.mapValues { .string($0) }).bytes)
    }

    /// A new event chained after `previousHash`, its hashes computed.
    public static func make(account: String, stream: String, sequence: Int, type: String, at: Date, actor: EventActor,
                            data: [String: String], personal: [String: String], previousHash: String) -> WorkflowEvent {
        var event = WorkflowEvent(account: account, stream: stream, sequence: sequence, type: type,
                                  at: EventTime.truncated(at), actor: actor, data: data, personal: personal,
                                  personalSHA256: personalHash(personal), previousHash: previousHash, hash: "")
        event.hash = event.computedHash
        return event
    }
}

/// Minimal canonical JSON: objects with keys sorted by UTF-8 bytes, strings escaped minimally,
/// integers only — enough for events and export, and the same bytes on every platform.
public enum CanonicalJSON: Sendable, Hashable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    case array([CanonicalJSON])
    case object([String: CanonicalJSON])

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    func write(into out: inout [UInt8]) {
        switch self {
        case .string(let value): Self.writeString(value, into: &out)
        case .int(let value): out += Array(String(value).utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .null: out += Array("null".utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                members[key]!.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20: out += Array(String(format: "\\u%04x", byte).utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Event times: whole seconds, ISO 8601 in UTC.
enum EventTime {
    static func truncated(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    static func iso(_ date: Date) -> String { ISOTime.string(date) }
}

/// The one text form of times in events, the ledger and the stores: ISO 8601 in UTC, whole
/// seconds, `Z` (`2026-12-04T09:30:00Z`). A value type with no ICU behind it: the stores
/// format and parse a time for every event they write or read, and building an
/// `ISO8601DateFormatter` for each took an eighth of the workflow benchmark's CPU.
public enum ISOTime {
    private static let style = Date.ISO8601FormatStyle(timeZone: TimeZone(secondsFromGMT: 0)!)

    /// `date` as ISO 8601 in UTC (fractions of a second dropped).
    public static func string(_ date: Date) -> String { style.format(date) }

    /// The time `text` names (ISO 8601 with a UTC offset), or nil if it is not one.
    public static func date(_ text: String) -> Date? { try? style.parse(text) }
}

/// SHA-256 as lowercase hex.
func sha256Hex(_ bytes: [UInt8]) -> String {
    DigestAlgorithm.sha256.hash(bytes).hexString.lowercased()
}

func sha256Hex(_ data: Data) -> String { sha256Hex(Array(data)) }
func sha256Hex(_ text: String) -> String { sha256Hex(Array(text.utf8)) }
