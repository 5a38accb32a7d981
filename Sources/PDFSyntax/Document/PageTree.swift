/// A page as found by walking the page tree, with inherited attributes applied (ISO 32000-2 §7.7.3.4).
public struct PDFPage: Sendable, Hashable {
    /// 1-based page number.
    public var number: Int
    /// The page object; for a page written directly inside a `/Kids` array (see `isDirect`), the
    /// page tree node whose `/Kids` holds it.
    public var reference: PDFReference
    /// Whether the page is a dictionary written directly in its parent's `/Kids` instead of an
    /// indirect object (invalid — ISO 32000-2 §7.7.3.2 wants references — but unambiguous: there
    /// is one page dictionary, at one place). Nothing can refer to it (a widget's `/P`, a link).
    public var isDirect = false
    public var dictionary: PDFDictionary
    /// `/MediaBox` (inherited if absent), as `[x0, y0, x1, y1]`.
    public var mediaBox: PDFRect
    /// `/CropBox` (inherited; defaults to the media box), clipped to the media box as viewers
    /// show it.
    public var cropBox: PDFRect
    /// `/Rotate` (inherited; a multiple of 90).
    public var rotation: Int
    /// `/Resources` (inherited), resolved.
    public var resources: PDFDictionary?
}

/// A rectangle in PDF user space.
public struct PDFRect: Sendable, Hashable, Codable, CustomStringConvertible {
    public var x0: Double, y0: Double, x1: Double, y1: Double

    public init(x0: Double, y0: Double, x1: Double, y1: Double) {
        self.x0 = min(x0, x1); self.y0 = min(y0, y1); self.x1 = max(x0, x1); self.y1 = max(y0, y1)
    }

    /// A normalised rectangle from a four-number PDF array, if it is one.
    public init?(_ object: PDFObject?) {
        guard let values = object?.arrayValue?.compactMap(\.doubleValue), values.count == 4,
              values.allSatisfy({ $0.isFinite }) else { return nil }
        self.init(x0: values[0], y0: values[1], x1: values[2], y1: values[3])
    }

    public var width: Double { x1 - x0 }
    public var height: Double { y1 - y0 }
    public var pdfObject: PDFObject { .array([x0, y0, x1, y1].map(PDFObject.number)) }
    public var description: String { "[\(x0.pdfFormatted) \(y0.pdfFormatted) \(x1.pdfFormatted) \(y1.pdfFormatted)]" }

    /// The part of this rectangle inside `other`; nil when they do not overlap.
    public func clipped(to other: PDFRect) -> PDFRect? {
        let left = max(x0, other.x0), bottom = max(y0, other.y0), right = min(x1, other.x1), top = min(y1, other.y1)
        guard right > left, top > bottom else { return nil }
        return PDFRect(x0: left, y0: bottom, x1: right, y1: top)
    }

    /// A page's visible region: its crop box clipped to its media box (ISO 32000-2 §14.11.2),
    /// the media box when there is no crop box or the two do not overlap.
    static func visible(crop: PDFRect?, media: PDFRect) -> PDFRect {
        crop?.clipped(to: media) ?? media
    }
}

extension PDFObject {
    /// An integer object when the value is integral, else a real.
    public static func number(_ value: Double) -> PDFObject {
        value.rounded() == value && abs(value) < 1e15 ? .integer(Int(value)) : .real(value)
    }
}

extension Double {
    /// The form a real is written in: `pdfFormatted` when that reads back as this very value;
    /// otherwise the shortest decimal that does, when it has at most 15 significant digits — a
    /// value read from a file (LibreOffice's `595.303937007874`) is written with its own digits,
    /// so rewriting an object does not change it under an earlier signature — and
    /// `pdfFormatted` for arithmetic's long tails (`0.30000000000000004` is written `0.3`).
    var pdfWritten: String {
        let short = pdfFormatted
        guard isFinite, abs(self) < 1e14, Double((abs(self) * 10_000).rounded()) / 10_000 != abs(self) else { return short }
        let exact = Self.positional(description)
        let significant = exact.drop { $0 == "-" || $0 == "0" || $0 == "." }.filter { $0 != "." }.count
        return significant <= 15 ? exact : short
    }

