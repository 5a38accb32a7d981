internal import CPango

/// What the PDF writer needs of one pango font (a font file at a size): the face to embed, the
/// size for `Tf`, and pango's underline and strikethrough metrics.
struct RunFont {
    let face: FontFace
    /// Points.
    let size: Double
    /// Offsets above the baseline and thicknesses, in points (pango's sign convention).
    let underlinePosition: Double, underlineThickness: Double
    let strikethroughPosition: Double, strikethroughThickness: Double
    /// Synthetic oblique (fontconfig's matrix when a family has no italic face): x shear per unit of y.
    let slant: Double
    /// Synthetic bold (fontconfig's embolden when a family has no bold face): drawn filled and stroked.
    let embolden: Bool
}

/// Pango fonts and font files seen by one typesetter. Pango fonts are referenced while cached
/// so a pointer never names two fonts.
final class RunFonts {
    private var fonts: [UnsafeMutableRawPointer: RunFont] = [:]
    private var faces: [String: FontFace] = [:]

    deinit {
        for font in fonts.keys { cs_g_object_unref(font) }
    }

    /// The run font for a pango font (`PangoFont *`).
    func font(_ pangoFont: UnsafeMutablePointer<PangoFont>) throws -> RunFont {
        let pointer = UnsafeMutableRawPointer(pangoFont)
        if let known = fonts[pointer] { return known }
        // pango shapes a sample text for metrics the first time a font is asked: serialized with
        // all shaping in the process (FontSystem.shaping).
        FontSystem.shaping.lock()
        defer { FontSystem.shaping.unlock() }
        guard let hbFont = pango_font_get_hb_font(pangoFont), let hbFace = hb_font_get_face(hbFont) else {
            throw TypesettingError(.fonts, "pango gave no HarfBuzz face for a font")
        }
        let (file, slant, embolden) = RunFonts.fileKey(pangoFont)
        // A face without a file (never from Fonts/) is told apart by its HarfBuzz face.
        let key = file ?? "face@\(UInt(bitPattern: hbFace))"
        let face: FontFace
        if let known = faces[key] {
            face = known
        } else {
            face = FontFace(face: hbFace, key: key)
            faces[key] = face
        }
        let scale = Double(cs_pango_scale())
        let description = pango_font_describe_with_absolute_size(pangoFont)
        let size = Double(pango_font_description_get_size(description)) / scale
        pango_font_description_free(description)
        let metrics = pango_font_get_metrics(pangoFont, nil)
        defer { pango_font_metrics_unref(metrics) }
        let font = RunFont(
            face: face, size: size,
            underlinePosition: Double(pango_font_metrics_get_underline_position(metrics)) / scale,
            underlineThickness: Double(pango_font_metrics_get_underline_thickness(metrics)) / scale,
            strikethroughPosition: Double(pango_font_metrics_get_strikethrough_position(metrics)) / scale,
            strikethroughThickness: Double(pango_font_metrics_get_strikethrough_thickness(metrics)) / scale,
            slant: slant, embolden: embolden)
        g_object_ref(pointer)
        fonts[pointer] = font
        return font
    }

    /// `path#index` of the font's file, and the synthetic slant and emboldening fontconfig asked
    /// for, from the font's pattern.
    private static func fileKey(_ font: UnsafeMutablePointer<PangoFont>) -> (String?, Double, Bool) {
        let fcFont = UnsafeMutableRawPointer(font).assumingMemoryBound(to: PangoFcFont.self)
        guard let pattern = pango_fc_font_get_pattern(fcFont) else { return (nil, 0, false) }
        var file: UnsafeMutablePointer<FcChar8>? = nil
        var index: Int32 = 0
        _ = FcPatternGetInteger(pattern, "index", 0, &index)
        var matrix: UnsafeMutablePointer<FcMatrix>? = nil
        let slant = FcPatternGetMatrix(pattern, "matrix", 0, &matrix) == FcResultMatch ? matrix.map { $0.pointee.xy } ?? 0 : 0
        var embolden: FcBool = 0
        let bold = FcPatternGetBool(pattern, "embolden", 0, &embolden) == FcResultMatch && embolden != 0
        guard FcPatternGetString(pattern, "file", 0, &file) == FcResultMatch, let file else { return (nil, slant, bold) }
        return (String(cString: file) + "#\(index)", slant, bold)
    }
}
