internal import CPango

/// One paragraph shaped by pango at a fixed width: its lines, their vertical positions, and the
/// rectangles of its links. Owns the `PangoLayout`; lives on the thread that made it.
///
/// Immutable once made: the typesetter's `ShapedTextCache` hands the same layout to every document
/// that needs this paragraph, so whoever draws it must only read the `PangoLayout`.
final class TextLayout {
    struct Line {
        /// Top of the line box, relative to the paragraph's top (points).
        var top: Double
        var bottom: Double
        /// Baseline, relative to the paragraph's top.
        var baseline: Double
        /// Horizontal offset of the line (alignment), relative to the paragraph's left edge.
        var x: Double
    }

    struct LinkArea {
        var url: String
        /// Line index and horizontal extent within that line.
        var line: Int
        var x0: Double
        var x1: Double
    }

    let layout: OpaquePointer
    let lines: [Line]
    let links: [LinkArea]
    let width: Double
    /// The widest line's natural width (points).
    let widestLine: Double
    /// A number the line breaking split between two lines (no break is allowed inside it, and
    /// pango broke it between characters because it is wider than the paragraph): nil when
    /// there is none. A reader would take the halves for two numbers (`BlockLayouter` refuses).
    let splitNumber: String?
    let style: ParagraphStyle
    /// Bytes of UTF-8 text shaped (for the cache's memory estimate).
    private let textBytes: Int

    var height: Double { lines.last?.bottom ?? 0 }

    /// A rough size of the layout in memory: pango keeps per byte of text a glyph (info, cluster),
    /// a log attribute and item data, and per line a run list; the rest is a fixed overhead.
    var estimatedBytes: Int { 2048 + textBytes * 64 + lines.count * 256 + links.count * 64 }

    /// Shapes `runs` under `style` at `width` with `fonts` in `language`'s context.
    /// Page placeholders take `pageNumber`/`pageCount`. Call with `FontSystem.shaping` held.
    init(runs: [InlineRun], style: ParagraphStyle, width: Double, fonts: FontSystem, language: String,
         pageNumber: Int = 0, pageCount: Int = 0) {
        self.width = width
        self.style = style
        let scale = Double(cs_pango_scale())
        let layout = pango_layout_new(fonts.context(language: language))!
        self.layout = layout
        // Clamped: a width past pango's 32-bit units (or not finite) must not trap the process.
        let units = max(1, width) * scale
        pango_layout_set_width(layout, units.isFinite && units < Double(Int32.max) ? Int32(units) : Int32.max)
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        switch style.alignment {
        case .left: pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
        case .right: pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT)
        case .center: pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
        case .justify:
            pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
            pango_layout_set_justify(layout, 1)
        }
        let description = FontDescription(family: style.fontFamily, size: style.fontSize, bold: style.bold,
                                          italic: style.italic)
        pango_layout_set_font_description(layout, description.pointer)

