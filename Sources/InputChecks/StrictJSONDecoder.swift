public import Foundation
import Synchronization

/// Decodes JSON as `JSONDecoder` does and refuses a key the type never asks for, or one given twice.
///
/// `JSONDecoder` ignores a key the type does not have, and with it the value it meant to give:
/// a misspelled `signatureRol` leaves a signer without their signature box, a `requird` leaves
/// a field required. Here every keyed container notes the keys the type asked for (decoded, or
/// asked whether present); after decoding, a key of the JSON object that nothing asked for is
/// refused with its path and the closest key that was asked for (or the list of them).
///
/// This works for any `Decodable`, synthesized or hand-written, at every depth, with no list of
/// keys kept beside the type. A type that reads a key only in some cases (a hand-written
/// `init(from:)` with a `switch`) would see that key refused in the other cases; the request
/// bodies this decodes read every key they declare.
public struct StrictJSONDecoder: Sendable {
    /// What the decoded JSON is, for the message (`an envelope request`).
    public var what: String
    /// Keys of the top-level object that another reader takes (a JSON Lines batch's `document`).
    public var othersKeys: Set<String>

    public init(what: String, othersKeys: Set<String> = []) {
        self.what = what
        self.othersKeys = othersKeys
    }

    /// A key the type does not have, or a key given twice in one object.
    public struct KeyProblem: Error, Sendable, CustomStringConvertible {
        public enum Kind: Sendable, Equatable {
            /// The type has no such key; `known` are the keys it has at that place, in the
            /// order it reads them.
            case unknown(known: [String])
            /// The object gives the key twice (readers disagree on which one counts).
            case repeated
            /// A comma before an object's `}` (not JSON; Foundation's decoder accepts it).
            case trailingComma(offset: Int, line: Int, column: Int)
        }

        /// The key's path (`recipients[0].signatureRol`).
        public var path: String
        public var kind: Kind
        public var what: String

        public init(path: String, kind: Kind, what: String) {
            self.path = path
            self.kind = kind
            self.what = what
        }

        public var description: String {
            let key = path.split(separator: ".").last.map(String.init) ?? path
            switch kind {
            case .repeated:
                return RepeatedJSONKeys.Finding.repeated(path: path).describe(what)
            case .trailingComma(let offset, let line, let column):
                return RepeatedJSONKeys.Finding.trailingComma(offset: offset, line: line, column: column).describe(what)
            case .unknown(let known):
                let hint = Suggestions.closest(to: key, in: known).map { "; did you mean '\($0)'?" }
                    ?? (known.isEmpty ? "; it takes no fields" : "; its fields are " + known.joined(separator: ", "))
                return "\(path) is not a field of \(what)\(hint)"
            }
        }
    }

    /// `T` from `data`. Throws `KeyProblem` for a key `T` does not have or a key given twice,
    /// and `DecodingError` as `JSONDecoder` does; a required key missing beside an unknown key
    /// close to it (`emial` for `email`) is a `KeyProblem`, which says what was meant.
    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try check(data)
        let log = KeyLog(othersKeys: othersKeys)
        let decoder = JSONDecoder()
        decoder.userInfo[KeyLog.userInfoKey] = log
        let value: T
        do {
            value = try decoder.decode(Recorded<T>.self, from: data).value
        } catch DecodingError.keyNotFound(let missing, let context) {
            let path = KeyLog.path(context.codingPath)
            if let unknown = log.unknownKeys(at: path).first(where: { Suggestions.closest(to: $0, in: [missing.stringValue]) != nil }) {
                throw KeyProblem(path: KeyLog.join(path, unknown), kind: .unknown(known: log.asked(at: path) + [missing.stringValue]), what: what)
            }
            throw DecodingError.keyNotFound(missing, context)
        }
        if let (path, key) = log.firstUnknownKey() {
            throw KeyProblem(path: KeyLog.join(path, key), kind: .unknown(known: log.asked(at: path)), what: what)
        }
        return value
    }
}

extension StrictJSONDecoder {
    /// Throws `KeyProblem` for what Foundation's reader accepts and strict JSON does not: a key
    /// given twice in one object, a comma before `}` (`RepeatedJSONKeys`). `decode` checks this
    /// first; call it for JSON read some other way.
    public func check(_ data: Data) throws(KeyProblem) {
        switch RepeatedJSONKeys.scan(data) {
        case .repeated(let path)?: throw KeyProblem(path: path, kind: .repeated, what: what)
        case .trailingComma(let offset, let line, let column)?:
            throw KeyProblem(path: "", kind: .trailingComma(offset: offset, line: line, column: column), what: what)
        case nil: return
        }
    }
}

/// The top-level value, decoded through the recording decoder.
private struct Recorded<T: Decodable>: Decodable {
    var value: T

