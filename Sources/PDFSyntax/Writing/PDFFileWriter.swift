/// Which cross-reference syntax a writer emits.
public enum XRefStyle: Sendable, Hashable {
    case table
    case stream
}

/// Writes a complete PDF file from a set of objects (used to add form fields to cairo's output).
public struct PDFFileWriter: Sendable {
    public var version: String
    public var xrefStyle: XRefStyle

    public init(version: String = "1.7", xrefStyle: XRefStyle = .table) {
        self.version = version
        self.xrefStyle = xrefStyle
    }

    /// A file holding `objects` (uncompressed, in number order) with `trailer` (`/Root`, `/Info`,
    /// `/ID`; `/Size` is computed). Generations are kept; numbers not given become free entries.
    public func write(objects: [PDFReference: PDFObject], trailer: PDFDictionary) -> [UInt8] {
        var out = Array("%PDF-\(version)\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        var entries: [Int: XRefEntry] = [:]
        for reference in objects.keys.sorted() {
            entries[reference.number] = .inUse(offset: out.count, generation: reference.generation)
            out += ObjectSerializer.serializeIndirect(reference, objects[reference]!)
        }
        let highest = objects.keys.map(\.number).max() ?? 0
        var trailer = trailer
        for key in ["Prev", "XRefStm", "Size"] as [PDFName] { trailer[key] = nil }
        switch xrefStyle {
        case .table:
            linkFreeList(&entries, upTo: highest)
            trailer["Size"] = .integer(highest + 1)
            out += XRefWriter.table(entries: entries, trailer: trailer, sectionOffset: out.count)
        case .stream:
            let streamNumber = highest + 1
            linkFreeList(&entries, upTo: streamNumber)
            trailer["Size"] = .integer(streamNumber + 1)
            out += XRefWriter.stream(number: streamNumber, entries: entries, trailer: trailer, sectionOffset: out.count)
        }
        return out
    }

    /// Fills every missing number below `upTo` with a free entry, linked in ascending order from object 0.
    private func linkFreeList(_ entries: inout [Int: XRefEntry], upTo limit: Int) {
        let free = (0...limit).filter { entries[$0] == nil }
        for (position, number) in free.enumerated() {
            let next = position + 1 < free.count ? free[position + 1] : 0
            entries[number] = .free(nextFree: next, generation: number == 0 ? 65535 : 0)
        }
    }
}

extension PDFDocument {
    /// Every object in use at the newest revision, resolved out of object streams (object streams
    /// and xref streams themselves left out), ready for a full rewrite.
    public func allObjects() throws -> [PDFReference: PDFObject] {
        var dropped: [PDFReference] = []
        return try allObjects(dropUnreadable: false, dropped: &dropped)
    }

    /// Every object; with `dropUnreadable`, one that cannot be read (a broken object stream,
    /// say) is left out and listed in `dropped` instead of ending the read.
    private func allObjects(dropUnreadable: Bool, dropped: inout [PDFReference]) throws -> [PDFReference: PDFObject] {
        var objects: [PDFReference: PDFObject] = [:]
        for number in objectNumbers() {
            guard let entry = entry(for: number) else { continue }
            let reference = PDFReference(number, entry.generation)
            let object: PDFObject
            do {
                object = try self.object(reference)
            } catch let error as PDFError where dropUnreadable && error.code != .limitExceeded {
                dropped.append(reference)
                continue
            }
            if let type = object.streamValue?.dictionary["Type"], type == .name("XRef") || type == .name("ObjStm") {
                continue
            }
            objects[reference] = object
        }
        return objects
    }

    /// The document written anew as one revision (all objects uncompressed; an encrypted one
    /// encrypted again with its own key).
    public func rewritten(xrefStyle: XRefStyle = .table) throws -> [UInt8] {
        var dropped: [PDFReference] = []
        var cutFieldLoops: [String] = []
        return try rewritten(xrefStyle: xrefStyle, repairing: false, dropped: &dropped, cutFieldLoops: &cutFieldLoops)
    }

    /// The document written anew as one revision (an encrypted one encrypted again with its own
    /// key, keeping `/Encrypt` and `/ID`). `repairing` writes what a repairing reader
    /// shows of a damaged file: objects that cannot be read are left out (a reference to them
    /// then reads as `null`, ISO 32000-2 §7.3.10) and listed in `dropped`; an edge of the AcroForm
    /// field tree that leads back to an ancestor is left out of its `/Kids` and listed in
    /// `cutFieldLoops` (see `FormTreeLoops`).
    public func rewritten(xrefStyle: XRefStyle = .table, repairing: Bool, dropped: inout [PDFReference],
                          cutFieldLoops: inout [String]) throws -> [UInt8] {
        var trailer = PDFDictionary()
        for key in ["Root", "Info", "ID"] as [PDFName] { trailer[key] = self.trailer[key] }
        // An encrypted document stays encrypted, with its own key: the same /Encrypt and /ID.
        if encryption != nil { trailer["Encrypt"] = self.trailer["Encrypt"] }
        // The header's version only if it is a plain `d.d` (tolerant reading keeps whatever is there).
        let digits = Array(headerVersion.utf8)
        let isPlain = digits.count == 3 && digits[1] == UInt8(ascii: ".")
            && [digits[0], digits[2]].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        let version = isPlain ? headerVersion : "1.7"
        var objects = try allObjects(dropUnreadable: repairing, dropped: &dropped)
        if repairing {
            cutFieldLoops = FormTreeLoops.cut(in: &objects, root: trailer["Root"]?.referenceValue, maxDepth: limits.maxNestingDepth)
        }
        if let encryption {
            for (reference, object) in objects { objects[reference] = try encryption.encrypt(object, reference: reference) }
        }
        return PDFFileWriter(version: version, xrefStyle: xrefStyle).write(objects: objects, trailer: trailer)
    }
}
