import CountersignCrypto
import Foundation
import PDFReader
import Synchronization

/// One page of a document as the review shows it: its size in points, its text (for screen
/// readers) and the signature boxes on it, in SVG coordinates (origin top left).
struct PageLayout: Sendable, Hashable {
    struct Box: Sendable, Hashable {
        var role: String
        var x: Double, y: Double, width: Double, height: Double
    }

    var number: Int
    var width: Double
    var height: Double
    var text: String
    var signatureBoxes: [Box]
}

/// Renders document pages to PNG with poppler (through `PDFReader`) and caches them on disk by
/// the document's SHA-256, the page and the resolution; keeps each document's layout in memory.
/// poppler is not thread-safe across one document, so each document is read under a lock.
final class PageImages: Sendable {
    let directory: URL
    let dpi: Double
    private let layouts = Mutex<[String: [PageLayout]]>([:])
    private let poppler = Mutex<Void>(())

    init(directory: URL, dpi: Double) {
        self.directory = directory
        self.dpi = dpi
    }

    static func key(_ bytes: [UInt8]) -> String { Hex.encode(DigestAlgorithm.sha256.hash(bytes)) }

    /// Every page's size, text and signature boxes.
    func layout(_ bytes: [UInt8]) throws -> [PageLayout] {
        let key = Self.key(bytes)
        if let known = layouts.withLock({ $0[key] }) { return known }
        let pages = try poppler.withLock { _ throws(PDFReaderError) -> [PageLayout] in
            let reader = try DocumentReader(bytes: bytes)
            let fields = reader.fields().filter { $0.kind == .signature }
            return try (1...max(reader.pageCount, 1)).map { (number) throws(PDFReaderError) -> PageLayout in
                let crop = try reader.cropBox(at: number)
                let rotation = try reader.rotation(at: number)
                let boxes = fields.filter { $0.page == number }.map { field in
                    Self.displayed(field.rect, crop: crop, rotation: rotation, role: String((field.partialName ?? field.name).trimmingPrefix("sig_")))
                }
                // The page as shown (and as poppler renders it): turned by its /Rotate.
                let turned = rotation % 180 != 0
                return PageLayout(number: number, width: turned ? crop.height : crop.width, height: turned ? crop.width : crop.height,
                                  text: try reader.text(page: number), signatureBoxes: boxes)
            }
        }
        layouts.withLock { $0[key] = pages }
        return pages
    }

    /// A user-space rectangle on the page as displayed: turned by `rotation` (degrees clockwise),
    /// measured from the displayed page's top-left corner, as the review's SVG draws it.
    static func displayed(_ rect: PageRect, crop: PageRect, rotation: Int, role: String) -> PageLayout.Box {
        let shown = rect.displayed(crop: crop, rotation: rotation)
        return PageLayout.Box(role: role, x: shown.x, y: shown.y, width: shown.width, height: shown.height)
    }

    /// The PNG of one page, rendered once and then read from the cache.
    func png(_ bytes: [UInt8], page: Int) throws -> [UInt8] {
        let key = Self.key(bytes)
        let file = directory.appendingPathComponent("\(key)-\(page)-\(Int(dpi)).png")
        if let cached = FileManager.default.contents(atPath: file.path) { return Array(cached) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let partial = directory.appendingPathComponent("\(key)-\(page)-\(Int(dpi)).\(Hex.random(bytes: 4)).part")
        try poppler.withLock { _ throws(PDFReaderError) in
            let reader = try DocumentReader(bytes: bytes)
            try reader.renderPNG(page: page, dpi: dpi, to: partial.path)
        }
        // Rename into place, so a reader never sees half a file.
        _ = try? FileManager.default.removeItem(at: file)
        try FileManager.default.moveItem(at: partial, to: file)
        return Array(try Data(contentsOf: file))
    }
}
