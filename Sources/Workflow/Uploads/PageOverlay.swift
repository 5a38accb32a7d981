import Foundation
import PDFSyntax
import Signing
import Typesetting

/// Draws the filled values and signers' marks over an uploaded document's pages, in one
/// incremental update: every original byte stays, each page's own content streams are kept
/// as they are (wrapped in `q`/`Q`), and one new content stream per page draws the fields, each
/// a Form XObject typeset to the field's size. Each signature field also becomes an (unsigned)
/// `/FT /Sig` form field `sig_<role>` at its rectangle, so the Certificate of Completion can
/// name it; a role that signs nothing on this document (an approver, a signer whose signature
/// is on another document) gets a hidden one. Fields are drawn on the page as displayed,
/// whatever its `/Rotate` or crop box.
struct PageOverlay {
    /// A field to draw and the recipient who filled it.
    struct Item {
        var field: Field
        /// Where the field is; nil for a signature drawn in the rectangle of the document's own
        /// unsigned `sig_<role>` field (a generated document's signature box).
        var placement: FieldPlacement?
        var recipient: Recipient
    }

    let typesetter: Typesetter

    /// The document with `items` drawn and a signature field for each of `roles`. `framed`: the
    /// document has no boxes of its own (an upload), so a checkbox is drawn with its frame; a
    /// generated document's template drew every box already.
    func draw(_ bytes: [UInt8], items: [Item], roles: [String], documentName: String, framed: Bool = true) throws(WorkflowError) -> [UInt8] {
        do {
            let document = try PDFDocument(bytes: PDFBytes(bytes), mode: .strict)
            let pages = try document.pages()
            var editor = try FormEditor(document: document)
            let fields = try document.formFields()
            let taken = Set(fields.map(\.name))
            var sealedRoles: Set<String> = []
            let placed = try Self.placed(items, fields: fields, pages: pages, documentName: documentName)
            for (number, onPage) in Dictionary(grouping: placed, by: \.placement.page).sorted(by: { $0.key < $1.key }) {
                guard number >= 1, number <= pages.count else {
                    throw WorkflowError(.completion, "\(documentName): a field is on page \(number), which the document does not have")
                }
                let page = pages[number - 1]
                let geometry = PageGeometry(page)
                var dictionary = editor.update.objects[page.reference]?.dictionaryValue ?? page.dictionary
                let original = try document.resolve(dictionary["Contents"] ?? .array([]))
                let streams: [PDFObject] = switch original {
                case .array(let items): items
                case .stream: dictionary["Contents"].map { [$0] } ?? []
                default: []
                }
                // The page's own streams may leave saves open (a `cm` in force) or restore more
                // than they save: close every save they leave, and open enough first that their
                // extra restores never reach the page's initial state.
                // (Streams a viewer could not read either are taken as balanced.)
                let balance = (try? ContentOperators.graphicsStateBalance(of: streams.map { stream in
                    guard case .stream(let data) = try document.resolve(stream) else { return [] }
                    return try document.decodedData(of: data)
                })) ?? (unclosed: 0, deficit: 0)
                var content = String(repeating: "Q\n", count: balance.unclosed + 1)
                    + "q " + geometry.matrix.map(Self.number).joined(separator: " ") + " cm\n"
                var forms: [(PDFName, PDFReference)] = []
                var resources = page.resources ?? [:]
                var xobjects = try document.resolve(resources, "XObject")?.dictionaryValue ?? [:]
                for item in onPage {
                    let box = PageGeometry.Box(x: item.placement.x, y: item.placement.y, width: item.placement.width,
                                               height: item.placement.height)
                    if let tag = item.placement.tag {
                        // poppler's box is the font's line box less its ascent and descent: tops
                        // of `{`, `f`, `l` and descenders reach out of it. A quarter of its height
                        // more on each side (and a point at the ends) covers them.
                        let pad = max(1, tag.height * 0.25)
                        content += "q 1 g " + [tag.x - 1, tag.y - pad, tag.width + 2, tag.height + 2 * pad].map(Self.number)
                            .joined(separator: " ") + " re f Q\n"
                    }
                    if item.field.kind == .checkbox, framed {
                        content += Self.checkbox(box, ticked: item.field.value == "true")
                    } else if let blocks = try blocks(for: item, box: box) {
                        // A name the page does not use (a document sealed before has CSField1…).
                        var serial = forms.count + 1
                        while xobjects[PDFName("CSField\(serial)")] != nil { serial += 1 }
                        let name = PDFName("CSField\(serial)")
                        let reference = try form(blocks, box: box, into: &editor.update)
                        forms.append((name, reference))
                        xobjects[name] = .reference(reference)
                        content += "q 1 0 0 1 \(Self.number(box.x)) \(Self.number(box.y)) cm \(name) Do Q\n"
                    }
                    if item.field.kind == .signature, let role = item.recipient.signatureRole, !sealedRoles.contains(role),
                       !taken.contains("sig_\(role)") {
                        sealedRoles.insert(role)
                        let rect = geometry.user(box)
                        let widget = editor.update.add(.dictionary([
                            "Type": .name("Annot"), "Subtype": .name("Widget"), "FT": .name("Sig"),
                            "T": .string(PDFString(text: "sig_\(role)")), "F": .integer(4), "Rect": rect.pdfObject,
                            "P": .reference(page.reference),
                        ]))
                        try editor.addField(widget)
                        try editor.addAnnotation(widget, to: page)
                    }
                }
                content += "Q\n"
                let opening = editor.update.add(.stream(PDFStream(dictionary: [:], encodedData: Array(
                    String(repeating: "q\n", count: balance.deficit + 1).utf8))))
                let overlay = editor.update.add(.stream(PDFStream(dictionary: [:], encodedData: Array(content.utf8))))
                dictionary["Contents"] = .array([.reference(opening)] + streams + [.reference(overlay)])
                resources["XObject"] = .dictionary(xobjects)
                dictionary["Resources"] = .dictionary(resources)
                editor.update.set(page.reference, .dictionary(dictionary))
            }
            for role in roles where !sealedRoles.contains(role) && !taken.contains("sig_\(role)") {
                sealedRoles.insert(role)
                let widget = editor.update.add(.dictionary([
                    "Type": .name("Annot"), "Subtype": .name("Widget"), "FT": .name("Sig"),
                    "T": .string(PDFString(text: "sig_\(role)")), "F": .integer(2), "Rect": .array([0, 0, 0, 0]),
                    "P": .reference(pages[0].reference),
                ]))
                try editor.addField(widget)
                try editor.addAnnotation(widget, to: pages[0])
            }
            try editor.commit()
            return editor.update.write().bytes
        } catch let error as WorkflowError {
            throw error
        } catch {
            throw WorkflowError(.completion, "drawing the fields onto \(documentName): \(error)")
        }
    }

