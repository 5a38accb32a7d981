import PDFSyntax

/// Finds the `/ByteRange` and `/Contents` placeholders of a written signature dictionary in the
/// appended revision and patches them in place (same length, so no offset moves). Offsets are
/// absolute (in the whole file); `base` is where the appended bytes start.
struct PlaceholderLocator {
    /// Offset of `<` of the `/Contents` hex string, and one past its `>`.
    let contentsStart: Int
    let contentsEnd: Int
    private let byteRangeStart: Int
    private let byteRangeEnd: Int
    private let total: Int
    private let base: Int

    init(appended bytes: [UInt8], base: Int, objectOffset: Int) throws {
        func find(_ needle: String, from: Int) -> Int? {
            let pattern = Array(needle.utf8)
            var index = from
            let limit = min(bytes.count, from + 1 << 20)
            while index + pattern.count <= limit {
                if bytes[index] == pattern[0], bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
                index += 1
            }
            return nil
        }
        let placeholder = "[0 \(PDFSigner.byteRangePlaceholder) \(PDFSigner.byteRangePlaceholder) \(PDFSigner.byteRangePlaceholder)]"
        let start = objectOffset - base
        guard start >= 0, let range = find("/ByteRange " + placeholder, from: start),
              let contents = find("/Contents <", from: start) else {
            throw SigningError(.placeholderTooSmall, "internal: the signature placeholders were not found where written")
        }
        self.base = base
        byteRangeStart = range + "/ByteRange ".utf8.count
        byteRangeEnd = byteRangeStart + placeholder.utf8.count
        var end = contents + "/Contents ".utf8.count + 1
        while end < bytes.count, bytes[end] != UInt8(ascii: ">") { end += 1 }
        contentsStart = base + contents + "/Contents ".utf8.count
        contentsEnd = base + end + 1
        total = base + bytes.count
    }

    /// Locates the placeholders of the signature dictionary `signature` in a written update and
    /// returns them with the update's appended bytes, `/ByteRange` already patched.
    static func patchedByteRange(in output: IncrementalUpdate.Output,
                                 signature: PDFReference) throws -> (locator: PlaceholderLocator, appended: [UInt8]) {
        var appended = output.appended
        guard let objectOffset = output.objectOffsets[signature] else {
            throw SigningError(.placeholderTooSmall, "internal: the signature dictionary was not written")
        }
        let locator = try PlaceholderLocator(appended: appended, base: output.original.count, objectOffset: objectOffset)
        locator.patchByteRange(in: &appended)
        return (locator, appended)
    }

    /// `[0 a b c]` where a = start of `<`, b = one past `>`, c = the rest of the file; padded with spaces.
    func patchByteRange(in bytes: inout [UInt8]) {
        var text = Array("[0 \(contentsStart) \(contentsEnd) \(total - contentsEnd)]".utf8)
        let width = byteRangeEnd - byteRangeStart
        text += Array(repeating: 0x20, count: width - text.count)
        bytes.replaceSubrange(byteRangeStart..<byteRangeEnd, with: text)
    }

    /// Writes the DER as uppercase hex at the start of the placeholder; the rest stays zeros.
    func patchContents(_ der: [UInt8], in bytes: inout [UInt8]) throws {
        let capacity = (contentsEnd - contentsStart - 2) / 2
        guard der.count <= capacity else {
            throw SigningError(.placeholderTooSmall, "the signature is \(der.count) bytes but the placeholder holds \(capacity)")
        }
        let digits = Array("0123456789ABCDEF".utf8)
        var position = contentsStart - base + 1
        for byte in der {
            bytes[position] = digits[Int(byte >> 4)]
            bytes[position + 1] = digits[Int(byte & 0x0F)]
            position += 2
        }
    }
}
