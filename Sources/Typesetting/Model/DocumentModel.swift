/// The typesetting document model: what the template compiler produces and the layout engine
/// consumes. Plain values, no C types; lengths are in PDF points (1/72 in).

/// An RGB colour, components 0…1.
public struct Color: Sendable, Hashable {
    public var red: Double, green: Double, blue: Double
    public init(red: Double, green: Double, blue: Double) {
        self.red = red; self.green = green; self.blue = blue
    }
    public static let black = Color(red: 0, green: 0, blue: 0)
    public static let white = Color(red: 1, green: 1, blue: 1)

    /// `#rgb` or `#rrggbb`, or nil.
    public init?(hex: String) {
        var text = Substring(hex)
        if text.hasPrefix("#") { text = text.dropFirst() }
        if text.count == 3 { text = Substring(text.map { "\($0)\($0)" }.joined()) }
        guard text.count == 6, let value = UInt32(text, radix: 16) else { return nil }
        self.init(red: Double(value >> 16 & 0xFF) / 255, green: Double(value >> 8 & 0xFF) / 255,
                  blue: Double(value & 0xFF) / 255)
    }
}

/// Horizontal alignment of paragraph lines.
public enum TextAlignment: String, Sendable, Hashable, CaseIterable {
    case left, right, center, justify
}

/// Font and paragraph settings. Every property has a value, so styles merge by replacement.
public struct ParagraphStyle: Sendable, Hashable {
    public var fontFamily: String = "Liberation Serif"
    public var fontSize: Double = 10.5
    public var bold: Bool = false
    public var italic: Bool = false
    public var color: Color = .black
    /// Line height as a multiple of the font size (1.0 = tight).
    public var leading: Double = 1.3
    public var alignment: TextAlignment = .left
    public var spaceBefore: Double = 0
    public var spaceAfter: Double = 6
    /// Left indent of every line.
    public var indent: Double = 0
    /// Hyphenate where pango can (language-dependent).
    public var hyphenate: Bool = true
    /// Keep this block on the same page as the next one (headings default to true).
    public var keepWithNext: Bool = false

    public init() {}
}

/// Character-level overrides inside a paragraph.
public struct InlineStyle: Sendable, Hashable {
    public var bold: Bool?
    public var italic: Bool?
    public var underline: Bool = false
    public var strikethrough: Bool = false
    public var color: Color?
    public var fontFamily: String?
    public var fontSize: Double?
    /// A link target (URL), drawn as a PDF link annotation.
    public var link: String?

    public init(bold: Bool? = nil, italic: Bool? = nil, underline: Bool = false, strikethrough: Bool = false,
                color: Color? = nil, fontFamily: String? = nil, fontSize: Double? = nil, link: String? = nil) {
        self.bold = bold; self.italic = italic; self.underline = underline; self.strikethrough = strikethrough
        self.color = color; self.fontFamily = fontFamily; self.fontSize = fontSize; self.link = link
    }
}

/// A run of text with one inline style, or a page-number placeholder (headers and footers).
public enum InlineRun: Sendable, Hashable {
    case text(String, InlineStyle)
    /// The current page number.
    case pageNumber(InlineStyle)
    /// The total page count.
    case pageCount(InlineStyle)
    /// A forced line break.
    case lineBreak

    public static func plain(_ text: String) -> InlineRun { .text(text, InlineStyle()) }
}

/// Where a block came from in its source (a template's element), so a layout error can point
/// there. The typesetter only passes it on; it never changes what is drawn.
public struct BlockOrigin: Sendable, Hashable, CustomStringConvertible {
    /// The source file as its reader names it (a template, a clause), if any.
    public var file: String?
    /// 1-based line and column of the element's start tag.
    public var line: Int
    public var column: Int
    /// The element's name (`p`, `cell`, `table`).
    public var element: String

    public init(file: String?, line: Int, column: Int, element: String) {
        self.file = file; self.line = line; self.column = column; self.element = element
    }

    /// `file:line:column`, or `line L, column C` without a file.
    public var location: String { file.map { "\($0):\(line):\(column)" } ?? "line \(line), column \(column)" }
    public var description: String { "\(location): <\(element)>" }
}

