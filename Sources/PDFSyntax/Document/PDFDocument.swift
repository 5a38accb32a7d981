import Synchronization

/// A parsed PDF file: every revision, with objects read on demand.
///
/// The document is immutable and `Sendable`; parsed objects are cached behind a lock, so one
/// document can be read from many tasks. Every object lookup can be made *as of* a revision,
/// which is what signature verification needs.
public final class PDFDocument: Sendable {
    /// The file's bytes, exactly as read.
    public let bytes: PDFBytes
    public let mode: PDFReadingMode
    public let limits: PDFLimits
    /// The version in the `%PDF-x.y` header.
    public let headerVersion: String
    /// The revisions, oldest first: the original document, then each incremental update.
    public let revisions: [PDFRevision]
    /// Whether tolerant reading had to rebuild the cross-reference by scanning.
    public let wasReconstructed: Bool
    /// Harmless deviations from ISO 32000 that reading accepted, with their offsets
    /// (docs/robustness.md lists the kinds and why each is safe): those of the file's structure,
    /// then those met in objects read since (a page written directly in `/Kids`, say).
    public var notes: [PDFNote] { structureNotes + state.withLock { $0.notes } }
    private let structureNotes: [PDFNote]
    /// Ambiguities found inside a revision, with the revision (`.strictPerRevision` only: strict
    /// reading throws them, tolerant reading makes them warnings).
    public let ambiguities: [PDFAmbiguity]
    /// How the document is encrypted and what it permits, when it is (ISO 32000-2 §7.6): objects
    /// read from it are decrypted; an `IncrementalUpdate` encrypts what it writes with the same key.
    public let encryption: PDFEncryption?

    private let structureWarnings: [PDFWarning]
    /// Offsets of xref entries that point at no header of their object, recorded as ambiguities:
    /// what they name reads as `null`.
    private let mismatchedEntries: Set<MismatchedEntry>

    /// Whether `reference`'s cross-reference entry points at another object (an ambiguity the
    /// per-revision strict reader recorded; the object reads as null).
    func hasMismatchedEntry(_ reference: PDFReference) -> Bool {
        mismatchedEntries.contains { $0.reference == reference }
    }

    private struct MismatchedEntry: Hashable {
        var offset: Int
        var reference: PDFReference
    }
    private let latestTable: XRefTable
    private let state = Mutex(State())

    private struct State: ~Copyable {
        /// Parsed objects by file offset.
        var objects: [Int: PDFObject] = [:]
        /// Parsed object streams by stream number, then revision (usually one).
        var objectStreams: [Int: [(revision: Int, members: ObjectStreamMembers)]] = [:]
        var pages: [Int: [PDFPage]] = [:]
        var decodedBytes = 0
        var warnings: [PDFWarning] = []
        var notes: [PDFNote] = []
        /// Tolerant reading: every `n g obj` header, scanned when an xref entry first misses.
        var scannedHeaders: [Int: [(offset: Int, generation: Int)]]?
    }

    /// Parses a file's structure. Objects are parsed when first asked for.
    ///
    /// An encrypted file opens only with `decryption` (its password and the cryptographic
    /// functions); without it, reading throws `.encrypted` saying how the file is encrypted.
    public convenience init(bytes: [UInt8], mode: PDFReadingMode = .strict, limits: PDFLimits = .default,
                            decryption: PDFDecryption? = nil) throws {
        try self.init(bytes: PDFBytes(bytes), mode: mode, limits: limits, decryption: decryption)
    }

    /// Parses a file's structure from bytes already in memory or mapped.
    public convenience init(bytes: PDFBytes, mode: PDFReadingMode = .strict, limits: PDFLimits = .default,
                            decryption: PDFDecryption? = nil) throws {
        try self.init(bytes: bytes, mode: mode, limits: limits, rebuild: false, decryption: decryption)
    }

