/// The DER this module writes and the BER it reads by hand: length arithmetic for the CMS size
/// bound, the signed-attributes SET it signs, and the CMS a verifier parses (BER with
/// indefinite lengths, as Adobe and Java signers send it, re-encoded to DER where the
/// signature needs DER).
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

    /// How deep constructed values may nest (a CMS with its certificates needs about 12).
    static let maxDepth = 48

    /// One parsed TLV (BER: definite or indefinite length).
    struct Node {
        let tag: UInt8
        /// The content octets (for an indefinite length, without the end-of-contents octets).
        let content: ArraySlice<UInt8>
        /// Tag, length and content (and end-of-contents), as sent.
        let encoded: ArraySlice<UInt8>
        /// The length was the indefinite form (BER, never DER).
        let isIndefinite: Bool
        /// Nesting depth (0 = outermost), bounded by `maxDepth`.
        let depth: Int

        var isConstructed: Bool { tag & 0x20 != 0 }

        /// The TLVs inside a constructed node.
        func children() throws -> [Node] {
            guard isConstructed else { throw CryptoError(.malformed, "DER: expected a constructed value") }
            var reader = Reader(content, depth: depth + 1)
            var nodes: [Node] = []
            while let node = try reader.next() { nodes.append(node) }
            return nodes
        }

        /// The node with tag `expected`, or a malformed error.
        func expecting(_ expected: UInt8, _ what: String) throws -> Node {
            guard tag == expected else { throw CryptoError(.malformed, "DER: \(what) has the wrong tag") }
            return self
        }

        /// The content of a primitive value, or of a BER constructed string (its segments joined).
        func primitiveContent() throws -> [UInt8] {
            guard isConstructed else { return Array(content) }
            guard tag & 0xC0 == 0, Self.stringTags.contains(tag & 0x1F) else {
                throw CryptoError(.malformed, "DER: expected a primitive value, found a constructed one (tag \(tag))")
            }
            var joined: [UInt8] = []
            for segment in try children() {
                guard segment.tag & 0x1F == tag & 0x1F else { throw CryptoError(.malformed, "BER: a string segment has another type") }
                joined += try segment.primitiveContent()
            }
            return joined
        }

        /// This value in DER (X.690 §10): definite minimal lengths, constructed strings made
        /// primitive, SET elements sorted. Equal to `encoded` when that already is DER.
        func derEncoding() throws -> [UInt8] {
            guard isConstructed else { return encode(tag: tag, Array(content)) }
            if tag & 0xC0 == 0, Self.stringTags.contains(tag & 0x1F) {
                if tag & 0x1F == 0x03 {
                    // BIT STRING segments each start with their unused-bits count; only the last may be non-zero.
                    var bits: [UInt8] = []
                    var unused: UInt8 = 0
                    for segment in try children() {
                        let part = try segment.primitiveContent()
                        guard let first = part.first else { throw CryptoError(.malformed, "BER: empty BIT STRING segment") }
                        unused = first
                        bits += part.dropFirst()
                    }
                    return encode(tag: tag & ~0x20, [unused] + bits)
                }
                return encode(tag: tag & ~0x20, try primitiveContent())
            }
            let parts = try children().map { try $0.derEncoding() }
            return tag == set ? setOf(parts) : encode(tag: tag, parts.flatMap { $0 })
        }

        /// Whether this value already is DER — `derEncoding() == encoded` — found without
        /// re-encoding it: definite minimal lengths, no constructed strings, SET elements in
        /// `setOf`'s order, all the way down. (Re-encoding a CMS with its certificates to compare
        /// took a fifth of verification's time.)
        func isDER() throws -> Bool {
            guard !isIndefinite, encoded.count == size(wrapping: content.count) else { return false }
            guard isConstructed else { return true }
            if tag & 0xC0 == 0, Self.stringTags.contains(tag & 0x1F) { return false }
            let parts = try children()
            for part in parts where !(try part.isDER()) { return false }
            guard tag == set else { return true }
            return zip(parts, parts.dropFirst()).allSatisfy { lhs, rhs in
                for (left, right) in zip(lhs.encoded, rhs.encoded) where left != right { return left < right }
                return lhs.encoded.count <= rhs.encoded.count
            }
        }

        /// Universal tag numbers of the string types BER may send in constructed segments.
        private static let stringTags: Set<UInt8> = [0x03, 0x04, 0x0C, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A,
                                                     0x1B, 0x1C, 0x1E]
    }

    /// Reads consecutive TLVs: BER definite and indefinite lengths, low tag numbers, nesting
    /// bounded by `maxDepth`.
    struct Reader {
        private var bytes: ArraySlice<UInt8>
        private let depth: Int

        init(_ bytes: ArraySlice<UInt8>, depth: Int = 0) {
            self.bytes = bytes
            self.depth = depth
        }

        /// Whether the next two octets are end-of-contents.
        var atEndOfContents: Bool {
            bytes.count >= 2 && bytes[bytes.startIndex] == 0 && bytes[bytes.startIndex + 1] == 0
        }

        mutating func next() throws -> Node? {
            guard let start = bytes.indices.first else { return nil }
            guard depth <= maxDepth else { throw CryptoError(.malformed, "BER: values nest deeper than \(maxDepth) levels") }
            guard bytes.count >= 2 else { throw CryptoError(.malformed, "DER: truncated value") }
            let tag = bytes[start]
            guard tag != 0 else { throw CryptoError(.malformed, "BER: an end-of-contents marker where a value should be") }
            guard tag & 0x1F != 0x1F else { throw CryptoError(.malformed, "DER: high tag numbers are not expected here") }
            var index = start + 1
            let first = bytes[index]
            index += 1
            if first == 0x80 {
                guard tag & 0x20 != 0 else { throw CryptoError(.malformed, "BER: a primitive value with an indefinite length") }
                var inner = Reader(bytes[index...], depth: depth + 1)
                while !inner.atEndOfContents {
                    guard try inner.next() != nil else {
                        throw CryptoError(.malformed, "BER: an indefinite-length value has no end-of-contents marker")
                    }
                }
                let contentEnd = inner.bytes.startIndex
                let node = Node(tag: tag, content: bytes[index..<contentEnd], encoded: bytes[start..<(contentEnd + 2)],
                                isIndefinite: true, depth: depth)
                bytes = bytes[(contentEnd + 2)...]
                return node
            }
            var length = 0
            if first < 0x80 {
                length = Int(first)
            } else {
                let count = Int(first & 0x7F)
                guard count <= 4, bytes.endIndex - index >= count else {
                    throw CryptoError(.malformed, "DER: bad length")
                }
                for _ in 0..<count {
                    length = length << 8 | Int(bytes[index])
                    index += 1
                }
            }
            guard bytes.endIndex - index >= length else { throw CryptoError(.malformed, "DER: value runs past its container") }
            let end = index + length
            let node = Node(tag: tag, content: bytes[index..<end], encoded: bytes[start..<end], isIndefinite: false, depth: depth)
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

/// The size of the encoding of a CMS (or any one BER/DER value) at the start of a buffer that
/// may be followed by padding, e.g. a PDF signature's `/Contents`.
public enum BEREncoding {
    /// The length in bytes of the one BER or DER value at the start of `bytes` (indefinite
    /// lengths followed to their end-of-contents, nesting bounded), or nil when no complete
    /// value starts there.
    public static func length(ofValueAtStartOf bytes: [UInt8]) -> Int? {
        var reader = DER.Reader(bytes[...])
        guard let node = try? reader.next() else { return nil }
        return node.encoded.count
    }
}
