import Foundation
import PDFReader
import PDFSyntax
import Templates

/// Places an uploaded document's fields: by anchor text (found with poppler), by `{{field:…}}`
/// text tags, or at coordinates. Every field ends on a page, inside it, and belongs to a known
/// role; anything else is an `invalidRequest` naming the document, the page and the field.
struct FieldPlacer {
    /// The envelope document's id and the upload's name, for errors.
    var documentID: String
    var name: String
    var pages: [PageGeometry]
    var reader: DocumentReader
    /// Signature roles of the envelope's signers.
    var roles: Set<String>

    /// A placed field and the role whose signer fills it.
    struct Placed {
        var role: String
        var field: Field
    }

    init(documentID: String, name: String, bytes: [UInt8], pages: [PDFPage], roles: Set<String>) throws(WorkflowError) {
        self.documentID = documentID
        self.name = name
        self.pages = pages.map(PageGeometry.init)
        self.roles = roles
        do {
            reader = try DocumentReader(bytes: bytes)
        } catch {
            throw WorkflowError(.invalidRequest, "document '\(name)': its text cannot be read for placing fields: \(error)")
        }
    }

    /// Every field of the upload: the requested ones in order, then the text tags page by page.
    func place(_ upload: DocumentUpload) throws(WorkflowError) -> [Placed] {
        var placed: [Placed] = []
        for (index, request) in upload.fields.enumerated() {
            placed += try place(request, what: "fields[\(index)]")
        }
        if upload.textTags ?? true {
            placed += try placeTags()
        }
        return placed
    }

    /// One request: one field, or one per occurrence of an anchor with `occurrence: all`.
    func place(_ request: FieldPlacementRequest, what: String, tag: (page: Int, box: PageGeometry.Box)? = nil) throws(WorkflowError) -> [Placed] {
        let label = request.name.map { "field '\($0)'" } ?? "\(what) (\(request.kind.rawValue) for \(request.role))"
        func fail(_ page: Int?, _ problem: String) -> WorkflowError {
            WorkflowError(.invalidRequest, "document '\(name)'\(page.map { ", page \($0)" } ?? ""), \(label): \(problem)")
        }
        guard roles.contains(request.role) else {
            throw fail(tag?.page, "role '\(request.role)' is no signer's signatureRole; the signers' roles are "
                       + (roles.isEmpty ? "none" : roles.sorted().joined(separator: ", ")))
        }
        guard let scale = Self.units[request.units ?? "pt"] else {
            throw fail(tag?.page, "units '\(request.units ?? "")' is not one of pt, in, mm, cm")
        }
        let (defaultWidth, defaultHeight) = Self.defaultSize[request.kind] ?? (120, 16)
        let width = request.width.map { $0 * scale } ?? defaultWidth
        let height = request.height.map { $0 * scale } ?? defaultHeight
        guard width > 0, height > 0, width <= 14_400, height <= 14_400 else {
            throw fail(tag?.page, "the size \(width) × \(height) pt is not positive")
        }
        try checkRules(request, fail: { fail(tag?.page, $0) })
        // Top-left corners on displayed pages.
        var corners: [(page: Int, x: Double, top: Double, tag: PageGeometry.Box?)] = []
        switch (request.anchor, request.position, tag) {
        case (_, _, let tag?):
            corners = [(tag.page, tag.box.x, tag.box.y + tag.box.height, tag.box)]
        case (let anchor?, nil, nil):
            let matches = reader.find(text: anchor.text, caseSensitive: anchor.caseSensitive ?? false)
            guard !matches.isEmpty else { throw fail(nil, "the anchor text '\(anchor.text)' is not in the document") }
            let chosen: [TextMatch]
            switch anchor.occurrence ?? "first" {
            case "first": chosen = [matches[0]]
            case "all": chosen = matches
            case let text:
                guard let nth = Int(text), nth >= 1 else {
                    throw fail(nil, "anchor occurrence '\(text)' is not first, all or a number from 1")
                }
                guard nth <= matches.count else {
                    throw fail(nil, "the anchor text '\(anchor.text)' occurs \(matches.count) time(s), not \(nth)")
                }
                chosen = [matches[nth - 1]]
            }
            for match in chosen {
                guard match.page >= 1, match.page <= pages.count else { continue }
                let box = pages[match.page - 1].displayed(x0: match.rect.minX, y0: match.rect.minY, x1: match.rect.maxX, y1: match.rect.maxY)
                corners.append((match.page, box.x + (anchor.offsetX ?? 0) * scale, box.y + box.height - (anchor.offsetY ?? 0) * scale, nil))
            }
        case (nil, let position?, nil):
            guard position.page >= 1, position.page <= pages.count else {
                throw fail(nil, "page \(position.page) is not in 1...\(pages.count)")
            }
            let page = pages[position.page - 1]
            switch position.origin ?? "top-left" {
            case "top-left": corners = [(position.page, position.x * scale, page.height - position.y * scale, nil)]
            case "bottom-left": corners = [(position.page, position.x * scale, position.y * scale + height, nil)]
            case let origin: throw fail(position.page, "origin '\(origin)' is not top-left or bottom-left")
            }
        default:
            throw fail(nil, "give exactly one of anchor and position")
        }
        let all = corners.count > 1
        return try corners.enumerated().map { (index, corner) throws(WorkflowError) -> Placed in
            let page = pages[corner.page - 1]
            let box = PageGeometry.Box(x: corner.x, y: corner.top - height, width: width, height: height)
            guard page.contains(box) else {
                throw fail(corner.page, String(format: "the field [x %.1f, y %.1f, %.1f × %.1f pt] is off the page (%.1f × %.1f pt as displayed)",
                                               box.x, box.y, width, height, page.width, page.height))
            }
            let base = request.name ?? "\(request.role)_\(request.kind.rawValue)"
            let placement = FieldPlacement(document: documentID, page: corner.page, x: box.x, y: box.y, width: width, height: height,
                                           tag: corner.tag.map { FieldPlacement.TagBox(x: $0.x, y: $0.y, width: $0.width, height: $0.height) })
            let field = Field(name: all ? "\(base)_\(index + 1)" : base, kind: request.kind,
                              required: request.required ?? true, options: request.options ?? [], placement: placement,
                              maxLength: request.maxLength, pattern: request.pattern, label: request.label)
            return Placed(role: request.role, field: field)
        }
    }

