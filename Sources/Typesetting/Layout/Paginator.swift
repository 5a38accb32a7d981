/// Flows body blocks down the page body, breaking pages: paragraphs split between lines with
/// widow and orphan control, keep-with-next, keep-together, tables row by row with repeated
/// headers, page breaks.
struct Paginator {
    let layouter: BlockLayouter
    let top: Double
    let bottom: Double
    /// Lines a paragraph must keep at a page foot (orphans) and carry to the next page (widows).
    let minimumLines = 2

    private(set) var pages: [[Drawable]] = [[]]
    private var y: Double
    private var previousSpaceAfter = 0.0
    /// A list marker waiting for the first line of its item.
    private var pendingMarker: (layout: TextLayout, x: Double)?

    init(layouter: BlockLayouter, page: PageSetup) {
        self.layouter = layouter
        top = page.marginTop
        bottom = page.height - page.marginBottom
        y = top
    }

    private var bodyHeight: Double { bottom - top }
    private var atPageTop: Bool { y <= top + 0.001 }

    private mutating func newPage() {
        pages.append([])
        y = top
        previousSpaceAfter = 0
    }

    private mutating func emit(_ drawables: [Drawable]) { pages[pages.count - 1] += drawables }

    /// The gap before a block: collapsed with the previous block's space after; none at a page top.
    private func gap(before spaceBefore: Double) -> Double {
        atPageTop ? 0 : max(previousSpaceAfter, spaceBefore)
    }

    /// Draws a pending list marker level with the first content placed at `contentTop`.
    private mutating func placeMarker(contentTop: Double, baselineOffset: Double?) {
        guard let marker = pendingMarker else { return }
        pendingMarker = nil
        var markerTop = contentTop
        if let baselineOffset, let first = marker.layout.lines.first {
            markerTop = contentTop + baselineOffset - (first.baseline - first.top)
        }
        emit(textDrawables(marker.layout, lines: 0..<marker.layout.lines.count, x: marker.x, y: markerTop))
    }

    // MARK: Flow

    mutating func flow(_ blocks: [Block], x: Double, width: Double) throws {
        for (index, block) in blocks.enumerated() {
            let next = index + 1 < blocks.count ? blocks[index + 1] : nil
            try TypesettingError.attributed(to: block.origin) { try place(block, next: next, x: x, width: width) }
        }
    }

    private mutating func place(_ block: Block, next: Block?, x: Double, width: Double) throws {
        switch block {
        case .paragraph(let paragraph):
            try placeParagraph(paragraph, outline: nil, next: next, x: x, width: width)
        case .heading(let level, let paragraph):
            try placeParagraph(paragraph, outline: level, next: next, x: x, width: width)
        case .list(let list):
            let indent = try layouter.indent(of: list)
            for (index, item) in list.items.enumerated() {
                if let marker = try layouter.markerLayout(list, index: index, firstBlock: item.first) {
                    pendingMarker = (marker, x)
                }
                try flow(item, x: x + indent, width: width - indent)
                pendingMarker = nil
            }
            // The list ends with its own space, not its last item's (items sit close together).
            previousSpaceAfter = max(previousSpaceAfter, list.spaceAfter)
        case .table(let table):
            try placeTable(table, x: x, width: width)
        case .image, .signature, .rule:
            let (box, spaceBefore, spaceAfter) = try fixedBox(block, width: width)
            try placeFixed(box, spaceBefore: spaceBefore, spaceAfter: spaceAfter, x: x)
        case .keepTogether(let blocks):
            let height = try layouter.height(blocks, width: width)
            if !atPageTop, y + gap(before: 0) + height > bottom, height <= bodyHeight { newPage() }
            try flow(blocks, x: x, width: width)
        case .pageBreak:
            if !(atPageTop && pages[pages.count - 1].isEmpty) { newPage() }
        case .spacer(let height):
            if !atPageTop { y += height }
        }
    }

    private func fixedBox(_ block: Block, width: Double) throws -> (Box, Double, Double) {
        switch block {
        case .image(let image): return (try layouter.imageItem(image, width: width).box, 0, image.spaceAfter)
        case .signature(let signature): return (try layouter.signatureBox(signature, width: width), 6, signature.spaceAfter)
        case .rule(let lineWidth, let color):
            return (Box(drawables: [.line(x0: 0, y0: lineWidth / 2, x1: width, y1: lineWidth / 2, color: color,
                                          lineWidth: lineWidth)], height: lineWidth), 4, 6)
        default: return (try layouter.box([block], width: width), 0, 0)
        }
    }

