/// One entry of a cross-reference section (ISO 32000-2 §7.5.4, §7.5.8.3).
public enum XRefEntry: Sendable, Hashable {
    /// A free entry: the next free object number and the generation to use if it is reused.
    case free(nextFree: Int, generation: Int)
    /// An object stored uncompressed at a byte offset.
    case inUse(offset: Int, generation: Int)
    /// An object stored in an object stream (generation 0 implied).
    case compressed(streamNumber: Int, index: Int)

    /// The generation this entry names (0 for compressed objects).
    public var generation: Int {
        switch self {
        case .free(_, let generation), .inUse(_, let generation): return generation
        case .compressed: return 0
        }
    }

    public var isInUse: Bool { if case .free = self { return false }; return true }
}

/// The syntax a cross-reference section is written in.
public enum XRefKind: String, Sendable, Hashable, Codable {
    /// A classic `xref` table.
    case table
    /// A cross-reference stream (`/Type /XRef`).
    case stream
    /// A classic table whose trailer also names a cross-reference stream (`/XRefStm`).
    case hybrid
}

/// One cross-reference section with its trailer, as found at a `startxref` or `/Prev` offset.
public struct XRefSection: Sendable, Hashable {
    public var kind: XRefKind
    /// Where the section starts (`xref` keyword, or the xref stream's object header).
    public var offset: Int
    /// One past the section's last byte (after the trailer dictionary, or after `endobj`).
    public var endOffset: Int
    /// The entries by object number.
    public var entries: XRefTable
    /// For hybrid sections: the entries of the `/XRefStm` stream, consulted after the table.
    public var streamEntries: XRefTable
    /// The trailer dictionary (the xref stream's dictionary for stream sections).
    public var trailer: PDFDictionary
    /// For hybrid sections: the offset of the `/XRefStm` stream object.
    public var xrefStreamOffset: Int?

    /// The entry this section gives for an object number: table first, then the hybrid stream.
    public func entry(for number: Int) -> XRefEntry? {
        if let entry = entries[number] {
            if case .free = entry, let fromStream = streamEntries[number] { return fromStream }
            return entry
        }
        return streamEntries[number]
    }

    /// All object numbers this section speaks of.
    public var objectNumbers: Set<Int> { Set(entries.objectNumbers).union(streamEntries.objectNumbers) }

    /// Each object number this section speaks of with the entry `entry(for:)` gives, by ascending
    /// number (the tables keep their numbers in order: nothing is sorted or looked up again).
    var effectiveEntries: XRefTable {
        guard !streamEntries.isEmpty else { return entries }
        var builder = XRefTableBuilder()
        builder.reserveCapacity(entries.count + streamEntries.count)
        forEachEntry { number, entry in builder.appendAscending(number, entry) }
        return builder.build()
    }

    /// Calls `body` once per object number with the entry `entry(for:)` gives, by ascending number.
    func forEachEntry(_ body: (Int, XRefEntry) throws -> Void) rethrows {
        guard !streamEntries.isEmpty else {
            for (number, entry) in entries { try body(number, entry) }
            return
        }
        // A merge of the two ascending tables; the stream's entry replaces a free one of the table.
        var table = entries.makeIterator()
        var stream = streamEntries.makeIterator()
        var fromTable = table.next()
        var fromStream = stream.next()
        while fromTable != nil || fromStream != nil {
            if let (number, entry) = fromTable, fromStream.map({ number <= $0.number }) ?? true {
                if let (streamNumber, streamEntry) = fromStream, streamNumber == number {
                    if case .free = entry { try body(number, streamEntry) } else { try body(number, entry) }
                    fromStream = stream.next()
                } else {
                    try body(number, entry)
                }
                fromTable = table.next()
            } else if let (number, entry) = fromStream {
                try body(number, entry)
                fromStream = stream.next()
            }
        }
    }

    /// The `/Prev` offset, if any.
    public var previousOffset: Int? { trailer["Prev"]?.intValue }
}

/// Reads classic cross-reference tables.
struct XRefTableParser {
    let bytes: PDFBytes
    let limits: PDFLimits
    let strict: Bool
    var warnings: [PDFWarning] = []
    /// Harmless deviations accepted (strict mode notes them; tolerant mode steps over them too).
    var notes: [PDFNote] = []

