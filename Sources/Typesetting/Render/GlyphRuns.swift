internal import CPango
import PDFSyntax

/// Pango's glyph runs written as PDF text: 2-byte glyph ids shown with `TJ`, positioned exactly
/// where pango placed them (kerning and justification become `TJ` adjustments), plus the
/// underline and strikethrough rectangles pango's own renderer would draw.
extension TextLayout {
    private static let emptyGlyph: UInt32 = 0x0FFF_FFFF  // PANGO_GLYPH_EMPTY
    private static let unknownFlag: UInt32 = 0x1000_0000  // PANGO_GLYPH_UNKNOWN_FLAG

    /// Draws lines `range` with the paragraph's left edge at `x` and the top of the first drawn
    /// line at `y` (as `draw(lines:on:x:y:)` did with cairo).
    func drawGlyphs(lines range: Range<Int>, x: Double, y: Double, on canvas: inout PageCanvas,
                    fonts: RunFonts, document: DocumentFonts, file: inout PDFObjectFile) throws {
        guard !range.isEmpty else { return }
        let origin = y - lines[range.lowerBound].top
        let scale = Double(cs_pango_scale())
        guard let textPointer = pango_layout_get_text(layout) else { return }
        let textBase = UnsafeRawPointer(textPointer).assumingMemoryBound(to: UInt8.self)
        var decorations: [(x: Double, y: Double, width: Double, height: Double, color: Color)] = []
        canvas.content.op("BT\n")
        for index in range {
            guard let line = pango_layout_get_line_readonly(layout, Int32(index)) else { continue }
            let baseline = origin + lines[index].baseline
            var runX = x + lines[index].x
            var node = line.pointee.runs
            while let current = node {
                node = current.pointee.next
                guard let run = current.pointee.data?.assumingMemoryBound(to: PangoGlyphItem.self),
                      let item = run.pointee.item, let glyphs = run.pointee.glyphs else { continue }
                let attributes = RunAttributes(item.pointee.analysis.extra_attrs, default: style.color)
                var width = 0.0
                if let pangoFont = item.pointee.analysis.font {
                    let font = try fonts.font(pangoFont)
                    let fontIndex = document.index(for: font.face, file: &file)
                    canvas.setFill(attributes.color)
                    width = showGlyphs(glyphs.pointee, item: item.pointee, text: textBase, font: font, fontIndex: fontIndex,
                                       x: runX, baseline: baseline, canvas: &canvas, document: document)
                    if attributes.underline {
                        decorations.append((runX, baseline - font.underlinePosition, width, font.underlineThickness,
                                            attributes.color))
                    }
                    if attributes.strikethrough {
                        decorations.append((runX, baseline - font.strikethroughPosition, width,
                                            font.strikethroughThickness, attributes.color))
                    }
                } else {
                    for glyph in 0..<Int(glyphs.pointee.num_glyphs) {
                        width += Double(glyphs.pointee.glyphs[glyph].geometry.width) / scale
                        let id = glyphs.pointee.glyphs[glyph].glyph
                        if id != TextLayout.emptyGlyph, id & TextLayout.unknownFlag != 0 {
                            document.noteMissing(id & ~TextLayout.unknownFlag)
                        }
                    }
                }
                runX += width
            }
        }
        canvas.content.op("ET\n")
        for decoration in decorations {
            canvas.fill(decoration.x, decoration.y, decoration.width, decoration.height, color: decoration.color)
        }
    }

