/// Cutting a table row taller than a page into slices, one a page, between lines of text.
///
/// A cut may pass between two lines of a cell, never through one, nor through an image or a
/// field. Each slice draws the text lines that lie in it (so every line is in the PDF once, and
/// text extraction reads it once) and the rest (backgrounds, borders) clipped to the slice.
enum RowSlicing {
    /// A vertical extent, in the row's coordinates, that no cut may pass through.
    struct Span {
        var top: Double
        var bottom: Double
    }

    /// The lines of text and the pieces that cannot be split (images, fields, clipped groups).
    static func unsplittableSpans(_ drawables: [Drawable]) -> [Span] {
        var spans: [Span] = []
        for drawable in drawables {
            switch drawable {
            case .text(let layout, let lines, _, let y):
                let origin = y - layout.lines[lines.lowerBound].top
                spans += lines.map { Span(top: origin + layout.lines[$0].top, bottom: origin + layout.lines[$0].bottom) }
            case .image(_, _, let y, _, let height), .signature(_, _, let y, _, let height), .clipped(_, let y, _, let height, _):
                spans.append(Span(top: y, bottom: y + height))
            case .fill, .stroke, .line, .link, .outline:
                break
            }
        }
        return spans
    }

    /// The lowest place at or above `limit` (and below `start`) no span straddles; `start` when
    /// there is none (the next piece does not fit in what is left).
    static func cut(after start: Double, limit: Double, spans: [Span]) -> Double {
        var cut = limit
        var moved = true
        while moved, cut > start {
            moved = false
            for span in spans where span.top < cut - tolerance && span.bottom > cut + tolerance {
                cut = span.top
                moved = true
            }
        }
        return max(cut, start)
    }

    /// What of `drawables` lies between `top` and `bottom`: the text lines inside it whole, and
    /// everything else clipped to it. Coordinates stay the row's.
    static func slice(_ drawables: [Drawable], from top: Double, to bottom: Double, width: Double) -> [Drawable] {
        var text: [Drawable] = []
        var other: [Drawable] = []
        for drawable in drawables {
            switch drawable {
            case .text(let layout, let lines, let x, let y):
                let origin = y - layout.lines[lines.lowerBound].top
                let inside = lines.filter {
                    origin + layout.lines[$0].top >= top - tolerance && origin + layout.lines[$0].bottom <= bottom + tolerance
                }
                guard let first = inside.first, let last = inside.last else { continue }
                text.append(.text(layout, lines: first..<(last + 1), x: x, y: origin + layout.lines[first].top))
            case .link(_, _, let y, _, let height):
                if y >= top - tolerance, y + height <= bottom + tolerance { text.append(drawable) }
            case .outline(_, _, let y):
                if y >= top - tolerance, y < bottom { text.append(drawable) }
            case .image(_, _, let y, _, let height), .signature(_, _, let y, _, let height), .clipped(_, let y, _, let height, _),
                 .fill(_, let y, _, let height, _), .stroke(_, let y, _, let height, _, _):
                if y < bottom, y + height > top { other.append(drawable) }
            case .line(_, let y0, _, let y1, _, _):
                if min(y0, y1) <= bottom, max(y0, y1) >= top { other.append(drawable) }
            }
        }
        return [.clipped(x: 0, y: top, width: width, height: bottom - top, other)] + text
    }

    private static let tolerance = 0.01
}
