/// A PDF object as it appears in a file (ISO 32000-2 §7.3).
///
/// Values are plain Swift values: a parsed document can be read from many tasks at once.
public enum PDFObject: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int)
    case real(Double)
    case string(PDFString)
    case name(PDFName)
    case array([PDFObject])
    case dictionary(PDFDictionary)
    case stream(PDFStream)
    case reference(PDFReference)

    /// The integer value, if this is an integer (or a real with an integral value).
    public var intValue: Int? {
        switch self {
        case .integer(let value): return value
        case .real(let value) where value.rounded() == value && abs(value) < 1e15: return Int(value)
        default: return nil
        }
    }

    /// The numeric value of an integer or a real.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .real(let value): return value
        default: return nil
        }
    }

    public var nameValue: PDFName? { if case .name(let n) = self { return n }; return nil }
    public var stringValue: PDFString? { if case .string(let s) = self { return s }; return nil }
    public var arrayValue: [PDFObject]? { if case .array(let a) = self { return a }; return nil }
    public var referenceValue: PDFReference? { if case .reference(let r) = self { return r }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var streamValue: PDFStream? { if case .stream(let s) = self { return s }; return nil }

    /// The dictionary of a dictionary object, or of a stream object.
    public var dictionaryValue: PDFDictionary? {
        switch self {
        case .dictionary(let d): return d
        case .stream(let s): return s.dictionary
        default: return nil
        }
    }

    /// A short name for the kind of object, for error messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer: return "integer"
        case .real: return "real"
        case .string: return "string"
        case .name: return "name"
        case .array: return "array"
        case .dictionary: return "dictionary"
        case .stream: return "stream"
        case .reference: return "reference"
        }
    }
}

/// An indirect reference `n g R`.
public struct PDFReference: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var number: Int
    public var generation: Int

    public init(_ number: Int, _ generation: Int = 0) {
        self.number = number
        self.generation = generation
    }

    public var description: String { "\(number) \(generation) R" }

    public static func < (lhs: PDFReference, rhs: PDFReference) -> Bool {
        (lhs.number, lhs.generation) < (rhs.number, rhs.generation)
    }
}

/// A name object, stored decoded (`#xx` escapes resolved) as raw bytes.
public struct PDFName: Sendable, Hashable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) {
        var string = string
        self.bytes = string.withUTF8 { CommonNames.bytes(UnsafeRawBufferPointer($0)) }
    }
    public init(stringLiteral value: String) { self.init(value) }

    /// The name as text (UTF-8 where valid, Latin-1 otherwise), without the leading slash.
    public var string: String {
        String(validating: bytes, as: UTF8.self) ?? String(decoding: bytes.map { UInt16($0) }, as: UTF16.self)
    }

    public var description: String { "/" + string }

    public static func < (lhs: PDFName, rhs: PDFName) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}

/// A string object: raw bytes plus the syntax it was written in.
public struct PDFString: Sendable, Hashable {
    public enum Syntax: Sendable, Hashable { case literal, hex }

    public var bytes: [UInt8]
    public var syntax: Syntax

    public init(bytes: [UInt8], syntax: Syntax = .literal) {
        self.bytes = bytes
        self.syntax = syntax
    }

    /// A text string encoded as PDFDocEncoding when possible, else UTF-16BE with a byte-order mark.
    public init(text: String) {
        if let encoded = PDFTextEncoding.pdfDocEncode(text) {
            self.init(bytes: encoded)
        } else {
            self.init(bytes: [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        }
    }

    /// The string decoded as a PDF text string (UTF-16BE/UTF-8 with BOM, else PDFDocEncoding).
    public var text: String { PDFTextEncoding.decode(bytes) }
}

/// A stream: its dictionary and its encoded bytes exactly as stored in the file.
public struct PDFStream: Sendable, Hashable {
    public var dictionary: PDFDictionary
    public var encodedData: [UInt8]

    public init(dictionary: PDFDictionary, encodedData: [UInt8]) {
        self.dictionary = dictionary
        self.encodedData = encodedData
    }
}

/// A dictionary that keeps its keys in file order (so a round trip writes what it read).
public struct PDFDictionary: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var entries: [(key: PDFName, value: PDFObject)]

    public init() { entries = [] }
    public init(_ entries: [(PDFName, PDFObject)]) {
        self.entries = []
        for (key, value) in entries { self[key] = value }
    }
    public init(dictionaryLiteral elements: (PDFName, PDFObject)...) { self.init(elements) }
    /// Entries whose keys are already known to be distinct (the parser checked), kept as given.
    init(distinctEntries: [(key: PDFName, value: PDFObject)]) { entries = distinctEntries }

    public var count: Int { entries.count }
    public var keys: [PDFName] { entries.map(\.key) }

    /// The value for a key; assigning `nil` removes the entry. A later duplicate key replaces an earlier one.
    public subscript(key: PDFName) -> PDFObject? {
        get { entries.first(where: { $0.key == key })?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[(key: PDFName, value: PDFObject)]> { entries.makeIterator() }

    public static func == (lhs: PDFDictionary, rhs: PDFDictionary) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for (key, value) in lhs.entries where rhs[key] != value { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries.count)
        for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
            hasher.combine(key)
            hasher.combine(value)
        }
    }
}

extension PDFObject: ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral {
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: PDFObject...) { self = .array(elements) }
}
