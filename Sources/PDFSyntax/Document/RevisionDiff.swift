/// What changed in the object graph between two revisions — the ground truth for modification
/// analysis after a signature (DESIGN.md §7).
public struct RevisionDiff: Sendable, Hashable {
    public var fromRevision: Int
    public var toRevision: Int
    /// Objects in use at `toRevision` that were free or absent at `fromRevision`.
    public var added: [PDFReference]
    /// Objects redefined after `fromRevision` whose value differs.
    public var changed: [PDFReference]
    /// Objects in use at `fromRevision` and free at `toRevision`.
    public var freed: [PDFReference]
    /// Objects redefined after `fromRevision` with an identical value.
    public var rewrittenUnchanged: [PDFReference]

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && freed.isEmpty }
}

extension PDFDocument {
    /// The difference between revision `from` and a later revision `to` (the newest by default).
    public func diff(from: Int, to: Int? = nil) throws -> RevisionDiff {
        let target = to ?? latestRevision
        guard from >= 0, from <= target, target <= latestRevision else {
            throw PDFError(.invalidArgument, "cannot diff revision \(from) against \(target): the file has revisions 0–\(latestRevision)")
        }
        var touched: Set<Int> = []
        if target > from {
            for index in (from + 1)...target {
                for section in revisions[index].sections { touched.formUnion(section.objectNumbers) }
            }
        }
        var result = RevisionDiff(fromRevision: from, toRevision: target, added: [], changed: [], freed: [],
                                  rewrittenUnchanged: [])
        for number in touched.sorted() where number != 0 {
            let before = entry(for: number, revision: from)
            let after = entry(for: number, revision: target)
            switch (before?.isInUse == true, after?.isInUse == true) {
            case (false, true):
                result.added.append(PDFReference(number, after!.generation))
            case (true, false):
                result.freed.append(PDFReference(number, before!.generation))
            case (true, true):
                guard before != after else { continue }
                let old = try object(PDFReference(number, before!.generation), revision: from)
                let new = try object(PDFReference(number, after!.generation), revision: target)
                if old == new, before!.generation == after!.generation {
                    result.rewrittenUnchanged.append(PDFReference(number, after!.generation))
                } else {
                    result.changed.append(PDFReference(number, after!.generation))
                }
            case (false, false):
                continue
            }
        }
        // An object whose entry still points into an object stream that was redefined is read
        // from the new stream: its value may have changed without its own entry being touched.
        if !touched.isEmpty {
            for number in objectNumbers(revision: target) where !touched.contains(number) {
                guard case .compressed(let container, _)? = entry(for: number, revision: target), touched.contains(container),
                      let before = entry(for: number, revision: from), before.isInUse else { continue }
                let old = try object(PDFReference(number, before.generation), revision: from)
                let new = try object(PDFReference(number, 0), revision: target)
                if old != new { result.changed.append(PDFReference(number, 0)) }
            }
            result.changed.sort()
        }
        return result
    }
}