    init(from decoder: any Decoder) throws {
        guard let log = decoder.userInfo[KeyLog.userInfoKey] as? KeyLog else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "decoded without its key log"))
        }
        value = try RecordingDecoder.decode(T.self, from: decoder, log: log)
        // A type with no fields never opens its object: every key of it is unknown.
        if !log.hasObject(at: ""), let object = try? decoder.container(keyedBy: AnyKey.self) {
            log.met("", present: object.allKeys.map(\.stringValue))
        }
    }
}

/// The keys each JSON object had and the keys its type asked for, by the object's path.
private final class KeyLog: Sendable {
    static let userInfoKey = CodingUserInfoKey(rawValue: "countersign.strict-json.key-log")!

    /// An object's keys: those the document has, and those its type asked for (in order, and
    /// as a set: a dictionary of 16 000 keys asks for each, which a list search made quadratic).
    private struct Object {
        var present: [String]
        var asked: [String] = []
        var askedSet: Set<String> = []
    }

    /// Objects in the order they were met (the document's order), and their paths' indexes.
    private struct State {
        var objects: [(path: String, object: Object)] = []
        var index: [String: Int] = [:]
    }

    private let state = Mutex(State())
    private let othersKeys: Set<String>

    init(othersKeys: Set<String>) {
        self.othersKeys = othersKeys
    }

    static func path(_ codingPath: [any CodingKey]) -> String { JSONPath.text(codingPath) }

    static func join(_ path: String, _ key: String) -> String { JSONPath.appending(key, to: path) }

    func met(_ path: String, present: [String]) {
        state.withLock { state in
            guard state.index[path] == nil else { return }
            state.index[path] = state.objects.count
            state.objects.append((path, Object(present: path.isEmpty ? present.filter { !othersKeys.contains($0) } : present)))
        }
    }

    func ask(_ path: String, _ key: String) {
        state.withLock { state in
            guard let index = state.index[path], state.objects[index].object.askedSet.insert(key).inserted else { return }
            state.objects[index].object.asked.append(key)
        }
    }

    func hasObject(at path: String) -> Bool {
        state.withLock { $0.index[path] != nil }
    }

    func asked(at path: String) -> [String] {
        state.withLock { state in state.index[path].map { state.objects[$0].object.asked } ?? [] }
    }

    func unknownKeys(at path: String) -> [String] {
        state.withLock { state in
            guard let index = state.index[path] else { return [] }
            let object = state.objects[index].object
            return object.present.filter { !object.askedSet.contains($0) }.sorted()
        }
    }

    func firstUnknownKey() -> (path: String, key: String)? {
        state.withLock { state in
            for (path, object) in state.objects {
                if let key = object.present.filter({ !object.askedSet.contains($0) }).sorted().first { return (path, key) }
            }
            return nil
        }
    }
}

/// A place in a JSON document as people write it: `recipients[0].fields[1].role`.
public enum JSONPath {
    /// The text of a decoder's coding path.
    public static func text(_ codingPath: [any CodingKey]) -> String {
        codingPath.reduce("") { path, key in
            key.intValue.map { "\(path)[\($0)]" } ?? appending(key.stringValue, to: path)
        }
    }

    /// `path.key`, or `key` at the top.
    public static func appending(_ key: String, to path: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}

/// Any key of a JSON object.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Wraps `JSONDecoder`'s decoder so that each keyed container it hands out records its keys.
private struct RecordingDecoder: Decoder {
    let inner: any Decoder
    let log: KeyLog

    var codingPath: [any CodingKey] { inner.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { inner.userInfo }

    /// `type` from `decoder`: the values `JSONDecoder` decodes itself (`Data` from base64,
    /// `Date`, `URL`, `Decimal`) through its own container, everything else through a recording one.
    static func decode<T: Decodable>(_ type: T.Type, from decoder: any Decoder, log: KeyLog) throws -> T {
        if type == Data.self || type == Date.self || type == URL.self || type == Decimal.self {
            return try decoder.singleValueContainer().decode(type)
        }
        return try T(from: RecordingDecoder(inner: decoder, log: log))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let container = try inner.container(keyedBy: type)
        let path = KeyLog.path(inner.codingPath)
        log.met(path, present: try inner.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue))
        return KeyedDecodingContainer(RecordingKeyedContainer(inner: container, path: path, log: log))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        RecordingUnkeyedContainer(inner: try inner.unkeyedContainer(), log: log)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        RecordingSingleValueContainer(inner: try inner.singleValueContainer(), decoder: inner, log: log)
    }
}

private struct RecordingKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let inner: KeyedDecodingContainer<Key>
    let path: String
    let log: KeyLog

    var codingPath: [any CodingKey] { inner.codingPath }

    var allKeys: [Key] {
        let keys = inner.allKeys
        for key in keys { log.ask(path, key.stringValue) }
        return keys
    }

