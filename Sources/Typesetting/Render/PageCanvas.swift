import PDFSyntax

/// The fonts one document uses, in order of first use, each with a reserved object number for
/// its Type0 dictionary (written once every page is drawn and the glyph sets are known).
final class DocumentFonts {
    private(set) var usages: [FontUsage] = []
    private(set) var references: [PDFReference] = []
    private var indexByFace: [ObjectIdentifier: Int] = [:]
    /// Per usage, a bit per glyph id already recorded (65 536 bits).
    private var seen: [[UInt64]] = []

    /// The usage index for a face, reserving its font object in `file` on first use.
    func index(for face: FontFace, file: inout PDFObjectFile) -> Int {
        if let index = indexByFace[ObjectIdentifier(face)] { return index }
        let index = usages.count
        usages.append(FontUsage(face: face, resourceName: "F\(index + 1)"))
        references.append(file.reserve())
        seen.append([UInt64](repeating: 0, count: 1024))
        indexByFace[ObjectIdentifier(face)] = index
        return index
    }

    /// Whether the glyph (≤ 0xFFFF) was already recorded for the font.
    @inline(__always)
    func isRecorded(_ glyph: UInt32, font index: Int) -> Bool {
        seen[index][Int(glyph >> 6)] & (1 << UInt64(glyph & 63)) != 0
    }

    /// Characters no font could draw (pango's unknown glyphs), each once, in order of first use.
    private(set) var missing: [Unicode.Scalar] = []

    /// Notes a character pango found no glyph for.
    func noteMissing(_ codePoint: UInt32) {
        guard let scalar = Unicode.Scalar(codePoint), !GlyphCoverage.drawsNothing(scalar), !missing.contains(scalar) else { return }
        missing.append(scalar)
    }

    /// Records a glyph and, the first time, the text it stands for.
    func record(_ glyph: UInt32, text: String?, font index: Int) {
        guard !isRecorded(glyph, font: index) else { return }
        seen[index][Int(glyph >> 6)] |= 1 << UInt64(glyph & 63)
        usages[index].glyphs.insert(glyph)
        if let text { usages[index].text[glyph] = text }
    }
}

/// One page being drawn: its content stream, the resources it names, and the graphics state
/// already set (so repeated colours and fonts are not written again).
///
/// Coordinates are the layout's: points, origin top-left. The stream starts by flipping the
/// y axis, and text matrices flip it back so glyphs stand upright.
struct PageCanvas {
    var content = ContentStream()
    /// Font usage indices drawn on this page.
    var fonts: Set<Int> = []
    /// XObject resource names and their objects.
    var images: [String: PDFReference] = [:]

    private var fillColor: Color?
    /// The fill colour last set, if known.
    var currentFill: Color? { fillColor }
    private var strokeColor: Color?
    private var lineWidth: Double?
    private var textFont: (index: Int, size: Double)?

    init(height: Double) {
        content.numbers(1, 0, 0, -1, 0, height)
        content.op("cm\n")
    }

    mutating func setFill(_ color: Color) {
        guard fillColor != color else { return }
        content.fillColor(color)
        fillColor = color
    }

    mutating func setStroke(_ color: Color, width: Double) {
        if strokeColor != color {
            content.strokeColor(color)
            strokeColor = color
        }
        if lineWidth != width {
            content.number(width)
            content.op("w\n")
            lineWidth = width
        }
    }

    /// Sets the font inside a text object (`Tf`), when it changed.
    mutating func setFont(_ index: Int, size: Double) {
        if let current = textFont, current.index == index, current.size == size { return }
        content.name("F\(index + 1)")
        content.number(size)
        content.op("Tf\n")
        textFont = (index, size)
        fonts.insert(index)
    }

    mutating func save() { content.op("q\n") }

    /// Restores the graphics state; what was set since `save` is forgotten.
    mutating func restore() {
        content.op("Q\n")
        fillColor = nil
        strokeColor = nil
        lineWidth = nil
        textFont = nil
    }

    mutating func fill(_ x: Double, _ y: Double, _ width: Double, _ height: Double, color: Color) {
        setFill(color)
        content.rectangle(x, y, width, height)
        content.op("f\n")
    }

    mutating func strokeRectangle(_ x: Double, _ y: Double, _ width: Double, _ height: Double, color: Color, lineWidth: Double) {
        setStroke(color, width: lineWidth)
        content.rectangle(x, y, width, height)
        content.op("S\n")
    }

    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, color: Color, lineWidth: Double) {
        setStroke(color, width: lineWidth)
        content.numbers(x0, y0)
        content.op("m ")
        content.numbers(x1, y1)
        content.op("l S\n")
    }

    mutating func clip(_ x: Double, _ y: Double, _ width: Double, _ height: Double) {
        content.rectangle(x, y, width, height)
        content.op("W n\n")
    }

    /// Draws an image XObject into the rectangle (top-left `x`, `y`).
    /// `orientation` turns the stored picture upright first (EXIF).
    mutating func image(_ name: String, _ reference: PDFReference, x: Double, y: Double, width: Double, height: Double,
                        orientation: [Double]? = nil) {
        images[name] = reference
        save()
        content.numbers(width, 0, 0, -height, x, y + height)
        content.op("cm ")
        if let orientation {
            content.numbers(orientation[0], orientation[1], orientation[2], orientation[3], orientation[4], orientation[5])
            content.op("cm ")
        }
        content.name(name)
        content.op("Do\n")
        restore()
    }
}
