/// Byte-level edits of a PDF's file structure for tests of DESIGN.md §7's two kinds of deviation:
/// each keeps every offset the edit does not mean to change, so a file differs from the one it
/// came from in exactly one way. Works on bytes and offsets only (no PDF parser involved).
public enum StructureSurgery {
    /// A classic xref row: 10-digit offset, 5-digit generation, type, and a 2-byte end of line.
    public static func row(_ offset: Int, generation: Int = 0, free: Bool = false) -> String {
        let digits = String(offset), generationDigits = String(generation)
        return String(repeating: "0", count: 10 - digits.count) + digits + " "
            + String(repeating: "0", count: 5 - generationDigits.count) + generationDigits + (free ? " f" : " n") + " \n"
    }

    /// The file with its in-use xref row that says `offset` saying `newOffset` instead (same length).
    public static func repointRow(_ bytes: [UInt8], from offset: Int, to newOffset: Int, generation: Int = 0) -> [UInt8] {
        let old = Array(row(offset, generation: generation).utf8.prefix(18))
        let new = Array(row(newOffset, generation: generation).utf8.prefix(18))
        return replaceFirst(old, with: new, in: bytes)
    }

    /// The file with `find` replaced by `replacement` (same length) at its first occurrence.
    public static func replaceFirst(_ find: String, with replacement: String, in bytes: [UInt8]) -> [UInt8] {
        replaceFirst(Array(find.utf8), with: Array(replacement.utf8), in: bytes)
    }

    /// The file with `text` inserted just before its last `startxref` (no offset it names moves).
    public static func insertBeforeLastStartxref(_ text: String, in bytes: [UInt8]) -> [UInt8] {
        let index = lastStartxref(in: bytes)
        var out = bytes
        out.insert(contentsOf: Array(text.utf8), at: index)
        return out
    }

    /// The file with its last `startxref` value moved by `shift` bytes (a `startxref` that points
    /// beside its cross-reference section: an ambiguity the repairing read rebuilds).
    public static func shiftingLastStartxref(by shift: Int, in bytes: [UInt8]) -> [UInt8] {
        var start = lastStartxref(in: bytes) + "startxref".utf8.count
        while start < bytes.count, bytes[start] == 0x0A || bytes[start] == 0x0D || bytes[start] == 0x20 { start += 1 }
        let digits = bytes[start...].prefix { (0x30...0x39).contains($0) }
        guard let offset = Int(String(decoding: digits, as: UTF8.self)) else { preconditionFailure("no offset after startxref") }
        return Array(bytes[..<start]) + Array(String(offset + shift).utf8) + Array(bytes[(start + digits.count)...])
    }

    /// The file plus an update made only of a classic xref section (rows `number → offset`) and
    /// a trailer with `trailerEntries` (e.g. `/Size 9 /Root 1 0 R`) and `/Prev previousXref`.
    public static func appendXrefOnlyUpdate(_ bytes: [UInt8], rows: [(number: Int, offset: Int)], previousXref: Int,
                                            trailerEntries: String) -> [UInt8] {
        var out = bytes
        if let last = out.last, last != 0x0A { out.append(0x0A) }
        let xref = out.count
        var text = "xref\n"
        for entry in rows.sorted(by: { $0.number < $1.number }) { text += "\(entry.number) 1\n" + row(entry.offset) }
        text += "trailer\n<< \(trailerEntries) /Prev \(previousXref) >>\nstartxref\n\(xref)\n%%EOF\n"
        out += Array(text.utf8)
        return out
    }

    /// Where the file's last `startxref` keyword starts.
    private static func lastStartxref(in bytes: [UInt8]) -> Int {
        let keyword = Array("startxref".utf8)
        var index = bytes.count - keyword.count
        while index >= 0, Array(bytes[index..<(index + keyword.count)]) != keyword { index -= 1 }
        precondition(index >= 0, "no startxref")
        return index
    }

    private static func replaceFirst(_ find: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        precondition(find.count == replacement.count, "the replacement must keep the length")
        var index = 0
        while index + find.count <= bytes.count {
            if bytes[index] == find[0], Array(bytes[index..<(index + find.count)]) == find {
                var out = bytes
                out.replaceSubrange(index..<(index + find.count), with: replacement)
                return out
            }
            index += 1
        }
        preconditionFailure("'\(String(decoding: find, as: UTF8.self))' not found")
    }
}
