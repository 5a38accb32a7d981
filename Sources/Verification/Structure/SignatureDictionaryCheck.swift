import CountersignCrypto
import PDFSyntax

/// Step 1 of DESIGN.md §7: is the signature dictionary sane, and what exactly does it sign?
///
/// `/Contents` must be a hex string holding one DER CMS (zero padding after it, nothing else);
/// `/ByteRange` must be `[0 a b c]` with `a < b` whose gap `a..<b` is *exactly* the `<…>` token
/// of `/Contents` in the raw bytes of the dictionary object (found from the xref offset, not
/// trusted from the parsed value), and `b + c` must be the end of a revision that holds the
/// dictionary. Anything else is how signature wrapping and universal signature forgery work.
struct SignatureDictionaryCheck {
    struct Result {
        /// The CMS DER with the zero padding removed.
        var cms: [UInt8]?
        var byteRange: [Int]?
        /// The four integers of `/ByteRange` as written, usable or not (for the report).
        var declaredByteRange: [Int]?
        /// The revision (0-based) whose end the ranges reach.
        var coveredRevision: Int?
        var issues: [VerificationIssue] = []
        var notes: [ReportNote] = []
    }

    let document: PDFDocument
    let scanner: RawScanner

    /// `reference`: the signature dictionary's object; nil when the field's `/V` holds the
    /// dictionary itself, which is then located inside `field`, the field's object.
    func check(_ dictionary: PDFDictionary, reference: PDFReference?, field: PDFReference? = nil) -> Result {
        var result = Result()
        result.cms = contents(dictionary, issues: &result.issues)
        result.byteRange = byteRange(dictionary, issues: &result.issues)
        if let items = dictionary["ByteRange"]?.arrayValue, items.count == 4 {
            let numbers = items.compactMap { item -> Int? in if case .integer(let number) = item { return number }; return nil }
            if numbers.count == 4 { result.declaredByteRange = numbers }
        }
        if let range = result.byteRange {
            result.coveredRevision = revision(endingAt: range[2] + range[3])
            if result.coveredRevision == nil {
                let ends = document.revisions.map { String($0.endOffset) }.joined(separator: ", ")
                result.issues.append(VerificationIssue(.badCoverage,
                    "the signed byte ranges end at byte \(range[2] + range[3]), which is not the end of any revision (revisions end at \(ends)): bytes outside every revision are signed or unsigned bytes follow"))
            }
        }
        guard let reference else {
            guard let field else {
                result.issues.append(VerificationIssue(.badSignatureDictionary,
                    "the signature dictionary is a direct object inside a field that is not an object of its own, so its bytes cannot be located"))
                return result
            }
            // ISO 32000-2 Table 235 asks for an indirect /V, but some signers (fpdf2) write the
            // dictionary into the field: it has one place, inside the field's object, and is
            // checked there exactly as it would be in its own.
            result.notes.append(ReportNote(code: "signatureDictionaryDirect",
                message: "the signature dictionary is written directly in its field's /V (object \(field.number) \(field.generation)) instead of as an object of its own; it is located and checked inside the field"))
            if let revision = result.coveredRevision {
                locate(field, revision: revision, range: result.byteRange!, insideV: true, issues: &result.issues)
            }
            return result
        }
        if let revision = result.coveredRevision {
            locate(reference, revision: revision, range: result.byteRange!, issues: &result.issues)
        }
        return result
    }

    // MARK: /Contents

    private func contents(_ dictionary: PDFDictionary, issues: inout [VerificationIssue]) -> [UInt8]? {
        guard let value = dictionary["Contents"] else {
            issues.append(VerificationIssue(.badContents, "the signature dictionary has no /Contents"))
            return nil
        }
        guard case .string(let string) = value else {
            issues.append(VerificationIssue(.badContents,
                "/Contents is a \(value.kindName), not a hex string holding the CMS (an indirect /Contents cannot be located in the signed gap)"))
            return nil
        }
        guard string.syntax == .hex else {
            issues.append(VerificationIssue(.badContents, "/Contents is a literal string, not a hex string"))
            return nil
        }
        let bytes = string.bytes
        guard !bytes.isEmpty else {
            issues.append(VerificationIssue(.badContents, "/Contents is empty: there is no signature"))
            return nil
        }
        guard bytes.contains(where: { $0 != 0 }) else {
            issues.append(VerificationIssue(.badContents, "/Contents holds only zeros: an unfilled placeholder, no signature"))
            return nil
        }
        guard let length = BEREncoding.length(ofValueAtStartOf: bytes) else {
            issues.append(VerificationIssue(.badContents,
                "/Contents does not start with one complete BER/DER value (a CMS SignedData, or the OCTET STRING of adbe.x509.rsa_sha1): it is truncated or not ASN.1"))
            return nil
        }
        if let extra = bytes[length...].firstIndex(where: { $0 != 0 }) {
            issues.append(VerificationIssue(.badContents,
                "/Contents has non-zero bytes after the CMS (from byte \(extra) of \(bytes.count)): only zero padding may follow it"))
            return nil
        }
        return Array(bytes[..<length])
    }

    // MARK: /ByteRange

