internal import CHarfBuzz

/// One font file as the PDF writer needs it: metrics in 1/1000 em for the font descriptor and
/// `/W`, the glyph for each code point and back, and HarfBuzz's subsetter over its tables.
///
/// Made once per font file per typesetter (from the face pango shaped with) and kept for the
/// typesetter's life.
final class FontFace {
    /// `path#index`, as fontconfig named the file.
    let key: String
    let postScriptName: String
    /// Outlines in a CFF table (OpenType/CFF) rather than `glyf` (TrueType).
    let isCFF: Bool
    let ascent: Double, descent: Double, capHeight: Double, italicAngle: Double
    let boundingBox: (Double, Double, Double, Double)
    /// The first code point (lowest) that maps to each glyph, from the font's cmap.
    let unicodeOfGlyph: [UInt32: UInt32]
    /// Glyphs of each 128-code-point block of the cmap: subsets are rounded up to whole blocks so
    /// that documents differing only in a name or an amount share one subset (and its cache entry).
    let glyphsOfBlock: [UInt32: [UInt32]]

    private let face: OpaquePointer
    private let font: OpaquePointer
    /// Advances of every glyph in 1/1000 em, rounded (what `/W` says and the content stream assumes).
    private let widths: [Int32]

    /// `face` is an `hb_face_t *` (borrowed; referenced here).
    init(face borrowed: OpaquePointer, key: String) {
        self.key = key
        let face = hb_face_reference(borrowed)!
        let font = hb_font_create(face)!
        self.face = face
        self.font = font
        var length: UInt32 = 128
        var buffer = [CChar](repeating: 0, count: 128)
        _ = hb_ot_name_get_utf8(face, hb_ot_name_id_t(HB_OT_NAME_ID_POSTSCRIPT_NAME), hb_language_from_string("en", -1), &length, &buffer)
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        postScriptName = name.isEmpty ? "Font" : name

        let scale = 1000 / Double(hb_face_get_upem(face))
        func metric(_ tag: hb_ot_metrics_tag_t) -> Double? {
            var position: hb_position_t = 0
            return hb_ot_metrics_get_position(font, tag, &position) != 0 ? Double(position) * scale : nil
        }
        ascent = metric(HB_OT_METRICS_TAG_HORIZONTAL_ASCENDER) ?? 800
        descent = metric(HB_OT_METRICS_TAG_HORIZONTAL_DESCENDER) ?? -200
        capHeight = metric(HB_OT_METRICS_TAG_CAP_HEIGHT) ?? ascent

        let head = FontFace.table(face, "head")
        if head.count >= 44 {
            func int16(_ offset: Int) -> Double { Double(Int16(bitPattern: UInt16(head[offset]) << 8 | UInt16(head[offset + 1]))) }
            boundingBox = (int16(36) * scale, int16(38) * scale, int16(40) * scale, int16(42) * scale)
        } else {
            boundingBox = (0, descent, 1000, ascent)
        }
        let post = FontFace.table(face, "post")
        if post.count >= 8 {
            let fixed = Int32(bitPattern: UInt32(post[4]) << 24 | UInt32(post[5]) << 16 | UInt32(post[6]) << 8 | UInt32(post[7]))
            italicAngle = Double(fixed) / 65536
        } else {
            italicAngle = 0
        }
        isCFF = !FontFace.table(face, "CFF ").isEmpty

        let unicodes = hb_set_create()
        hb_face_collect_unicodes(face, unicodes)
        var reverse: [UInt32: UInt32] = [:]
        var blocks: [UInt32: [UInt32]] = [:]
        var codePoint: hb_codepoint_t = hb_codepoint_t.max  // HB_SET_VALUE_INVALID
        while hb_set_next(unicodes, &codePoint) != 0 {
            var glyph: hb_codepoint_t = 0
            guard hb_font_get_nominal_glyph(font, codePoint, &glyph) != 0, glyph != 0 else { continue }
            if reverse[glyph] == nil { reverse[glyph] = codePoint }
            blocks[codePoint >> 7, default: []].append(glyph)
        }
        hb_set_destroy(unicodes)
        unicodeOfGlyph = reverse
        glyphsOfBlock = blocks
        let glyphCount = Int(hb_face_get_glyph_count(face))
        widths = (0..<glyphCount).map { Int32((Double(hb_font_get_glyph_h_advance(font, UInt32($0))) * scale).rounded()) }
    }

