import PDFSyntax

/// Writes laid-out pages as PDF objects: one content stream per page (text from pango's glyph
/// runs, rectangles, lines, clips, images), embedded font subsets, image XObjects and the
/// outline. One per typesetter: it keeps the font, subset and image caches between documents.
final class PDFRenderer {
    private let runFonts = RunFonts()
    private let embedder = FontEmbedder()
    private let images = ImageXObjects()
    private let deflater: Deflater

    /// zlib level for page content streams. Measured on the service agreement (23 KB of content
    /// per document): level 1 0.21 ms and 7.0 KB, level 4 0.27 ms and 5.9 KB, level 6 0.66 ms
    /// and 5.2 KB per document.
    static let contentLevel = 4

    init() throws {
        deflater = try Deflater(level: PDFRenderer.contentLevel)
    }

    /// Renders pages of drawables; returns the objects and where the signature boxes and links landed.
    func render(pages: [[Drawable]], page: PageSetup, info: DocumentInfo) throws -> TypesetDocument {
        var file = PDFObjectFile()
        let pagesReference = file.reserve()
        let fonts = DocumentFonts()
        var document = DocumentState()
        var pageReferences: [PDFReference] = []
        var canvases: [PageCanvas] = []
        for (index, drawables) in pages.enumerated() {
            var canvas = PageCanvas(height: page.height)
            for drawable in drawables {
                try draw(drawable, on: &canvas, pageIndex: index, pageHeight: page.height, fonts: fonts,
                         document: &document, file: &file)
            }
            canvases.append(canvas)
            pageReferences.append(file.reserve())
        }
        for (index, canvas) in canvases.enumerated() {
            let content = file.add(.stream(PDFStream(
                dictionary: ["Filter": .name("FlateDecode")],
                encodedData: try deflater.compress(canvas.content.bytes))))
            var resources: PDFDictionary = [:]
            if !canvas.fonts.isEmpty {
                resources["Font"] = .dictionary(PDFDictionary(canvas.fonts.sorted().map {
                    (PDFName("F\($0 + 1)"), PDFObject.reference(fonts.references[$0]))
                }))
            }
            if !canvas.images.isEmpty {
                resources["XObject"] = .dictionary(PDFDictionary(canvas.images.sorted { $0.key < $1.key }.map {
                    (PDFName($0.key), PDFObject.reference($0.value))
                }))
            }
            file[pageReferences[index]] = .dictionary([
                "Type": .name("Page"), "Parent": .reference(pagesReference),
                "MediaBox": .array([0, 0, .number(page.width), .number(page.height)]),
                "Contents": .reference(content), "Resources": .dictionary(resources),
            ])
        }
        for (index, usage) in fonts.usages.enumerated() {
            try embedder.embed(usage, as: fonts.references[index], into: &file)
        }
        file.pages = pageReferences
        file[pagesReference] = .dictionary(["Type": .name("Pages"), "Kids": .array(pageReferences.map { .reference($0) }),
                                            "Count": .integer(pageReferences.count)])
        var catalog: PDFDictionary = ["Type": .name("Catalog"), "Pages": .reference(pagesReference)]
        if let outlines = Outline.write(document.outline, pages: pageReferences, pageHeight: page.height, into: &file) {
            catalog["Outlines"] = .reference(outlines)
            // A single bookmark is no help for finding one's way: the pane opens only for more.
            if document.outline.count > 1 { catalog["PageMode"] = .name("UseOutlines") }
        }
        file[file.catalog] = .dictionary(catalog)
        return TypesetDocument(file: file, pageCount: pages.count, signatures: document.signatures, fields: document.fields,
                               links: document.links, missingCharacters: fonts.missing)
    }

    /// What a document collects while its pages are drawn.
    private struct DocumentState {
        var signatures: [PlacedSignature] = []
        var fields: [PlacedField] = []
        var links: [PlacedLink] = []
        var outline: [Outline.Entry] = []
        var images: [ObjectIdentifier: (name: String, reference: PDFReference)] = [:]
    }

    private func draw(_ drawable: Drawable, on canvas: inout PageCanvas, pageIndex: Int, pageHeight: Double,
                      fonts: DocumentFonts, document: inout DocumentState, file: inout PDFObjectFile) throws {
        switch drawable {
        case .text(let layout, let lines, let x, let y):
            try layout.drawGlyphs(lines: lines, x: x, y: y, on: &canvas, fonts: runFonts, document: fonts, file: &file)
        case .fill(let x, let y, let width, let height, let color):
            canvas.fill(x, y, width, height, color: color)
        case .stroke(let x, let y, let width, let height, let color, let lineWidth):
            canvas.strokeRectangle(x, y, width, height, color: color, lineWidth: lineWidth)
        case .line(let x0, let y0, let x1, let y1, let color, let lineWidth):
            canvas.line(x0, y0, x1, y1, color: color, lineWidth: lineWidth)
        case .image(let source, let x, let y, let width, let height):
            let key = ObjectIdentifier(source)
            let placed: (name: String, reference: PDFReference)
            if let known = document.images[key] {
                placed = known
            } else {
                placed = ("Im\(document.images.count + 1)", try images.add(source, to: &file))
                document.images[key] = placed
            }
            canvas.image(placed.name, placed.reference, x: x, y: y, width: width, height: height, orientation: source.orientationMatrix)
        case .clipped(let x, let y, let width, let height, let inner):
            canvas.save()
            canvas.clip(x, y, width, height)
            for item in inner {
                try draw(item, on: &canvas, pageIndex: pageIndex, pageHeight: pageHeight, fonts: fonts,
                         document: &document, file: &file)
            }
            canvas.restore()
        case .link(let url, let x, let y, let width, let height):
            document.links.append(PlacedLink(url: url, page: pageIndex + 1, x0: x, y0: pageHeight - (y + height),
                                             x1: x + width, y1: pageHeight - y))
        case .signature(let box, let x, let y, let width, let height) where box.kind != .signature:
            document.fields.append(PlacedField(name: box.fieldName ?? box.role, kind: box.kind, role: box.role, required: box.required,
                                               label: box.label, page: pageIndex + 1, x0: x, y0: pageHeight - (y + height),
                                               x1: x + width, y1: pageHeight - y))
        case .signature(let box, let x, let y, let width, let height):
            document.signatures.append(PlacedSignature(role: box.role, label: box.label, required: box.required,
                                                       page: pageIndex + 1, x0: x, y0: pageHeight - (y + height),
                                                       x1: x + width, y1: pageHeight - y))
        case .outline(let level, let title, let y):
            document.outline.append(Outline.Entry(level: level, title: title, page: pageIndex, y: y))
        }
    }
}