    /// Swift's shortest form without its exponent (PDF has none): `1.234e-05` → `0.00001234`.
    static func positional(_ text: String) -> String {
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), let exponent = Int(text[text.index(after: e)...]) else {
            return text
        }
        var mantissa = String(text[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        let point = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        var digits = mantissa.filter { $0 != "." }
        var position = point + exponent
        if position <= 0 {
            digits = String(repeating: "0", count: 1 - position) + digits
            position = 1
        } else if position > digits.count {
            digits += String(repeating: "0", count: position - digits.count)
        }
        var result = String(digits.prefix(position))
        var fraction = String(digits.dropFirst(position))
        while fraction.hasSuffix("0") { fraction.removeLast() }
        if !fraction.isEmpty { result += "." + fraction }
        return (negative ? "-" : "") + result
    }

    /// A compact decimal form for PDF output and messages (no exponent, at most 4 decimals).
    var pdfFormatted: String {
        if rounded() == self && abs(self) < 1e15 { return String(Int(self)) }
        guard abs(self) < 1e14 else {  // ten-thousandths would not fit in 64 bits
            var text = String(format: "%.4f", self)
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            return text
        }
        // Whole ten-thousandths, rounded half away from zero: no formatter on the writing path.
        let scaled = UInt64((abs(self) * 10_000).rounded())
        guard scaled != 0 else { return "0" }
        var text = self < 0 ? "-" : ""
        text += String(scaled / 10_000)
        var fraction = scaled % 10_000
        guard fraction != 0 else { return text }
        var digits = 4
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        let shown = String(fraction)
        return text + "." + String(repeating: "0", count: digits - shown.count) + shown
    }
}

/// The names the page walk looks up for every node, made once.
private enum PageKeys {
    static let mediaBox: PDFName = "MediaBox"
    static let cropBox: PDFName = "CropBox"
    static let rotate: PDFName = "Rotate"
    static let resources: PDFName = "Resources"
    static let type: PDFName = "Type"
    static let kids: PDFName = "Kids"
    static let pages: PDFName = "Pages"
    static let page: PDFName = "Page"
    static let count: PDFName = "Count"
    static let parent: PDFName = "Parent"
}

extension PDFDocument {
    /// The document catalog (`/Root`) at a revision.
    public func catalog(revision: Int? = nil) throws -> PDFDictionary {
        guard let root = trailer(revision: revision)["Root"],
              case .dictionary(let catalog) = try resolve(root, revision: revision) else {
            throw PDFError(.badPageTree, "the trailer's /Root is missing or not a dictionary")
        }
        return catalog
    }

    /// The catalog's reference, if `/Root` is indirect (as it must be).
    public func catalogReference(revision: Int? = nil) -> PDFReference? {
        trailer(revision: revision)["Root"]?.referenceValue
    }

    /// The pages in order, walking the page tree with inheritance; cycles and malformed nodes are errors.
    public func pages(revision: Int? = nil) throws -> [PDFPage] {
        try cachedPages(revision: revision ?? latestRevision) { try walkPageTree(revision: revision) }
    }

