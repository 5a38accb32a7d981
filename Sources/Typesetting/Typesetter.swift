public import Foundation
internal import LazySystemLibraries

/// Typesets `DocumentSpec`s into PDFs: layout with pango, PDF objects written directly.
///
/// A typesetter owns a font map, pango contexts and a cache of shaped paragraphs: make one per
/// worker and reuse it for every document (loading fonts and shaping the same clause text again
/// are the expensive parts). It is not thread-safe; do not share one between tasks.
public final class Typesetter {
    private let fonts: FontSystem
    /// Writes the pages; keeps font subsets and encoded images between documents.
    private let renderer: PDFRenderer
    /// Shaped paragraphs reused from one document to the next.
    private let shaped: ShapedTextCache

    /// Loads the fonts in `fontsDirectory` (the shipped `Fonts/` folder by default); `cache`
    /// bounds the shaped paragraphs kept from one document for the next. Throws `.systemLibrary`
    /// when cairo, pango, fontconfig or harfbuzz cannot be loaded, and a `ResourceError` when the
    /// fonts cannot be found (`ResourceLocator`).
    public init(fontsDirectory: URL? = nil, cache: CacheLimits = .standard) throws {
        try Self.requireSystemLibraries()
        fonts = try FontSystem(fontsDirectory: fontsDirectory ?? FontSystem.defaultDirectory())
        renderer = try PDFRenderer()
        shaped = ShapedTextCache(limits: cache)
    }

    /// Loads cairo, pango, fontconfig and harfbuzz now; throws `.systemLibrary` when one cannot
    /// be loaded (a program embedding the engine gets an error, not an exit).
    public static func requireSystemLibraries() throws(TypesettingError) {
        if let failure = cs_lazy_require(CS_LAZY_GROUP_TYPESETTING.rawValue) {
            throw TypesettingError(.systemLibrary, String(cString: failure))
        }
    }

    /// The font families available to documents.
    public var fontFamilies: [String] { fonts.families }

    /// Hits, misses and size of the shaped-text cache so far.
    public var cacheStatistics: CacheStatistics { shaped.statistics }

    /// The height `blocks` take when stacked at `width` (points), as a table cell or a page body
    /// would lay them out: for composing a drawing from parts typeset separately.
    public func height(of blocks: [Block], width: Double, language: String = DocumentInfo().language) throws -> Double {
        try BlockLayouter(fonts: fonts, language: language, shaped: shaped).height(blocks, width: width)
    }

    /// Every character some shipped font can draw: check data against it before typesetting to
    /// name the field a character no font has came from.
    public var coverage: GlyphCoverage { fonts.coverage }

    /// Lays out and draws a document. A character no shipped font has is an error (`.missingGlyphs`,
    /// naming the characters) unless `allowMissingGlyphs`, when the document lists them in
    /// `missingCharacters` instead.
    public func typeset(_ spec: DocumentSpec, allowMissingGlyphs: Bool = false) throws -> TypesetDocument {
        let document = try draw(spec)
        if let link = document.links.first(where: { !Self.isSafeLink($0.url) }) {
            throw TypesettingError(.link, "the link '\(link.url.prefix(80))' on page \(link.page) is not an http, https, mailto or tel address: "
                                   + "a viewer would run or open whatever it names; link to a web page or an address instead")
        }
        if !document.missingCharacters.isEmpty, !allowMissingGlyphs {
            throw TypesettingError(.missingGlyphs, "no shipped font has \(GlyphCoverage.describe(document.missingCharacters)); "
                                   + "they would print as nothing (Fonts/README.md lists the scripts covered)")
        }
        return document
    }

    /// Whether a link may go into a document: web pages, e-mail and telephone addresses. Others
    /// (`javascript:`, `file:`, `data:`, launch-like schemes) run or open something on the
    /// reader's machine.
    static func isSafeLink(_ url: String) -> Bool {
        guard let colon = url.firstIndex(of: ":") else { return false }
        let scheme = url[..<colon].lowercased()
        switch scheme {
        case "http", "https": return url[url.index(after: colon)...].hasPrefix("//")
        case "mailto", "tel": return true
        default: return false
        }
    }

    /// The least distance (points) between a header or footer and the paper's edge.
    static let edge = 6.0
    /// Rounding in the layout's heights that is not an overlap (points).
    static let tolerance = 0.01

    /// A header or footer taller than its margin: drawn, it would print over the body's text.
    static func overflow(_ part: String, height: Double, room: Double, page: Int, margin: String) -> TypesettingError {
        func points(_ value: Double) -> String { String(Int(value.rounded(.up))) }
        return TypesettingError(.layout, "the \(part) on page \(page) is \(points(height)) pt tall, but its margin leaves \(points(max(0, room))) pt "
                                + "(\(Int(edge)) pt kept from the paper's edge): it would print over the body; shorten the \(part)'s text "
                                + "(a long field value?) or give the page a larger \(margin) margin (a template's `margin` attribute)")
    }

    private func draw(_ spec: DocumentSpec) throws -> TypesetDocument {
        let layouter = BlockLayouter(fonts: fonts, language: spec.info.language, shaped: shaped)
        let page = spec.page
        let width = page.width - page.marginLeft - page.marginRight
        let bodyHeight = page.height - page.marginTop - page.marginBottom
        if width < 1 || bodyHeight < 1 {
            func points(_ value: Double) -> String { LayoutRoom.points(value) }
            throw TypesettingError(.layout, "the margins leave a body of \(points(width)) × \(points(bodyHeight)) pt on a "
                                   + "\(points(page.width)) × \(points(page.height)) pt page: nothing could be printed; give smaller margins")
        }
        layouter.bodyHeight = bodyHeight
        var paginator = Paginator(layouter: layouter, page: page)
        try paginator.flow(spec.body, x: page.marginLeft, width: width)
        var pages = paginator.pages
        if pages.count > 1, pages[pages.count - 1].isEmpty { pages.removeLast() }
        let count = pages.count
        for index in pages.indices {
            if !spec.header.isEmpty {
                let header = try layouter.box(spec.header, width: width, pageNumber: index + 1, pageCount: count)
                // Above the body, into the gap if it must, but never over the body.
                let top = max(Self.edge, page.marginTop - page.headerGap - header.height)
                if top + header.height > page.marginTop + Self.tolerance {
                    throw Self.overflow("header", height: header.height, room: page.marginTop - Self.edge, page: index + 1, margin: "top")
                }
                pages[index] += header.drawables.map { $0.translated(page.marginLeft, top) }
            }
            if !spec.footer.isEmpty {
                let footer = try layouter.box(spec.footer, width: width, pageNumber: index + 1, pageCount: count)
                // Below the body, up into the gap if it must, but never over the body.
                let top = min(page.height - page.marginBottom + page.footerGap, page.height - Self.edge - footer.height)
                if top < page.height - page.marginBottom - Self.tolerance {
                    throw Self.overflow("footer", height: footer.height, room: page.marginBottom - Self.edge, page: index + 1, margin: "bottom")
                }
                pages[index] += footer.drawables.map { $0.translated(page.marginLeft, top) }
            }
        }
        return try renderer.render(pages: pages, page: page, info: spec.info)
    }
}