/// A paragraph: styled runs under a paragraph style.
public struct Paragraph: Sendable, Hashable {
    public var runs: [InlineRun]
    public var style: ParagraphStyle
    /// Where it came from, for errors.
    public var origin: BlockOrigin?
    public init(runs: [InlineRun], style: ParagraphStyle) {
        self.runs = runs; self.style = style
    }
}

/// A column width in a table.
public enum ColumnWidth: Sendable, Hashable {
    /// A fraction of the space left after fixed and percentage columns.
    case fraction(Double)
    case points(Double)
    /// A percentage of the table width.
    case percent(Double)
}

/// A table cell: blocks, optionally spanning columns.
public struct TableCell: Sendable, Hashable {
    public var blocks: [Block]
    public var columnSpan: Int
    public var background: Color?
    public init(blocks: [Block], columnSpan: Int = 1, background: Color? = nil) {
        self.blocks = blocks; self.columnSpan = max(1, columnSpan); self.background = background
    }
}

public struct TableRow: Sendable, Hashable {
    public var cells: [TableCell]
    /// Header rows repeat at the top of every page the table continues on (when the table says so).
    public var isHeader: Bool
    public init(cells: [TableCell], isHeader: Bool = false) {
        self.cells = cells; self.isHeader = isHeader
    }
}

public struct Table: Sendable, Hashable {
    public var columns: [ColumnWidth]
    public var rows: [TableRow]
    public var repeatHeader: Bool = true
    /// Border line width (0 = none) and colour.
    public var borderWidth: Double = 0.5
    public var borderColor: Color = Color(red: 0.6, green: 0.6, blue: 0.6)
    public var cellPadding: Double = 4
    public var headerBackground: Color? = Color(red: 0.93, green: 0.93, blue: 0.93)
    public var spaceBefore: Double = 4
    public var spaceAfter: Double = 8
    /// Where it came from, for errors.
    public var origin: BlockOrigin?

    public init(columns: [ColumnWidth], rows: [TableRow]) {
        self.columns = columns; self.rows = rows
    }
}

/// An image: PNG or JPEG bytes (JPEG passed through unchanged into the PDF).
public struct Image: Sendable, Hashable {
    public enum Format: String, Sendable, Hashable { case png, jpeg }
    public var data: [UInt8]
    public var format: Format
    /// Display size; if only one is given the other follows the aspect ratio; neither = natural size at 72 dpi.
    public var width: Double?
    public var height: Double?
    public var alignment: TextAlignment = .left
    public var spaceAfter: Double = 6
    /// Where it came from, for errors.
    public var origin: BlockOrigin?

    public init(data: [UInt8], format: Format, width: Double? = nil, height: Double? = nil) {
        self.data = data; self.format = format; self.width = width; self.height = height
    }
}

/// A box where a signature goes: laid out like a block, recorded so the PDF layer can add a
/// `/FT /Sig` field there.
public struct SignatureBox: Sendable, Hashable {
    public var role: String
    public var label: String
    public var width: Double
    public var height: Double
    public var required: Bool
    public var spaceAfter: Double = 10
    /// Where the box, its signing line and the label under it sit across the available width
    /// (`justify` reads as left).
    public var alignment: TextAlignment = .left
    /// The signer's mark once they signed electronically (a typed name, a drawn image): laid out
    /// inside the box and drawn as page content (the box's form field stays, so the audit page can
    /// name it). For another kind of field, the value the signer filled.
    public var mark: [Block]?
    /// What the box is for: the signer's signature (a `/FT /Sig` form field `sig_<role>`), or
    /// another field the signer fills (recorded in `TypesetDocument.fields`, no form field).
    public var kind: Kind = .signature
    /// The name of a field other than the signature.
    public var fieldName: String?
    /// Where it came from, for errors.
    public var origin: BlockOrigin?

    /// The kinds of boxes a signer fills.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case signature, initials, dateSigned = "date-signed", text, checkbox, dropdown
    }

    public init(role: String, label: String, width: Double, height: Double, required: Bool) {
        self.role = role; self.label = label; self.width = width; self.height = height; self.required = required
    }
}

