/// The cross-reference structure of a whole file: header version, sections and revisions.
struct FileStructure: Sendable {
    var version: String
    var revisions: [PDFRevision]
    var warnings: [PDFWarning]
    var reconstructed: Bool
    /// Harmless deviations accepted, by offset.
    var notes: [PDFNote] = []
    /// Ambiguities recorded per revision (`.strictPerRevision` only).
    var ambiguities: [PDFAmbiguity] = []
}

/// Finds `startxref`, follows the `/Prev` chain and cuts the file into revisions, checking in
/// strict mode that the revisions tile the file exactly and that every entry names its object.
struct FileStructureReader {
    let bytes: PDFBytes
    let limits: PDFLimits
    let mode: PDFReadingMode
    var warnings: [PDFWarning] = []
    var notes: [PDFNote] = []
    var ambiguities: [PDFAmbiguity] = []
    /// Tolerant modes read on without a `%PDF-` header; this is the error to give if nothing
    /// else in the file reads as PDF either.
    var missingHeader: PDFError?

    var strict: Bool { mode.isStrict }

    init(bytes: PDFBytes, limits: PDFLimits, mode: PDFReadingMode) {
        self.bytes = bytes
        self.limits = limits
        self.mode = mode
    }

    /// An anomaly: thrown in strict mode, recorded as a warning in tolerant mode.
    mutating func anomaly(_ error: PDFError) throws {
        if strict { throw error }
        warnings.append(PDFWarning(error))
    }

    /// An ambiguity inside one revision: recorded with the revision in `.strictPerRevision` mode,
    /// otherwise an anomaly.
    mutating func ambiguity(_ error: PDFError, revision: Int) throws {
        if mode == .strictPerRevision {
            ambiguities.append(PDFAmbiguity(revision: revision, error: error))
        } else {
            try anomaly(error)
        }
    }

    /// A harmless deviation, noted once per code and offset.
    mutating func note(_ code: PDFNote.Code, _ message: String, offset: Int?) {
        guard !notes.contains(where: { $0.code == code && $0.offset == offset }) else { return }
        notes.append(PDFNote(code, message, offset: offset))
    }

    /// `rebuild`: ignore the cross-reference and rebuild it by scanning (tolerant mode only).
    mutating func read(rebuild: Bool = false) throws -> FileStructure {
        do {
            return try readStructure(rebuild: rebuild)
        } catch let error as PDFError where missingHeader != nil && error.code != .limitExceeded {
            throw missingHeader ?? error
        }
    }

    private mutating func readStructure(rebuild: Bool) throws -> FileStructure {
        let version = try readHeader()
        if rebuild, !strict {
            let revision = try XRefReconstructor(bytes: bytes, limits: limits).reconstruct()
            warnings.append(PDFWarning("cross-reference rebuilt by scanning the file, as asked"))
            return FileStructure(version: version, revisions: [revision], warnings: warnings, reconstructed: true)
        }
        do {
            let revisions = try readRevisions()
            return FileStructure(version: version, revisions: revisions, warnings: warnings, reconstructed: false,
                                 notes: notes, ambiguities: ambiguities)
        } catch let error as PDFError {
            guard case .tolerant(reconstruct: true) = mode, error.code != .limitExceeded else { throw error }
            warnings.append(PDFWarning("cross-reference unusable (\(error)); rebuilt by scanning the file"))
            let revision = try XRefReconstructor(bytes: bytes, limits: limits).reconstruct()
            return FileStructure(version: version, revisions: [revision], warnings: warnings, reconstructed: true,
                                 notes: notes)
        }
    }

