/// Writes cross-reference sections: classic tables or compressed xref streams.
enum XRefWriter {
    /// A classic table for the given entries (grouped in contiguous subsections) and its trailer,
    /// then `startxref` and `%%EOF`. `sectionOffset` is where the `xref` keyword will sit.
    static func table(entries: [Int: XRefEntry], trailer: PDFDictionary, sectionOffset: Int) -> [UInt8] {
        var out = Array("xref\n".utf8)
        for run in contiguousRuns(entries.keys.sorted()) {
            out += Array("\(run.lowerBound) \(run.count)\n".utf8)
            for number in run {
                let (field1, field2, type): (Int, Int, String)
                switch entries[number]! {
                case .free(let next, let generation): (field1, field2, type) = (next, generation, "f")
                case .inUse(let offset, let generation): (field1, field2, type) = (offset, generation, "n")
                case .compressed: preconditionFailure("a classic table cannot hold compressed entries")
                }
                out += Array((pad(field1, 10) + " " + pad(field2, 5) + " " + type + "\r\n").utf8)
            }
        }
        out += Array("trailer\n".utf8)
        ObjectSerializer.write(.dictionary(trailer), to: &out)
        out += Array("\nstartxref\n\(sectionOffset)\n%%EOF\n".utf8)
        return out
    }

    /// A cross-reference stream object numbered `number`, holding `entries` plus its own entry.
    /// `trailer` supplies the trailer keys (`/Root`, `/Info`, `/ID`, `/Prev`, `/Size`).
    static func stream(number: Int, entries: [Int: XRefEntry], trailer: PDFDictionary, sectionOffset: Int) -> [UInt8] {
        var all = entries
        all[number] = .inUse(offset: sectionOffset, generation: 0)
        let maxField = all.values.map { entry -> Int in
            switch entry {
            case .free(let next, _): return next
            case .inUse(let offset, _): return offset
            case .compressed(let stream, _): return stream
            }
        }.max() ?? 0
        let maxThird = all.values.map { entry -> Int in
            switch entry {
            case .free(_, let generation), .inUse(_, let generation): return generation
            case .compressed(_, let index): return index
            }
        }.max() ?? 0
        let width2 = byteWidth(maxField)
        let width3 = byteWidth(maxThird)
        let rowWidth = 1 + width2 + width3
        var rows: [UInt8] = []
        var index: [PDFObject] = []
        for run in contiguousRuns(all.keys.sorted()) {
            index += [.integer(run.lowerBound), .integer(run.count)]
            for number in run {
                let (type, field2, field3): (Int, Int, Int)
                switch all[number]! {
                case .free(let next, let generation): (type, field2, field3) = (0, next, generation)
                case .inUse(let offset, let generation): (type, field2, field3) = (1, offset, generation)
                case .compressed(let stream, let position): (type, field2, field3) = (2, stream, position)
                }
                rows.append(UInt8(type))
                appendBigEndian(field2, width: width2, to: &rows)
                appendBigEndian(field3, width: width3, to: &rows)
            }
        }
        var dictionary = trailer
        dictionary["Type"] = .name("XRef")
        dictionary["W"] = [1, .integer(width2), .integer(width3)]
        dictionary["Index"] = .array(index)
        // Compressed with the PNG Up predictor; the parameters are valid by construction, so the
        // uncompressed fallback only guards against a future change breaking that.
        var encoded = rows
        if let compressed = try? Flate.encode(Predictor.encodePNGUp(rows, columns: rowWidth)) {
            encoded = compressed
            dictionary["Filter"] = .name("FlateDecode")
            dictionary["DecodeParms"] = .dictionary(["Predictor": 12, "Columns": .integer(rowWidth)])
        }
        var out = ObjectSerializer.serializeIndirect(PDFReference(number, 0),
                                                     .stream(PDFStream(dictionary: dictionary, encodedData: encoded)))
        out += Array("startxref\n\(sectionOffset)\n%%EOF\n".utf8)
        return out
    }

    static func contiguousRuns(_ sorted: [Int]) -> [ClosedRange<Int>] {
        var runs: [ClosedRange<Int>] = []
        for number in sorted {
            if let last = runs.last, last.upperBound + 1 == number {
                runs[runs.count - 1] = last.lowerBound...number
            } else {
                runs.append(number...number)
            }
        }
        return runs
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func byteWidth(_ value: Int) -> Int {
        var width = 1
        while width < 8, value >> (8 * width) != 0 { width += 1 }
        return width
    }

    private static func appendBigEndian(_ value: Int, width: Int, to out: inout [UInt8]) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) { out.append(UInt8((value >> shift) & 0xFF)) }
    }
}