/// A list of items, bulleted or numbered.
public struct ListBlock: Sendable, Hashable {
    public enum Marker: Sendable, Hashable { case bullet, number }
    public var marker: Marker
    public var items: [[Block]]
    public var indent: Double = 18
    public var start: Int = 1
    /// Space below the list (points), before whatever follows.
    public var spaceAfter: Double = 6
    /// Where it came from, for errors.
    public var origin: BlockOrigin?
    public init(marker: Marker, items: [[Block]]) {
        self.marker = marker; self.items = items
    }
}

/// A block-level element.
public indirect enum Block: Sendable, Hashable {
    case paragraph(Paragraph)
    /// A heading: a paragraph that also becomes an outline entry at its level (1…6).
    case heading(level: Int, Paragraph)
    case list(ListBlock)
    case table(Table)
    case image(Image)
    case signature(SignatureBox)
    /// Blocks that move to the next page together rather than split (unless taller than a page).
    case keepTogether([Block])
    case pageBreak
    /// Vertical space.
    case spacer(Double)
    /// A horizontal rule.
    case rule(width: Double, color: Color)
}

extension Block {
    /// The origin of a paragraph, heading, list, table, image or field; nil for the others.
    public var origin: BlockOrigin? {
        switch self {
        case .paragraph(let paragraph), .heading(_, let paragraph): paragraph.origin
        case .list(let list): list.origin
        case .table(let table): table.origin
        case .image(let image): image.origin
        case .signature(let box): box.origin
        case .keepTogether, .pageBreak, .spacer, .rule: nil
        }
    }

    /// The block with `origin`, where it has none yet and can carry one.
    public func located(_ origin: BlockOrigin) -> Block {
        guard self.origin == nil else { return self }
        switch self {
        case .paragraph(var paragraph): paragraph.origin = origin; return .paragraph(paragraph)
        case .heading(let level, var paragraph): paragraph.origin = origin; return .heading(level: level, paragraph)
        case .list(var list): list.origin = origin; return .list(list)
        case .table(var table): table.origin = origin; return .table(table)
        case .image(var image): image.origin = origin; return .image(image)
        case .signature(var box): box.origin = origin; return .signature(box)
        case .keepTogether, .pageBreak, .spacer, .rule: return self
        }
    }
}

/// Page geometry.
public struct PageSetup: Sendable, Hashable {
    public var width: Double
    public var height: Double
    public var marginTop: Double, marginRight: Double, marginBottom: Double, marginLeft: Double
    /// Space reserved between the header/footer and the body.
    public var headerGap: Double = 10
    public var footerGap: Double = 10

    public init(width: Double, height: Double, margins: Double) {
        self.width = width; self.height = height
        marginTop = margins; marginRight = margins; marginBottom = margins; marginLeft = margins
    }

    public static let letter = PageSetup(width: 612, height: 792, margins: 72)
    public static let a4 = PageSetup(width: 595.276, height: 841.89, margins: 72)
    public static let legal = PageSetup(width: 612, height: 1008, margins: 72)

    /// The same page turned to landscape.
    public var landscape: PageSetup {
        var copy = self
        copy.width = max(width, height); copy.height = min(width, height)
        return copy
    }
}

/// Document information written into the PDF.
public struct DocumentInfo: Sendable, Hashable {
    public var title: String?
    public var author: String?
    public var subject: String?
    public var keywords: String?
    public var creator: String = "Countersign"
    /// ISO 8601 date-time for CreationDate/ModDate (deterministic output needs one).
    public var date: String?
    /// Extra Info dictionary entries (e.g. provenance), written by the PDF layer.
    public var custom: [String: String] = [:]
    /// BCP 47 language tag (e.g. "en-US"), used for hyphenation and the catalog's /Lang.
    public var language: String = "en-US"

    public init() {}
}

/// A whole document to typeset.
public struct DocumentSpec: Sendable, Hashable {
    public var page: PageSetup
    public var header: [Block]
    public var footer: [Block]
    public var body: [Block]
    public var info: DocumentInfo

    public init(page: PageSetup, header: [Block] = [], footer: [Block] = [], body: [Block], info: DocumentInfo = DocumentInfo()) {
        self.page = page; self.header = header; self.footer = footer; self.body = body; self.info = info
    }
}
