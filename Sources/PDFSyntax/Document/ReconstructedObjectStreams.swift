extension PDFDocument {
    /// The document with the members of its object streams in its cross-reference, when that
    /// cross-reference was rebuilt by scanning (else the document itself).
    ///
    /// Scanning finds only objects with an `n g obj` header of their own; an object stored in an
    /// object stream (ISO 32000-2 §7.5.7) has none, so a rebuilt cross-reference lost every one of
    /// them — in a file written with object streams, the catalog, the page tree and the form. So
    /// each object stream found is read (decrypted and decoded like any stream) and its members
    /// are added under the numbers its header gives, where no object of that number was found on
    /// its own (such an object was written outside the stream, by a later update or a tool that
    /// rewrote it, and is kept). A member listed by two object streams is taken from the first in
    /// number order. A broken object stream adds nothing.
    public func withObjectStreamMembers(decryption: PDFDecryption?) throws -> PDFDocument {
        guard wasReconstructed, revisions.count == 1, var revision = revisions.first, revision.sections.count == 1 else { return self }
        var entries: [Int: XRefEntry] = [:]
        for number in objectNumbers() {
            guard let entry = entry(for: number) else { continue }
            entries[number] = entry
        }
        var added = 0
        for number in objectNumbers() {
            guard case .inUse(_, 0)? = entry(for: number),
                  case .stream(let stream)? = try? object(PDFReference(number, 0)), stream.dictionary["Type"] == .name("ObjStm"),
                  let members = try? objectStream(number, revision: latestRevision, depth: 0) else { continue }
            for (index, member) in members.memberNumbers.enumerated() where member > 0 && entries[member] == nil {
                entries[member] = .compressed(streamNumber: number, index: index)
                added += 1
            }
        }
        guard added > 0 else { return self }
        revision.sections[0].entries = XRefTable(entries)
        let structure = FileStructure(version: headerVersion, revisions: [revision],
                                      warnings: warnings + [PDFWarning("\(added) object(s) found in object streams after the rebuild and added to it")],
                                      // The new document notes its encryption's permissions itself.
                                      reconstructed: true, notes: notes.filter { $0 != encryption?.permissionsNote })
        return try PDFDocument(bytes: bytes, mode: mode, limits: limits, structure: structure, decryption: decryption)
    }
}
