import PDFSyntax

/// Compares values across two revisions *by value*: a reference to the same object number is
/// equal as a reference (whether that object changed is judged on its own), a reference swapped
/// to another object is equal only if both objects resolve to equal values. So an object
/// rewritten with identical content is fine, and a swap to different content is not.
struct ValueComparator {
    let document: PDFDocument
    let old: Int
    let new: Int
    /// New-side object numbers found equal to an old object they replaced (benign rewrites).
    private(set) var matched: Set<Int> = []
    private var assumed: Set<Pair> = []
    private var refuted: Set<Pair> = []

    private struct Pair: Hashable { var old: PDFReference; var new: PDFReference }

    init(document: PDFDocument, old: Int, new: Int) {
        self.document = document
        self.old = old
        self.new = new
    }

    /// Whether `a` (as of the old revision) and `b` (as of the new one) are the same value.
    mutating func same(_ a: PDFObject?, _ b: PDFObject?) throws -> Bool {
        try same(a ?? .null, b ?? .null, depth: 0)
    }

    private mutating func same(_ a: PDFObject, _ b: PDFObject, depth: Int) throws -> Bool {
        guard depth <= 64 else { return false }
        switch (a, b) {
        case (.reference(let left), .reference(let right)):
            if left == right { return true }
            let pair = Pair(old: left, new: right)
            if assumed.contains(pair) { return true }
            if refuted.contains(pair) { return false }
            assumed.insert(pair)
            let equal = try same(try document.object(left, revision: old), try document.object(right, revision: new),
                                 depth: depth + 1)
            if equal {
                matched.insert(right.number)
            } else {
                assumed.remove(pair)
                refuted.insert(pair)
            }
            return equal
        case (.reference(let left), _):
            return try same(try document.object(left, revision: old), b, depth: depth + 1)
        case (_, .reference(let right)):
            let equal = try same(a, try document.object(right, revision: new), depth: depth + 1)
            if equal { matched.insert(right.number) }
            return equal
        case (.dictionary(let left), .dictionary(let right)):
            return try sameEntries(left, right, ignoring: [], depth: depth)
        case (.stream(let left), .stream(let right)):
            if left.encodedData == right.encodedData,
               try sameEntries(left.dictionary, right.dictionary, ignoring: ["Length"], depth: depth) {
                return true
            }
            // Same content under another encoding is the same stream.
            guard try sameEntries(left.dictionary, right.dictionary, ignoring: ["Length", "Filter", "DecodeParms", "DL"],
                                  depth: depth) else { return false }
            return try document.decodedData(of: left, revision: old) == document.decodedData(of: right, revision: new)
        case (.array(let left), .array(let right)):
            guard left.count == right.count else { return false }
            for (x, y) in zip(left, right) where !(try same(x, y, depth: depth + 1)) { return false }
            return true
        case (.string(let left), .string(let right)):
            // The same text in another encoding (a tool that rewrites LibreOffice's `/DV <FEFF>`
            // as `()`) is the same value (ISO 32000-2 §7.9.2.2).
            if left.bytes == right.bytes { return true }
            guard let text = PDFTextEncoding.decodeExactly(left.bytes) else { return false }
            return PDFTextEncoding.decodeExactly(right.bytes) == text
        case (.integer, .real), (.real, .integer), (.real, .real):
            return a.doubleValue == b.doubleValue
        default:
            return a == b
        }
    }

    private mutating func sameEntries(_ left: PDFDictionary, _ right: PDFDictionary, ignoring: Set<PDFName>,
                                      depth: Int) throws -> Bool {
        let leftKeys = Set(left.keys).subtracting(ignoring)
        let rightKeys = Set(right.keys).subtracting(ignoring)
        // A key whose value is null is the same as an absent key (ISO 32000-2 §7.3.7).
        for key in leftKeys.union(rightKeys) where !(try same(left[key] ?? .null, right[key] ?? .null, depth: depth + 1)) {
            return false
        }
        return true
    }

    /// The keys whose values differ between two dictionaries.
    mutating func changedKeys(_ a: PDFDictionary, _ b: PDFDictionary) throws -> [PDFName] {
        var keys: [PDFName] = []
        for key in Set(a.keys).union(b.keys).sorted() where !(try same(a[key], b[key])) { keys.append(key) }
        return keys
    }
}