    /// A field to draw at its place on a page.
    private struct Placed {
        var field: Field
        var placement: FieldPlacement
        var recipient: Recipient
    }

    /// The items with their places: their own, or for a signature without one the rectangle of
    /// the document's `sig_<role>` field (left out when the document has no such field: its
    /// role signs nothing on this document).
    private static func placed(_ items: [Item], fields: [PDFFormField], pages: [PDFPage],
                               documentName: String) throws(WorkflowError) -> [Placed] {
        var placed: [Placed] = []
        for item in items {
            if let placement = item.placement {
                placed.append(Placed(field: item.field, placement: placement, recipient: item.recipient))
                continue
            }
            guard item.field.kind == .signature, let role = item.recipient.signatureRole,
                  let field = fields.first(where: { $0.name == "sig_\(role)" && $0.kind == .signature }) else { continue }
            guard !field.isSigned else {
                throw WorkflowError(.completion, "\(documentName): the signature field sig_\(role) is signed already; a mark cannot be drawn into it")
            }
            guard let widget = field.widgets.first, let number = widget.page, let rect = widget.rect,
                  number >= 1, number <= pages.count else { continue }
            let box = PageGeometry(pages[number - 1]).displayed(x0: rect.x0, y0: rect.y0, x1: rect.x1, y1: rect.y1)
            placed.append(Placed(field: item.field, placement: FieldPlacement(document: "", page: number, x: box.x, y: box.y,
                                                                              width: box.width, height: box.height),
                                 recipient: item.recipient))
        }
        return placed
    }

    /// What a field shows: the mark for a signature, the value otherwise; nil when empty.
    private func blocks(for item: Placed, box: PageGeometry.Box) throws -> [Block]? {
        let inner = max(1, box.height - 2 * Self.inset(box))
        switch item.field.kind {
        case .signature:
            guard let mark = item.recipient.mark else { return nil }
            switch mark {
            case .typed(let name, let font): return try script(name, font: font, box: box)
            case .drawn(let png), .uploaded(let png):
                var image = Image(data: Array(png), format: .png, height: inner)
                if let (width, height) = Self.pngSize(Array(png)), width > 0, height > 0 {
                    let scale = min(inner / Double(height), max(1, box.width - 2 * Self.inset(box)) / Double(width))
                    image.height = Double(height) * scale
                    image.width = Double(width) * scale
                }
                image.spaceAfter = 0
                return [.image(image)]
            }
        case .initials:
            guard let value = item.field.value else { return nil }
            return try script(value, font: item.recipient.mark?.scriptFont ?? .standard, box: box)
        case .text, .dropdown, .dateSigned:
            guard let value = item.field.value, !value.isEmpty else { return nil }
            return try line(value, box: box)
        case .checkbox:
            // Unframed (a generated document's box): a tick is a character, so text extraction shows it.
            guard item.field.value == "true" else { return nil }
            return FinalDocument.valueBlocks("true", kind: .checkbox, height: box.height, script: .standard)
        }
    }

