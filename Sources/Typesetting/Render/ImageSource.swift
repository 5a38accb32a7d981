internal import CCairo
import Foundation

/// A decoded image as a cairo surface. JPEG bytes are attached as MIME data, so cairo's PDF
/// backend embeds them unchanged (no re-encoding); PNG is decoded (alpha kept).
final class ImageSource {
    let surface: OpaquePointer
    let pixelWidth: Int
    let pixelHeight: Int

    init(_ image: Image) throws {
        switch image.format {
        case .png:
            var reader = PNGReader(bytes: image.data)
            let surface = withUnsafeMutablePointer(to: &reader) { pointer in
                cairo_image_surface_create_from_png_stream({ closure, data, length in
                    let reader = closure!.assumingMemoryBound(to: PNGReader.self)
                    return reader.pointee.read(into: data!, count: Int(length)) ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_READ_ERROR
                }, pointer)
            }!
            guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
                cairo_surface_destroy(surface)
                throw TypesettingError(.image, "the PNG image could not be decoded (\(image.data.count) bytes)")
            }
            self.surface = surface
            pixelWidth = Int(cairo_image_surface_get_width(surface))
            pixelHeight = Int(cairo_image_surface_get_height(surface))
        case .jpeg:
            guard let size = JPEGInfo.size(of: image.data) else {
                throw TypesettingError(.image, "the JPEG image has no readable frame header (SOF)")
            }
            let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(size.width), Int32(size.height))!
            let copy = malloc(image.data.count)!
            image.data.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            let status = cairo_surface_set_mime_data(surface, CAIRO_MIME_TYPE_JPEG, copy.assumingMemoryBound(to: UInt8.self),
                                                     UInt(image.data.count), { free($0) }, copy)
            guard status == CAIRO_STATUS_SUCCESS else {
                free(copy)
                cairo_surface_destroy(surface)
                throw TypesettingError(.image, "cairo refused the JPEG data")
            }
            self.surface = surface
            pixelWidth = size.width
            pixelHeight = size.height
        }
    }

    deinit { cairo_surface_destroy(surface) }

    /// The display size: given width and/or height, else the natural size at 72 dpi.
    func displaySize(width: Double?, height: Double?) -> (Double, Double) {
        let aspect = Double(pixelHeight) / Double(max(pixelWidth, 1))
        switch (width, height) {
        case let (w?, h?): return (w, h)
        case let (w?, nil): return (w, w * aspect)
        case let (nil, h?): return (h / aspect, h)
        case (nil, nil): return (Double(pixelWidth), Double(pixelHeight))
        }
    }
}

/// Feeds PNG bytes to cairo's stream reader.
private struct PNGReader {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func read(into destination: UnsafeMutablePointer<UInt8>, count: Int) -> Bool {
        guard position + count <= bytes.count else { return false }
        bytes.withUnsafeBufferPointer { destination.update(from: $0.baseAddress! + position, count: count) }
        position += count
        return true
    }
}

/// Reads a JPEG's pixel size from its SOF marker.
enum JPEGInfo {
    static func size(of bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var index = 2
        while index + 9 < bytes.count {
            guard bytes[index] == 0xFF else { return nil }
            let marker = bytes[index + 1]
            if marker == 0xFF { index += 1; continue }
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            if (0xC0...0xCF).contains(marker), marker != 0xC4, marker != 0xC8, marker != 0xCC {
                let height = Int(bytes[index + 5]) << 8 | Int(bytes[index + 6])
                let width = Int(bytes[index + 7]) << 8 | Int(bytes[index + 8])
                return width > 0 && height > 0 ? (width, height) : nil
            }
            index += 2 + length
        }
        return nil
    }
}