    private mutating func placeFixed(_ box: Box, spaceBefore: Double, spaceAfter: Double, x: Double) throws {
        if box.height > bodyHeight + Typesetter.tolerance {
            throw LayoutRoom.tooTall("a horizontal rule (<hr thickness>)", height: box.height, room: bodyHeight, todo: "make it thinner")
        }
        if !atPageTop, y + gap(before: spaceBefore) + box.height > bottom { newPage() }
        y += gap(before: spaceBefore)
        placeMarker(contentTop: y, baselineOffset: nil)
        emit(box.drawables.map { $0.translated(x, y) })
        y += box.height
        previousSpaceAfter = spaceAfter
    }

    /// The height the start of a block needs on a page (keep-with-next looks at it).
    private func startHeight(of block: Block, width: Double) throws -> Double {
        switch block {
        case .paragraph(let paragraph), .heading(_, let paragraph):
            let layout = try layouter.textLayout(paragraph, width: width - paragraph.style.indent)
            let count = min(minimumLines, layout.lines.count)
            return paragraph.style.spaceBefore + (count > 0 ? layout.lines[count - 1].bottom : 0)
        case .table(let table):
            let layout = try layouter.tableLayout(table, width: width)
            return table.spaceBefore + layout.headerRows.reduce(0) { $0 + $1.height } + (layout.bodyRows.first?.height ?? 0)
        case .list(let list):
            guard let first = list.items.first?.first else { return 0 }
            return try startHeight(of: first, width: width - (try layouter.indent(of: list)))
        case .keepTogether(let blocks):
            return min(bodyHeight, try layouter.height(blocks, width: width))
        case .image, .signature, .rule:
            let (box, spaceBefore, _) = try fixedBox(block, width: width)
            return spaceBefore + box.height
        case .pageBreak, .spacer:
            return 0
        }
    }

    private mutating func placeParagraph(_ paragraph: Paragraph, outline level: Int?, next: Block?, x: Double,
                                         width: Double) throws {
        let style = paragraph.style
        let layout = try layouter.textLayout(paragraph, width: width - style.indent)
        let lines = layout.lines
        guard !lines.isEmpty else { return }
        // Keep with next: this paragraph (if short) and the start of the next block share a page.
        if (style.keepWithNext || level != nil), let next, !atPageTop {
            let own = lines.count <= 3 ? lines[lines.count - 1].bottom : lines[min(minimumLines, lines.count) - 1].bottom
            let needed = gap(before: style.spaceBefore) + own + style.spaceAfter + (try startHeight(of: next, width: width))
            if y + needed > bottom, needed <= bodyHeight { newPage() }
        }
        y += gap(before: style.spaceBefore)
        var start = 0
        while start < lines.count {
            let available = bottom - y
            var fit = 0
            while start + fit < lines.count, lines[start + fit].bottom - lines[start].top <= available + 0.01 { fit += 1 }
            let remaining = lines.count - start
            if fit < remaining {
                // Orphans: too few lines would stay at the foot of this page.
                if fit < min(minimumLines, remaining) {
                    if !atPageTop { newPage(); continue }
                    if fit == 0 {
                        let line = lines[start]
                        throw LayoutRoom.tooTall("a line of the text '\(LayoutRoom.excerpt(plainText(paragraph.runs)))'", height: line.bottom - line.top,
                                                 room: bodyHeight, todo: "give it a smaller font")
                    }
                } else if remaining - fit < minimumLines {
                    // Widows: carry enough lines to the next page.
                    let reduced = remaining - minimumLines
                    if reduced >= minimumLines {
                        fit = reduced
                    } else if !atPageTop {
                        newPage()
                        continue
                    }
                }
            }
            let range = start..<(start + fit)
            if start == 0 {
                placeMarker(contentTop: y, baselineOffset: lines[0].baseline - lines[0].top)
                if let level { emit([.outline(level: level, title: plainText(paragraph.runs), y: y)]) }
            }
            emit(textDrawables(layout, lines: range, x: x + style.indent, y: y))
            y += lines[range.upperBound - 1].bottom - lines[start].top
            start += fit
            if start < lines.count { newPage() }
        }
        previousSpaceAfter = style.spaceAfter
    }

