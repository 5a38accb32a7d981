/// RunLengthDecode (ISO 32000-2 §7.4.5): a length byte 0–127 copies the next 1–128 bytes,
/// 129–255 repeats the next byte 2–128 times, and 128 ends the data.
enum RunLength {
    static func decode(_ data: [UInt8], maxOutput: Int, tolerant: Bool) throws -> [UInt8] {
        let name = "RunLengthDecode"
        var output = CappedOutput(limit: maxOutput, filter: name)
        var index = 0
        while index < data.count {
            let length = Int(data[index])
            index += 1
            if length == 128 {
                try FilterSupport.checkTrailing(data, from: index, filter: name, tolerant: tolerant)
                return output.bytes
            }
            if length < 128 {
                let end = index + length + 1
                guard end <= data.count || tolerant else {
                    throw PDFError(.filterFailed,
                                   "\(name): a run of \(length + 1) bytes at index \(index - 1) is cut short")
                }
                try output.append(contentsOf: data[index..<min(end, data.count)])
                index = end
            } else {
                guard index < data.count else {
                    if tolerant { break }
                    throw PDFError(.filterFailed, "\(name): a repeat run at index \(index - 1) has no byte to repeat")
                }
                try output.append(repeating: data[index], count: 257 - length)
                index += 1
            }
        }
        try FilterSupport.missingEnd(name, marker: "128", tolerant: tolerant)
        return output.bytes
    }
}
