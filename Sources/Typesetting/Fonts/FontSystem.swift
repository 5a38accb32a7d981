public import Foundation
internal import CPango

/// The fonts the typesetter may use: only those in the shipped `Fonts/` folder, through a
/// fontconfig configuration private to this object, at 72 dpi (1 pango point = 1 PDF point).
///
/// One per worker: the font map and pango contexts are not thread-safe, and building them is the
/// expensive part of typesetting, so a worker keeps one for all its documents.
///
/// There is one pango context per language, each set up once and never changed: a layout shaped
/// in a context stays valid for as long as it is kept (pango re-shapes a layout whose context
/// changed), which is what lets the typesetter reuse shaped text across documents.
final class FontSystem {
    /// Held while pango shapes a paragraph, in every typesetter of the process. Two typesetters
    /// share nothing of ours, yet two workers shaping at once (each with its own font map) made
    /// glyph positions a unit off now and then — justified lines then spread their spaces
    /// differently from run to run (15 of 40 `generate --jobs 2` runs on 40 rows differed when
    /// both workers began at once). The shared state is inside the C libraries (fonts are loaded,
    /// and cairo's process-wide FreeType faces and scaled fonts filled, during shaping); with
    /// shaping serialized no run of 60 differed, while serializing cairo's drawing did not help.
    /// Shaping is a small part of a document's time once the shaped-text cache is warm.
    static let shaping = NSLock()

    let fontMap: UnsafeMutablePointer<PangoFontMap>
    private let config: OpaquePointer
    private var contexts: [String: OpaquePointer] = [:]
    /// Ascent + descent per language and font (pango shapes a sample text for every metrics query).
    private var naturalHeights: [MetricsKey: Double] = [:]
    private var languageScripts: [String: Set<Int32>] = [:]

    private struct MetricsKey: Hashable {
        var language: String
        var family: String
        var size: Double
        var bold: Bool
        var italic: Bool
    }

    /// Families tried, in this order, for a character the requested font lacks: the script
    /// fonts first (so Arabic comes from Noto Sans Arabic, not DejaVu Sans's smaller set), then
    /// DejaVu Sans (symbols, more Latin, Greek and Cyrillic), then CJK and Hangul, then emoji.
    /// Fontconfig lists these after the requested family with strong binding, so the chain is the
    /// same whatever the document's language.
    static let fallbackFamilies = ["Liberation Sans", "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans Devanagari",
                                   "Noto Sans Thai", "DejaVu Sans", "Droid Sans Fallback", "Symbola"]

    /// Font files fontconfig is given: TrueType and OpenType files and collections.
    static let fontExtensions: Set<String> = ["ttf", "otf", "ttc", "otc"]

    /// Every character some shipped font can draw.
    let coverage: GlyphCoverage

    init(fontsDirectory: URL) throws {
        guard let config = FcConfigCreate() else {
            throw TypesettingError(.fonts, "fontconfig could not create a configuration")
        }
        self.config = config
        let rules = "<?xml version=\"1.0\"?><fontconfig><match target=\"pattern\">"
            + "<edit name=\"family\" mode=\"append_last\" binding=\"strong\">"
            + FontSystem.fallbackFamilies.map { "<string>\($0)</string>" }.joined()
            + "</edit></match></fontconfig>"
        guard rules.withCString({ FcConfigParseAndLoadFromMemory(config, UnsafeRawPointer($0).assumingMemoryBound(to: FcChar8.self), 1) }) != 0 else {
            FcConfigDestroy(config)
            throw TypesettingError(.fonts, "fontconfig rejected the fallback rules")
        }
        var added = false
        // Sorted: fontconfig breaks ties between equal matches by the order fonts were added.
        let enumerator = FileManager.default.enumerator(at: fontsDirectory, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if FontSystem.fontExtensions.contains(url.pathExtension.lowercased()) { files.append(url) }
        }
        for url in files.sorted(by: { $0.path < $1.path }) {
            if url.path.withCString({ FcConfigAppFontAddFile(config, UnsafeRawPointer($0).assumingMemoryBound(to: FcChar8.self)) }) != 0 {
                added = true
            }
        }
        guard added else {
            FcConfigDestroy(config)
            throw ResourceError(.missing, "\(fontsDirectory.path): no fonts (.ttf, .otf) found — point COUNTERSIGN_FONTS "
                                + "or COUNTERSIGN_HOME at Countersign's shipped Fonts folder, or reinstall with scripts/install")
        }
        guard let map = cs_pango_font_map_new_private(config, 72) else {
            FcConfigDestroy(config)
            throw TypesettingError(.fonts, "pango could not create a font map")
        }
        fontMap = map
        coverage = FontSystem.coverage(of: config)
    }

    /// The union of the character sets of the configuration's fonts.
    private static func coverage(of config: OpaquePointer) -> GlyphCoverage {
        guard let set = FcConfigGetFonts(config, FcSetApplication), let union = FcCharSetCreate() else {
            return GlyphCoverage(ranges: [])
        }
        defer { FcCharSetDestroy(union) }
        for index in 0..<Int(set.pointee.nfont) {
            var charset: OpaquePointer? = nil
            if let pattern = set.pointee.fonts[index], FcPatternGetCharSet(pattern, "charset", 0, &charset) == FcResultMatch {
                _ = FcCharSetMerge(union, charset, nil)
            }
        }
        var ranges: [ClosedRange<UInt32>] = []
        var map = [FcChar32](repeating: 0, count: 8)  // FC_CHARSET_MAP_SIZE: 256 code points a page
        var next: FcChar32 = 0
        var base = FcCharSetFirstPage(union, &map, &next)
        while base != FcChar32.max {  // FC_CHARSET_DONE
            for word in 0..<8 where map[word] != 0 {
                for bit in 0..<32 where map[word] & (1 << UInt32(bit)) != 0 {
                    let point = base + UInt32(word * 32 + bit)
                    if let last = ranges.last, last.upperBound + 1 == point {
                        ranges[ranges.count - 1] = last.lowerBound...point
                    } else {
                        ranges.append(point...point)
                    }
                }
            }
            base = FcCharSetNextPage(union, &map, &next)
        }
        return GlyphCoverage(ranges: ranges)
    }

