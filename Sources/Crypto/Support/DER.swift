/// The little DER this module writes and reads by hand: length arithmetic for the CMS size
/// bound, the signed-attributes SET it signs, and the ESS attributes OpenSSL 3.0 has no getters for.
enum DER {
    static let sequence: UInt8 = 0x30
    static let set: UInt8 = 0x31
    static let octetString: UInt8 = 0x04
    static let integer: UInt8 = 0x02
    static let objectIdentifier: UInt8 = 0x06

    /// The length octets for a content of `length` bytes (definite form).
    static func lengthOctets(_ length: Int) -> [UInt8] {
        if length < 0x80 { return [UInt8(length)] }
        var bytes: [UInt8] = []
        var rest = length
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    /// The size of a TLV with a one-byte tag around `contentLength` bytes.
    static func size(wrapping contentLength: Int) -> Int {
        1 + lengthOctets(contentLength).count + contentLength
    }

    /// A TLV with a one-byte tag.
    static func encode(tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        [tag] + lengthOctets(content.count) + content
    }

    /// A DER SET OF: the elements sorted as octet strings (X.690 §11.6, compared the way
    /// OpenSSL's encoder compares them so our bytes equal the ones it writes).
    static func setOf(_ elements: [[UInt8]]) -> [UInt8] {
        let sorted = elements.sorted { lhs, rhs in
            for (left, right) in zip(lhs, rhs) where left != right { return left < right }
            return lhs.count < rhs.count
        }
        return encode(tag: set, sorted.flatMap { $0 })
    }

    /// One parsed TLV.
    struct Node {
        let tag: UInt8
        /// The content octets.
        let content: ArraySlice<UInt8>
        /// Tag, length and content.
        let encoded: ArraySlice<UInt8>

        var isConstructed: Bool { tag & 0x20 != 0 }

        /// The TLVs inside a constructed node.
        func children() throws -> [Node] {
            guard isConstructed else { throw CryptoError(.malformed, "DER: expected a constructed value") }
            var reader = Reader(content)
            var nodes: [Node] = []
            while let node = try reader.next() { nodes.append(node) }
            return nodes
        }

        /// The node with tag `expected`, or a malformed error.
        func expecting(_ expected: UInt8, _ what: String) throws -> Node {
            guard tag == expected else { throw CryptoError(.malformed, "DER: \(what) has the wrong tag") }
            return self
        }
    }

    /// Reads consecutive TLVs (definite lengths, low tag numbers: DER only).
    struct Reader {
        private var bytes: ArraySlice<UInt8>

        init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

        mutating func next() throws -> Node? {
            guard let start = bytes.indices.first else { return nil }
            guard bytes.count >= 2 else { throw CryptoError(.malformed, "DER: truncated value") }
            let tag = bytes[start]
            guard tag & 0x1F != 0x1F else { throw CryptoError(.malformed, "DER: high tag numbers are not expected here") }
            var index = start + 1
            let first = bytes[index]
            index += 1
            var length = 0
            if first < 0x80 {
                length = Int(first)
            } else {
                let count = Int(first & 0x7F)
                guard count >= 1, count <= 4, bytes.endIndex - index >= count else {
                    throw CryptoError(.malformed, "DER: bad length")
                }
                for _ in 0..<count {
                    length = length << 8 | Int(bytes[index])
                    index += 1
                }
            }
            guard bytes.endIndex - index >= length else { throw CryptoError(.malformed, "DER: value runs past its container") }
            let end = index + length
            let node = Node(tag: tag, content: bytes[index..<end], encoded: bytes[start..<end])
            bytes = bytes[end...]
            return node
        }
    }

    /// The single TLV that makes up `bytes`.
    static func parse(_ bytes: ArraySlice<UInt8>) throws -> Node {
        var reader = Reader(bytes)
        guard let node = try reader.next(), try reader.next() == nil else {
            throw CryptoError(.malformed, "DER: expected exactly one value")
        }
        return node
    }

    /// The dotted text of an OBJECT IDENTIFIER node.
    static func objectIdentifier(_ node: Node) throws -> String {
        guard node.tag == objectIdentifier, !node.content.isEmpty, node.content.last! & 0x80 == 0 else {
            throw CryptoError(.malformed, "DER: not an object identifier")
        }
        var arcs: [UInt64] = []
        var value: UInt64 = 0
        for byte in node.content {
            guard value >> 57 == 0 else { throw CryptoError(.malformed, "DER: object identifier arc too large") }
            value = value << 7 | UInt64(byte & 0x7F)
            if byte & 0x80 == 0 {
                if arcs.isEmpty {
                    let first = min(value / 40, 2)
                    arcs = [first, value - first * 40]
                } else {
                    arcs.append(value)
                }
                value = 0
            }
        }
        return arcs.map(String.init).joined(separator: ".")
    }
}
