import PDFSyntax

/// Checks that every byte of an incremental update is explained by its cross-reference section:
/// objects the section lists, the section itself, `startxref … %%EOF`, whitespace and comments.
///
/// An update whose xref is empty or leaves objects out parses fine strictly (those objects do
/// not exist), but a repairing reader that scans the file picks them up — a parser differential
/// that incremental saving attacks (ISA) use. Such bytes fail the file.
struct UpdateCheck {
    let document: PDFDocument
    let scanner: RawScanner

    /// Issues for the revisions after `firstSigned` (0-based).
    func check(after firstSigned: Int) -> [VerificationIssue] {
        guard firstSigned < document.latestRevision else { return [] }
        var issues: [VerificationIssue] = []
        for revision in document.revisions[(firstSigned + 1)...] {
            do {
                if let (offset, count) = try unexplainedBytes(in: revision) {
                    issues.append(VerificationIssue(.unexplainedBytes,
                        "revision \(revision.index + 1) holds \(count) byte(s) from offset \(offset) that its cross-reference section does not list — content only a repairing reader would see (incremental saving attack)"))
                }
            } catch {
                issues.append(VerificationIssue(.malformedFile, "revision \(revision.index + 1) cannot be read strictly: \(error)"))
            }
        }
        return issues
    }

    /// The first run of bytes nothing explains, as (offset, length).
    private func unexplainedBytes(in revision: PDFRevision) throws -> (Int, Int)? {
        var spans: [Range<Int>] = []
        for section in revision.sections {
            spans.append(section.offset..<section.endOffset)
            if let streamOffset = section.xrefStreamOffset {
                spans.append(try span(of: streamOffset, number: nil, revision: revision.index))
            }
            for number in section.objectNumbers {
                guard case .inUse(let offset, let generation)? = section.entry(for: number),
                      offset >= revision.startOffset, offset < revision.endOffset, offset != section.offset else { continue }
                spans.append(try span(of: offset, number: PDFReference(number, generation), revision: revision.index))
            }
        }
        spans.sort { $0.lowerBound < $1.lowerBound }
        var position = revision.startOffset
        func blankOrComment(upTo end: Int) -> (Int, Int)? {
            let stop = scanner.skipBlank(from: position)
            return stop < end && !isTail(at: stop, end: revision.endOffset) ? (stop, end - stop) : nil
        }
        for span in spans {
            if span.lowerBound > position, let run = blankOrComment(upTo: span.lowerBound) { return run }
            position = max(position, span.upperBound)
        }
        if position < revision.endOffset, let run = blankOrComment(upTo: revision.endOffset) { return run }
        return nil
    }

    /// Whether `startxref N %%EOF` (the revision's own tail) starts at `offset`.
    private func isTail(at offset: Int, end: Int) -> Bool {
        guard let keyword = try? scanner.token(at: offset), scanner.spells(keyword, "startxref"),
              let number = try? scanner.token(at: keyword.end), scanner.integer(number) != nil else { return false }
        let rest = scanner.skipBlank(from: number.end)
        return rest >= end
    }

    private func span(of offset: Int, number: PDFReference?, revision: Int) throws -> Range<Int> {
        var length: Int? = nil
        if let number {
            if case .stream(let stream) = try document.object(number, revision: revision) {
                // Decrypted data is not the stored length (AES adds an IV and padding): use /Length then.
                length = document.encryption == nil ? stream.encodedData.count
                    : try document.resolve(stream.dictionary, "Length", revision: revision)?.intValue
            }
        } else {
            length = streamLength(at: offset)
        }
        do {
            return try scanner.objectSpan(at: offset, streamLength: length)
        } catch let failure as RawScanner.Failure {
            throw PDFError(.syntax, failure.message, offset: failure.offset)
        }
    }

    /// For an xref stream object (not in any entry): its direct `/Length`.
    private func streamLength(at offset: Int) -> Int? {
        guard let entries = try? scanner.dictionaryEntries(ofObjectAt: offset).entries,
              let length = entries.first(where: { $0.key.elementsEqual("Length".utf8) }),
              let token = try? scanner.token(at: length.valueStart) else { return nil }
        return scanner.integer(token)
    }
}
