import PDFSyntax

extension SigningError.Code {
    /// A damaged input whose repair would lose content the document uses (objects cut off by a
    /// truncation, or objects that cannot be read): signing it would sign less than its author
    /// made, so it is refused.
    public static let damagedInput = SigningError.Code("damagedInput")
}

/// What the repairing read of a damaged, unsigned input would leave out of the rewrite that
/// gets signed. A repair is signed only when it keeps everything the document uses; a file that
/// lost some of it (a download or a save cut short, an object that no longer parses) is refused
/// with the objects named, because the signer would put their name under a document that is not
/// whole while the notice scrolls past.
///
/// - Objects the pages or the form use that cannot be read are lost.
/// - A file with no `%%EOF` at all was cut short: the objects its pages or form use that are
///   missing are lost.
///   (A reference to an object that simply does not exist is `null` in every reader, ISO 32000-2
///   §7.3.10, and common in files nobody damaged; elsewhere it is not counted.)
/// - Objects after the last `%%EOF` are a revision whose save never finished: a repair either
///   drops it (signing the file as it was before that update — with a signature the update was
///   adding, say, gone) or guesses at it, and readers disagree which. Always refused.
struct LostContent {
    /// The objects the pages or the form use that the rewrite lacks.
    var objects: [PDFReference]
    /// Where an unfinished revision begins, and whether a `%%EOF` comes before it (nil: none).
    var unfinished: (start: Int, afterEOF: Bool)?
    let inputSize: Int

    /// `rewrite`: the clean rewrite, read strictly; `input`: the damaged bytes; `dropped`: what
    /// the rewrite left out as unreadable.
    init(rewrite: PDFDocument, input: PDFBytes, dropped: [PDFReference]) throws {
        let unfinished = Self.unfinishedRevision(in: input)
        let unreadable = Set(dropped.map(\.number))
        objects = try Self.missingReferences(in: rewrite).filter { unfinished != nil || unreadable.contains($0.number) }
        self.unfinished = unfinished
        inputSize = input.count
    }

    /// The refusal, when anything is lost.
    var error: SigningError? {
        let advice = "get a complete copy from its author, or repair it (e.g. `qpdf in.pdf out.pdf`), check that the repair shows everything it should, and sign that"
        if let unfinished, unfinished.afterEOF {
            return SigningError(.damagedInput,
                                "the file is damaged: it ends in an unfinished revision (bytes \(unfinished.start)–\(inputSize) hold objects with no %%EOF after them, as when a save or a download is cut short); a repaired copy would drop that revision or guess at it, so it is not signed — \(advice)")
        }
        guard !objects.isEmpty else { return nil }
        let named = objects.prefix(5).map { "\($0.number) \($0.generation)" }.joined(separator: ", ")
            + (objects.count > 5 ? " and \(objects.count - 5) more" : "")
        let cause = unfinished == nil ? "\(objects.count) object(s) its pages or form use cannot be read"
            : "it looks truncated (no %%EOF anywhere) and \(objects.count) object(s) its pages or form use are missing or cannot be read"
        return SigningError(.damagedInput,
                            "the file is damaged: \(cause) (\(named)); a repaired copy would lack them, so it is not signed — \(advice)")
    }

    /// The offset where a revision begins that has object definitions but no `%%EOF` after
    /// them, and whether a `%%EOF` precedes it (without one, the whole file is that revision);
    /// nil when every object lies before a `%%EOF`.
    static func unfinishedRevision(in bytes: PDFBytes) -> (start: Int, afterEOF: Bool)? {
        var lastEOF: Int?
        var index = bytes.count - 5
        while index >= 0 {
            if bytes.matches("%%EOF", at: index) { lastEOF = index; break }
            index -= 1
        }
        var start = lastEOF.map { $0 + 5 } ?? 0
        while start < bytes.count, lastEOF != nil, isWhitespace(bytes[start]) { start += 1 }
        var position = start
        while position + 3 <= bytes.count {
            // An object header `n g obj`: the keyword after whitespace after a digit.
            if bytes.matches("obj", at: position), position >= 2, isWhitespace(bytes[position - 1]),
               (position + 3 == bytes.count || !isRegular(bytes[position + 3])) {
                var before = position - 1
                while before >= 0, isWhitespace(bytes[before]) { before -= 1 }
                if before >= 0, bytes[before] >= UInt8(ascii: "0"), bytes[before] <= UInt8(ascii: "9") {
                    return (start, lastEOF != nil)
                }
            }
            position += 1
        }
        return nil
    }

    /// References the pages or the form use (reachable from the catalog's `/Pages` and
    /// `/AcroForm`) whose object number has no object in the document (free or absent from the
    /// cross-reference). Outlines, metadata and the like are not what a signer signs: a repair
    /// that loses them is still signed, with the notice naming what it left out.
    static func missingReferences(in document: PDFDocument) throws -> [PDFReference] {
        var missing: [PDFReference] = []
        var seen: Set<Int> = []
        let catalog = try document.resolve(document.trailer["Root"] ?? .null).dictionaryValue ?? [:]
        var pending: [PDFObject] = [catalog["Pages"], catalog["AcroForm"]].compactMap { $0 }
        while let object = pending.popLast() {
            switch object {
            case .reference(let reference):
                guard seen.insert(reference.number).inserted else { continue }
                switch document.entry(for: reference.number) {
                case nil, .free?: missing.append(reference)
                default: pending.append(try document.object(reference))
                }
            case .array(let items): pending += items
            case .dictionary(let dictionary): pending += dictionary.entries.map(\.value)
            case .stream(let stream): pending += stream.dictionary.entries.map(\.value)
            default: continue
            }
        }
        return missing.sorted { $0.number < $1.number }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 || byte == 0x0C || byte == 0x00
    }

    /// Not whitespace and not a delimiter: a byte that continues a keyword.
    private static func isRegular(_ byte: UInt8) -> Bool {
        !isWhitespace(byte) && !"()<>[]{}/%".utf8.contains(byte)
    }
}
