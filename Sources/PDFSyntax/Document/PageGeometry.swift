/// A page as displayed — its crop box turned by its `/Rotate` — and the map between that view
/// and PDF user space. Field positions are given and stored on the displayed page (origin at its
/// bottom-left corner, y up), so a field sits where a reader sees it; drawing uses `matrix`.
/// The workflow places uploaded documents' fields with it, and signing places anchored
/// signatures and turns their appearances upright with it.
public struct PageGeometry: Sendable, Hashable {
    /// The crop box in user space, normalised (x0 < x1, y0 < y1).
    public var crop: PDFRect
    /// Degrees clockwise: 0, 90, 180 or 270.
    public var rotation: Int

    public init(_ page: PDFPage) {
        let box = page.cropBox
        crop = PDFRect(x0: min(box.x0, box.x1), y0: min(box.y0, box.y1), x1: max(box.x0, box.x1), y1: max(box.y0, box.y1))
        rotation = ((page.rotation % 360) + 360) % 360
    }

    /// The displayed page's width and height in points.
    public var width: Double { rotation % 180 == 0 ? crop.width : crop.height }
    public var height: Double { rotation % 180 == 0 ? crop.height : crop.width }

    /// `[a b c d e f]` taking displayed coordinates to user space (`cm` operands).
    public var matrix: [Double] {
        switch rotation {
        case 90: return [0, 1, -1, 0, crop.x0 + height, crop.y0]
        case 180: return [-1, 0, 0, -1, crop.x0 + width, crop.y0 + height]
        case 270: return [0, -1, 1, 0, crop.x0, crop.y0 + width]
        default: return [1, 0, 0, 1, crop.x0, crop.y0]
        }
    }

    /// A displayed point in user space.
    public func user(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        let m = matrix
        return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
    }

    /// A user-space point on the displayed page (the matrix is a rotation: its inverse is its transpose).
    public func displayed(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        let m = matrix
        return (m[0] * (x - m[4]) + m[1] * (y - m[5]), m[2] * (x - m[4]) + m[3] * (y - m[5]))
    }

    /// A user-space rectangle (x0 y0 x1 y1 in any order) on the displayed page.
    public func displayed(x0: Double, y0: Double, x1: Double, y1: Double) -> Box {
        let a = displayed(x0, y0), b = displayed(x1, y1)
        return Box(x: min(a.x, b.x), y: min(a.y, b.y), width: abs(b.x - a.x), height: abs(b.y - a.y))
    }

    /// A displayed rectangle in user space.
    public func user(_ box: Box) -> PDFRect {
        let a = user(box.x, box.y), b = user(box.x + box.width, box.y + box.height)
        return PDFRect(x0: min(a.x, b.x), y0: min(a.y, b.y), x1: max(a.x, b.x), y1: max(a.y, b.y))
    }

    /// Whether a displayed rectangle lies on the page (a hair of tolerance for rounding).
    public func contains(_ box: Box) -> Bool {
        box.x >= -0.01 && box.y >= -0.01 && box.x + box.width <= width + 0.01 && box.y + box.height <= height + 0.01
    }

    /// A rectangle on the displayed page: origin bottom-left, y up, points.
    public struct Box: Sendable, Hashable {
        public var x: Double, y: Double, width: Double, height: Double

        public init(x: Double, y: Double, width: Double, height: Double) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
        }
    }
}