    /// Reads a file tolerantly with its cross-reference rebuilt by scanning for `n g obj`
    /// headers, whatever the file's own xref says: the last resort of a repairing reader (for
    /// rewriting a damaged unsigned file before signing it; never for verification).
    public static func rebuilt(bytes: PDFBytes, limits: PDFLimits = .default, decryption: PDFDecryption? = nil) throws -> PDFDocument {
        try PDFDocument(bytes: bytes, mode: .tolerant(reconstruct: true), limits: limits, rebuild: true, decryption: decryption)
            .withObjectStreamMembers(decryption: decryption)
    }

    private convenience init(bytes: PDFBytes, mode: PDFReadingMode, limits: PDFLimits, rebuild: Bool, decryption: PDFDecryption?) throws {
        var reader = FileStructureReader(bytes: bytes, limits: limits, mode: mode)
        try self.init(bytes: bytes, mode: mode, limits: limits, structure: try reader.read(rebuild: rebuild), decryption: decryption)
    }

    init(bytes: PDFBytes, mode: PDFReadingMode, limits: PDFLimits, structure: FileStructure, decryption: PDFDecryption?) throws {
        self.bytes = bytes
        self.mode = mode
        self.limits = limits
        headerVersion = structure.version
        revisions = structure.revisions
        wasReconstructed = structure.reconstructed
        structureWarnings = structure.warnings
        ambiguities = structure.ambiguities
        mismatchedEntries = Set(structure.ambiguities.compactMap { ambiguity in
            guard ambiguity.error.code == .xrefEntryMismatch, let offset = ambiguity.error.offset,
                  let reference = ambiguity.error.object else { return nil }
            return MismatchedEntry(offset: offset, reference: reference)
        })
        var table = XRefTable()
        for revision in structure.revisions {
            for section in revision.sections { table = table.overlaid(by: section.effectiveEntries) }
        }
        latestTable = table
        let latestTrailer = structure.revisions.last?.trailer ?? PDFDictionary()
        if let encrypt = latestTrailer["Encrypt"], encrypt != .null {
            let dictionary = Self.encryptionDictionary(encrypt, table: table, bytes: bytes, limits: limits)
            guard let decryption else {
                throw PDFError(.encrypted, "the document is encrypted \(Self.describeEncryption(dictionary));"
                    + " reading it needs its password and the cryptographic functions (PDFDecryption)")
            }
            guard let dictionary else {
                throw PDFError(.encrypted, "the trailer's /Encrypt does not name a readable dictionary, so the document cannot be decrypted")
            }
            encryption = try PDFEncryption(dictionary: dictionary, reference: encrypt.referenceValue, trailer: latestTrailer,
                                           decryption: decryption)
        } else {
            encryption = nil
        }
        structureNotes = structure.notes + (encryption?.permissionsNote.map { [$0] } ?? [])
    }

    /// The `/Encrypt` dictionary, read before anything is decrypted: direct, or an indirect
    /// object outside any object stream (ISO 32000-2 §7.5.7 keeps it out of them).
    private static func encryptionDictionary(_ value: PDFObject, table: XRefTable, bytes: PDFBytes, limits: PDFLimits) -> PDFDictionary? {
        if case .dictionary(let dictionary) = value { return dictionary }
        guard let reference = value.referenceValue, case .inUse(let offset, _)? = table[reference.number],
              offset >= 0, offset < bytes.count else { return nil }
        var parser = ObjectParser(bytes: bytes, position: offset, limits: limits, strict: false)
        guard let parsed = try? parser.parseIndirectObject(resolveLength: { _ in nil }), parsed.reference == reference else { return nil }
        return parsed.object.dictionaryValue
    }

