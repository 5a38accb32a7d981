/// Turns blocks into laid-out pieces: unsplittable boxes (table cells, headers, footers) and flow
/// items for the paginator. One per document: holds the document's caches (images, recently
/// measured tables), the fonts, the document's language and the typesetter's shaped-text cache,
/// which outlives the document.
final class BlockLayouter {
    let fonts: FontSystem
    let language: String
    private let shaped: ShapedTextCache
    private var images: [Image: ImageSource] = [:]
    /// The tables measured last: keep-with-next measures a block just before placing it, so the
    /// same table comes back within a block or two. Found by `==`, which is immediate for the same
    /// table value (arrays compare their storage first); hashing a whole table on every lookup and
    /// insert cost more than laying it out.
    private var recentTables: [(table: Table, width: Double, layout: TableLayout)] = []
    private static let recentTableCount = 4
    /// The page body's height: no image is drawn taller (it is scaled down to fit, as it is to
    /// the width), and nothing that cannot be split may be taller (`LayoutRoom`).
    var bodyHeight = Double.infinity
    /// The tallest an image may be drawn: the body's height, less a table cell's padding while
    /// a cell is laid out (`TableLayout`).
    var imageHeightLimit = Double.infinity

    init(fonts: FontSystem, language: String, shaped: ShapedTextCache) {
        self.fonts = fonts
        self.language = language
        self.shaped = shaped
    }

    /// The paragraph shaped at `width`, from the shaped-text cache when it was shaped before (in
    /// this document or an earlier one). Page placeholders take `pageNumber`/`pageCount`.
    /// Throws `.layout` when `width` holds neither the paragraph's widest word nor two ems of
    /// its font (`LayoutRoom`): indents, list nesting, columns or padding left no room, and the
    /// text would print a letter a line, or not at all.
    func textLayout(_ paragraph: Paragraph, width: Double, pageNumber: Int = 0, pageCount: Int = 0) throws -> TextLayout {
        try TypesettingError.attributed(to: paragraph.origin) {
            try LayoutRoom.requireWidth(width, for: paragraph) { try textLayout($0, width: $1) }
        }
        let hasPageNumbers = paragraph.runs.contains {
            switch $0 {
            case .pageNumber, .pageCount: return true
            default: return false
            }
        }
        let key = ShapedTextCache.Key(paragraph: paragraph, width: width, language: language,
                                      pageNumber: hasPageNumbers ? pageNumber : 0,
                                      pageCount: hasPageNumbers ? pageCount : 0)
        let layout = shaped.layout(for: key) {
            FontSystem.shaping.lock()
            defer { FontSystem.shaping.unlock() }
            return TextLayout(runs: paragraph.runs, style: paragraph.style, width: width, fonts: fonts, language: language,
                              pageNumber: pageNumber, pageCount: pageCount)
        }
        if let number = layout.splitNumber {
            try TypesettingError.attributed(to: paragraph.origin) { throw LayoutRoom.splitNumber(number, width: width) }
        }
        return layout
    }

    /// The table measured at `width` (cached).
    func tableLayout(_ table: Table, width: Double) throws -> TableLayout {
        if let cached = recentTables.last(where: { $0.width == width && $0.table == table }) { return cached.layout }
        let layout = try TypesettingError.attributed(to: table.origin) { try TableLayout(table, width: width, layouter: self) }
        if recentTables.count == Self.recentTableCount { recentTables.removeFirst() }
        recentTables.append((table, width, layout))
        return layout
    }

    func imageSource(_ image: Image) throws -> ImageSource {
        var key = image
        key.origin = nil  // the same picture in two places is one image
        if let cached = images[key] { return cached }
        let source = try ImageSource(image)
        images[key] = source
        return source
    }

    // MARK: Boxes

    /// Lays blocks out top to bottom at `width`, as one unsplittable box.
    func box(_ blocks: [Block], width: Double, pageNumber: Int = 0, pageCount: Int = 0) throws -> Box {
        var drawables: [Drawable] = []
        var y = 0.0
        var previousSpaceAfter = 0.0
        for (index, block) in blocks.enumerated() {
            let piece = try TypesettingError.attributed(to: block.origin) {
                try boxPiece(block, width: width, pageNumber: pageNumber, pageCount: pageCount)
            }
            let gap = index == 0 ? 0 : max(previousSpaceAfter, piece.spaceBefore)
            y += gap
            drawables += piece.box.drawables.map { $0.translated(0, y) }
            y += piece.box.height
            previousSpaceAfter = piece.spaceAfter
        }
        return Box(drawables: drawables, height: y)
    }

