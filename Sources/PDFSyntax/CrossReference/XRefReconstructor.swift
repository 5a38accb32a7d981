/// Rebuilds a cross-reference table by scanning the file for `n g obj` headers — tolerant mode's
/// last resort, used only when asked. The result is one synthetic revision spanning the file.
struct XRefReconstructor {
    let bytes: PDFBytes
    let limits: PDFLimits

    func reconstruct() throws -> PDFRevision {
        var entries: [Int: XRefEntry] = [:]
        var trailer = PDFDictionary()
        try scan { reference, header in
            guard entries.count < limits.maxObjectCount else {
                throw PDFError(.limitExceeded, "more than \(limits.maxObjectCount) objects while rebuilding the xref",
                               offset: header)
            }
            entries[reference.number] = .inUse(offset: header, generation: reference.generation)
        } trailer: { trailer = $0 }
        if trailer["Root"] == nil {
            // No classic trailer: take the newest xref stream dictionary, or find the catalog.
            trailer = try trailerFromObjects(entries)
        }
        trailer["Prev"] = nil
        trailer["XRefStm"] = nil
        trailer["Size"] = .integer((entries.keys.max() ?? 0) + 1)
        let section = XRefSection(kind: .table, offset: bytes.count, endOffset: bytes.count, entries: XRefTable(entries),
                                  streamEntries: XRefTable(), trailer: trailer, xrefStreamOffset: nil)
        return PDFRevision(index: 0, startOffset: 0, endOffset: bytes.count, sections: [section])
    }

    /// Every `n g obj` header in the file, by object number: the offsets of its definitions in
    /// file order (for a tolerant read whose xref entry points at no header).
    func objectHeaders() throws -> [Int: [(offset: Int, generation: Int)]] {
        var headers: [Int: [(offset: Int, generation: Int)]] = [:]
        var count = 0
        try scan { reference, header in
            count += 1
            guard count <= limits.maxObjectCount else {
                throw PDFError(.limitExceeded, "more than \(limits.maxObjectCount) object headers while scanning the file",
                               offset: header)
            }
            headers[reference.number, default: []].append((header, reference.generation))
        } trailer: { _ in }
        return headers
    }

    /// Calls `object` for every `n g obj` header and `trailer` for every trailer dictionary with
    /// a `/Root`, in file order.
    private func scan(object: (PDFReference, Int) throws -> Void, trailer: (PDFDictionary) -> Void) throws {
        var index = 0
        let count = bytes.count
        while index < count {
            // Look for "obj" preceded by "n g" at a line start or after whitespace.
            if bytes[index] == UInt8(ascii: "o"), index + 3 <= count, bytes[index + 1] == UInt8(ascii: "b"),
               bytes[index + 2] == UInt8(ascii: "j"), index > 0, ByteClass.isWhitespace(bytes[index - 1]),
               let header = headerStart(endingBefore: index) {
                var parser = ObjectParser(bytes: bytes, position: header, limits: limits, strict: false)
                // Numbers past the object limit are not objects, as in a table (which cannot declare them).
                if let reference = try? parser.parseObjectHeader(), reference.number < limits.maxObjectCount {
                    try object(reference, header)
                }
            } else if bytes[index] == UInt8(ascii: "t"), bytes.matches("trailer", at: index) {
                var parser = ObjectParser(bytes: bytes, position: index + 7, limits: limits, strict: false)
                if case .dictionary(let dictionary)? = try? parser.parseObject(), dictionary["Root"] != nil {
                    trailer(dictionary)
                }
            }
            index += 1
        }
    }

    private func trailerFromObjects(_ entries: [Int: XRefEntry]) throws -> PDFDictionary {
        var catalog: PDFReference? = nil
        for (number, entry) in entries.sorted(by: { $0.key < $1.key }) {
            guard case .inUse(let offset, let generation) = entry else { continue }
            var parser = ObjectParser(bytes: bytes, position: offset, limits: limits, strict: false)
            guard let object = try? parser.parseIndirectObject(resolveLength: { _ in nil }).object,
                  let dictionary = object.dictionaryValue else { continue }
            if dictionary["Type"] == .name("XRef"), dictionary["Root"] != nil {
                var trailer = PDFDictionary()
                for key in ["Root", "Info", "ID", "Encrypt"] as [PDFName] { trailer[key] = dictionary[key] }
                return trailer
            }
            if dictionary["Type"] == .name("Catalog") { catalog = PDFReference(number, generation) }
        }
        guard let catalog else {
            throw PDFError(.badXref, "rebuilding the xref found no trailer and no /Type /Catalog object")
        }
        return ["Root": .reference(catalog)]
    }

    /// The start of `n g ` before an `obj` keyword at `index`, if the bytes there are two integers.
    private func headerStart(endingBefore index: Int) -> Int? {
        var position = index - 1
        func skipSpaces() { while position >= 0, bytes[position] == 0x20 || bytes[position] == 0x09 { position -= 1 } }
        func skipDigits() -> Bool {
            let start = position
            while position >= 0, bytes[position] >= 0x30, bytes[position] <= 0x39 { position -= 1 }
            return position < start
        }
        skipSpaces()
        guard skipDigits() else { return nil }
        skipSpaces()
        guard skipDigits() else { return nil }
        guard position < 0 || ByteClass.isWhitespace(bytes[position]) || ByteClass.isDelimiter(bytes[position]) else {
            return nil
        }
        return position + 1
    }

}
