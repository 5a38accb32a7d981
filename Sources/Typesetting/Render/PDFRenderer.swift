internal import CCairo
internal import CPango

/// Draws laid-out pages into a cairo PDF surface and collects the bytes.
final class PDFRenderer {
    private var output: [UInt8] = []
    private var signatures: [PlacedSignature] = []
    private var links: [PlacedLink] = []

    /// Renders pages of drawables; returns the PDF bytes and where the signature boxes landed.
    func render(pages: [[Drawable]], page: PageSetup, info: DocumentInfo) throws -> TypesetDocument {
        output.removeAll(keepingCapacity: true)
        signatures.removeAll()
        links.removeAll()
        let closure = Unmanaged.passUnretained(self).toOpaque()
        guard let surface = cairo_pdf_surface_create_for_stream({ closure, data, length in
            let renderer = Unmanaged<PDFRenderer>.fromOpaque(closure!).takeUnretainedValue()
            renderer.output.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
            return CAIRO_STATUS_SUCCESS
        }, closure, page.width, page.height) else {
            throw TypesettingError(.cairo, "cairo could not create a PDF surface")
        }
        defer { cairo_surface_destroy(surface) }
        setMetadata(surface, info)
        let cairo = cairo_create(surface)!
        defer { cairo_destroy(cairo) }

        var outlineParents: [Int: Int32] = [0: 0]  // level → outline id (0 = root)
        for (index, drawables) in pages.enumerated() {
            for drawable in drawables {
                draw(drawable, on: cairo, surface: surface, pageIndex: index, pageHeight: page.height,
                     outlineParents: &outlineParents)
            }
            cairo_show_page(cairo)
        }
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw TypesettingError(.cairo, "cairo failed to write the PDF: \(String(cString: cairo_status_to_string(status)))")
        }
        return TypesetDocument(pdf: output, pageCount: pages.count, signatures: signatures, links: links)
    }

    private func draw(_ drawable: Drawable, on cairo: OpaquePointer, surface: OpaquePointer, pageIndex: Int,
                      pageHeight: Double, outlineParents: inout [Int: Int32]) {
        switch drawable {
        case .text(let layout, let lines, let x, let y):
            layout.draw(lines: lines, on: cairo, x: x, y: y)
        case .fill(let x, let y, let width, let height, let color):
            cairo_set_source_rgb(cairo, color.red, color.green, color.blue)
            cairo_rectangle(cairo, x, y, width, height)
            cairo_fill(cairo)
        case .stroke(let x, let y, let width, let height, let color, let lineWidth):
            cairo_set_source_rgb(cairo, color.red, color.green, color.blue)
            cairo_set_line_width(cairo, lineWidth)
            cairo_rectangle(cairo, x, y, width, height)
            cairo_stroke(cairo)
        case .line(let x0, let y0, let x1, let y1, let color, let lineWidth):
            cairo_set_source_rgb(cairo, color.red, color.green, color.blue)
            cairo_set_line_width(cairo, lineWidth)
            cairo_move_to(cairo, x0, y0)
            cairo_line_to(cairo, x1, y1)
            cairo_stroke(cairo)
        case .image(let source, let x, let y, let width, let height):
            cairo_save(cairo)
            cairo_translate(cairo, x, y)
            cairo_scale(cairo, width / Double(source.pixelWidth), height / Double(source.pixelHeight))
            cairo_set_source_surface(cairo, source.surface, 0, 0)
            cairo_paint(cairo)
            cairo_restore(cairo)
        case .clipped(let x, let y, let width, let height, let inner):
            cairo_save(cairo)
            cairo_rectangle(cairo, x, y, width, height)
            cairo_clip(cairo)
            for item in inner {
                draw(item, on: cairo, surface: surface, pageIndex: pageIndex, pageHeight: pageHeight,
                     outlineParents: &outlineParents)
            }
            cairo_restore(cairo)
        case .link(let url, let x, let y, let width, let height):
            // cairo 1.16's link tags corrupt its xref table, so links become annotations in the PDF layer.
            links.append(PlacedLink(url: url, page: pageIndex + 1, x0: x, y0: pageHeight - (y + height),
                                    x1: x + width, y1: pageHeight - y))
        case .signature(let box, let x, let y, let width, let height):
            signatures.append(PlacedSignature(role: box.role, label: box.label, required: box.required,
                                              page: pageIndex + 1, x0: x, y0: pageHeight - (y + height),
                                              x1: x + width, y1: pageHeight - y))
        case .outline(let level, let title, let y):
            let parent = outlineParents[level - 1] ?? outlineParents.filter { $0.key < level }.max { $0.key < $1.key }?.value ?? 0
            let target = "page=\(pageIndex + 1) pos=[0 \(max(0, y - 6))]"
            let id = cairo_pdf_surface_add_outline(surface, parent, title, target, CAIRO_PDF_OUTLINE_FLAG_OPEN)
            outlineParents[level] = id
            for deeper in outlineParents.keys where deeper > level { outlineParents[deeper] = nil }
        }
    }

    private func setMetadata(_ surface: OpaquePointer, _ info: DocumentInfo) {
        func set(_ key: cairo_pdf_metadata_t, _ value: String?) {
            if let value, !value.isEmpty { cairo_pdf_surface_set_metadata(surface, key, value) }
        }
        set(CAIRO_PDF_METADATA_TITLE, info.title)
        set(CAIRO_PDF_METADATA_AUTHOR, info.author)
        set(CAIRO_PDF_METADATA_SUBJECT, info.subject)
        set(CAIRO_PDF_METADATA_KEYWORDS, info.keywords)
        set(CAIRO_PDF_METADATA_CREATOR, info.creator)
        // A fixed date keeps output deterministic; the PDF layer rewrites the Info dictionary anyway.
        let date = info.date ?? "2000-01-01T00:00:00Z"
        set(CAIRO_PDF_METADATA_CREATE_DATE, date)
        set(CAIRO_PDF_METADATA_MOD_DATE, date)
    }
}