    /// `%PDF-x.y` at offset 0 (tolerant mode looks in the first 1024 bytes, and reads on as 1.7
    /// without one; see `missingHeader`).
    private mutating func readHeader() throws -> String {
        let marker = Array("%PDF-".utf8)
        let searchEnd = strict ? min(bytes.count, marker.count) : min(bytes.count, 1024)
        var headerAt: Int? = nil
        if bytes.count >= marker.count {
            for start in 0...max(0, searchEnd - marker.count) where bytes.matches("%PDF-", at: start) {
                headerAt = start
                break
            }
        }
        guard let headerAt else {
            let missing = bytes.isEmpty ? PDFError(.notPDF, "not a PDF file: the file is empty (0 bytes)", offset: 0)
                : PDFError(.notPDF, "not a PDF file: it does not start with '%PDF-'", offset: 0)
            // Tolerant modes read on (pdf.js, poppler and qpdf open such files): the version is
            // then unknown and taken as 1.7 unless the catalog names one. If nothing in the file
            // reads as PDF, the error is still this one.
            guard !strict else { throw missing }
            missingHeader = missing
            warnings.append(PDFWarning("no '%PDF-' header in the first \(searchEnd) bytes; read as PDF 1.7", offset: 0))
            return "1.7"
        }
        if headerAt != 0 {
            warnings.append(PDFWarning("the '%PDF-' header is at byte \(headerAt), not 0", offset: headerAt))
        }
        var end = headerAt + marker.count
        while end < bytes.count, end < headerAt + 12, !ByteClass.isWhitespace(bytes[end]) { end += 1 }
        let version = String(decoding: bytes.array((headerAt + marker.count)..<end), as: UTF8.self)
        let firstByte = version.utf8.first ?? 0
        if version.count < 3 || firstByte < UInt8(ascii: "0") || firstByte > UInt8(ascii: "9") {
            try anomaly(PDFError(.notPDF, "the header names no version ('%PDF-\(version)')", offset: headerAt))
        }
        return version
    }

    /// The offset of the last `%%EOF` and the end of its line; checks what follows it.
    private mutating func findLastEOF() throws -> (marker: Int, end: Int)? {
        guard let marker = lastIndex(of: "%%EOF", before: bytes.count) else {
            try anomaly(PDFError(.missingEOF, "the file has no '%%EOF' marker (truncated?)", offset: bytes.count))
            return nil
        }
        let end = endOfLine(after: marker + 5)
        var tail = end
        while tail < bytes.count, ByteClass.isWhitespace(bytes[tail]) { tail += 1 }
        let afterComments = skipCommentLines(from: tail)
        let comments = afterComments > tail
        tail = afterComments
        if tail < bytes.count {
            try anomaly(PDFError(.unexplainedTrailingBytes,
                                 "\(bytes.count - end) bytes follow the last '%%EOF' that no cross-reference section explains",
                                 offset: end))
        } else if comments {
            note(.commentAfterEOF, "\(bytes.count - end) byte(s) of comments follow the last '%%EOF'; no signature covers them, and no reader takes them for PDF",
                 offset: end)
        } else if end < bytes.count {
            note(.whitespaceAfterEOF, "\(bytes.count - end) byte(s) of whitespace follow the last '%%EOF' and its end of line; no signature covers them, and they show nothing",
                 offset: end)
        }
        return (marker, end)
    }

    /// Where comment lines (and the white space between them) starting at `start` end. They are
    /// harmless unless they hold a keyword a repairing reader scans raw bytes for (an object, a
    /// stream, a cross-reference), where this stops.
    private func skipCommentLines(from start: Int) -> Int {
        var tail = start
        while tail < bytes.count, bytes[tail] == UInt8(ascii: "%") {
            var lineEnd = tail
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A, bytes[lineEnd] != 0x0D { lineEnd += 1 }
            let line = String(decoding: bytes.array(tail..<lineEnd), as: UTF8.self)
            guard !["obj", "stream", "xref", "trailer", "%PDF"].contains(where: { line.contains($0) }) else { break }
            tail = lineEnd
            while tail < bytes.count, ByteClass.isWhitespace(bytes[tail]) { tail += 1 }
        }
        return tail
    }