    private mutating func placeTable(_ table: Table, x: Double, width: Double) throws {
        let layout = try layouter.tableLayout(table, width: width)
        let header = layout.headerRows
        let headerHeight = header.reduce(0) { $0 + $1.height }
        // Header rows are never split; repeated, they must leave a page room for a line of a row.
        let headerRoom = table.repeatHeader && !layout.bodyRows.isEmpty ? bodyHeight - Self.leastRowSlice : bodyHeight
        if !header.isEmpty, headerHeight > headerRoom + Typesetter.tolerance {
            let repeated = headerRoom < bodyHeight
            throw TypesettingError(.layout, "the table's header rows are \(LayoutRoom.points(headerHeight)) pt tall, but the page body holds "
                                   + "\(LayoutRoom.points(bodyHeight)) pt" + (repeated ? ", and as they repeat on every page they must leave "
                                   + "\(LayoutRoom.points(Self.leastRowSlice)) pt for the rows under them" : "")
                                   + "; a header row cannot be split across pages: shorten the header cells' text, or give the page smaller margins")
        }
        // A first row taller than a page is sliced anyway: it may start wherever a line of it fits.
        var firstRow = layout.bodyRows.first?.height ?? 0
        if firstRow > bodyHeight - (table.repeatHeader ? headerHeight : 0) { firstRow = Self.leastRowSlice }
        if !atPageTop, y + gap(before: table.spaceBefore) + headerHeight + firstRow > bottom { newPage() }
        y += gap(before: table.spaceBefore)
        drawHeader(header, layout: layout, x: x)
        let repeatedHeight = table.repeatHeader ? headerHeight : 0
        for row in layout.bodyRows {
            if y + row.height > bottom + 0.01 {
                if row.height > bodyHeight - repeatedHeight {
                    try sliceRow(row, layout: layout, x: x, repeatedHeader: table.repeatHeader ? header : [])
                    continue
                }
                newPage()
                if table.repeatHeader { drawHeader(header, layout: layout, x: x) }
            }
            emit(layout.drawables(for: row, x: x, y: y))
            y += row.height
        }
        previousSpaceAfter = table.spaceAfter
    }

    /// The least of a row worth starting under a repeated header (points).
    private static let leastRowSlice = 24.0

    private mutating func drawHeader(_ header: [TableLayout.Row], layout: TableLayout, x: Double) {
        for row in header {
            emit(layout.drawables(for: row, x: x, y: y))
            y += row.height
        }
    }

    /// A row taller than a page, drawn in slices cut between lines of text (`RowSlicing`): every
    /// line is drawn once, whole, on one page. A piece that cannot be split and does not fit an
    /// empty page (under its repeated header) is an error, not a piece cut off.
    private mutating func sliceRow(_ row: TableLayout.Row, layout: TableLayout, x: Double,
                                   repeatedHeader: [TableLayout.Row]) throws {
        let drawables = layout.drawables(for: row, x: 0, y: 0)
        let spans = RowSlicing.unsplittableSpans(drawables)
        var consumed = 0.0
        var freshPage = false
        while consumed < row.height - 0.01 {
            let cut = RowSlicing.cut(after: consumed, limit: min(row.height, consumed + bottom - y), spans: spans)
            // A slice with nothing of the cells' content in it (only padding) is not worth a page.
            let holdsContent = spans.contains { $0.top >= consumed - 0.01 && $0.bottom <= cut + 0.01 } || cut >= row.height - 0.01
            guard cut > consumed + 0.01, holdsContent || freshPage else {
                if freshPage {
                    let piece = spans.filter { $0.bottom > consumed + 0.01 }.map { $0.bottom - $0.top }.max() ?? row.height
                    let under = repeatedHeader.isEmpty ? "" : " under the table's repeated header rows"
                    throw TypesettingError(.layout, "a piece of a table cell (an image, a field or a line of text) is "
                                           + "\(LayoutRoom.points(piece)) pt tall, but the page holds \(LayoutRoom.points(bottom - y)) pt\(under) "
                                           + "and it cannot be split across pages; make it smaller\(under.isEmpty ? "" : " or the header shorter"), "
                                           + "or give the page smaller margins")
                }
                newPage()
                drawHeader(repeatedHeader, layout: layout, x: x)
                freshPage = true
                continue
            }
            emit(RowSlicing.slice(drawables, from: consumed, to: cut, width: layout.width).map { $0.translated(x, y - consumed) })
            y += cut - consumed
            consumed = cut
            freshPage = false
        }
    }
}

/// The text of runs without styling (outline titles).
func plainText(_ runs: [InlineRun]) -> String {
    runs.map { run in
        switch run {
        case .text(let text, _): return text
        case .lineBreak: return " "
        case .pageNumber, .pageCount: return ""
        }
    }.joined()
}
