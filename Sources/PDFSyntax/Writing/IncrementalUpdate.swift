/// An incremental update (ISO 32000-2 §7.5.6): new and changed objects appended after the
/// original bytes, with a cross-reference section of the same kind as the newest one and `/Prev`.
/// Every original byte is kept.
public struct IncrementalUpdate: Sendable {
    public let document: PDFDocument
    /// Objects to write, by reference.
    public private(set) var objects: [PDFReference: PDFObject] = [:]
    /// Objects to free.
    public private(set) var freed: Set<PDFReference> = []
    /// Trailer entries to set (`nil` removes one), e.g. a new `/Info`.
    public var trailerChanges: [PDFName: PDFObject?] = [:]
    private var nextNumber: Int

    public init(document: PDFDocument) {
        self.document = document
        let declared = document.trailer["Size"]?.intValue ?? 0
        let highest = (document.objectNumbers().max() ?? 0) + 1
        // /Size is the file's word: trusted only below the object limit, as every real number is.
        nextNumber = declared < document.limits.maxObjectCount ? max(declared, highest) : highest
    }

    /// Adds a new object and returns its reference.
    public mutating func add(_ object: PDFObject) -> PDFReference {
        let reference = reserve()
        objects[reference] = object
        return reference
    }

    /// Reserves a number for an object written later with `set` (for objects that refer to each other).
    public mutating func reserve() -> PDFReference {
        defer { nextNumber += 1 }
        return PDFReference(nextNumber, 0)
    }

    /// Writes (replaces) an object.
    public mutating func set(_ reference: PDFReference, _ object: PDFObject) {
        objects[reference] = object
        freed.remove(reference)
    }

    /// Frees an existing object (its next generation becomes available).
    public mutating func free(_ reference: PDFReference) {
        objects[reference] = nil
        freed.insert(reference)
    }

    /// The update's bytes and where each object landed.
    public struct Output: Sendable {
        /// The original file, untouched (mapped when the document was read from a file).
        public var original: PDFBytes
        /// The bytes appended after it: the new objects, the xref section, the trailer.
        public var appended: [UInt8]
        /// Offset of each written object's `n g obj` header in the whole new file.
        public var objectOffsets: [PDFReference: Int]
        /// Where the appended update starts in the new file (`original.count`).
        public var updateOffset: Int { original.count }
        /// The size of the whole new file.
        public var count: Int { original.count + appended.count }

        /// The whole new file in memory (original bytes, then the update).
        public var bytes: [UInt8] { original.array + appended }
    }

    /// The update, to be written after the original file.
    ///
    /// For an encrypted document (`document.encryption`), use `makeOutput()`, which can report a
    /// failure of the cipher functions; `write()` stops the program on one (the functions opened
    /// the document moments before, so a failure means the crypto library itself broke).
    public func write() -> Output {
        do {
            return try makeOutput()
        } catch {
            preconditionFailure("encrypting an incremental update failed: \(error)")
        }
    }

    /// The update, to be written after the original file. In an encrypted document the new and
    /// changed objects' strings and streams are encrypted with the document's key (ISO 32000-2
    /// §7.6.2), and the trailer keeps `/Encrypt` and `/ID`.
    /// - Throws: what the cipher functions throw (encrypted documents only).
    public func makeOutput() throws -> Output {
        let original = document.bytes
        var out: [UInt8] = []
        out.reserveCapacity(objects.values.reduce(4096) { total, object in
            if case .stream(let stream) = object { return total + stream.encodedData.count + 512 }
            return total + 256
        })
        if let last = original.last, last != 0x0A, last != 0x0D { out.append(0x0A) }
        let base = original.count
        var entries: [Int: XRefEntry] = [:]
        var offsets: [PDFReference: Int] = [:]
        for reference in objects.keys.sorted() {
            offsets[reference] = base + out.count
            entries[reference.number] = .inUse(offset: base + out.count, generation: reference.generation)
            let object = objects[reference]!
            ObjectSerializer.writeIndirect(reference, try document.encryption?.encrypt(object, reference: reference) ?? object, to: &out)
        }
        for reference in freed.sorted() {
            entries[reference.number] = .free(nextFree: 0, generation: min(reference.generation + 1, 65535))
        }
        let latest = document.revisions[document.latestRevision]
        var trailer = PDFDictionary()
        for (key, value) in latest.trailer
        where !["Prev", "XRefStm", "Size", "Type", "W", "Index", "Filter", "DecodeParms", "Length", "DL"].contains(key) {
            trailer[key] = value
        }
        for (key, value) in trailerChanges.sorted(by: { $0.key < $1.key }) { trailer[key] = value ?? nil }
        trailer["Prev"] = .integer(latest.xrefOffset)
        let highest = max(nextNumber, (objects.keys.map(\.number).max() ?? 0) + 1)
        switch latest.xrefKind {
        case .table, .hybrid:
            trailer["Size"] = .integer(highest)
            out += XRefWriter.table(entries: entries, trailer: trailer, sectionOffset: base + out.count)
        case .stream:
            trailer["Size"] = .integer(highest + 1)
            out += XRefWriter.stream(number: highest, entries: entries, trailer: trailer, sectionOffset: base + out.count)
        }
        return Output(original: original, appended: out, objectOffsets: offsets)
    }
}