    /// Follows `startxref` and the `/Prev` chain, then cuts the file into revisions.
    private mutating func readRevisions() throws -> [PDFRevision] {
        let lastEOF = try findLastEOF()
        // The newest revision's own `%%EOF` when only comment lines (another `%%EOF` among them) follow it.
        var commentedEOF: (marker: Int, end: Int)?
        let searchFrom = lastEOF?.marker ?? bytes.count
        guard let startxrefAt = lastIndex(of: "startxref", before: searchFrom) else {
            throw PDFError(.badStartXref, "no 'startxref' before the end of the file", offset: searchFrom)
        }
        var lexer = Lexer(bytes: bytes, position: startxrefAt + 9)
        guard case .integer(let startOffset) = try lexer.next().token else {
            throw PDFError(.badStartXref, "'startxref' is not followed by an offset", offset: startxrefAt)
        }
        if let lastEOF {
            lexer.position = skipFileTrailerFiller(from: lexer.position)
            let ownEOF = matches("%%EOF", at: lexer.position) ? endOfLine(after: lexer.position + 5) : lexer.position
            if lexer.position != lastEOF.marker, lexer.position < lastEOF.marker, ownEOF > lexer.position,
               skipCommentLines(from: skipWhitespace(from: ownEOF)) >= lastEOF.marker {
                // Only comment lines after the newest `%%EOF`, the last of them another `%%EOF`
                // (some writers end a file with two): a comment like the others.
                note(.commentAfterEOF, "\(bytes.count - ownEOF) byte(s) of comments (among them another '%%EOF') follow the last "
                     + "cross-reference section's '%%EOF'; no signature covers them, and no reader takes them for PDF", offset: ownEOF)
                commentedEOF = (lexer.position, ownEOF)
            } else if lexer.position != lastEOF.marker {
                // Something was appended after the newest `startxref … %%EOF` without a new xref section.
                try anomaly(PDFError(.unexplainedTrailingBytes,
                                     "bytes \(ownEOF)–\(lastEOF.end) follow the last 'startxref … %%EOF' but no cross-reference section explains them",
                                     offset: ownEOF))
            }
        }
        // The chain, newest first.
        var chain: [XRefSection] = []
        var visited: Set<Int> = []
        var next: Int? = startOffset
        while let offset = next {
            guard visited.insert(offset).inserted else {
                try anomaly(PDFError(.badXref, "the /Prev chain loops back to offset \(offset)", offset: offset))
                break
            }
            guard chain.count < limits.maxXrefSections else {
                throw PDFError(.limitExceeded, "more than \(limits.maxXrefSections) cross-reference sections", offset: offset)
            }
            do {
                chain.append(try readSection(at: offset, isStartxref: chain.isEmpty))
            } catch let error as PDFError where !chain.isEmpty && !strict {
                warnings.append(PDFWarning("an older cross-reference section is unreadable (\(error)); the chain stops there"))
                break
            }
            next = chain.last!.previousOffset
        }
        return try cutRevisions(oldestFirst: Array(chain.reversed()), lastEOF: commentedEOF ?? lastEOF)
    }