    /// Which security handler and algorithm an `/Encrypt` dictionary names (ISO 32000-2 §7.6),
    /// for the refusal: the standard handler's revision and cipher, or the public-key handler.
    private static func describeEncryption(_ dictionary: PDFDictionary?) -> String {
        guard let dictionary, let filter = dictionary["Filter"]?.nameValue?.string else { return "(no readable /Encrypt dictionary)" }
        let version = dictionary["V"]?.intValue ?? 0
        let cipher: String
        switch version {
        case 1: cipher = "RC4 40-bit"
        case 2, 3: cipher = "RC4 \(dictionary["Length"]?.intValue ?? 40)-bit"
        case 4: cipher = "RC4 or AES-128 (crypt filters)"
        case 5: cipher = "AES-256"
        default: cipher = "algorithm /V \(version)"
        }
        if filter == "Standard" {
            return "with the standard security handler (revision \(dictionary["R"]?.intValue ?? 0), \(cipher))"
        }
        if filter == "Adobe.PubSec" {
            let subFilter = dictionary["SubFilter"]?.nameValue?.string ?? "none"
            return "with the public-key security handler (/Adobe.PubSec, /SubFilter \(subFilter), \(cipher)), which needs the recipient's private key"
        }
        return "with the security handler /\(filter), which is not one ISO 32000 defines"
    }

    /// Reads and parses a file.
    public convenience init(path: String, mode: PDFReadingMode = .strict, limits: PDFLimits = .default,
                            decryption: PDFDecryption? = nil) throws {
        try self.init(bytes: try PDFBytes(mappingFile: path), mode: mode, limits: limits, decryption: decryption)
    }

    /// Anomalies tolerant reading stepped over so far (structure, then objects as they were parsed).
    public var warnings: [PDFWarning] { structureWarnings + state.withLock { $0.warnings } }

    /// Records what tolerant reading accepted (once, however often the same thing is read).
    func recordWarning(_ error: PDFError) {
        let warning = PDFWarning(error)
        state.withLock { if !$0.warnings.contains(warning) { $0.warnings.append(warning) } }
    }

    /// The newest revision's index.
    public var latestRevision: Int { revisions.count - 1 }

    /// The trailer in force at a revision (the newest by default).
    public func trailer(revision: Int? = nil) -> PDFDictionary { revisions[revision ?? latestRevision].trailer }
    public var trailer: PDFDictionary { trailer() }

    /// The cross-reference entry in force for an object number at a revision.
    public func entry(for number: Int, revision: Int? = nil) -> XRefEntry? {
        guard let revision, revision < latestRevision else { return latestTable[number] }
        for index in stride(from: revision, through: 0, by: -1) {
            for section in revisions[index].sections.reversed() {
                if let entry = section.entry(for: number) { return entry }
            }
        }
        return nil
    }

    /// How many object numbers the newest cross-reference speaks of (a bound on any count of objects).
    var latestEntryCount: Int { latestTable.count }

    /// Every object number in use at a revision, sorted.
    public func objectNumbers(revision: Int? = nil) -> [Int] {
        let last = revision ?? latestRevision
        var numbers: Set<Int> = []
        for index in 0...last {
            for section in revisions[index].sections { numbers.formUnion(section.objectNumbers) }
        }
        return numbers.filter { entry(for: $0, revision: last)?.isInUse == true }.sorted()
    }

    /// The object a reference names, as of a revision. A free or missing object is `null` (§7.3.10).
    public func object(_ reference: PDFReference, revision: Int? = nil) throws -> PDFObject {
        try object(reference, revision: revision ?? latestRevision, depth: 0)
    }