    /// Fields from `{{field:…}}` tags, page by page.
    func placeTags() throws(WorkflowError) -> [Placed] {
        var placed: [Placed] = []
        for number in 1...max(1, pages.count) where number <= pages.count {
            let text: String
            do { text = try reader.text(page: number) } catch { throw WorkflowError(.invalidRequest, "document '\(name)', page \(number): \(error)") }
            let (tags, malformed) = TextTag.scan(text)
            if let problem = malformed.first {
                throw WorkflowError(.invalidRequest, "document '\(name)', page \(number): text tag \(problem)")
            }
            var located: [String: [TextMatch]] = [:]
            var used: [String: Int] = [:]
            for source in tags {
                let tag: TextTag
                do { tag = try TextTag(source) } catch {
                    throw WorkflowError(.invalidRequest, "document '\(name)', page \(number): \(error.reason)")
                }
                if located[source] == nil {
                    located[source] = reader.find(text: source, caseSensitive: true).filter { $0.page == number }
                }
                let index = used[source, default: 0]
                used[source] = index + 1
                guard let matches = located[source], index < matches.count else {
                    throw WorkflowError(.invalidRequest, "document '\(name)', page \(number): text tag \(source) is in the page's text but could not be located on the page (does it wrap onto another line?)")
                }
                let match = matches[index]
                let box = pages[number - 1].displayed(x0: match.rect.minX, y0: match.rect.minY, x1: match.rect.maxX, y1: match.rect.maxY)
                placed += try place(tag.request, what: "text tag \(source)", tag: (number, box))
            }
        }
        return placed
    }

    /// Options only for dropdowns (and then at least one); length and pattern only for text; a
    /// label the signing page can show as it is.
    private func checkRules(_ request: FieldPlacementRequest, fail: (String) -> WorkflowError) throws(WorkflowError) {
        if request.kind == .dropdown {
            guard let options = request.options, !options.isEmpty, options.allSatisfy({ !$0.isEmpty }) else {
                throw fail("a dropdown needs its options (at least one, none empty)")
            }
        } else if request.options != nil {
            throw fail("only a dropdown has options")
        }
        if request.kind != .text, request.maxLength != nil || request.pattern != nil {
            throw fail("only a text field has maxLength or pattern")
        }
        if let maxLength = request.maxLength, !(1...500).contains(maxLength) {
            throw fail("maxLength \(maxLength) is not between 1 and 500")
        }
        if let pattern = request.pattern {
            _ = try FieldRules.regex(pattern, field: request.name ?? request.role)
        }
        if let label = request.label {
            guard !label.trimmingCharacters(in: .whitespaces).isEmpty, label.count <= 200 else {
                throw fail("a label has 1 to 200 characters")
            }
            do { try Check.visible(label, "the label") } catch { throw fail(error.reason) }
        }
    }

    /// Points per unit.
    static let units: [String: Double] = ["pt": 1, "in": 72, "mm": 72 / 25.4, "cm": 72 / 2.54]

    /// Sizes in points when a request gives none.
    static let defaultSize: [Field.Kind: (Double, Double)] = [
        .signature: (180, 40), .initials: (60, 30), .dateSigned: (110, 16), .text: (150, 16), .checkbox: (12, 12), .dropdown: (120, 16),
    ]
}

/// Validation rules shared by placing and filling fields.
enum FieldRules {
    /// A text field's pattern as a regular expression.
    /// A field's pattern (ICU, bounded effort; a repeated repetition refused: `FieldPattern`).
    static func regex(_ pattern: String, field: String) throws(WorkflowError) -> FieldPattern {
        do {
            return try FieldPattern(pattern)
        } catch {
            throw WorkflowError(.invalidRequest, "field '\(field)': the pattern \(error.message)")
        }
    }
}