    /// Shows one run's glyphs; returns the run's width in points.
    private func showGlyphs(_ glyphs: PangoGlyphString, item: PangoItem, text: UnsafePointer<UInt8>, font: RunFont,
                            fontIndex: Int, x: Double, baseline: Double, canvas: inout PageCanvas,
                            document: DocumentFonts) -> Double {
        let scale = Double(cs_pango_scale())
        let count = Int(glyphs.num_glyphs)
        let itemStart = Int(item.offset), itemEnd = Int(item.offset) + Int(item.length)
        // The end of a cluster: the nearest larger cluster start in the item, else the item's end
        // (found by bisection, so that a run of many glyphs costs n log n, not n²).
        // Pango's clusters run forwards, or backwards in right-to-left text: sorted once at most.
        var starts = (0..<count).map { itemStart + Int(glyphs.log_clusters[$0]) }
        if let first = starts.first, let last = starts.last, first > last { starts.reverse() }
        if zip(starts, starts.dropFirst()).contains(where: { $0 > $1 }) { starts.sort() }
        func clusterEnd(_ start: Int) -> Int {
            var low = 0, high = starts.count
            while low < high {
                let middle = (low + high) / 2
                if starts[middle] <= start { low = middle + 1 } else { high = middle }
            }
            return low < starts.count ? min(starts[low], itemEnd) : itemEnd
        }
        func clusterStart(_ index: Int) -> Int { itemStart + Int(glyphs.log_clusters[index]) }

        // Clusters whose glyphs do not spell their text one for one (Indic conjuncts and
        // reordered vowel signs; ligatures in right-to-left text, which extractors reverse along
        // with the line) carry their text as /ActualText, so copying gives it back in logical order.
        let rightToLeft = item.analysis.level % 2 == 1
        var spanText: [Int: String] = [:]  // first glyph index of a span → its text
        var spanEnd: Set<Int> = []  // last glyph index of a span
        var first = 0
        while first < count {
            var last = first
            while last + 1 < count, clusterStart(last + 1) == clusterStart(first) { last += 1 }
            let start = clusterStart(first), end = clusterEnd(start)
            if end > start {
                let text = String(decoding: UnsafeBufferPointer(start: text + start, count: end - start), as: UTF8.self)
                let scalars = Array(text.unicodeScalars)
                let simple = last == first && (scalars.count == 1 || !rightToLeft)
                if !simple {
                    // Extractors spread a span's characters left to right over its glyphs, then
                    // read a right-to-left line from the right: a right-to-left cluster's text is
                    // given in that visual order so that it reads back in logical order.
                    spanText[first] = rightToLeft ? String(String.UnicodeScalarView(scalars.reversed())) : text
                    spanEnd.insert(last)
                }
            }
            first = last + 1
        }

        canvas.setFont(fontIndex, size: font.size)
        let size = font.size
        if font.embolden {
            // Fill and stroke: about what FreeType's emboldening adds to each side.
            canvas.setStroke(canvas.currentFill ?? .black, width: size / 48)
            canvas.content.op("2 Tr\n")
        }
        defer { if font.embolden { canvas.content.op("0 Tr\n") } }
        var penX = x  // where pango puts the next glyph's origin
        var pdfX = 0.0, pdfY = 0.0  // where the PDF's text position is, after what was shown
        var inArray = false
        var inHex = false
        var started = false
        // Marked content cannot sit inside a TJ array: end the array before a span starts or ends.
        func endArray() {
            if inHex { canvas.content.byte(UInt8(ascii: ">")); inHex = false }
            if inArray { canvas.content.op("] TJ\n"); inArray = false }
        }
        func closeSpan(_ last: Int) {
            guard last >= 0, spanEnd.contains(last) else { return }
            endArray()
            canvas.content.op("EMC\n")
        }
        for index in 0..<count {
            closeSpan(index - 1)
            if let actual = spanText[index] {
                endArray()
                canvas.content.op("/Span <</ActualText <FEFF")
                for unit in actual.utf16 { canvas.content.glyph(UInt32(unit)) }
                canvas.content.op(">>> BDC\n")
            }
            let info = glyphs.glyphs[index]
            let glyphX = penX + Double(info.geometry.x_offset) / scale
            let glyphY = baseline + Double(info.geometry.y_offset) / scale
            penX += Double(info.geometry.width) / scale
            let id = info.glyph
            if id != TextLayout.emptyGlyph, id & TextLayout.unknownFlag != 0 {
                document.noteMissing(id & ~TextLayout.unknownFlag)
                continue
            }
            guard id != TextLayout.emptyGlyph, id <= 0xFFFF else { continue }

            if !document.isRecorded(id, font: fontIndex) {
                // The glyph's text: its cluster's bytes when the cluster is this one glyph.
                let start = clusterStart(index)
                let alone = (index == 0 || clusterStart(index - 1) != start)
                    && (index + 1 == count || clusterStart(index + 1) != start)
                var glyphText: String? = nil
                if alone {
                    let end = clusterEnd(start)
                    if end > start {
                        glyphText = String(decoding: UnsafeBufferPointer(start: text + start, count: end - start), as: UTF8.self)
                    }
                }
                document.record(id, text: glyphText, font: fontIndex)
            }

            if !started || glyphY != pdfY {
                if inHex { canvas.content.byte(UInt8(ascii: ">")); inHex = false }
                if inArray { canvas.content.op("] TJ\n"); inArray = false }
                canvas.content.numbers(1, 0, font.slant, -1, glyphX, glyphY)
                canvas.content.op("Tm\n")
                pdfX = glyphX
                pdfY = glyphY
                started = true
            }
            if !inArray { canvas.content.byte(UInt8(ascii: "[")); inArray = true }
            // /W widths are whole thousandths of an em, pango's advances 1/1024 pt: correct the
            // drift once it passes 0.01 pt (invisible), and always for kerning and justification.
            let adjustment = (pdfX - glyphX) * 1000 / size
            if abs(pdfX - glyphX) > 0.01 {
                if inHex { canvas.content.byte(UInt8(ascii: ">")); inHex = false }
                canvas.content.appendNumber(adjustment)
                pdfX -= (adjustment * 1000).rounded() / 1000 * size / 1000
            }
            if !inHex { canvas.content.byte(UInt8(ascii: "<")); inHex = true }
            canvas.content.glyph(id)
            pdfX += Double(font.face.width(of: id)) * size / 1000
        }
        closeSpan(count - 1)
        if inHex { canvas.content.byte(UInt8(ascii: ">")) }
        if inArray { canvas.content.op("] TJ\n") }
        return penX - x
    }
}

/// The attributes pango attached to an item that drawing needs: colour and decorations.
private struct RunAttributes {
    var color: Color
    var underline = false
    var strikethrough = false

    init(_ list: UnsafeMutablePointer<GSList>?, default color: Color) {
        self.color = color
        var node = list
        while let current = node {
            node = current.pointee.next
            guard let attribute = current.pointee.data?.assumingMemoryBound(to: PangoAttribute.self),
                  let kind = attribute.pointee.klass?.pointee.type else { continue }
            switch kind {
            case PANGO_ATTR_FOREGROUND:
                let value = UnsafeMutableRawPointer(attribute).assumingMemoryBound(to: PangoAttrColor.self).pointee.color
                self.color = Color(red: Double(value.red) / 65535, green: Double(value.green) / 65535,
                                   blue: Double(value.blue) / 65535)
            case PANGO_ATTR_UNDERLINE:
                underline = UnsafeMutableRawPointer(attribute).assumingMemoryBound(to: PangoAttrInt.self).pointee.value != 0
            case PANGO_ATTR_STRIKETHROUGH:
                strikethrough = UnsafeMutableRawPointer(attribute).assumingMemoryBound(to: PangoAttrInt.self).pointee.value != 0
            default:
                break
            }
        }
    }
}