    /// `cache: false` parses without keeping the object (an object stream's container: its
    /// members are cached instead, and its encoded bytes need not stay in memory).
    private func object(_ reference: PDFReference, revision: Int, depth: Int, cache: Bool = true) throws -> PDFObject {
        guard depth <= limits.maxReferenceChain else {
            throw PDFError(.referenceCycle, "stream /Length references loop or nest deeper than \(limits.maxReferenceChain)",
                           object: reference)
        }
        switch entry(for: reference.number, revision: revision) {
        case nil, .free?:
            return .null
        case .inUse(let offset, let generation)?:
            guard generation == reference.generation else {
                // Null by the standard (ISO 32000-2 §7.3.10), and so for poppler; MuPDF and
                // others read the object at that number anyway: say so.
                recordNote(PDFNote(.generationMismatch,
                                   "\(reference) names generation \(reference.generation), but object \(reference.number) is generation \(generation): read as null, as the standard says, while some viewers (MuPDF) show object \(reference.number) \(generation) there"))
                return .null
            }
            // Strict reading has checked every entry; tolerant reading may keep one that points
            // outside the file (an xref stream's 8-byte field can even be negative).
            guard offset >= 0, offset < bytes.count else {
                let error = PDFError(.xrefEntryMismatch, "the xref entry for \(reference) points outside the file (offset \(offset))",
                                     offset: offset, object: reference)
                if mode == .strict { throw error }
                state.withLock { $0.warnings.append(PDFWarning(error)) }
                return .null
            }
            if let cached = state.withLock({ $0.objects[offset] }) { return cached }
            if !mismatchedEntries.isEmpty, mismatchedEntries.contains(MismatchedEntry(offset: offset, reference: reference)) {
                return .null
            }
            var parser = ObjectParser(bytes: bytes, position: offset, limits: limits, strict: mode.isStrict)
            let parsed: IndirectObject
            do {
                parsed = try parser.parseIndirectObject(resolveLength: { lengthReference in
                    guard lengthReference.number != reference.number else {
                        throw PDFError(.referenceCycle, "a stream's /Length refers to the stream itself", object: reference)
                    }
                    return try self.object(lengthReference, revision: revision, depth: depth + 1).intValue
                })
            } catch let error as PDFError {
                if !mode.isStrict, let found = try relocated(reference, revision: revision, depth: depth, entryOffset: offset) {
                    return found
                }
                throw error.inObject(reference)
            }
            guard parsed.reference == reference else {
                let error = PDFError(.xrefEntryMismatch, "the xref entry for \(reference) points at object \(parsed.reference)",
                                     offset: offset, object: reference)
                // `.strictPerRevision` recorded this entry among `ambiguities` when it read the structure.
                if mode == .strict { throw error }
                if !mode.isStrict, let found = try relocated(reference, revision: revision, depth: depth, entryOffset: offset) {
                    return found
                }
                state.withLock { $0.warnings.append(PDFWarning(error)) }
                return .null
            }
            let object = try encryption.map { try $0.decrypt(parsed.object, reference: reference) } ?? parsed.object
            state.withLock {
                if cache { $0.objects[offset] = object }
                $0.warnings += parser.allWarnings(in: "object \(reference.number) \(reference.generation)", offsetsInFile: true)
            }
            for note in parser.notes { recordNote(note) }
            return object
        case .compressed(let streamNumber, let index)?:
            guard reference.generation == 0 else { return .null }
            let members = try objectStream(streamNumber, revision: revision, depth: depth)
            guard let object = members.object(number: reference.number, index: index) else {
                let error = PDFError(.xrefEntryMismatch,
                                     "object stream \(streamNumber) does not hold object \(reference.number) (entry index \(index))",
                                     object: reference)
                if mode.isStrict { throw error }
                state.withLock { $0.warnings.append(PDFWarning(error)) }
                return .null
            }
            return object
        }
    }