    /// Reads a table, hybrid or stream section at an offset.
    private mutating func readSection(at offset: Int, isStartxref: Bool) throws -> XRefSection {
        guard offset >= 0, offset < bytes.count else {
            throw PDFError(isStartxref ? .badStartXref : .badXref,
                           "\(isStartxref ? "startxref" : "/Prev") offset \(offset) is outside the file (\(bytes.count) bytes)",
                           offset: offset)
        }
        var position = offset
        while position < bytes.count, ByteClass.isWhitespace(bytes[position]) { position += 1 }
        if strict, position != offset {
            // Harmless only when what follows the whitespace is the section itself (checked below).
            note(.xrefOffsetOnWhitespace,
                 "the \(isStartxref ? "startxref" : "/Prev") offset \(offset) lands on \(position - offset) byte(s) of whitespace before its cross-reference section",
                 offset: offset)
        }
        var probe = ObjectParser(bytes: bytes, position: position, limits: limits, strict: true)
        let startsWithDigit = position < bytes.count && bytes[position] >= 0x30 && bytes[position] <= 0x39
        guard matches("xref", at: position) || (startsWithDigit && (try? probe.parseObjectHeader()) != nil) else {
            throw PDFError(isStartxref ? .badStartXref : .badXref,
                           "\(isStartxref ? "startxref" : "/Prev") offset \(offset) points at neither 'xref' nor an xref stream object",
                           offset: offset)
        }
        do {
            if matches("xref", at: position) {
                var tableParser = XRefTableParser(bytes: bytes, limits: limits, strict: strict)
                var section = try tableParser.parse(at: position)
                warnings += tableParser.warnings
                for note in tableParser.notes { self.note(note.code, note.message, offset: note.offset) }
                if let streamOffset = section.xrefStreamOffset {
                    var streamParser = XRefStreamParser(bytes: bytes, limits: limits, strict: strict)
                    section.streamEntries = ignoringOwnMisplacedEntry(try streamParser.parse(at: streamOffset).entries,
                                                                      streamOffset: streamOffset)
                    warnings += streamParser.warnings
                    for note in streamParser.notes { self.note(note.code, note.message, offset: note.offset) }
                }
                return section
            }
            var streamParser = XRefStreamParser(bytes: bytes, limits: limits, strict: strict)
            let section = try streamParser.parse(at: position)
            warnings += streamParser.warnings
            for note in streamParser.notes { self.note(note.code, note.message, offset: note.offset) }
            return section
        } catch let error as PDFError where error.code == .syntax || error.code == .unexpectedEnd {
            throw PDFError(isStartxref ? .badStartXref : .badXref,
                           "no cross-reference section at \(isStartxref ? "startxref" : "/Prev") offset \(offset): \(error.reason)",
                           offset: offset)
        }
    }

    /// A hybrid section's `/XRefStm` stream without its entry for itself when that entry points
    /// at no object of that number (Acrobat writes `1 0 0`, offset 0, for it). The stream is found
    /// by its offset, and a reader of the table alone never sees the entry: ignoring it keeps the
    /// two readings together, where keeping it would make an object that cannot be read. An
    /// entry that points at another `n g obj` of the same number is a second definition, and is
    /// kept for the entry checks to judge.
    private mutating func ignoringOwnMisplacedEntry(_ entries: XRefTable, streamOffset: Int) -> XRefTable {
        var parser = ObjectParser(bytes: bytes, position: streamOffset, limits: limits, strict: true)
        guard let own = try? parser.parseObjectHeader(), case .inUse(let offset, _)? = entries[own.number],
              offset != streamOffset else { return entries }
        if offset > 0, offset < bytes.count {
            var elsewhere = ObjectParser(bytes: bytes, position: offset, limits: limits, strict: true)
            if let found = try? elsewhere.parseObjectHeader(), found.number == own.number { return entries }
        }
        note(.xrefStreamOwnEntryIgnored,
             "the hybrid section's cross-reference stream (object \(own.number) at \(streamOffset)) lists itself at offset \(offset); that entry is ignored",
             offset: streamOffset)
        var builder = XRefTableBuilder()
        for (number, entry) in entries where number != own.number { _ = builder.insert(number, entry) }
        return builder.build()
    }

