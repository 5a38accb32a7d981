/// The predictors of FlateDecode and LZWDecode (ISO 32000-2 §7.4.4.4): TIFF predictor 2 and
/// the PNG predictors (10–15, with a filter-type byte at the start of each row).
public enum Predictor {
    /// The widest row a predictor may describe, in samples; anything wider is nonsense.
    static let maxColumns = 1 << 24
    /// The most colour components per sample (the DeviceN limit).
    static let maxColors = 32

    /// The predictor parameters of a /DecodeParms dictionary, validated.
    struct Parameters: Equatable {
        var predictor: Int
        var colors: Int
        var bitsPerComponent: Int
        var columns: Int

        /// Bytes in one row of samples (without the PNG filter-type byte).
        var rowBytes: Int { (colors * bitsPerComponent * columns + 7) / 8 }
        /// Bytes per complete pixel, at least 1: how far back the PNG "left" byte is.
        var pixelBytes: Int { (colors * bitsPerComponent + 7) / 8 }

        init(_ dictionary: PDFDictionary?, filter: String) throws {
            predictor = try FilterSupport.integer("Predictor", in: dictionary, default: 1, filter: filter)
            colors = try FilterSupport.integer("Colors", in: dictionary, default: 1, filter: filter)
            bitsPerComponent = try FilterSupport.integer("BitsPerComponent", in: dictionary, default: 8, filter: filter)
            columns = try FilterSupport.integer("Columns", in: dictionary, default: 1, filter: filter)
            guard predictor != 1 else { return }
            guard predictor == 2 || (10...15).contains(predictor) else {
                throw PDFError(.filterFailed, "\(filter): /Predictor \(predictor) is not 1, 2 (TIFF) or 10–15 (PNG)")
            }
            guard (1...Predictor.maxColors).contains(colors) else {
                throw PDFError(.filterFailed, "\(filter): /Colors \(colors) is not between 1 and \(Predictor.maxColors)")
            }
            guard [1, 2, 4, 8, 16].contains(bitsPerComponent) else {
                throw PDFError(.filterFailed, "\(filter): /BitsPerComponent \(bitsPerComponent) is not 1, 2, 4, 8 or 16")
            }
            guard (1...Predictor.maxColumns).contains(columns) else {
                throw PDFError(.filterFailed, "\(filter): /Columns \(columns) is not between 1 and \(Predictor.maxColumns)")
            }
        }
    }

    /// Undoes the predictor `parameters` name on decoded data.
    static func decode(_ data: [UInt8], parameters: Parameters, filter: String, maxOutput: Int,
                       tolerant: Bool) throws -> [UInt8] {
        switch parameters.predictor {
        case 1: return data
        case 2: return try decodeTIFF(data, parameters, filter: filter, maxOutput: maxOutput, tolerant: tolerant)
        default: return try decodePNG(data, parameters, filter: filter, maxOutput: maxOutput, tolerant: tolerant)
        }
    }

    /// PNG predictors: each row starts with a filter type 0–4 (None, Sub, Up, Average, Paeth).
    static func decodePNG(_ data: [UInt8], _ parameters: Parameters, filter: String, maxOutput: Int,
                          tolerant: Bool) throws -> [UInt8] {
        let rowBytes = parameters.rowBytes
        let back = parameters.pixelBytes
        var output = CappedOutput(limit: maxOutput, filter: filter)
        // Rows never hold more than the data, however wide /Columns claims they are.
        var previous = [UInt8](repeating: 0, count: min(rowBytes, data.count))
        var row = previous
        var position = 0
        var rowNumber = 0
        while position < data.count {
            let type = data[position]
            let available = min(rowBytes, data.count - position - 1)
            if available < rowBytes, !tolerant {
                throw PDFError(.filterFailed,
                               "\(filter): PNG predictor row \(rowNumber) is cut short (\(available) of \(rowBytes) bytes)")
            }
            let start = position + 1
            switch type {
            case 0:
                for i in 0..<available { row[i] = data[start + i] }
            case 1:
                for i in 0..<available { row[i] = data[start + i] &+ (i >= back ? row[i - back] : 0) }
            case 2:
                for i in 0..<available { row[i] = data[start + i] &+ previous[i] }
            case 3:
                for i in 0..<available {
                    let left = i >= back ? Int(row[i - back]) : 0
                    row[i] = data[start + i] &+ UInt8((left + Int(previous[i])) / 2)
                }
            case 4:
                for i in 0..<available {
                    let left = i >= back ? row[i - back] : 0
                    let upLeft = i >= back ? previous[i - back] : 0
                    row[i] = data[start + i] &+ paeth(left, previous[i], upLeft)
                }
            default:
                throw PDFError(.filterFailed, "\(filter): PNG predictor row \(rowNumber) has filter type \(type) (must be 0–4)")
            }
            try output.append(contentsOf: row[0..<available])
            swap(&previous, &row)
            position += rowBytes + 1
            rowNumber += 1
        }
        return output.bytes
    }