    /// Tolerant reading only: an object whose xref entry points at no header for it, found by
    /// scanning the file for `n g obj` — the last definition of that number and generation
    /// before the revision ends — as qpdf, pdf.js and poppler find it when they rebuild the
    /// cross-reference over such an entry. Nil when the file holds none that parses as it.
    private func relocated(_ reference: PDFReference, revision: Int, depth: Int, entryOffset: Int) throws -> PDFObject? {
        let headers: [Int: [(offset: Int, generation: Int)]]
        if let scanned = state.withLock({ $0.scannedHeaders }) {
            headers = scanned
        } else {
            headers = try XRefReconstructor(bytes: bytes, limits: limits).objectHeaders()
            state.withLock { $0.scannedHeaders = headers }
        }
        let end = revisions[revision].endOffset
        guard let candidate = headers[reference.number]?
            .last(where: { $0.generation == reference.generation && $0.offset != entryOffset && $0.offset < end }) else { return nil }
        if let cached = state.withLock({ $0.objects[candidate.offset] }) { return cached }
        var parser = ObjectParser(bytes: bytes, position: candidate.offset, limits: limits, strict: false)
        guard let parsed = try? parser.parseIndirectObject(resolveLength: { lengthReference in
            guard lengthReference.number != reference.number else { return nil }
            return try self.object(lengthReference, revision: revision, depth: depth + 1).intValue
        }), parsed.reference == reference else { return nil }
        let object = try encryption.map { try $0.decrypt(parsed.object, reference: reference) } ?? parsed.object
        let warning = PDFWarning(PDFError(.xrefEntryMismatch,
            "the xref entry for \(reference) points at no definition of it (offset \(entryOffset)); read the one found by scanning, at offset \(candidate.offset)",
            offset: entryOffset, object: reference))
        state.withLock {
            $0.objects[candidate.offset] = object
            $0.warnings.append(warning)
            $0.warnings += parser.allWarnings(in: "object \(reference.number) \(reference.generation)", offsetsInFile: true)
        }
        return object
    }

    /// The objects of an object stream (ISO 32000-2 §7.5.7), parsed once and cached.
    func objectStream(_ number: Int, revision: Int, depth: Int) throws -> ObjectStreamMembers {
        let cached = state.withLock { $0.objectStreams[number]?.first(where: { $0.revision == revision })?.members }
        if let cached { return cached }
        let reference = PDFReference(number, 0)
        guard case .inUse? = entry(for: number, revision: revision),
              case .stream(let stream) = try object(reference, revision: revision, depth: depth + 1, cache: false) else {
            throw PDFError(.badStream, "object stream \(number) is missing or not an uncompressed stream", object: reference)
        }
        guard stream.dictionary["Type"] == .name("ObjStm"),
              let count = stream.dictionary["N"]?.intValue, let first = stream.dictionary["First"]?.intValue,
              count >= 0, first >= 0, count <= limits.maxObjectCount else {
            throw PDFError(.badStream, "object stream \(number) lacks a valid /Type /ObjStm, /N or /First", object: reference)
        }
        let data = try decodedData(of: stream, revision: revision)
        guard first <= data.count else {
            throw PDFError(.badStream, "object stream \(number): /First \(first) is past its \(data.count) bytes",
                           object: reference)
        }
        let memberBytes = PDFBytes(data)
        // The header is plain integer pairs: read as tokens (an object parse would look ahead for `g R`).
        var header = Lexer(bytes: memberBytes, position: 0, end: first)
        // A pair takes at least 4 header bytes.
        var members = ObjectStreamMembers(capacity: min(count, first / 4 + 1))
        // One parser for all members (it keeps its buffers); each starts afresh at its offset.
        var parser = ObjectParser(bytes: memberBytes, position: first, limits: limits, strict: mode.isStrict)
        for _ in 0..<count {
            guard case .integer(let member) = try header.next().token, case .integer(let offset) = try header.next().token,
                  member > 0, offset >= 0, offset < data.count - first else {
                throw PDFError(.badStream, "object stream \(number) has a malformed header of \(count) number/offset pairs",
                               object: reference)
            }
            parser.lexer.position = first + offset
            let object = try parser.parseObject()
            if case .stream = object {
                throw PDFError(.badStream, "object stream \(number) holds a stream (object \(member))", object: reference)
            }
            members.append(number: member, object: object)
        }
        let repaired = parser.allWarnings(in: "object stream \(number)", offsetsInFile: false)
        state.withLock {
            $0.warnings += repaired
            $0.objectStreams[number, default: []].append((revision, members))
        }
        return members
    }

