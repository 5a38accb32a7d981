import Foundation
internal import CPango

/// The fonts the typesetter may use: only those in the shipped `Fonts/` folder, through a
/// fontconfig configuration private to this object, at 72 dpi (1 pango point = 1 PDF point).
///
/// One per worker: the font map and pango context are not thread-safe, and building them is the
/// expensive part of typesetting, so a worker keeps one for all its documents.
final class FontSystem {
    let fontMap: UnsafeMutablePointer<PangoFontMap>
    let context: OpaquePointer
    private let config: OpaquePointer

    init(fontsDirectory: URL) throws {
        guard let config = FcConfigCreate() else {
            throw TypesettingError(.fonts, "fontconfig could not create a configuration")
        }
        self.config = config
        var added = false
        let enumerator = FileManager.default.enumerator(at: fontsDirectory, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard ["ttf", "otf"].contains(url.pathExtension.lowercased()) else { continue }
            if url.path.withCString({ FcConfigAppFontAddFile(config, UnsafeRawPointer($0).assumingMemoryBound(to: FcChar8.self)) }) != 0 {
                added = true
            }
        }
        guard added else {
            FcConfigDestroy(config)
            throw TypesettingError(.fonts, "no fonts found in \(fontsDirectory.path); set COUNTERSIGN_FONTS to the Fonts folder")
        }
        guard let map = cs_pango_font_map_new_private(config, 72) else {
            FcConfigDestroy(config)
            throw TypesettingError(.fonts, "pango could not create a font map")
        }
        fontMap = map
        context = pango_font_map_create_context(map)
        // Unhinted, linear metrics: what is measured is exactly what a PDF viewer draws.
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        pango_cairo_context_set_font_options(context, options)
        cairo_font_options_destroy(options)
        // Glyph positions in pango units (1/1024 pt), not rounded to whole points: the PDF
        // backend draws them as laid out, so rounding would only make letter spacing uneven.
        pango_context_set_round_glyph_positions(context, 0)
    }

    deinit {
        cs_g_object_unref(UnsafeMutableRawPointer(context))
        cs_g_object_unref(fontMap)
        FcConfigDestroy(config)
    }

    /// Font family names available (for error messages and tests).
    var families: [String] {
        var list: UnsafeMutablePointer<UnsafeMutablePointer<PangoFontFamily>?>? = nil
        var count: Int32 = 0
        pango_font_map_list_families(fontMap, &list, &count)
        defer { g_free(list) }
        guard let list else { return [] }
        return (0..<Int(count)).compactMap { index in
            list[index].flatMap { pango_font_family_get_name($0) }.map { String(cString: $0) }
        }.sorted()
    }

    /// Sets the language used for shaping and hyphenation.
    func setLanguage(_ tag: String) {
        let language = pango_language_from_string(tag)
        pango_context_set_language(context, language)
    }

    /// Where the shipped fonts are: `COUNTERSIGN_FONTS`, else `Fonts/` beside the executable's
    /// install prefix, else the source checkout this was built from.
    static func defaultDirectory() -> URL {
        if let path = ProcessInfo.processInfo.environment["COUNTERSIGN_FONTS"] { return URL(fileURLWithPath: path) }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let installed = executable.deletingLastPathComponent().appendingPathComponent("../share/countersign/Fonts")
        if FileManager.default.fileExists(atPath: installed.path) { return installed.standardized }
        var source = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { source.deleteLastPathComponent() }
        return source.appendingPathComponent("Fonts")
    }
}