    /// The height `box(blocks, width:)` has, without drawing it: keep-together and keep-with-next
    /// measure blocks before placing them (tables and paragraphs come from the caches).
    func height(_ blocks: [Block], width: Double) throws -> Double {
        var y = 0.0
        var previousSpaceAfter = 0.0
        for (index, block) in blocks.enumerated() {
            let piece: (height: Double, spaceBefore: Double, spaceAfter: Double)
            switch block {
            case .paragraph(let paragraph), .heading(_, let paragraph):
                let layout = try textLayout(paragraph, width: width - paragraph.style.indent)
                piece = (layout.height, paragraph.style.spaceBefore, paragraph.style.spaceAfter)
            case .table(let table):
                piece = (try tableLayout(table, width: width).rows.reduce(0) { $0 + $1.height }, table.spaceBefore,
                         table.spaceAfter)
            case .keepTogether(let inner):
                piece = (try height(inner, width: width), 0, 0)
            default:
                let drawn = try boxPiece(block, width: width, pageNumber: 0, pageCount: 0)
                piece = (drawn.box.height, drawn.spaceBefore, drawn.spaceAfter)
            }
            y += index == 0 ? 0 : max(previousSpaceAfter, piece.spaceBefore)
            y += piece.height
            previousSpaceAfter = piece.spaceAfter
        }
        return y
    }

    private func boxPiece(_ block: Block, width: Double, pageNumber: Int,
                          pageCount: Int) throws -> (box: Box, spaceBefore: Double, spaceAfter: Double) {
        switch block {
        case .paragraph(let paragraph), .heading(_, let paragraph):
            let layout = try textLayout(paragraph, width: width - paragraph.style.indent, pageNumber: pageNumber,
                                    pageCount: pageCount)
            return (Box(drawables: textDrawables(layout, lines: 0..<layout.lines.count, x: paragraph.style.indent, y: 0),
                        height: layout.height), paragraph.style.spaceBefore, paragraph.style.spaceAfter)
        case .list(let list):
            var drawables: [Drawable] = []
            var y = 0.0
            let indent = try indent(of: list)
            for (index, item) in list.items.enumerated() {
                let content = try box(item, width: width - indent, pageNumber: pageNumber, pageCount: pageCount)
                if let marker = try markerLayout(list, index: index, firstBlock: item.first) {
                    drawables += textDrawables(marker, lines: 0..<marker.lines.count, x: 0, y: y)
                }
                drawables += content.drawables.map { $0.translated(indent, y) }
                y += content.height + 2
            }
            return (Box(drawables: drawables, height: max(0, y - 2)), 2, list.spaceAfter)
        case .table(let table):
            let laidOut = try tableLayout(table, width: width)
            var drawables: [Drawable] = []
            var y = 0.0
            for row in laidOut.rows {
                drawables += laidOut.drawables(for: row, x: 0, y: y)
                y += row.height
            }
            return (Box(drawables: drawables, height: y), table.spaceBefore, table.spaceAfter)
        case .image(let image):
            let item = try imageItem(image, width: width)
            return (item.box, 0, image.spaceAfter)
        case .signature(let signature):
            return (try signatureBox(signature, width: width), 6, signature.spaceAfter)
        case .keepTogether(let blocks):
            return (try box(blocks, width: width, pageNumber: pageNumber, pageCount: pageCount), 0, 0)
        case .pageBreak:
            return (Box(drawables: [], height: 0), 0, 0)
        case .spacer(let height):
            return (Box(drawables: [], height: height), 0, 0)
        case .rule(let lineWidth, let color):
            return (Box(drawables: [.line(x0: 0, y0: lineWidth / 2, x1: width, y1: lineWidth / 2, color: color,
                                          lineWidth: lineWidth)], height: lineWidth), 4, 6)
        }
    }

    /// The image at its size, scaled down (keeping its proportions) to fit `width` and the page
    /// body's height.
    func imageItem(_ image: Image, width: Double) throws -> (box: Box, width: Double) {
        try TypesettingError.attributed(to: image.origin) { try unattributedImageItem(image, width: width) }
    }

    private func unattributedImageItem(_ image: Image, width: Double) throws -> (box: Box, width: Double) {
        let source = try imageSource(image)
        try LayoutRoom.requireWidth(width, what: "an image (\(source.pixelWidth) × \(source.pixelHeight) pixels)")
        var (w, h) = source.displaySize(width: image.width, height: image.height)
        if w > width { h *= width / w; w = width }
        let limit = min(bodyHeight, imageHeightLimit)
        if h > limit { w *= limit / h; h = limit }
        let x: Double
        switch image.alignment {
        case .center: x = (width - w) / 2
        case .right: x = width - w
        case .left, .justify: x = 0
        }
        return (Box(drawables: [.image(source, x: x, y: 0, width: w, height: h)], height: h), w)
    }

    /// The signature area: the field rectangle (recorded) with, once signed electronically, the
    /// signer's mark sitting on the line, clipped to the rectangle; a signing line under it and
    /// the label below (a checkbox: its label beside it).
    func signatureBox(_ signature: SignatureBox, width: Double) throws -> Box {
        try TypesettingError.attributed(to: signature.origin) { try unattributedSignatureBox(signature, width: width) }
    }

