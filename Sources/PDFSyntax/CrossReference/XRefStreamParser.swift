/// Reads cross-reference streams (ISO 32000-2 §7.5.8).
struct XRefStreamParser {
    let bytes: PDFBytes
    let limits: PDFLimits
    let strict: Bool
    var warnings: [PDFWarning] = []
    /// Harmless deviations met (DESIGN.md §7), for the reader to record.
    var notes: [PDFNote] = []

    /// Parses the xref stream object at `offset`.
    mutating func parse(at offset: Int) throws -> XRefSection {
        // A hybrid file's /XRefStm offset comes straight from its trailer.
        guard offset >= 0, offset < bytes.count else {
            throw PDFError(.badXref, "cross-reference stream offset \(offset) is outside the file (\(bytes.count) bytes)",
                           offset: offset)
        }
        var parser = ObjectParser(bytes: bytes, position: offset, limits: limits, strict: strict)
        let indirect = try parser.parseIndirectObject(resolveLength: { reference in
            throw PDFError(.badXref, "an xref stream's /Length must be a direct integer, not \(reference)",
                           offset: offset)
        })
        warnings += parser.allWarnings(in: "the cross-reference stream's dictionary", offsetsInFile: true)
        guard case .stream(let stream) = indirect.object, stream.dictionary["Type"] == .name("XRef") else {
            throw PDFError(.badXref, "expected a cross-reference stream (/Type /XRef)", offset: offset,
                           object: indirect.reference)
        }
        let entries = try decodeEntries(stream, at: offset, reference: indirect.reference)
        return XRefSection(kind: .stream, offset: offset, endOffset: indirect.endOffset, entries: entries,
                           streamEntries: XRefTable(), trailer: stream.dictionary, xrefStreamOffset: nil)
    }

    /// Decodes the binary entries of an xref stream using `/W`, `/Index` and `/Size`.
    mutating func decodeEntries(_ stream: PDFStream, at offset: Int, reference: PDFReference) throws -> XRefTable {
        let dictionary = stream.dictionary
        func fail(_ reason: String) -> PDFError {
            PDFError(.badXref, "xref stream: \(reason)", offset: offset, object: reference)
        }
        guard let size = dictionary["Size"]?.intValue, size >= 0 else { throw fail("/Size is missing or negative") }
        guard size <= limits.maxObjectCount else {
            throw PDFError(.limitExceeded, "xref stream /Size \(size) is over the limit of \(limits.maxObjectCount) objects",
                           offset: offset, object: reference)
        }
        guard let widthObjects = dictionary["W"]?.arrayValue, widthObjects.count == 3 else {
            throw fail("/W must be an array of three integers")
        }
        let widths = widthObjects.compactMap(\.intValue)
        guard widths.count == 3, widths.allSatisfy({ $0 >= 0 && $0 <= 8 }), widths[1] > 0 else {
            throw fail("/W \(widths) is not three field widths of 0–8 bytes with a non-zero second field")
        }
        var ranges: [(start: Int, count: Int)] = []
        if let index = dictionary["Index"] {
            guard let values = index.arrayValue?.compactMap(\.intValue), values.count % 2 == 0,
                  values.count == index.arrayValue?.count else {
                throw fail("/Index must be an array of integer pairs")
            }
            for pair in stride(from: 0, to: values.count, by: 2) {
                guard values[pair] >= 0, values[pair + 1] >= 0,
                      values[pair] <= limits.maxObjectCount, values[pair + 1] <= limits.maxObjectCount - values[pair] else {
                    throw fail("/Index pair \(values[pair]) \(values[pair + 1]) is out of range")
                }
                ranges.append((values[pair], values[pair + 1]))
            }
        } else {
            ranges = [(0, size)]
        }
        let rowWidth = widths.reduce(0, +)
        let rowCount = ranges.reduce(0) { $0 + $1.count }
        // Every filter stage is capped near the size the entries need. The cap applies to each
        // stage, so it must leave room for a PNG predictor's filter-type byte per row (at most
        // doubling the data, with rows of one byte) before the predictor strips them.
        let needed = rowWidth * rowCount
        let data = try StreamDecoder.decode(stream.encodedData, filter: dictionary["Filter"],
                                            decodeParms: dictionary["DecodeParms"],
                                            maxOutput: min(limits.maxDecodedBytesPerStream, 2 * needed + 4096),
                                            tolerant: !strict)
        guard data.count >= needed else {
            throw fail("holds \(data.count) bytes, fewer than the \(rowCount) entries × \(rowWidth) bytes it declares")
        }
        var entries = XRefTableBuilder()
        entries.reserveCapacity(rowCount)
        var position = 0
        func field(_ width: Int) -> Int {
            var value = 0
            for _ in 0..<width {
                value = value << 8 | Int(data[position])
                position += 1
            }
            return value
        }
        for range in ranges {
            for number in range.start..<(range.start + range.count) {
                let type = widths[0] == 0 ? 1 : field(widths[0])
                let second = field(widths[1])
                let third = field(widths[2])
                let entry: XRefEntry
                switch type {
                case 0 where third > 65535:
                    // A free entry's generation is only the one a reuse would take: over 65535
                    // (qpdf's xref-range.pdf writes 4294967295, "never reuse") it names no object
                    // and reads the same everywhere.
                    notes.append(PDFNote(.freeGenerationOver65535,
                                         "the free entry for object \(number) in the cross-reference stream has generation \(third)",
                                         offset: offset))
                    entry = .free(nextFree: second, generation: 65535)
                case 0, 1:
                    // Generations stop at 65535 (ISO 32000-2 §7.3.10); the field may be wider.
                    guard (0...65535).contains(third) else {
                        throw fail("entry for object \(number) has generation \(third), over 65535")
                    }
                    entry = type == 0 ? .free(nextFree: second, generation: third) : .inUse(offset: second, generation: third)
                case 2: entry = .compressed(streamNumber: second, index: third)
                default: continue  // Reserved types are null references (§7.5.8.3).
                }
                guard entries.insert(number, entry) else { throw fail("/Index lists object \(number) twice") }
            }
        }
        return entries.build()
    }
}
