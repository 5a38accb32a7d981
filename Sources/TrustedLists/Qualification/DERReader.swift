/// A minimal DER reader for the certificate extensions qualification needs (EN 319 412-5
/// QcStatements, certificate policies, extended key usage): definite lengths only.
struct DERReader {
    struct Malformed: Error {}

    private let bytes: [UInt8]
    private var offset: Int
    private let end: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = 0
        end = bytes.count
    }

    private init(_ bytes: [UInt8], from start: Int, to end: Int) {
        self.bytes = bytes
        offset = start
        self.end = end
    }

    /// A reader over the content of the SEQUENCE that `bytes` hold.
    static func sequence(_ bytes: [UInt8]) throws -> DERReader {
        var reader = DERReader(bytes)
        return try reader.sequence()
    }

    var atEnd: Bool { offset >= end }

    /// Reads one element: its tag and the bounds of its content.
    mutating func element() throws -> (tag: UInt8, start: Int, end: Int) {
        guard offset + 2 <= end else { throw Malformed() }
        let tag = bytes[offset]
        var length = Int(bytes[offset + 1])
        var cursor = offset + 2
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard count >= 1, count <= 4, cursor + count <= end else { throw Malformed() }
            length = bytes[cursor..<(cursor + count)].reduce(0) { $0 << 8 | Int($1) }
            cursor += count
        }
        guard length >= 0, cursor + length <= end else { throw Malformed() }
        offset = cursor + length
        return (tag, cursor, cursor + length)
    }

    /// Enters a SEQUENCE: a reader over its content.
    mutating func sequence() throws -> DERReader { try constructed(0x30) }

    /// Enters a constructed element with this tag.
    mutating func constructed(_ expected: UInt8) throws -> DERReader {
        let (tag, start, stop) = try element()
        guard tag == expected else { throw Malformed() }
        return DERReader(bytes, from: start, to: stop)
    }

    /// The content of a primitive element with this tag.
    mutating func primitive(_ expected: UInt8) throws -> [UInt8] {
        let (tag, start, stop) = try element()
        guard tag == expected else { throw Malformed() }
        return Array(bytes[start..<stop])
    }

    /// Looks at the next element's tag without consuming it.
    var nextTag: UInt8? { offset < end ? bytes[offset] : nil }

    /// An OBJECT IDENTIFIER in dotted form.
    mutating func objectIdentifier() throws -> String {
        let content = try primitive(0x06)
        guard let first = content.first else { throw Malformed() }
        var parts = first < 80 ? [Int(first) / 40, Int(first) % 40] : [2, Int(first) - 80]
        var value = 0
        for byte in content.dropFirst() {
            value = value << 7 | Int(byte & 0x7F)
            if byte & 0x80 == 0 {
                parts.append(value)
                value = 0
            }
        }
        return parts.map(String.init).joined(separator: ".")
    }
}

/// The extensions of a DER certificate, by OID (the extnValue's content).
struct DERCertificateExtensions {
    private var values: [String: [UInt8]] = [:]

    init(_ der: [UInt8]) throws {
        var outer = DERReader(der)
        var certificate = try outer.sequence()
        var tbs = try certificate.sequence()
        while !tbs.atEnd {
            guard tbs.nextTag == 0xA3 else {
                _ = try tbs.element()
                continue
            }
            var wrapper = try tbs.constructed(0xA3)
            var list = try wrapper.sequence()
            while !list.atEnd {
                var item = try list.sequence()
                let oid = try item.objectIdentifier()
                if item.nextTag == 0x01 { _ = try item.primitive(0x01) }
                values[oid] = try item.primitive(0x04)
            }
        }
    }

    func value(of oid: String) -> [UInt8]? { values[oid] }
}