    private func unattributedSignatureBox(_ signature: SignatureBox, width: Double) throws -> Box {
        try LayoutRoom.requireWidth(width, what: "the \(signature.kind.rawValue) field '\(signature.label)'")
        let boxWidth = min(signature.width, width)
        var label = ParagraphStyle()
        label.fontFamily = "Liberation Sans"
        label.fontSize = 8.5
        label.color = Color(red: 0.3, green: 0.3, blue: 0.3)
        label.spaceAfter = 0
        label.hyphenate = false
        // The label follows the line: under its left end, its middle or its right end.
        label.alignment = signature.alignment == .justify ? .left : signature.alignment
        // A checkbox's label reads beside the box (to its right), as on any form; the others'
        // under the line. The box and its label are aligned together.
        let beside = signature.kind == .checkbox
        let captionGap = 4.0
        let text = signature.label + (signature.required ? "" : " (optional)")
        var captionWidth = boxWidth
        var groupWidth = boxWidth
        if beside {
            label.alignment = .left
            captionWidth = width - boxWidth - captionGap
            let natural = try textLayout(Paragraph(runs: [.plain(text)], style: label), width: 100_000).widestLine
            groupWidth = min(width, boxWidth + captionGap + natural)
        }
        let caption = try textLayout(Paragraph(runs: [.plain(text)], style: label), width: captionWidth)
        let grey = Color(red: 0.45, green: 0.45, blue: 0.45)
        let x: Double
        switch signature.alignment {
        case .center: x = (width - groupWidth) / 2
        case .right: x = width - groupWidth
        case .left, .justify: x = 0
        }
        var drawables: [Drawable] = [.signature(signature, x: x, y: 0, width: boxWidth, height: signature.height)]
        if let mark = signature.mark {
            let content = try box(mark, width: boxWidth)
            let top = max(0, signature.height - content.height - 1)
            drawables.append(.clipped(x: x, y: 0, width: boxWidth, height: signature.height,
                                      content.drawables.map { $0.translated(x, top) }))
        }
        if signature.kind == .checkbox {
            drawables.append(.stroke(x: x, y: 0, width: boxWidth, height: signature.height, color: grey, lineWidth: 0.75))
        } else {
            drawables.append(.line(x0: x, y0: signature.height, x1: x + boxWidth, y1: signature.height, color: grey, lineWidth: 0.75))
        }
        let height: Double
        if beside {
            // The label's first line centred on the box; the box drawn from the left edge.
            let captionX = x + boxWidth + captionGap
            let firstLine = caption.lines.first.map { $0.bottom - $0.top } ?? 0
            let captionTop = max(0, (signature.height - firstLine) / 2)
            drawables += textDrawables(caption, lines: 0..<caption.lines.count, x: captionX, y: captionTop)
            height = max(signature.height, captionTop + caption.height)
        } else {
            drawables += textDrawables(caption, lines: 0..<caption.lines.count, x: x, y: signature.height + 3)
            height = signature.height + 3 + caption.height
        }
        // A field is one piece: taller than the page, its foot and label would run off the paper.
        if height > bodyHeight + Typesetter.tolerance {
            throw LayoutRoom.tooTall("the \(signature.kind.rawValue) field '\(LayoutRoom.excerpt(signature.label))' (\(LayoutRoom.points(signature.height)) pt and "
                                     + "\(LayoutRoom.points(caption.height)) pt of label)", height: height, room: bodyHeight,
                                     todo: "give it a smaller height or a shorter label")
        }
        return Box(drawables: drawables, height: height)
    }

    /// The bullet or number of list item `index`, styled like the item's first paragraph, on one
    /// line of the list's indent (`indent(of:)`).
    func markerLayout(_ list: ListBlock, index: Int, firstBlock: Block?) throws -> TextLayout? {
        let paragraph = Self.marker(list, index: index, firstBlock: firstBlock)
        return try textLayout(paragraph, width: try indent(of: list))
    }

    /// The list's indent, or more where a marker needs more (the number of item 100 in an
    /// 18 pt indent): the marker hangs in it on one line, never wrapping over the item's text.
    func indent(of list: ListBlock) throws -> Double {
        try TypesettingError.attributed(to: list.origin) { try unattributedIndent(of: list) }
    }

    private func unattributedIndent(of list: ListBlock) throws -> Double {
        guard !list.items.isEmpty else { return list.indent }
        // The widest marker: the bullet, or the first or the last number (a minus sign or more
        // digits make it wider).
        let candidates = list.marker == .bullet ? [0] : [0, list.items.count - 1]
        var widest = 0.0
        for index in candidates {
            let paragraph = Self.marker(list, index: index, firstBlock: list.items[index].first)
            widest = max(widest, try textLayout(paragraph, width: 100_000).widestLine)
        }
        let gap = 3.0
        return widest + gap > list.indent ? (widest + gap).rounded(.up) : list.indent
    }

    private static func marker(_ list: ListBlock, index: Int, firstBlock: Block?) -> Paragraph {
        var style = ParagraphStyle()
        if case .paragraph(let paragraph)? = firstBlock { style = paragraph.style }
        style.alignment = .left
        style.indent = 0
        style.spaceBefore = 0
        style.spaceAfter = 0
        return Paragraph(runs: [.plain(list.marker == .bullet ? "•" : "\(list.start + index).")], style: style)
    }
}
