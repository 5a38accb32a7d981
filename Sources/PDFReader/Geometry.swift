/// A rectangle in PDF user space: points, origin at the bottom left, y growing upwards.
public struct PageRect: Sendable, Hashable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The rectangle spanning two corners given in any order.
    public init(x1: Double, y1: Double, x2: Double, y2: Double) {
        self.init(x: min(x1, x2), y: min(y1, y2), width: abs(x2 - x1), height: abs(y2 - y1))
    }

    public var minX: Double { x }
    public var minY: Double { y }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }

    public var description: String { "[\(minX) \(minY) \(maxX) \(maxY)]" }

    /// This user-space rectangle on the page as displayed — the crop box turned `rotation`
    /// degrees clockwise — measured from the displayed page's top-left corner, y growing
    /// downwards (as an image of the page, or an SVG over it, is).
    public func displayed(crop: PageRect, rotation: Int) -> PageRect {
        let displayHeight = rotation % 180 == 0 ? crop.height : crop.width
        func point(_ ux: Double, _ uy: Double) -> (Double, Double) {
            let cx = ux - crop.minX, cy = uy - crop.minY
            let (dx, dy): (Double, Double) = switch rotation {
            case 90: (cy, crop.width - cx)
            case 180: (crop.width - cx, crop.height - cy)
            case 270: (crop.height - cy, cx)
            default: (cx, cy)
            }
            return (dx, displayHeight - dy)
        }
        let (ax, ay) = point(minX, minY), (bx, by) = point(maxX, maxY)
        return PageRect(x1: ax, y1: ay, x2: bx, y2: by)
    }
}

/// A page's size in points as displayed: the crop box with the page rotation applied.
public struct PageSize: Sendable, Hashable {
    public var width: Double
    public var height: Double

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }
}

/// Where a piece of text was found: a 1-based page number and its box in PDF user space.
public struct TextMatch: Sendable, Hashable {
    public var page: Int
    public var rect: PageRect

    public init(page: Int, rect: PageRect) {
        self.page = page
        self.rect = rect
    }
}

/// The document information poppler reports; `nil` where a value is absent.
public struct DocumentMetadata: Sendable, Hashable {
    public var title: String?
    public var author: String?
    public var subject: String?
    public var creator: String?
    public var producer: String?

    public init(title: String? = nil, author: String? = nil, subject: String? = nil,
                creator: String? = nil, producer: String? = nil) {
        self.title = title
        self.author = author
        self.subject = subject
        self.creator = creator
        self.producer = producer
    }
}