    /// The Paeth predictor (PNG specification §9.4): whichever neighbour is closest to left + up − upLeft.
    static func paeth(_ left: UInt8, _ up: UInt8, _ upLeft: UInt8) -> UInt8 {
        let estimate = Int(left) + Int(up) - Int(upLeft)
        let toLeft = abs(estimate - Int(left))
        let toUp = abs(estimate - Int(up))
        let toUpLeft = abs(estimate - Int(upLeft))
        if toLeft <= toUp, toLeft <= toUpLeft { return left }
        return toUp <= toUpLeft ? up : upLeft
    }

    /// TIFF predictor 2: each sample is stored as the difference from the same component of the
    /// sample to its left, modulo 2^BitsPerComponent.
    static func decodeTIFF(_ data: [UInt8], _ parameters: Parameters, filter: String, maxOutput: Int,
                           tolerant: Bool) throws -> [UInt8] {
        let rowBytes = parameters.rowBytes
        let bits = parameters.bitsPerComponent
        let colors = parameters.colors
        let samplesPerRow = colors * parameters.columns
        if data.count % rowBytes != 0, !tolerant {
            throw PDFError(.filterFailed,
                           "\(filter): TIFF predictor data of \(data.count) bytes is not whole rows of \(rowBytes) bytes")
        }
        guard data.count <= maxOutput else {
            throw PDFError(.limitExceeded, "\(filter): decoded data exceeds the limit of \(maxOutput) bytes")
        }
        var output = data
        var rowStart = 0
        while rowStart < output.count {
            let available = min(rowBytes, output.count - rowStart)
            let samples = min(samplesPerRow, available * 8 / bits)
            switch bits {
            case 8:
                for i in colors..<max(colors, samples) {
                    output[rowStart + i] &+= output[rowStart + i - colors]
                }
            case 16:
                for i in colors..<max(colors, samples) {
                    let at = rowStart + 2 * i, from = rowStart + 2 * (i - colors)
                    let sum = (UInt16(output[at]) << 8 | UInt16(output[at + 1]))
                        &+ (UInt16(output[from]) << 8 | UInt16(output[from + 1]))
                    output[at] = UInt8(sum >> 8)
                    output[at + 1] = UInt8(sum & 0xFF)
                }
            default:
                undoSubBytePrediction(&output, rowStart: rowStart, samples: samples, bits: bits, colors: colors)
            }
            rowStart += rowBytes
        }
        return output
    }

    /// TIFF predictor 2 for 1-, 2- and 4-bit samples packed high bit first.
    private static func undoSubBytePrediction(_ bytes: inout [UInt8], rowStart: Int, samples: Int, bits: Int,
                                              colors: Int) {
        let mask = UInt8((1 << bits) - 1)
        var previous = [UInt8](repeating: 0, count: colors)
        for sample in 0..<samples {
            let bitOffset = sample * bits
            let index = rowStart + bitOffset / 8
            let shift = 8 - bits - bitOffset % 8
            let value = (((bytes[index] >> shift) & mask) &+ previous[sample % colors]) & mask
            previous[sample % colors] = value
            bytes[index] = bytes[index] & ~(mask << shift) | value << shift
        }
    }

    /// Applies the PNG `Up` predictor to rows of `columns` bytes, as for a cross-reference stream
    /// with `/Predictor 12 /Columns columns`. The data must be whole rows.
    public static func encodePNGUp(_ data: [UInt8], columns: Int) throws -> [UInt8] {
        guard columns > 0 else {
            throw PDFError(.invalidArgument, "PNG predictor columns must be positive (got \(columns))")
        }
        guard data.count % columns == 0 else {
            throw PDFError(.invalidArgument,
                           "PNG predictor data of \(data.count) bytes is not whole rows of \(columns) bytes")
        }
        var output: [UInt8] = []
        output.reserveCapacity(data.count + data.count / columns)
        var rowStart = 0
        while rowStart < data.count {
            output.append(2)
            for i in rowStart..<(rowStart + columns) {
                output.append(data[i] &- (rowStart == 0 ? 0 : data[i - columns]))
            }
            rowStart += columns
        }
        return output
    }
}