    deinit {
        for context in contexts.values { cs_g_object_unref(UnsafeMutableRawPointer(context)) }
        cs_g_object_unref(fontMap)
        FcConfigDestroy(config)
    }

    /// The pango context for documents in `language` (a BCP 47 tag): shaping and hyphenation
    /// follow it. Made on first use and kept.
    func context(language: String) -> OpaquePointer {
        if let context = contexts[language] { return context }
        let context = pango_font_map_create_context(fontMap)!
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
        pango_context_set_language(context, pango_language_from_string(language))
        contexts[language] = context
        return context
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

    /// The natural line height (ascent + descent, points) of a font in `language`'s context.
    /// The language whose fonts give a paragraph's natural line height: the document's when
    /// the text's first letter is in one of that language's scripts (or it has no letter), else
    /// the sample language of that letter's script.
    ///
    /// Why: the natural height is taken from the metrics of the font the context's language
    /// picks, while pango spaces each line by the height of the fonts it actually holds. With
    /// `lang="ar-AE"`, an English paragraph was measured in an Arabic font nearly twice as tall
    /// as the Latin one it is set in, and its lines came out at about half the leading, printed
    /// over each other.
    func metricsLanguage(_ language: String, text: [UInt8]) -> String {
        let head = String(decoding: text.prefix(512), as: UTF8.self)
        guard let script = head.unicodeScalars.lazy.map({ g_unichar_get_script(gunichar($0.value)) })
            .first(where: { $0 != G_UNICODE_SCRIPT_COMMON && $0 != G_UNICODE_SCRIPT_INHERITED && $0 != G_UNICODE_SCRIPT_UNKNOWN })
        else { return language }
        let own: Set<Int32>
        if let known = languageScripts[language] {
            own = known
        } else {
            var count: Int32 = 0
            let scripts = pango_language_get_scripts(pango_language_from_string(language), &count)
            own = Set((0..<Int(count)).compactMap { scripts?[$0].rawValue }.map { Int32($0) })
            languageScripts[language] = own
        }
        guard !own.contains(Int32(script.rawValue)),
              let sample = pango_script_get_sample_language(PangoScript(rawValue: script.rawValue)) else { return language }
        // A PangoLanguage is its tag's interned string (pango_language_to_string is a cast).
        return String(cString: UnsafeRawPointer(sample).assumingMemoryBound(to: CChar.self))
    }

    func naturalHeight(language: String, family: String, size: Double, bold: Bool, italic: Bool) -> Double {
        let key = MetricsKey(language: language, family: family, size: size, bold: bold, italic: italic)
        if let height = naturalHeights[key] { return height }
        let description = FontDescription(family: family, size: size, bold: bold, italic: italic)
        let metrics = pango_context_get_metrics(context(language: language), description.pointer, nil)
        let height = Double(pango_font_metrics_get_ascent(metrics) + pango_font_metrics_get_descent(metrics))
            / Double(cs_pango_scale())
        pango_font_metrics_unref(metrics)
        naturalHeights[key] = height
        return height
    }

    /// Where the shipped fonts are (`ResourceLocator`): `COUNTERSIGN_FONTS`, `COUNTERSIGN_HOME`,
    /// or beside the executable.
    static func defaultDirectory() throws(ResourceError) -> URL {
        try ResourceLocator.standard.directory(.fonts)
    }
}

/// The families the shipped fonts provide, for checking a template's `font=` names without
/// building a typesetter.
public enum ShippedFonts {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: [String]] = [:]

    /// The family names of the fonts in `directory` (the shipped `Fonts/` folder by default),
    /// sorted; read once per folder and process. Throws when fontconfig cannot be loaded or the
    /// folder holds no fonts.
    public static func families(in directory: URL? = nil) throws -> [String] {
        let folder = try (directory ?? FontSystem.defaultDirectory()).standardizedFileURL.path
        lock.lock()
        defer { lock.unlock() }
        if let known = cache[folder] { return known }
        try Typesetter.requireSystemLibraries()
        guard let config = FcConfigCreate() else { throw TypesettingError(.fonts, "fontconfig could not create a configuration") }
        defer { FcConfigDestroy(config) }
        let enumerator = FileManager.default.enumerator(at: URL(fileURLWithPath: folder), includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard FontSystem.fontExtensions.contains(url.pathExtension.lowercased()) else { continue }
            _ = url.path.withCString { FcConfigAppFontAddFile(config, UnsafeRawPointer($0).assumingMemoryBound(to: FcChar8.self)) }
        }
        var names: Set<String> = []
        if let set = FcConfigGetFonts(config, FcSetApplication) {
            for index in 0..<Int(set.pointee.nfont) {
                var name: UnsafeMutablePointer<FcChar8>? = nil
                if let pattern = set.pointee.fonts[index], FcPatternGetString(pattern, "family", 0, &name) == FcResultMatch, let name {
                    names.insert(String(cString: name))
                }
            }
        }
        guard !names.isEmpty else {
            throw ResourceError(.missing, "\(folder): no fonts found — point COUNTERSIGN_FONTS or COUNTERSIGN_HOME at "
                                + "Countersign's shipped Fonts folder, or reinstall with scripts/install")
        }
        cache[folder] = names.sorted()
        return names.sorted()
    }
}