    private func walkPageTree(revision: Int?) throws -> [PDFPage] {
        let catalog = try catalog(revision: revision)
        guard case .reference(let rootReference)? = catalog["Pages"] else {
            throw PDFError(.badPageTree, "the catalog's /Pages is missing or not an indirect reference")
        }
        struct Inherited { var mediaBox: PDFRect?; var cropBox: PDFRect?; var rotate: Int?; var resources: PDFObject? }
        var pages: [PDFPage] = []
        // The nodes from the root to the current one (a short list: trees are shallow).
        var onPath: [PDFReference] = []
        var visited = 0

        func walk(_ reference: PDFReference, inherited: Inherited, depth: Int) throws {
            guard !onPath.contains(reference) else {
                throw PDFError(.pageTreeCycle, "the page tree loops back to \(reference)", object: reference)
            }
            onPath.append(reference)
            defer { onPath.removeLast() }
            visited += 1
            guard visited <= limits.maxPageTreeNodes, depth <= limits.maxNestingDepth else {
                throw PDFError(.limitExceeded, "the page tree has more than \(limits.maxPageTreeNodes) nodes or is too deep",
                               object: reference)
            }
            guard case .dictionary(let node) = try object(reference, revision: revision) else {
                let why = hasMismatchedEntry(reference)
                    ? ": its cross-reference entry points at the offset of another object, so it reads as null" : ""
                throw PDFError(.badPageTree, "page tree node \(reference) is not a dictionary\(why)", object: reference)
            }
            if depth == 0, let parent = node[PageKeys.parent] {
                recordNote(PDFNote(.rootHasParent,
                                   "the page tree root \(reference) has a /Parent (\(parent.referenceValue.map { "\($0)" } ?? "a direct object")); its attributes are not inherited here or by poppler, but MuPDF inherits resources, boxes and rotation from it"))
            }
            if depth == 0, case .integer(let count)? = node[PageKeys.count], count > 0 {
                // Room for the pages the root says there are, within reason: each is an object,
                // and an untrusted /Count reserves at most 65 536 pages (more grow as found).
                pages.reserveCapacity(min(count, latestEntryCount, 1 << 16))
            }
            var here = inherited
            if let box = PDFRect(try resolve(node, PageKeys.mediaBox, revision: revision)) { here.mediaBox = box }
            if let box = PDFRect(try resolve(node, PageKeys.cropBox, revision: revision)) { here.cropBox = box }
            if let rotate = try resolve(node, PageKeys.rotate, revision: revision)?.intValue { here.rotate = rotate }
            if let resources = node[PageKeys.resources] { here.resources = resources }
            let type = node[PageKeys.type]?.nameValue
            if type == PageKeys.pages || (type == nil && node[PageKeys.kids] != nil) {
                guard case .array(let kids)? = try resolve(node, PageKeys.kids, revision: revision) else {
                    throw PDFError(.badPageTree, "page tree node \(reference) has no /Kids array", object: reference)
                }
                for kid in kids {
                    if case .dictionary(let direct) = kid, direct[PageKeys.type]?.nameValue ?? PageKeys.page == PageKeys.page,
                       direct[PageKeys.kids] == nil {
                        try addDirectPage(direct, parent: reference, inherited: here)
                        continue
                    }
                    guard case .reference(let kidReference) = kid else {
                        throw PDFError(.badPageTree, "a /Kids entry of \(reference) is neither an indirect reference nor a page dictionary",
                                       object: reference)
                    }
                    try walk(kidReference, inherited: here, depth: depth + 1)
                }
            } else if type == PageKeys.page || type == nil {
                // /MediaBox is required (ISO 32000-2 §7.7.3.3), but a page without one, itself or
                // inherited, is shown at US Letter by pdf.js, pdfium and poppler alike.
                let mediaBox = here.mediaBox ?? PDFRect(x0: 0, y0: 0, x1: 612, y1: 792)
                if here.mediaBox == nil {
                    recordWarning(PDFWarning("page \(pages.count + 1) (\(reference)) has no /MediaBox; read as US Letter (612 × 792)"))
                }
                let resources = try here.resources.map { try resolve($0, revision: revision).dictionaryValue } ?? nil
                let rotation = ((here.rotate ?? 0) % 360 + 360) % 360
                pages.append(PDFPage(number: pages.count + 1, reference: reference, dictionary: node, mediaBox: mediaBox,
                                     cropBox: PDFRect.visible(crop: here.cropBox, media: mediaBox), rotation: rotation, resources: resources))
            } else {
                throw PDFError(.badPageTree, "page tree node \(reference) has /Type \(type!), not /Pages or /Page",
                               object: reference)
            }
        }
        /// A page dictionary written directly in `/Kids`: read as the page it plainly is, with a note.
        func addDirectPage(_ node: PDFDictionary, parent: PDFReference, inherited: Inherited) throws {
            visited += 1
            guard visited <= limits.maxPageTreeNodes else {
                throw PDFError(.limitExceeded, "the page tree has more than \(limits.maxPageTreeNodes) nodes", object: parent)
            }
            var here = inherited
            if let box = PDFRect(try resolve(node, PageKeys.mediaBox, revision: revision)) { here.mediaBox = box }
            if let box = PDFRect(try resolve(node, PageKeys.cropBox, revision: revision)) { here.cropBox = box }
            if let rotate = try resolve(node, PageKeys.rotate, revision: revision)?.intValue { here.rotate = rotate }
            if let resources = node[PageKeys.resources] { here.resources = resources }
            let mediaBox = here.mediaBox ?? PDFRect(x0: 0, y0: 0, x1: 612, y1: 792)
            let resources = try here.resources.map { try resolve($0, revision: revision).dictionaryValue } ?? nil
            recordNote(PDFNote(.directPageInKids,
                               "page \(pages.count + 1) is a dictionary written directly in the /Kids of \(parent), not an indirect object; read as that page"))
            var page = PDFPage(number: pages.count + 1, reference: parent, dictionary: node, mediaBox: mediaBox,
                               cropBox: PDFRect.visible(crop: here.cropBox, media: mediaBox), rotation: ((here.rotate ?? 0) % 360 + 360) % 360, resources: resources)
            page.isDirect = true
            pages.append(page)
        }
        try walk(rootReference, inherited: Inherited(), depth: 0)
        if case .dictionary(let root) = try object(rootReference, revision: revision),
           let count = try resolve(root, PageKeys.count, revision: revision)?.intValue, count != pages.count {
            recordNote(PDFNote(.pageCountMismatch,
                               "the page tree's /Count says \(count) page(s) but its /Kids hold \(pages.count), all of which are read; viewers that trust /Count show \(count)"))
        }
        return pages
    }
}
