/// One revision of a PDF file: the original document or one incremental update (ISO 32000-2 §7.5.6).
public struct PDFRevision: Sendable, Hashable {
    /// 0 for the original document, then 1, 2, … for each incremental update.
    public var index: Int
    /// The first byte of the revision (0 for the original; the end of the previous one for updates).
    public var startOffset: Int
    /// One past the revision's `%%EOF` marker and its end-of-line.
    public var endOffset: Int
    /// The revision's cross-reference sections, oldest first (two for a linearized original).
    public var sections: [XRefSection]

    /// The syntax of the revision's (last) cross-reference section.
    public var xrefKind: XRefKind { sections.last!.kind }
    /// Where the revision's (last) cross-reference section starts — the revision's `startxref` value.
    public var xrefOffset: Int { sections.last!.offset }
    /// The trailer in force after this revision.
    public var trailer: PDFDictionary { sections.last!.trailer }

    /// Objects this revision defines (in-use entries), sorted.
    public var definedObjects: [PDFReference] {
        var result: [PDFReference] = []
        for section in sections {
            result.reserveCapacity(result.count + section.entries.count + section.streamEntries.count)
            section.forEachEntry { number, entry in
                if entry.isInUse { result.append(PDFReference(number, entry.generation)) }
            }
        }
        return Self.sortedUnique(result)
    }

    /// Objects this revision frees (free entries other than the head of the free list), sorted.
    public var freedObjects: [PDFReference] {
        var result: [PDFReference] = []
        for section in sections {
            section.forEachEntry { number, entry in
                if number != 0, case .free(_, let generation) = entry { result.append(PDFReference(number, generation)) }
            }
        }
        return Self.sortedUnique(result)
    }

    /// Sorted, each reference once (two sections of a linearized original may name the same object).
    private static func sortedUnique(_ references: [PDFReference]) -> [PDFReference] {
        // One section lists its numbers in order, each once: then there is nothing to do.
        if zip(references, references.dropFirst()).allSatisfy({ $0 < $1 }) { return references }
        // Generations are at most 65535 (the xref parsers enforce it), so (number, generation)
        // packs into one Int whenever the number fits 47 bits: sorting Ints is much cheaper.
        if references.allSatisfy({ $0.number >= 0 && $0.number < 1 << 47 && $0.generation >= 0 && $0.generation <= 0xFFFF }) {
            var packed = references.map { $0.number << 16 | $0.generation }
            packed.sort()
            var result: [PDFReference] = []
            result.reserveCapacity(packed.count)
            var previous = -1
            for key in packed where key != previous {
                result.append(PDFReference(key >> 16, key & 0xFFFF))
                previous = key
            }
            return result
        }
        var sorted = references.sorted()
        var kept = 0
        for index in sorted.indices where kept == 0 || sorted[index] != sorted[kept - 1] {
            sorted[kept] = sorted[index]
            kept += 1
        }
        sorted.removeLast(sorted.count - kept)
        return sorted
    }
}

/// How strictly to read a file.
public enum PDFReadingMode: Sendable, Hashable {
    /// Every anomaly is an error with its byte offset. Verification relies on this mode only.
    case strict
    /// Anomalies become warnings; with `reconstruct`, a broken cross-reference is rebuilt by scanning.
    case tolerant(reconstruct: Bool)
    /// Strict, except that an ambiguity found inside one revision (an xref row naming another
    /// object, an object outside its revision, a redefined generation, a revision without its
    /// `startxref … %%EOF`) is recorded in `PDFDocument.ambiguities` with that revision instead of
    /// ending the read; such an entry's object then reads as `null`. What the ambiguity means
    /// depends on where it is relative to each signature, which only a verifier knows.
    case strictPerRevision

    /// Whether anomalies are errors (`.strict` and `.strictPerRevision`).
    public var isStrict: Bool {
        if case .tolerant = self { return false }
        return true
    }
}
