internal import CZlib

/// A reusable zlib deflater for content streams: one `z_stream` per renderer, reset between
/// streams (`deflateReset`), each stream compressed in one call into a buffer sized by
/// `deflateBound`. The same bytes as a fresh `deflateInit` at the same level, without its
/// allocations per stream.
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var output: [UInt8] = []
    let level: Int32

    init(level: Int) throws {
        self.level = Int32(level)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard cs_deflateInit(stream, Int32(level)) == Z_OK else {
            stream.deallocate()
            throw TypesettingError(.layout, "zlib could not start deflating at level \(level)")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// `data` as a zlib stream (FlateDecode).
    func compress(_ data: [UInt8]) throws -> [UInt8] {
        guard deflateReset(stream) == Z_OK else { throw TypesettingError(.layout, "zlib could not reset its deflater") }
        let bound = Int(deflateBound(stream, UInt(data.count)))
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        let status: Int32 = data.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.pointee.avail_in = UInt32(input.count)
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = UInt32(out.count)
                return deflate(stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw TypesettingError(.layout, "zlib failed to deflate (status \(status))") }
        return Array(output[0..<Int(stream.pointee.total_out)])
    }
}