    /// Groups sections into revisions by their `startxref … %%EOF` ends and checks the tiling.
    private mutating func cutRevisions(oldestFirst sections: [XRefSection],
                                       lastEOF: (marker: Int, end: Int)?) throws -> [PDFRevision] {
        var groups: [[XRefSection]] = []
        var remaining = sections[...]
        // A linearized file's first-page section (low offset) is the newest of the original's two.
        if sections.count >= 2, sections[0].offset > sections[1].offset, isLinearized {
            groups.append([sections[0], sections[1]])
            remaining = sections[2...]
        }
        // A table followed by an empty hybrid section whose /XRefStm lies in the table's part of
        // the file is one revision: Word writes its original so, Acrobat its updates.
        while let section = remaining.first {
            let afterPrevious = groups.last.map { $0.map(\.endOffset).max()! } ?? 0
            if remaining.count >= 2, isHybridPair(table: section, hybrid: remaining[remaining.startIndex + 1], after: afterPrevious) {
                let hybrid = remaining[remaining.startIndex + 1]
                if groups.isEmpty {
                    note(.hybridOriginal,
                         "the original document is a table at \(section.offset) and an empty hybrid section at \(hybrid.offset) whose /XRefStm lies in the table's bytes (Word's layout); read as one revision",
                         offset: hybrid.offset)
                } else {
                    note(.hybridUpdate,
                         "update \(groups.count) is a table at \(section.offset) and an empty hybrid section at \(hybrid.offset) whose /XRefStm lies in the update (Acrobat's layout); read as one revision",
                         offset: hybrid.offset)
                }
                groups.append([section, hybrid])
                remaining = remaining.dropFirst(2)
            } else {
                groups.append([section])
                remaining = remaining.dropFirst()
            }
        }

        var revisions: [PDFRevision] = []
        var start = 0
        for (index, group) in groups.enumerated() {
            let last = group.max(by: { $0.endOffset < $1.endOffset })!
            let end = try revisionEnd(after: last, startxrefTargets: Set(group.map(\.offset)), revision: index,
                                      isNewest: index == groups.count - 1, lastEOF: lastEOF)
            for section in group where section.offset < start {
                try ambiguity(PDFError(.overlappingSections,
                                       "cross-reference section at \(section.offset) lies inside an earlier revision (which ends at \(start)); /Prev must point backwards",
                                       offset: section.offset), revision: index)
            }
            if index > 0, let first = group.map(\.offset).min(), first > start, let hidden = hiddenRevision(in: start..<first) {
                try ambiguity(PDFError(.skippedRevision,
                                       "bytes \(start)–\(hidden.eof + 5) hold a complete revision (its startxref names the cross-reference section at \(hidden.xref)) that the /Prev chain skips: a reader that scans the file sees its objects, one that follows the chain does not",
                                       offset: hidden.eof), revision: index)
            }
            revisions.append(PDFRevision(index: index, startOffset: start, endOffset: max(end, start), sections: group))
            start = max(end, start)
        }
        if let lastEOF, let newest = revisions.last, newest.endOffset != lastEOF.end {
            try anomaly(PDFError(.unexplainedTrailingBytes,
                                 "bytes \(newest.endOffset)–\(lastEOF.end) follow the newest revision in the /Prev chain but no cross-reference section points at them",
                                 offset: newest.endOffset))
        }
        try checkEntries(revisions)
        return revisions
    }

    /// Where a revision ends: after `startxref N %%EOF` following its section.
    /// `startxrefTargets`: the offsets its `startxref` may name (both sections of a linearized original).
    private mutating func revisionEnd(after section: XRefSection, startxrefTargets: Set<Int>, revision: Int,
                                      isNewest: Bool, lastEOF: (marker: Int, end: Int)?) throws -> Int {
        let position = skipFileTrailerFiller(from: section.endOffset)
        if matches("startxref", at: position) {
            var lexer = Lexer(bytes: bytes, position: position + 9)
            if case .integer(let value) = try? lexer.next().token {
                let eof = skipFileTrailerFiller(from: lexer.position)
                if matches("%%EOF", at: eof) {
                    if !startxrefTargets.contains(value), startxrefTargets.contains(skipWhitespace(from: value)) {
                        note(.xrefOffsetOnWhitespace,
                             "the startxref offset \(value) lands on \(skipWhitespace(from: value) - value) byte(s) of whitespace before its cross-reference section",
                             offset: value)
                    } else if !startxrefTargets.contains(value) && !(isLinearized && value == 0) {
                        try ambiguity(PDFError(.badStartXref,
                                               "this revision's startxref says \(value) but its cross-reference section is at \(section.offset)",
                                               offset: position), revision: revision)
                    }
                    return endOfLine(after: eof + 5)
                }
            }
        }
        try ambiguity(PDFError(.missingEOF,
                               "the cross-reference section at \(section.offset) is not followed by 'startxref … %%EOF'",
                               offset: position), revision: revision)
        if let marker = firstIndex(of: "%%EOF", from: position) { return endOfLine(after: marker + 5) }
        return isNewest ? (lastEOF?.end ?? bytes.count) : section.endOffset
    }