        // Text and attributes.
        var text: [UInt8] = []
        let attributes = pango_attr_list_new()!
        var linkRanges: [(url: String, start: Int, end: Int)] = []
        for run in runs {
            let start = text.count
            let inline: InlineStyle
            switch run {
            case .text(let string, let runStyle):
                text += Array(Self.breakable(string).utf8)
                inline = runStyle
            case .pageNumber(let runStyle):
                text += Array(String(pageNumber).utf8)
                inline = runStyle
            case .pageCount(let runStyle):
                text += Array(String(pageCount).utf8)
                inline = runStyle
            case .lineBreak:
                text.append(0x0A)
                continue
            }
            let end = text.count
            guard end > start else { continue }
            let (a, b) = (UInt32(start), UInt32(end))
            if let bold = inline.bold {
                pango_attr_list_insert(attributes, cs_pango_attr_range(pango_attr_weight_new(bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL), a, b))
            }
            if let italic = inline.italic {
                pango_attr_list_insert(attributes, cs_pango_attr_range(pango_attr_style_new(italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL), a, b))
            }
            if inline.underline {
                pango_attr_list_insert(attributes, cs_pango_attr_range(pango_attr_underline_new(PANGO_UNDERLINE_SINGLE), a, b))
            }
            if inline.strikethrough {
                pango_attr_list_insert(attributes, cs_pango_attr_range(pango_attr_strikethrough_new(1), a, b))
            }
            if let color = inline.color ?? (style.color != .black ? style.color : nil) {
                pango_attr_list_insert(attributes, cs_pango_attr_range(pango_attr_foreground_new(
                    UInt16(color.red * 65535), UInt16(color.green * 65535), UInt16(color.blue * 65535)), a, b))
            }
            if let family = inline.fontFamily {
                pango_attr_list_insert(attributes, cs_pango_attr_range(pango_attr_family_new(family), a, b))
            }
            if let size = inline.fontSize {
                pango_attr_list_insert(attributes, cs_pango_attr_range(pango_attr_size_new_absolute(Int32(size * scale)), a, b))
            }
            if let link = inline.link { linkRanges.append((link, start, end)) }
        }
        if style.hyphenate {
            pango_attr_list_insert(attributes, cs_pango_attr_range(pango_attr_insert_hyphens_new(1), 0, UInt32.max))
        } else {
            pango_attr_list_insert(attributes, cs_pango_attr_range(pango_attr_insert_hyphens_new(0), 0, UInt32.max))
        }
        textBytes = text.count
        text.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                pango_layout_set_text(layout, chars.baseAddress, Int32(chars.count))
            }
        }
        pango_layout_set_attributes(layout, attributes)
        pango_attr_list_unref(attributes)

        // Leading: baseline-to-baseline distance = leading × font size (for the paragraph's font).
        let natural = fonts.naturalHeight(language: fonts.metricsLanguage(language, text: text), family: style.fontFamily, size: style.fontSize,
                                          bold: style.bold, italic: style.italic)
        if natural > 0 {
            pango_layout_set_line_spacing(layout, Float(style.leading * style.fontSize / natural))
        }

        // Lines.
        var lines: [Line] = []
        var widest = 0.0
        let iterator = pango_layout_get_iter(layout)
        repeat {
            var y0: Int32 = 0, y1: Int32 = 0
            pango_layout_iter_get_line_yrange(iterator, &y0, &y1)
            var logical = PangoRectangle()
            pango_layout_iter_get_line_extents(iterator, nil, &logical)
            widest = max(widest, Double(logical.width) / scale)
            let baseline = Double(pango_layout_iter_get_baseline(iterator)) / scale
            var x = Double(logical.x) / scale
            // pango swaps left and right for a right-to-left paragraph (its alignment means
            // "start" and "end"); ours are the page's left and right edges, whatever the script.
            if let line = pango_layout_iter_get_line_readonly(iterator), line.pointee.resolved_dir == PANGO_DIRECTION_RTL.rawValue {
                let lineWidth = Double(logical.width) / scale
                switch style.alignment {
                case .left: x = 0
                case .right: x = max(0, width - lineWidth)
                case .center, .justify: break
                }
            }
            lines.append(Line(top: Double(y0) / scale, bottom: Double(y1) / scale, baseline: baseline, x: x))
        } while pango_layout_iter_next_line(iterator) != 0
        pango_layout_iter_free(iterator)
        // With line spacing the last line's box can be shorter than the leading; keep a full line.
        if var last = lines.last, lines.count > 1 {
            let step = lines[lines.count - 1].baseline - lines[lines.count - 2].baseline
            last.bottom = max(last.bottom, last.baseline + step - (lines[0].baseline - lines[0].top))
            lines[lines.count - 1] = last
        }
        self.lines = lines
        widestLine = widest
        splitNumber = Self.splitNumber(layout, text: text)

        // Link areas per line.
        var areas: [LinkArea] = []
        for link in linkRanges {
            for index in 0..<lines.count {
                guard let line = pango_layout_get_line_readonly(layout, Int32(index)) else { continue }
                let lineStart = Int(line.pointee.start_index)
                let lineEnd = lineStart + Int(line.pointee.length)
                let start = max(link.start, lineStart), end = min(link.end, lineEnd)
                guard start < end else { continue }
                var xStart: Int32 = 0, xEnd: Int32 = 0
                pango_layout_line_index_to_x(line, Int32(start), 0, &xStart)
                pango_layout_line_index_to_x(line, Int32(end), 0, &xEnd)
                if end == lineEnd { pango_layout_line_index_to_x(line, Int32(end - 1), 1, &xEnd) }
                areas.append(LinkArea(url: link.url, line: index,
                                      x0: lines[index].x + Double(min(xStart, xEnd)) / scale,
                                      x1: lines[index].x + Double(max(xStart, xEnd)) / scale))
            }
        }
        links = areas
    }

    deinit { cs_g_object_unref(UnsafeMutableRawPointer(layout)) }

    /// A word longer than this many characters gets break opportunities.
    static let longWord = 200
    /// The characters between those break opportunities.
    static let breakEvery = 64
    /// Characters after which a paragraph without a line break gets one (U+2028): past about
    /// 320 000 characters of 10 pt text, pango's 32-bit widths overflow and the paragraph
    /// becomes one line.
    static let hardBreakEvery = 50_000

    /// Whether `bytes` may hold a word longer than `longWord` characters, or be longer than
    /// `hardBreakEvery`: one pass over the bytes, so ordinary text is returned as it is without
    /// being taken apart into characters. (A word's characters are at least as many bytes, and
    /// ASCII spaces and controls end a word.)
    private static func needsBreaks(_ bytes: String.UTF8View) -> Bool {
        if bytes.count >= hardBreakEvery { return true }
        var run = 0
        for byte in bytes {
            if byte <= 0x20 {
                run = 0
            } else {
                run += 1
                if run > longWord { return true }
            }
        }
        return false
    }

    /// `string` with a zero-width space (U+200B, a break opportunity that draws nothing and is
    /// not written to the PDF) after every `breakEvery` characters of each word longer than
    /// `longWord`, and a line separator after every `hardBreakEvery` characters without a line
    /// break. Pango breaks a word wider than the line by shaping the rest of the word again for
    /// every line, so one unbroken 100 000-character value took seconds and a megabyte one
    /// minutes; with these opportunities the work grows with the length. Words up to `longWord`
    /// characters (a SHA-256 in hex, a URL) are untouched and wrap as before.
    static func breakable(_ string: String) -> String {
        guard string.utf8.count > longWord, needsBreaks(string.utf8) else { return string }
        var output = ""
        output.reserveCapacity(string.utf8.count)
        var word: [Character] = []
        var sinceBreak = 0
        func flush() {
            if word.count > longWord {
                for (index, character) in word.enumerated() {
                    if index > 0 && index % breakEvery == 0 { output.append("\u{200B}") }
                    output.append(character)
                    sinceBreak += 1
                    if sinceBreak >= hardBreakEvery { output.append("\u{2028}"); sinceBreak = 0 }
                }
            } else {
                output.append(contentsOf: word)
                sinceBreak += word.count
            }
            word.removeAll(keepingCapacity: true)
        }
        for character in string {
            if character.isWhitespace {
                flush()
                output.append(character)
                sinceBreak += 1
                if character.isNewline { sinceBreak = 0 }
                if sinceBreak >= hardBreakEvery { output.append("\u{2028}"); sinceBreak = 0 }
            } else {
                word.append(character)
            }
        }
        flush()
        return output
    }
}

/// An owned `PangoFontDescription`.
final class FontDescription {
    let pointer: OpaquePointer

    init(family: String, size: Double, bold: Bool, italic: Bool) {
        pointer = pango_font_description_new()
        pango_font_description_set_family(pointer, family)
        pango_font_description_set_absolute_size(pointer, size * Double(cs_pango_scale()))
        pango_font_description_set_weight(pointer, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_font_description_set_style(pointer, italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL)
    }

    deinit { pango_font_description_free(pointer) }
}
