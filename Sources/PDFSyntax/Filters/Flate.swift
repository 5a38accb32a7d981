internal import CZlib

/// FlateDecode (zlib, RFC 1950/1951) through the system zlib.
public enum Flate {
    /// The size of the scratch buffer zlib writes into.
    static let chunkSize = 64 * 1024
    /// The most input handed to zlib at once (its counters are 32-bit).
    static let maxFeed = 1 << 30

    /// Inflates a zlib stream, throwing `.limitExceeded` as soon as the output would pass `maxOutput`
    /// bytes. Corrupt data throws `.filterFailed` with zlib's reason. Data that ends before the end
    /// of the zlib stream (say, without its checksum) returns what was decoded only when `tolerant`.
    public static func decode(_ data: [UInt8], maxOutput: Int, tolerant: Bool = false) throws -> [UInt8] {
        try FilterSupport.checkLimit(maxOutput)
        var stream = z_stream()
        let initStatus = cs_inflateInit(&stream)
        guard initStatus == Z_OK else {
            throw PDFError(.filterFailed, "FlateDecode: zlib could not start inflating (\(describe(initStatus, stream)))")
        }
        defer { inflateEnd(&stream) }

        var output = CappedOutput(limit: maxOutput, filter: "FlateDecode")
        // Sized from the input (most PDF streams inflate less than 8:1; more just takes more
        // rounds) and left uninitialized: zlib writes it, and untouched pages are never faulted in.
        let chunkCount = min(maxOutput < chunkSize ? maxOutput + 1 : chunkSize, max(4096, data.count.multipliedReportingOverflow(by: 8).partialValue))
        var chunk = [UInt8](unsafeUninitializedCapacity: chunkCount) { _, initialized in initialized = chunkCount }
        let trailingStart: Int? = try data.withUnsafeBufferPointer { input in
            var fed = 0
            while true {
                if stream.avail_in == 0, fed < input.count, let base = input.baseAddress {
                    let feed = min(maxFeed, input.count - fed)
                    stream.next_in = UnsafeMutablePointer(mutating: base + fed)
                    stream.avail_in = UInt32(feed)
                    fed += feed
                }
                let status = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                try output.append(contentsOf: chunk[..<produced])
                switch status {
                case Z_STREAM_END:
                    return fed - Int(stream.avail_in)
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0 && fed == input.count:
                    return nil
                case Z_NEED_DICT:
                    throw PDFError(.filterFailed, "FlateDecode: the zlib stream needs a preset dictionary")
                default:
                    throw PDFError(.filterFailed, "FlateDecode: corrupt data (zlib: \(describe(status, stream)))")
                }
            }
        }
        guard let trailingStart else {
            guard tolerant else {
                throw PDFError(.filterFailed,
                               "FlateDecode: data ends before the end of the zlib stream (\(output.count) bytes decoded)")
            }
            return output.bytes
        }
        try FilterSupport.checkTrailing(data, from: trailingStart, filter: "FlateDecode", tolerant: tolerant)
        return output.bytes
    }

    /// Deflates `data` into a zlib stream at `level` (0–9). The output is deterministic for a
    /// given zlib build and level.
    public static func encode(_ data: [UInt8], level: Int = 6) throws -> [UInt8] {
        guard (0...9).contains(level) else {
            throw PDFError(.invalidArgument, "Flate compression level must be 0 to 9 (got \(level))")
        }
        var stream = z_stream()
        let initStatus = cs_deflateInit(&stream, Int32(level))
        guard initStatus == Z_OK else {
            throw PDFError(.filterFailed, "FlateDecode: zlib could not start deflating (\(describe(initStatus, stream)))")
        }
        defer { deflateEnd(&stream) }

        var output: [UInt8] = []
        output.reserveCapacity(Int(deflateBound(&stream, UInt(min(data.count, maxFeed)))))
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        try data.withUnsafeBufferPointer { input in
            var fed = 0
            while true {
                if stream.avail_in == 0, fed < input.count, let base = input.baseAddress {
                    let feed = min(maxFeed, input.count - fed)
                    stream.next_in = UnsafeMutablePointer(mutating: base + fed)
                    stream.avail_in = UInt32(feed)
                    fed += feed
                }
                let flush = fed == input.count ? Z_FINISH : Z_NO_FLUSH
                let status = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    return deflate(&stream, flush)
                }
                output.append(contentsOf: chunk[..<(chunk.count - Int(stream.avail_out))])
                switch status {
                case Z_STREAM_END: return
                case Z_OK, Z_BUF_ERROR: continue
                default:
                    throw PDFError(.filterFailed, "FlateDecode: zlib failed to deflate (\(describe(status, stream)))")
                }
            }
        }
        return output
    }

    /// zlib's message for a status, or the status's name.
    private static func describe(_ status: Int32, _ stream: z_stream) -> String {
        if let message = stream.msg { return String(cString: message) }
        switch status {
        case Z_DATA_ERROR: return "data error"
        case Z_MEM_ERROR: return "out of memory"
        case Z_BUF_ERROR: return "no progress possible"
        case Z_STREAM_ERROR: return "stream error"
        case Z_VERSION_ERROR: return "incompatible zlib version"
        default: return "status \(status)"
        }
    }
}