    /// Strict checks on entries: each in-use entry points at `n g obj` inside its own revision, and
    /// no object is redefined at another generation without being freed first.
    private mutating func checkEntries(_ revisions: [PDFRevision]) throws {
        var state: [Int: XRefEntry] = [:]
        let sectionCount = revisions.reduce(0) { $0 + $1.sections.count }
        var sectionIndex = 0
        for revision in revisions {
            for section in revision.sections {
                sectionIndex += 1
                // Only later sections read the state: the last one need not record its entries.
                let recordState = sectionIndex < sectionCount
                for (number, entry) in section.effectiveEntries {
                    switch entry {
                    case .inUse(let offset, let generation):
                        try checkHeader(number: number, generation: generation, offset: offset, revision: revision,
                                        inForce: state[number])
                        if case .inUse(_, let previous)? = state[number], previous != generation {
                            try ambiguity(PDFError(.generationRedefined,
                                                   "revision \(revision.index) redefines object \(number) at generation \(generation) while generation \(previous) is in use",
                                                   offset: offset, object: PDFReference(number, generation)), revision: revision.index)
                        }
                    case .compressed(let streamNumber, _):
                        if streamNumber == number {
                            try ambiguity(PDFError(.badXref, "object \(number) is said to live in itself",
                                                   offset: section.offset, object: PDFReference(number, 0)), revision: revision.index)
                        }
                    case .free:
                        break
                    }
                    if recordState { state[number] = entry }
                }
            }
        }
    }

    /// `inForce`: the entry earlier sections give for the number, if any.
    private mutating func checkHeader(number: Int, generation: Int, offset: Int, revision: PDFRevision,
                                      inForce: XRefEntry?) throws {
        let reference = PDFReference(number, generation)
        guard offset > 0, offset < bytes.count else {
            try ambiguity(PDFError(.xrefEntryMismatch, "xref entry for object \(number) points outside the file (offset \(offset))",
                                   offset: offset, object: reference), revision: revision.index)
            return
        }
        var parser = ObjectParser(bytes: bytes, position: offset, limits: limits, strict: true)
        let found = try? parser.parseObjectHeader()
        if found != reference {
            let what = found.map { "object \($0.number) \($0.generation)" } ?? "no object header"
            try ambiguity(PDFError(.xrefEntryMismatch, "xref entry for object \(number) \(generation) points at \(what)",
                                   offset: offset, object: reference), revision: revision.index)
        } else if offset < revision.startOffset || offset >= revision.endOffset {
            // The same bytes as the entry already in force name the same object: nothing to read two ways.
            if inForce == .inUse(offset: offset, generation: generation) {
                note(.unchangedEntryRepeated,
                     "revision \(revision.index + 1) lists object \(number) \(generation) again at the offset already in force",
                     offset: offset)
                return
            }
            try ambiguity(PDFError(.overlappingSections,
                                   "revision \(revision.index) defines object \(number) with bytes outside the revision (offset \(offset))",
                                   offset: offset, object: reference), revision: revision.index)
        }
    }

    /// Word's original layout (and Acrobat's incremental update): a classic table, then a
    /// section holding only an empty table whose `/XRefStm` stream lies in the table's part of
    /// the file (after `after`, the end of the revision before, and before the hybrid section;
    /// Word writes it before the table, Acrobat before or after), and whose
    /// stream entries only fill numbers the table leaves free or repeat its entries exactly (so
    /// hybrid-aware and table-only readers agree on every object the table names, ISO 32000-2
    /// §7.5.8.4).
    private func isHybridPair(table: XRefSection, hybrid: XRefSection, after: Int) -> Bool {
        guard table.kind == .table, hybrid.kind == .hybrid, let stream = hybrid.xrefStreamOffset,
              stream >= after, stream < hybrid.offset, !(table.offset..<table.endOffset).contains(stream), hybrid.offset > table.offset,
              !hybrid.entries.contains(where: { $0.entry.isInUse }) else { return false }
        return !hybrid.streamEntries.contains { number, entry in
            guard entry.isInUse, let listed = table.entries[number], listed.isInUse else { return false }
            return listed != entry
        }
    }

