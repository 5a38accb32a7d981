/// An image as the layout sees it: its bytes and pixel size, read from the PNG header or the
/// JPEG frame header. Decoding (PNG) happens when the PDF writer first embeds it.
final class ImageSource {
    let image: Image
    let pixelWidth: Int
    let pixelHeight: Int
    /// JPEG colour components (1 grey, 3 RGB, 4 CMYK); 0 for PNG.
    let components: Int

    init(_ image: Image) throws {
        self.image = image
        switch image.format {
        case .png:
            let bytes = image.data
            let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            guard bytes.count >= 24, Array(bytes[0..<8]) == signature, bytes[12..<16].elementsEqual("IHDR".utf8) else {
                throw TypesettingError(.image, "the PNG image could not be decoded (\(bytes.count) bytes, no PNG header)")
            }
            func int32(_ offset: Int) -> Int {
                Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            }
            pixelWidth = int32(16)
            pixelHeight = int32(20)
            components = 0
            guard pixelWidth > 0, pixelHeight > 0, pixelWidth <= 32767, pixelHeight <= 32767 else {
                throw TypesettingError(.image, "the PNG image has an unusable size \(pixelWidth)×\(pixelHeight)")
            }
        case .jpeg:
            guard let frame = JPEGInfo.frame(of: image.data) else {
                throw TypesettingError(.image, "the JPEG image has no readable frame header (SOF)")
            }
            pixelWidth = frame.width
            pixelHeight = frame.height
            components = frame.components
        }
    }

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

/// Reads a JPEG's pixel size and colour components from its SOF marker.
enum JPEGInfo {
    static func frame(of bytes: [UInt8]) -> (width: Int, height: Int, components: Int)? {
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
                let components = Int(bytes[index + 9])
                return width > 0 && height > 0 && [1, 3, 4].contains(components) ? (width, height, components) : nil
            }
            index += 2 + length
        }
        return nil
    }
}
