/// Something to draw on a page, positioned in cairo coordinates (points, origin top-left).
enum Drawable {
    case text(TextLayout, lines: Range<Int>, x: Double, y: Double)
    case fill(x: Double, y: Double, width: Double, height: Double, color: Color)
    case stroke(x: Double, y: Double, width: Double, height: Double, color: Color, lineWidth: Double)
    case line(x0: Double, y0: Double, x1: Double, y1: Double, color: Color, lineWidth: Double)
    case image(ImageSource, x: Double, y: Double, width: Double, height: Double)
    /// Drawables clipped to a rectangle (a table row sliced across pages).
    case clipped(x: Double, y: Double, width: Double, height: Double, [Drawable])
    case link(url: String, x: Double, y: Double, width: Double, height: Double)
    case signature(SignatureBox, x: Double, y: Double, width: Double, height: Double)
    case outline(level: Int, title: String, y: Double)

    /// The same drawable moved by (dx, dy).
    func translated(_ dx: Double, _ dy: Double) -> Drawable {
        switch self {
        case .text(let layout, let lines, let x, let y): return .text(layout, lines: lines, x: x + dx, y: y + dy)
        case .fill(let x, let y, let w, let h, let c): return .fill(x: x + dx, y: y + dy, width: w, height: h, color: c)
        case .stroke(let x, let y, let w, let h, let c, let lw):
            return .stroke(x: x + dx, y: y + dy, width: w, height: h, color: c, lineWidth: lw)
        case .line(let x0, let y0, let x1, let y1, let c, let lw):
            return .line(x0: x0 + dx, y0: y0 + dy, x1: x1 + dx, y1: y1 + dy, color: c, lineWidth: lw)
        case .image(let source, let x, let y, let w, let h): return .image(source, x: x + dx, y: y + dy, width: w, height: h)
        case .clipped(let x, let y, let w, let h, let inner):
            return .clipped(x: x + dx, y: y + dy, width: w, height: h, inner.map { $0.translated(dx, dy) })
        case .link(let url, let x, let y, let w, let h): return .link(url: url, x: x + dx, y: y + dy, width: w, height: h)
        case .signature(let box, let x, let y, let w, let h): return .signature(box, x: x + dx, y: y + dy, width: w, height: h)
        case .outline(let level, let title, let y): return .outline(level: level, title: title, y: y + dy)
        }
    }
}

/// Drawables for lines of a text layout, with their link areas.
func textDrawables(_ layout: TextLayout, lines range: Range<Int>, x: Double, y: Double) -> [Drawable] {
    guard !range.isEmpty else { return [] }
    var result: [Drawable] = [.text(layout, lines: range, x: x, y: y)]
    let origin = y - layout.lines[range.lowerBound].top
    for area in layout.links where range.contains(area.line) {
        let line = layout.lines[area.line]
        result.append(.link(url: area.url, x: x + area.x0, y: origin + line.top, width: area.x1 - area.x0,
                            height: line.bottom - line.top))
    }
    return result
}

/// A stack of blocks laid out at a fixed width, unsplittable: table cells, headers, footers.
struct Box {
    var drawables: [Drawable]
    var height: Double
}