    /// The first non-whitespace offset at or after `position` (itself when out of the file).
    private func skipWhitespace(from position: Int) -> Int {
        guard position >= 0 else { return position }
        var index = position
        while index < bytes.count, ByteClass.isWhitespace(bytes[index]) { index += 1 }
        return index
    }

    /// Skips whitespace and comment lines from `position`, up to a `%%EOF` marker or anything
    /// else; each comment is noted (iText writes `%iText-x.y` before `startxref`).
    private mutating func skipFileTrailerFiller(from start: Int) -> Int {
        var position = start
        while position < bytes.count {
            if ByteClass.isWhitespace(bytes[position]) {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "%"), !matches("%%EOF", at: position) else { break }
            let commentStart = position
            while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
            let text = String(decoding: bytes.array(commentStart..<min(position, commentStart + 40)), as: UTF8.self)
            note(.commentInFileTrailer, "a comment line '\(text)' stands between a trailer and its '%%EOF'",
                 offset: commentStart)
        }
        return position
    }

    /// Whether the first object of the file is a linearization dictionary.
    private var isLinearized: Bool {
        var parser = ObjectParser(bytes: bytes, position: 0, end: min(bytes.count, 4096), limits: limits, strict: false)
        parser.lexer.skipWhitespace()
        guard let indirect = try? parser.parseIndirectObject(resolveLength: { _ in nil }) else { return false }
        return indirect.object.dictionaryValue?["Linearized"] != nil
    }

    /// A complete revision inside `range` (an update's bytes before its own cross-reference
    /// section): `startxref N` naming a cross-reference section in the range (`xref`, or an
    /// object header for a stream), then `%%EOF`. An embedded file's own `%%EOF` names no
    /// section of this file, so it is not taken for one. One pass: each `startxref` is checked
    /// in the few bytes after it, however many there are.
    func hiddenRevision(in range: Range<Int>) -> (xref: Int, eof: Int)? {
        var next = range.lowerBound
        while let index = bytes.firstIndex(of: "startxref", in: next..<range.upperBound) {
            next = index + 1
            var lexer = Lexer(bytes: bytes, position: index + 9)
            guard case .integer(let offset)? = try? lexer.next().token, range.contains(offset) else { continue }
            var eof = lexer.position
            while eof < min(range.upperBound, lexer.position + 8), ByteClass.isWhitespace(bytes[eof]) { eof += 1 }
            guard eof + 5 <= range.upperBound, matches("%%EOF", at: eof) else { continue }
            var at = offset
            while at < range.upperBound, ByteClass.isWhitespace(bytes[at]) { at += 1 }
            if matches("xref", at: at) || (at < range.upperBound && bytes[at] >= 0x30 && bytes[at] <= 0x39) {
                return (offset, eof)
            }
        }
        return nil
    }

    // MARK: Byte searching

    func matches(_ word: StaticString, at index: Int) -> Bool { bytes.matches(word, at: index) }

    func lastIndex(of word: StaticString, before end: Int) -> Int? {
        var index = end - word.utf8CodeUnitCount
        while index >= 0 {
            if matches(word, at: index) { return index }
            index -= 1
        }
        return nil
    }

    func firstIndex(of word: StaticString, from start: Int) -> Int? {
        var index = start
        while index + word.utf8CodeUnitCount <= bytes.count {
            if matches(word, at: index) { return index }
            index += 1
        }
        return nil
    }

    /// One past an end-of-line (CRLF, LF or CR) at `position`, or `position` if none.
    func endOfLine(after position: Int) -> Int {
        if position < bytes.count, bytes[position] == 0x0D {
            return position + 1 < bytes.count && bytes[position + 1] == 0x0A ? position + 2 : position + 1
        }
        if position < bytes.count, bytes[position] == 0x0A { return position + 1 }
        return position
    }
}

extension Lexer {
    /// Skips whitespace but not comments (so `%%EOF` stays visible).
    mutating func skipWhitespaceOnly() {
        while position < end, ByteClass.isWhitespace(bytes[position]) { position += 1 }
    }
}