    func contains(_ key: Key) -> Bool {
        log.ask(path, key.stringValue)
        return inner.contains(key)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        log.ask(path, key.stringValue)
        return try inner.decodeNil(forKey: key)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try scalar(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try scalar(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try scalar(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try scalar(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) { try inner.decode(type, forKey: key) } }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        log.ask(path, key.stringValue)
        // A missing key and a null say so as `JSONDecoder` would (a decoder for the key would
        // read the null and name another type).
        guard inner.contains(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue)."))
        }
        if try inner.decodeNil(forKey: key) {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [key], debugDescription: "Expected \(type) value but found null instead."))
        }
        return try RecordingDecoder.decode(type, from: try inner.superDecoder(forKey: key), log: log)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        log.ask(path, key.stringValue)
        return try RecordingDecoder(inner: try inner.superDecoder(forKey: key), log: log).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        log.ask(path, key.stringValue)
        return RecordingUnkeyedContainer(inner: try inner.nestedUnkeyedContainer(forKey: key), log: log)
    }

    func superDecoder() throws -> any Decoder {
        RecordingDecoder(inner: try inner.superDecoder(), log: log)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        log.ask(path, key.stringValue)
        return RecordingDecoder(inner: try inner.superDecoder(forKey: key), log: log)
    }

    private func scalar<T>(_ key: Key, _ decode: () throws -> T) rethrows -> T {
        log.ask(path, key.stringValue)
        return try decode()
    }

    /// An error that says nowhere where it is: `JSONDecoder`'s own number error, or a data
    /// error with an empty path.
    private static func placeless(_ error: any Error) -> Bool {
        guard let error = error as? DecodingError else { return true }
        if case .dataCorrupted(let context) = error { return context.codingPath.isEmpty }
        return false
    }

    /// `JSONDecoder` reports a number that is not a whole number in the type's range (`1.5`,
    /// `99999999999999999999`) as "The given data was not valid JSON", with no path: said here
    /// as the type mismatch it is, at its key, with the number found.
    private func integer<T>(_ key: Key, _ decode: () throws -> T) throws -> T {
        log.ask(path, key.stringValue)
        do {
            return try decode()
        } catch {
            guard Self.placeless(error), let number = try? inner.decode(Double.self, forKey: key) else { throw error }
            let found = number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
            throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath + [key],
                                                           debugDescription: "Expected to decode \(T.self) but found \(found) instead."))
        }
    }
}

private struct RecordingUnkeyedContainer: UnkeyedDecodingContainer {
    var inner: any UnkeyedDecodingContainer
    let log: KeyLog

    var codingPath: [any CodingKey] { inner.codingPath }
    var count: Int? { inner.count }
    var isAtEnd: Bool { inner.isAtEnd }
    var currentIndex: Int { inner.currentIndex }

    mutating func decodeNil() throws -> Bool { try inner.decodeNil() }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try inner.decode(type) }
    mutating func decode(_ type: String.Type) throws -> String { try inner.decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try inner.decode(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try inner.decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try inner.decode(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try inner.decode(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try inner.decode(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try inner.decode(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try inner.decode(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try inner.decode(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try inner.decode(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try inner.decode(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try inner.decode(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try inner.decode(type) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let index = currentIndex
        if try inner.decodeNil() {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [IndexKey(index)],
                                                          debugDescription: "Expected \(type) but found null instead."))
        }
        return try RecordingDecoder.decode(type, from: try inner.superDecoder(), log: log)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try RecordingDecoder(inner: try inner.superDecoder(), log: log).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        RecordingUnkeyedContainer(inner: try inner.nestedUnkeyedContainer(), log: log)
    }

    mutating func superDecoder() throws -> any Decoder {
        RecordingDecoder(inner: try inner.superDecoder(), log: log)
    }
}

/// An array index in a coding path.
private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct RecordingSingleValueContainer: SingleValueDecodingContainer {
    let inner: any SingleValueDecodingContainer
    /// The decoder the value comes from: a composite value is decoded from it, recording.
    let decoder: any Decoder
    let log: KeyLog

    var codingPath: [any CodingKey] { inner.codingPath }

    func decodeNil() -> Bool { inner.decodeNil() }
    func decode(_ type: Bool.Type) throws -> Bool { try inner.decode(type) }
    func decode(_ type: String.Type) throws -> String { try inner.decode(type) }
    func decode(_ type: Double.Type) throws -> Double { try inner.decode(type) }
    func decode(_ type: Float.Type) throws -> Float { try inner.decode(type) }
    func decode(_ type: Int.Type) throws -> Int { try inner.decode(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try inner.decode(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try inner.decode(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try inner.decode(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try inner.decode(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try inner.decode(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try inner.decode(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try inner.decode(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try inner.decode(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try inner.decode(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try RecordingDecoder.decode(type, from: decoder, log: log)
    }
}
