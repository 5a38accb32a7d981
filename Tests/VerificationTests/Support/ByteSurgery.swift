import CountersignCrypto
import Foundation
import PDFSyntax

/// Byte-level editing of signed files, for building attacks: where the newest signature's
/// `/ByteRange` and `/Contents` lie, same-length replacements, and re-signing chosen ranges
/// with our own key (so the cryptography is valid and only structure can catch the attack).
struct SignatureLayout {
    /// The `[…]` of `/ByteRange` (with its space padding).
    var byteRangeStart: Int
    var byteRangeEnd: Int
    /// The `<…>` of `/Contents`.
    var contentsStart: Int
    var contentsEnd: Int
    var byteRange: [Int]

    /// The newest signature dictionary in `bytes` (the last `/ByteRange`).
    init(_ bytes: [UInt8]) {
        let key = Array("/ByteRange [".utf8)
        var at = bytes.count - key.count
        while at >= 0, !bytes[at..<(at + key.count)].elementsEqual(key) { at -= 1 }
        precondition(at >= 0, "no /ByteRange")
        byteRangeStart = at + key.count - 1
        var end = byteRangeStart
        while bytes[end] != UInt8(ascii: "]") { end += 1 }
        end += 1
        while bytes[end] == 0x20 { end += 1 }
        byteRangeEnd = end
        byteRange = String(decoding: bytes[(byteRangeStart + 1)..<(byteRangeEnd)], as: UTF8.self)
            .split(whereSeparator: { $0 == " " || $0 == "]" }).compactMap { Int($0) }
        let contentsKey = Array("/Contents <".utf8)
        var contents = at
        while !bytes[contents..<(contents + contentsKey.count)].elementsEqual(contentsKey) { contents += 1 }
        contentsStart = contents + contentsKey.count - 1
        var close = contentsStart
        while bytes[close] != UInt8(ascii: ">") { close += 1 }
        contentsEnd = close + 1
    }

    /// The CMS hex digits without the zero padding (the length read from the DER header).
    func signatureHex(_ bytes: [UInt8]) -> [UInt8] {
        let hex = Array(bytes[(contentsStart + 1)..<(contentsEnd - 1)])
        func byte(_ index: Int) -> Int { Int(String(decoding: hex[(index * 2)..<(index * 2 + 2)], as: UTF8.self), radix: 16)! }
        let first = byte(1)
        var length = first
        var header = 2
        if first >= 0x80 {
            length = 0
            for index in 0..<(first & 0x7F) { length = length << 8 | byte(2 + index) }
            header += first & 0x7F
        }
        return Array(hex.prefix((header + length) * 2))
    }

    /// Unused placeholder bytes after the CMS (what an attacker can fill without re-signing).
    func slack(_ bytes: [UInt8]) -> Int { contentsEnd - contentsStart - 2 - signatureHex(bytes).count }
}

enum ByteSurgery {
    /// Replaces bytes at `offset` with `text` (same length, so nothing moves).
    static func overwrite(_ bytes: inout [UInt8], at offset: Int, with text: String) {
        let replacement = Array(text.utf8)
        bytes.replaceSubrange(offset..<(offset + replacement.count), with: replacement)
    }

    /// Replaces the span `range` with `text` padded with spaces to the same length.
    static func fill(_ bytes: inout [UInt8], _ range: Range<Int>, with text: String) {
        var replacement = Array(text.utf8)
        precondition(replacement.count <= range.count, "replacement longer than the span")
        replacement += Array(repeating: 0x20, count: range.count - replacement.count)
        bytes.replaceSubrange(range, with: replacement)
    }

    /// Writes `/ByteRange` values into the layout's padded span.
    static func setByteRange(_ bytes: inout [UInt8], _ layout: SignatureLayout, _ values: [String]) {
        fill(&bytes, layout.byteRangeStart..<layout.byteRangeEnd, with: "[" + values.joined(separator: " ") + "]")
    }

    /// The first offset of `needle` at or after `from`.
    static func find(_ needle: String, in bytes: [UInt8], from: Int = 0) -> Int? {
        let pattern = Array(needle.utf8)
        var index = from
        while index + pattern.count <= bytes.count {
            if bytes[index] == pattern[0], bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    /// Signs the ranges the layout's `/ByteRange` values name (as written in `bytes` now) with
    /// `identity` and writes the CMS into the `/Contents` span `contents` (zero padded).
    static func resign(_ bytes: inout [UInt8], ranges: [Int], contents: Range<Int>, identity: SigningIdentity) throws {
        let signer = try CMSSigner(identity: identity)
        var digest = Digest(.sha256)
        digest.update(Array(bytes[ranges[0]..<(ranges[0] + ranges[1])]))
        digest.update(Array(bytes[ranges[2]..<(ranges[2] + ranges[3])]))
        let der = try signer.sign(digest: digest.finalize())
        let digits = Array("0123456789ABCDEF".utf8)
        var hex: [UInt8] = [UInt8(ascii: "<")]
        for byte in der { hex += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
        precondition(hex.count + 1 <= contents.count, "the /Contents span is too small")
        hex += Array(repeating: UInt8(ascii: "0"), count: contents.count - 1 - hex.count)
        hex.append(UInt8(ascii: ">"))
        bytes.replaceSubrange(contents, with: hex)
    }
}
