/// ASCIIHexDecode and ASCII85Decode (ISO 32000-2 §7.4.2, §7.4.3).
enum ASCIIFilters {
    /// Hex digits in pairs; white space is ignored, `>` ends the data, and an odd final digit is
    /// followed by an implied 0.
    static func decodeHex(_ data: [UInt8], maxOutput: Int, tolerant: Bool) throws -> [UInt8] {
        let name = "ASCIIHexDecode"
        var output = CappedOutput(limit: maxOutput, filter: name)
        var high: UInt8?
        var index = 0
        var ended = false
        while index < data.count {
            let byte = data[index]
            index += 1
            if FilterSupport.isWhitespace(byte) { continue }
            if byte == UInt8(ascii: ">") {
                ended = true
                break
            }
            guard let digit = hexValue(byte) else {
                throw PDFError(.filterFailed, "\(name): byte 0x\(hex(byte)) at index \(index - 1) is not a hex digit")
            }
            if let pending = high {
                try output.append(pending << 4 | digit)
                high = nil
            } else {
                high = digit
            }
        }
        if !ended { try FilterSupport.missingEnd(name, marker: ">", tolerant: tolerant) }
        if let pending = high { try output.append(pending << 4) }
        try FilterSupport.checkTrailing(data, from: index, filter: name, tolerant: tolerant)
        return output.bytes
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }

    /// Base-85 groups of five characters `!`–`u` for four bytes; `z` stands for four zero bytes,
    /// white space is ignored, `~>` ends the data, and a final group of 2–4 characters gives 1–3 bytes.
    /// A leading `<~` (not part of the filter's data) is skipped only when `tolerant`.
    static func decode85(_ data: [UInt8], maxOutput: Int, tolerant: Bool) throws -> [UInt8] {
        let name = "ASCII85Decode"
        var output = CappedOutput(limit: maxOutput, filter: name)
        var value: UInt64 = 0
        var digits = 0
        var index = 0
        var ended = false
        if tolerant, data.starts(with: [UInt8(ascii: "<"), UInt8(ascii: "~")]) { index = 2 }
        while index < data.count {
            let byte = data[index]
            index += 1
            if FilterSupport.isWhitespace(byte) { continue }
            switch byte {
            case UInt8(ascii: "~"):
                guard index < data.count, data[index] == UInt8(ascii: ">") else {
                    throw PDFError(.filterFailed, "\(name): '~' at index \(index - 1) is not followed by '>'")
                }
                index += 1
                ended = true
            case UInt8(ascii: "z"):
                guard digits == 0 else {
                    throw PDFError(.filterFailed, "\(name): 'z' at index \(index - 1) is inside a group")
                }
                try output.append(repeating: 0, count: 4)
            case UInt8(ascii: "!")...UInt8(ascii: "u"):
                value = value * 85 + UInt64(byte - UInt8(ascii: "!"))
                digits += 1
                if digits == 5 {
                    try appendGroup(value, byteCount: 4, to: &output, endingAt: index - 1)
                    value = 0
                    digits = 0
                }
            default:
                throw PDFError(.filterFailed, "\(name): byte 0x\(hex(byte)) at index \(index - 1) is not ASCII85")
            }
            if ended { break }
        }
        if !ended { try FilterSupport.missingEnd(name, marker: "~>", tolerant: tolerant) }
        if digits == 1 {
            throw PDFError(.filterFailed, "\(name): the final group has a single character (needs 2 to 5)")
        }
        if digits > 1 {
            for _ in digits..<5 { value = value * 85 + 84 }
            try appendGroup(value, byteCount: digits - 1, to: &output, endingAt: index - 1)
        }
        try FilterSupport.checkTrailing(data, from: index, filter: name, tolerant: tolerant)
        return output.bytes
    }

    /// Writes the top `byteCount` bytes of a decoded group, refusing values past 2^32 − 1.
    private static func appendGroup(_ value: UInt64, byteCount: Int, to output: inout CappedOutput,
                                    endingAt index: Int) throws {
        guard value <= UInt64(UInt32.max) else {
            throw PDFError(.filterFailed, "ASCII85Decode: the group ending at index \(index) is greater than 2^32 − 1")
        }
        for shift in stride(from: 24, to: 24 - 8 * byteCount, by: -8) {
            try output.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}
