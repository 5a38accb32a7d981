/// LZWDecode (ISO 32000-2 §7.4.4): variable-width codes of 9 to 12 bits, 256 clears the table,
/// 257 ends the data. With /EarlyChange 1 (the default) the code width grows one code early.
enum LZW {
    static let clearCode = 256
    static let endCode = 257
    static let tableSize = 4096

    static func decode(_ data: [UInt8], earlyChange: Int, maxOutput: Int, tolerant: Bool) throws -> [UInt8] {
        let name = "LZWDecode"
        guard earlyChange == 0 || earlyChange == 1 else {
            throw PDFError(.filterFailed, "\(name): /EarlyChange must be 0 or 1 (got \(earlyChange))")
        }
        var output = CappedOutput(limit: maxOutput, filter: name)
        // The table as a tree: each entry is its prefix entry plus one final byte.
        var prefix = [Int](repeating: -1, count: tableSize)
        var suffix = [UInt8](repeating: 0, count: tableSize)
        var length = [Int](repeating: 1, count: tableSize)
        var first = [UInt8](repeating: 0, count: tableSize)
        for code in 0..<256 {
            suffix[code] = UInt8(code)
            first[code] = UInt8(code)
        }
        var nextCode = 258
        var width = 9
        var previous: Int?
        var entry = [UInt8](repeating: 0, count: tableSize)

        var bitBuffer: UInt32 = 0
        var bitCount = 0
        var index = 0
        while true {
            while bitCount < width, index < data.count {
                bitBuffer = bitBuffer << 8 | UInt32(data[index])
                bitCount += 8
                index += 1
            }
            guard bitCount >= width else { break }
            let code = Int((bitBuffer >> UInt32(bitCount - width)) & ((1 << UInt32(width)) - 1))
            bitCount -= width
            bitBuffer &= (1 << UInt32(bitCount)) - 1

            if code == clearCode {
                nextCode = 258
                width = 9
                previous = nil
                continue
            }
            if code == endCode {
                try FilterSupport.checkTrailing(data, from: index, filter: name, tolerant: tolerant)
                return output.bytes
            }
            let current: Int
            if code < nextCode {
                current = code
            } else if code == nextCode, let previous {
                // The entry being defined: the previous string plus its own first byte.
                current = previous
            } else {
                throw PDFError(.filterFailed, "\(name): code \(code) is not in the table (next code is \(nextCode))")
            }
            var count = length[current]
            var walk = current
            for position in stride(from: count - 1, through: 0, by: -1) {
                entry[position] = suffix[walk]
                walk = prefix[walk]
            }
            if current != code {
                entry[count] = first[current]
                count += 1
            }
            try output.append(contentsOf: entry[0..<count])

            if let previous, nextCode < tableSize {
                prefix[nextCode] = previous
                suffix[nextCode] = entry[0]
                length[nextCode] = length[previous] + 1
                first[nextCode] = first[previous]
                nextCode += 1
                if nextCode + earlyChange >= 1 << width, width < 12 { width += 1 }
            }
            previous = code
        }
        try FilterSupport.missingEnd(name, marker: "257", tolerant: tolerant)
        return output.bytes
    }
}