    /// Parses `xref` subsections and the trailer starting at `offset` (which holds `xref`).
    mutating func parse(at offset: Int) throws -> XRefSection {
        var lexer = Lexer(bytes: bytes, position: offset)
        let (keyword, _) = try lexer.next()
        guard case .keyword(let word) = keyword, word.spells("xref") else {
            throw PDFError(.badXref, "expected 'xref'", offset: offset)
        }
        var entries = XRefTableBuilder()
        while true {
            lexer.skipWhitespace()
            let subsectionOffset = lexer.position
            let saved = lexer.position
            let (first, _) = try lexer.next()
            if case .keyword(let trailerWord) = first, trailerWord.spells("trailer") { break }
            let (second, _) = try lexer.next()
            guard case .integer(let start) = first, case .integer(let count) = second, start >= 0, count >= 0 else {
                lexer.position = saved
                throw PDFError(.badXref, "expected a subsection header 'start count' or 'trailer'",
                               offset: subsectionOffset)
            }
            // Compared without adding, so that numbers near Int.max cannot overflow. A broken
            // section, not a resource limit: a repairing read may rebuild it from the objects
            // (under its own limits), as it does for any other broken subsection header.
            guard start <= limits.maxObjectCount, count <= limits.maxObjectCount - start else {
                throw PDFError(.badXref, "xref subsection '\(start) \(count)' declares objects past the limit of \(limits.maxObjectCount)",
                               offset: subsectionOffset)
            }
            // Entries: 20 bytes each — 10-digit offset, space, 5-digit generation, space, n|f, 2-byte EOL.
            var position = lexer.position
            while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x0D || bytes[position] == 0x0A {
                position += 1
            }
            entries.reserveCapacity(entries.count + count)
            for index in 0..<count {
                let entryOffset = position
                guard let (entry, next) = parseEntry(at: position, number: start + index) else {
                    throw PDFError(.badXref, "xref entry \(start + index) is not 'oooooooooo ggggg n|f' (generation 0–65535) with a 2-byte end of line",
                                   offset: entryOffset)
                }
                let number = start + index
                guard entries.insert(number, entry) else {
                    throw PDFError(.badXref, "xref section lists object \(number) twice", offset: entryOffset)
                }
                position = next
            }
            lexer.position = position
        }
        let trailerStart = lexer.position
        var parser = ObjectParser(bytes: bytes, position: trailerStart, limits: limits, strict: strict)
        guard case .dictionary(let trailer) = try parser.parseObject() else {
            throw PDFError(.badXref, "'trailer' is not followed by a dictionary", offset: trailerStart)
        }
        warnings += parser.allWarnings(in: "the trailer", offsetsInFile: true)
        return XRefSection(kind: trailer["XRefStm"] == nil ? .table : .hybrid, offset: offset,
                           endOffset: parser.lexer.position, entries: entries.build(), streamEntries: XRefTable(),
                           trailer: trailer, xrefStreamOffset: trailer["XRefStm"]?.intValue)
    }

    /// One 20-byte entry. Any other run of spaces and line ends after the type is accepted and
    /// noted (the row's fields are fixed-width and the next row starts with a digit, so the end
    /// cannot be read two ways); so is a free entry's generation 65536.
    private mutating func parseEntry(at position: Int, number: Int) -> (XRefEntry, Int)? {
        guard position + 18 <= bytes.count else { return nil }
        var offset = 0
        for index in position..<(position + 10) {
            let byte = bytes[index]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            offset = offset * 10 + Int(byte - 0x30)
        }
        guard bytes[position + 10] == 0x20 else { return nil }
        var generation = 0
        for index in (position + 11)..<(position + 16) {
            let byte = bytes[index]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            generation = generation * 10 + Int(byte - 0x30)
        }
        let type = bytes[position + 17]
        guard bytes[position + 16] == 0x20, type == UInt8(ascii: "n") || type == UInt8(ascii: "f") else { return nil }
        // Five digits reach 99999, but generations stop at 65535 (ISO 32000-2 §7.3.10). A free
        // entry at 65536 ("never reuse") names no object and is read the same everywhere.
        if generation == 65536, type == UInt8(ascii: "f") {
            notes.append(PDFNote(.freeGeneration65536, "the free xref entry for object \(number) has generation 65536", offset: position))
        } else if generation > 65535 {
            return nil
        }
        // The row's end: a run of spaces and line ends (the next row or `trailer` follows).
        var next = position + 18
        while next < bytes.count, bytes[next] == 0x20 || bytes[next] == 0x0A || bytes[next] == 0x0D { next += 1 }
        guard next > position + 18 else { return nil }
        let eol0 = bytes[position + 18], eol1 = next - position == 20 ? bytes[position + 19] : 0
        let standard = next - position == 20 && ((eol0 == 0x20 && (eol1 == 0x0D || eol1 == 0x0A)) || (eol0 == 0x0D && eol1 == 0x0A))
        // Once per section: a producer that does it does it on every row.
        if !standard, !notes.contains(where: { $0.code == .xrefRowEndOfLine }) {
            let shown = bytes.array((position + 18)..<min(next, position + 22)).map { $0 == 0x0A ? "\\n" : $0 == 0x0D ? "\\r" : "SP" }.joined(separator: " ")
            notes.append(PDFNote(.xrefRowEndOfLine,
                                 "xref rows (the first: object \(number)) end with '\(shown)' rather than a 2-byte end of line",
                                 offset: position))
        }
        let entry: XRefEntry = type == UInt8(ascii: "n")
            ? .inUse(offset: offset, generation: generation)
            : .free(nextFree: offset, generation: generation)
        return (entry, next)
    }
}