    deinit {
        hb_font_destroy(font)
        hb_face_destroy(face)
    }

    /// The glyph's advance in 1/1000 em, rounded to an integer (what `/W` says and the content
    /// stream assumes).
    @inline(__always)
    func width(of glyph: UInt32) -> Int {
        Int(glyph) < widths.count ? Int(widths[Int(glyph)]) : 0
    }

    /// What decides a subset for `used`: the cmap blocks the used glyphs belong to, and the used
    /// glyphs no block covers (ligatures and other glyphs outside the cmap), both sorted.
    func subsetKey(for used: Set<UInt32>) -> (blocks: [UInt32], extras: [UInt32]) {
        var blocks: Set<UInt32> = []
        var extras: [UInt32] = []
        for glyph in used {
            if let unicode = unicodeOfGlyph[glyph] { blocks.insert(unicode >> 7) } else { extras.append(glyph) }
        }
        return (blocks.sorted(), extras.sorted())
    }

    /// The glyphs a subset holds: `.notdef`, every glyph of the given cmap blocks, and `extras`.
    func subsetGlyphs(blocks: [UInt32], extras: [UInt32]) -> [UInt32] {
        var all = Set(extras)
        all.insert(0)
        for block in blocks { all.formUnion(glyphsOfBlock[block] ?? []) }
        return all.sorted()
    }

    /// The font program cut down to `glyphs`, glyph ids kept (so CIDs are glyph ids), hinting
    /// and layout tables dropped: a TrueType file for `FontFile2`, or OpenType/CFF for `FontFile3`.
    func subset(_ glyphs: [UInt32]) throws -> [UInt8] {
        guard let input = hb_subset_input_create_or_fail() else {
            throw TypesettingError(.fonts, "HarfBuzz could not start a subset of \(postScriptName)")
        }
        defer { hb_subset_input_destroy(input) }
        let set = hb_subset_input_glyph_set(input)
        for glyph in glyphs { hb_set_add(set, glyph) }
        hb_subset_input_set_flags(input, HB_SUBSET_FLAGS_RETAIN_GIDS.rawValue | HB_SUBSET_FLAGS_NO_HINTING.rawValue
                                  | HB_SUBSET_FLAGS_DESUBROUTINIZE.rawValue)
        let drop = hb_subset_input_set(input, HB_SUBSET_SETS_DROP_TABLE_TAG)
        for tag in ["GSUB", "GPOS", "GDEF", "kern", "MATH", "FFTM", "gasp", "JSTF", "BASE", "DSIG", "hdmx", "VDMX", "LTSH"] {
            hb_set_add(drop, FontFace.tag(tag))
        }
        guard let subset = hb_subset_or_fail(face, input) else {
            throw TypesettingError(.fonts, "HarfBuzz could not subset \(postScriptName) to \(glyphs.count) glyphs")
        }
        defer { hb_face_destroy(subset) }
        let blob = hb_face_reference_blob(subset)
        defer { hb_blob_destroy(blob) }
        var length: UInt32 = 0
        guard let data = hb_blob_get_data(blob, &length), length > 0 else {
            throw TypesettingError(.fonts, "HarfBuzz produced an empty subset of \(postScriptName)")
        }
        return data.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            Array(UnsafeBufferPointer(start: $0, count: Int(length)))
        }
    }

    private static func tag(_ text: String) -> hb_tag_t {
        let c = Array(text.utf8).map { CChar(bitPattern: $0) }
        return cs_hb_tag(c[0], c[1], c[2], c[3])
    }

    private static func table(_ face: OpaquePointer, _ name: String) -> [UInt8] {
        let blob = hb_face_reference_table(face, tag(name))
        defer { hb_blob_destroy(blob) }
        var length: UInt32 = 0
        guard let data = hb_blob_get_data(blob, &length), length > 0 else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            Array(UnsafeBufferPointer(start: $0, count: Int(length)))
        }
    }
}
