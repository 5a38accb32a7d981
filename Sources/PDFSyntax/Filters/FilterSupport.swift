/// A growing output buffer that refuses to hold more than `limit` bytes (decompression bombs).
///
/// Capacity grows by doubling but is never reserved past the limit.
struct CappedOutput {
    private(set) var bytes: [UInt8] = []
    let limit: Int
    /// The filter's name, for the error message.
    let filter: String

    init(limit: Int, filter: String) {
        self.limit = limit
        self.filter = filter
    }

    var count: Int { bytes.count }

    mutating func append(_ byte: UInt8) throws {
        try makeRoom(for: 1)
        bytes.append(byte)
    }

    mutating func append(contentsOf newBytes: some Collection<UInt8>) throws {
        try makeRoom(for: newBytes.count)
        bytes.append(contentsOf: newBytes)
    }

    mutating func append(repeating byte: UInt8, count: Int) throws {
        try makeRoom(for: count)
        bytes.append(contentsOf: repeatElement(byte, count: count))
    }

    private mutating func makeRoom(for extra: Int) throws {
        let (needed, overflow) = bytes.count.addingReportingOverflow(extra)
        guard !overflow, needed <= limit else {
            throw PDFError(.limitExceeded, "\(filter): decoded data exceeds the limit of \(limit) bytes")
        }
        if needed > bytes.capacity {
            let doubled = bytes.capacity > limit / 2 ? limit : bytes.capacity * 2
            bytes.reserveCapacity(max(needed, doubled))
        }
    }
}

enum FilterSupport {
    /// PDF white-space characters (ISO 32000-2 Table 1).
    static func isWhitespace(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x00, 0x09, 0x0A, 0x0C, 0x0D, 0x20: return true
        default: return false
        }
    }

    /// Rejects `maxOutput` values that cannot be a limit.
    static func checkLimit(_ maxOutput: Int) throws {
        guard maxOutput >= 0 else {
            throw PDFError(.invalidArgument, "maxOutput must not be negative (got \(maxOutput))")
        }
    }

    /// In strict mode, throws if anything but white space follows a filter's end-of-data marker.
    static func checkTrailing(_ data: [UInt8], from index: Int, filter: String, tolerant: Bool) throws {
        guard !tolerant, index < data.count else { return }
        if let junk = data[index...].firstIndex(where: { !isWhitespace($0) }) {
            throw PDFError(.filterFailed,
                           "\(filter): \(data.count - junk) bytes of data follow the end-of-data marker")
        }
    }

    /// In strict mode, throws because the data ended without the filter's end-of-data marker.
    static func missingEnd(_ filter: String, marker: String, tolerant: Bool) throws {
        guard tolerant else {
            throw PDFError(.filterFailed, "\(filter): data ends without the end-of-data marker \(marker)")
        }
    }

    /// An integer filter parameter: `defaultValue` when absent or null, an error for other kinds.
    static func integer(_ key: PDFName, in parameters: PDFDictionary?, default defaultValue: Int,
                        filter: String) throws -> Int {
        guard let value = parameters?[key] else { return defaultValue }
        switch value {
        case .null:
            return defaultValue
        case .reference:
            throw PDFError(.filterFailed,
                           "\(filter): /\(key.string) is an indirect reference; indirect filter parameters must be resolved first")
        default:
            guard let number = value.intValue else {
                throw PDFError(.filterFailed, "\(filter): /\(key.string) must be an integer, not a \(value.kindName)")
            }
            return number
        }
    }
}