    private func byteRange(_ dictionary: PDFDictionary, issues: inout [VerificationIssue]) -> [Int]? {
        guard let value = dictionary["ByteRange"] else {
            issues.append(VerificationIssue(.badByteRange, "the signature dictionary has no /ByteRange: nothing says what is signed"))
            return nil
        }
        guard case .array(let items) = value else {
            issues.append(VerificationIssue(.badByteRange, "/ByteRange is a \(value.kindName), not an array"))
            return nil
        }
        guard items.count == 4 else {
            issues.append(VerificationIssue(.badByteRange,
                "/ByteRange has \(items.count) numbers, not 4: exactly two ranges around /Contents must be signed"))
            return nil
        }
        var numbers: [Int] = []
        for item in items {
            guard case .integer(let number) = item else {
                issues.append(VerificationIssue(.badByteRange, "/ByteRange holds a \(item.kindName), not only integers"))
                return nil
            }
            numbers.append(number)
        }
        if let negative = numbers.first(where: { $0 < 0 }) {
            issues.append(VerificationIssue(.badByteRange, "/ByteRange holds the negative number \(negative)"))
            return nil
        }
        let (start, a, b, c) = (numbers[0], numbers[1], numbers[2], numbers[3])
        guard start == 0 else {
            issues.append(VerificationIssue(.badByteRange, "/ByteRange starts at \(start), not 0: the file's first bytes are unsigned"))
            return nil
        }
        guard a < b else {
            issues.append(VerificationIssue(.badByteRange, "/ByteRange's ranges overlap or touch (\(a) ≥ \(b)): there is no gap for /Contents"))
            return nil
        }
        let (end, overflow) = b.addingReportingOverflow(c)
        guard !overflow, end <= document.bytes.count else {
            issues.append(VerificationIssue(.badByteRange,
                "/ByteRange reaches byte \(overflow ? Int.max : end), past the end of the file (\(document.bytes.count) bytes)"))
            return nil
        }
        return numbers
    }

    /// The revision whose end is `end` (tolerating an unsigned end-of-line after `%%EOF`).
    private func revision(endingAt end: Int) -> Int? {
        for revision in document.revisions {
            if revision.endOffset == end { return revision.index }
            if end < revision.endOffset, end >= revision.endOffset - 2,
               document.bytes[end..<revision.endOffset].allSatisfy({ $0 == 0x0A || $0 == 0x0D }),
               document.bytes[..<end].suffix(5).elementsEqual("%%EOF".utf8) {
                return revision.index
            }
        }
        return nil
    }

    // MARK: Raw location

    /// Checks that the dictionary object lies in the covered revision, was not redefined since,
    /// and that the gap is exactly its `/Contents` token. `insideV`: `reference` is the field's
    /// object, and the signature dictionary is the value of its one `/V` entry.
    private func locate(_ reference: PDFReference, revision: Int, range: [Int], insideV: Bool = false,
                        issues: inout [VerificationIssue]) {
        let signed = document.revisions[revision]
        let object = insideV ? "the field \(reference.number) \(reference.generation) that holds the signature dictionary"
            : "the signature dictionary \(reference.number) \(reference.generation)"
        let atSigning = document.entry(for: reference.number, revision: revision)
        let now = document.entry(for: reference.number)
        guard atSigning == now else {
            issues.append(VerificationIssue(.badSignatureDictionary,
                "\(object) was redefined after the revision it signs"))
            return
        }
        let offset: Int
        switch now {
        case .inUse(let at, let generation)? where generation == reference.generation:
            offset = at
        case .compressed?:
            issues.append(VerificationIssue(.badSignatureDictionary,
                "the signature dictionary is inside an object stream, so its /Contents cannot be the unsigned gap of the file"))
            return
        default:
            issues.append(VerificationIssue(.badSignatureDictionary,
                "\(object) is not an object in use"))
            return
        }
        guard offset >= signed.startOffset, offset < signed.endOffset else {
            issues.append(VerificationIssue(.badCoverage,
                "\(object) (byte \(offset)) lies outside revision \(revision + 1) (bytes \(signed.startOffset)–\(signed.endOffset)) whose end it signs"))
            return
        }
        var parsed: (entries: [RawScanner.Entry], start: Int, end: Int)
        do {
            parsed = try scanner.dictionaryEntries(ofObjectAt: offset)
        } catch {
            issues.append(VerificationIssue(.badSignatureDictionary, "the signature dictionary's bytes cannot be read: \(error)"))
            return
        }
        guard parsed.end <= signed.endOffset else {
            issues.append(VerificationIssue(.badCoverage, "the signature dictionary runs past the end of the revision it signs"))
            return
        }
        if insideV {
            let values = parsed.entries.filter { $0.key.elementsEqual("V".utf8) }
            guard values.count == 1, let value = values.first, value.valueKind == .dictionaryStart else {
                issues.append(VerificationIssue(.badSignatureDictionary,
                    "the field's bytes hold \(values.count) /V entries, not one dictionary written in place"))
                return
            }
            do {
                parsed = try scanner.dictionaryEntries(at: value.valueStart)
            } catch {
                issues.append(VerificationIssue(.badSignatureDictionary, "the signature dictionary's bytes cannot be read: \(error)"))
                return
            }
        }
        let contents = parsed.entries.filter { $0.key.elementsEqual("Contents".utf8) }
        guard contents.count == 1, let token = contents.first else {
            issues.append(VerificationIssue(.wrappedSignature,
                "the signature dictionary's bytes hold \(contents.count) /Contents entries, not one"))
            return
        }
        guard token.valueKind == .hexString else {
            issues.append(VerificationIssue(.wrappedSignature, "the raw /Contents value is not a hex string token"))
            return
        }
        let (a, b) = (range[1], range[2])
        if a != token.valueStart || b != token.valueEnd {
            let hidden = max(0, token.valueStart - a) + max(0, b - token.valueEnd)
            let description = hidden > 0
                ? "\(hidden) byte(s) besides the signature value sit in the unsigned gap"
                : "the gap does not hold the signature value"
            issues.append(VerificationIssue(.wrappedSignature,
                "the /ByteRange gap \(a)–\(b) is not exactly the /Contents hex string (bytes \(token.valueStart)–\(token.valueEnd)): \(description) (signature wrapping)"))
        }
    }
}