    /// Records a harmless deviation met while reading objects (see `notes`), once.
    func recordNote(_ note: PDFNote) {
        state.withLock { if !$0.notes.contains(note) { $0.notes.append(note) } }
    }

    /// Records an anomaly met while reading objects (see `warnings`).
    func recordWarning(_ warning: PDFWarning) {
        state.withLock { $0.warnings.append(warning) }
    }

    /// The page list of a revision, computed once (the page walk is in PageTree.swift).
    func cachedPages(revision: Int, compute: () throws -> [PDFPage]) throws -> [PDFPage] {
        if let pages = state.withLock({ $0.pages[revision] }) { return pages }
        let pages = try compute()
        state.withLock { $0.pages[revision] = pages }
        return pages
    }

    /// Follows references until a direct object (or `null`), detecting cycles.
    public func resolve(_ object: PDFObject, revision: Int? = nil) throws -> PDFObject {
        var current = object
        // Chains are short: a list is cheaper than a set here.
        var seen: [PDFReference] = []
        while case .reference(let reference) = current {
            guard !seen.contains(reference), seen.count < limits.maxReferenceChain else {
                throw PDFError(.referenceCycle, "references form a cycle or a chain longer than \(limits.maxReferenceChain)",
                               object: reference)
            }
            seen.append(reference)
            current = try self.object(reference, revision: revision)
        }
        return current
    }

    /// A dictionary entry, resolved.
    public func resolve(_ dictionary: PDFDictionary, _ key: PDFName, revision: Int? = nil) throws -> PDFObject? {
        guard let value = dictionary[key] else { return nil }
        let resolved = try resolve(value, revision: revision)
        return resolved == .null ? nil : resolved
    }

    /// A stream's decoded bytes, counted against the per-stream and per-document limits.
    public func decodedData(of stream: PDFStream, revision: Int? = nil) throws -> [UInt8] {
        var filter = try stream.dictionary["Filter"].map { try resolveDeep($0, revision: revision) }
        var parms = try (stream.dictionary["DecodeParms"] ?? stream.dictionary["DP"]).map { try resolveDeep($0, revision: revision) }
        // A leading /Crypt filter was applied when the object was read (PDFEncryption).
        if encryption != nil, let names = filter.map({ $0.arrayValue ?? [$0] }), names.first?.nameValue == "Crypt" {
            filter = .array(Array(names.dropFirst()))
            if let list = parms.map({ $0.arrayValue ?? [$0] }) { parms = .array(Array(list.dropFirst())) }
        }
        let remaining = state.withLock { limits.maxDecodedBytesPerDocument - $0.decodedBytes }
        guard remaining > 0 else {
            throw PDFError(.limitExceeded, "streams decode to more than \(limits.maxDecodedBytesPerDocument) bytes in all (decompression bomb?)")
        }
        let data: [UInt8]
        do {
            data = try StreamDecoder.decode(stream.encodedData, filter: filter, decodeParms: parms,
                                            maxOutput: min(limits.maxDecodedBytesPerStream, remaining),
                                            tolerant: !mode.isStrict)
        } catch let error as PDFError where error.code == .limitExceeded && remaining < limits.maxDecodedBytesPerStream {
            throw PDFError(.limitExceeded, "streams decode to more than \(limits.maxDecodedBytesPerDocument) bytes in all (decompression bomb?)")
        }
        state.withLock { $0.decodedBytes += data.count }
        return data
    }

    /// Resolves references inside arrays (one level), for filter names and parameters.
    private func resolveDeep(_ object: PDFObject, revision: Int?) throws -> PDFObject {
        let resolved = try resolve(object, revision: revision)
        if case .array(let items) = resolved { return .array(try items.map { try resolve($0, revision: revision) }) }
        return resolved
    }
}