    /// A typed mark or initials in the signer's script font, on the foot of the box.
    private func script(_ text: String, font: SignatureFont, box: PageGeometry.Box) throws -> [Block] {
        var style = Self.style(font.family, size: max(4, min(box.height * 0.62, box.width / max(3, Double(text.count)) * 1.9)))
        style.color = Color(red: 0.05, green: 0.12, blue: 0.35)
        return try fitted(text, style: style, box: box, bottom: true)
    }

    /// A value on one line in Liberation Sans, centred vertically.
    private func line(_ text: String, box: PageGeometry.Box) throws -> [Block] {
        try fitted(text, style: Self.style("Liberation Sans", size: max(4, min(11, box.height * 0.7))), box: box, bottom: false)
    }

    /// The paragraph at the largest size (down to 4 pt) that fits the box on one line; a value
    /// too long for that wraps, at the largest size down to 2 pt whose lines fit the box — the
    /// box clips what is drawn, and no part of a value may be cut off unseen.
    private func fitted(_ text: String, style: ParagraphStyle, box: PageGeometry.Box, bottom: Bool) throws -> [Block] {
        let width = max(1, box.width - 2 * Self.inset(box)), room = box.height - 2 * Self.inset(box)
        var style = style
        func placed(_ paragraph: Block, height: Double) -> [Block] {
            let free = max(0, room - height)
            return free > 0.5 ? [.spacer(bottom ? free : free / 2), paragraph] : [paragraph]
        }
        while true {
            let paragraph = Block.paragraph(Paragraph(runs: [.plain(text)], style: style))
            let height = try typesetter.height(of: [paragraph], width: width)
            let oneLine = try typesetter.height(of: [paragraph], width: 100_000)
            if height <= oneLine + 0.01 && height <= room { return placed(paragraph, height: height) }
            if style.fontSize <= 4 { break }
            style.fontSize = max(4, style.fontSize - 0.5)
        }
        style.leading = min(style.leading, 1.15)
        while true {
            let paragraph = Block.paragraph(Paragraph(runs: [.plain(text)], style: style))
            let height = try typesetter.height(of: [paragraph], width: width)
            if height <= room || style.fontSize <= 2 { return placed(paragraph, height: height) }
            style.fontSize = max(2, style.fontSize - 0.25)
        }
    }

    /// The blocks typeset on a page the field's size and added to `update` as a Form XObject.
    private func form(_ blocks: [Block], box: PageGeometry.Box, into update: inout IncrementalUpdate) throws -> PDFReference {
        var page = PageSetup(width: box.width, height: box.height, margins: Self.inset(box))
        page.headerGap = 0
        page.footerGap = 0
        var bundle = ObjectBundle()
        let form = try bundle.copyPageAsForm(1, from: try typesetter.typeset(DocumentSpec(page: page, body: blocks)).objects)
        return bundle.add(into: &update)[form.number - 1]
    }

    /// A ticked or empty checkbox drawn as vector strokes.
    private static func checkbox(_ box: PageGeometry.Box, ticked: Bool) -> String {
        let side = min(box.width, box.height), x = box.x + (box.width - side) / 2, y = box.y + (box.height - side) / 2
        var drawing = "q 0.2 0.2 0.2 RG 0.75 w " + [x + 0.5, y + 0.5, side - 1, side - 1].map(number).joined(separator: " ") + " re S\n"
        if ticked {
            let points = [(0.2, 0.5), (0.42, 0.25), (0.82, 0.8)].map { (x + $0.0 * side, y + $0.1 * side) }
            drawing += "0.05 0.12 0.35 RG \(number(max(1, side * 0.12))) w 1 J 1 j "
                + "\(number(points[0].0)) \(number(points[0].1)) m \(number(points[1].0)) \(number(points[1].1)) l "
                + "\(number(points[2].0)) \(number(points[2].1)) l S\n"
        }
        return drawing + "Q\n"
    }

    private static func style(_ family: String, size: Double) -> ParagraphStyle {
        var style = ParagraphStyle()
        style.fontFamily = family
        style.fontSize = size
        style.leading = 1.1
        style.spaceAfter = 0
        style.hyphenate = false
        return style
    }

    private static func inset(_ box: PageGeometry.Box) -> Double { min(2, box.height * 0.08, box.width * 0.08) }

    static func number(_ value: Double) -> String { String(format: "%.3f", value) }

    /// A PNG's width and height from its IHDR chunk.
    static func pngSize(_ png: [UInt8]) -> (Int, Int)? {
        guard png.count >= 24 else { return nil }
        func be(_ offset: Int) -> Int { png[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be(16), be(20))
    }
}
