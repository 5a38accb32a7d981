/// An image as the layout sees it: its bytes and pixel size, read from the PNG header or the
/// JPEG frame header. Decoding (PNG) happens when the PDF writer first embeds it.
final class ImageSource {
    let image: Image
    let pixelWidth: Int
    let pixelHeight: Int
    /// JPEG colour components (1 grey, 3 RGB, 4 CMYK); 0 for PNG.
    let components: Int
    /// How the stored pixels are turned to be seen upright (a JPEG's EXIF orientation, 1–8).
    let orientation: Int

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
            orientation = 1
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
            orientation = JPEGInfo.orientation(of: image.data)
        }
    }

    /// The display size: given width and/or height, else the natural size at 72 dpi.
    func displaySize(width: Double?, height: Double?) -> (Double, Double) {
        // Turned a quarter (EXIF 5–8), the picture is as wide as the stored one is tall.
        let (seenWidth, seenHeight) = orientation >= 5 ? (pixelHeight, pixelWidth) : (pixelWidth, pixelHeight)
        let aspect = Double(seenHeight) / Double(max(seenWidth, 1))
        switch (width, height) {
        case let (w?, h?): return (w, h)
        case let (w?, nil): return (w, w * aspect)
        case let (nil, h?): return (h / aspect, h)
        case (nil, nil): return (Double(seenWidth), Double(seenHeight))
        }
    }

    /// The matrix (PDF `cm` order) that turns the stored picture, drawn in the unit square, to
    /// its upright position in the same square (EXIF orientation; TIFF 6.0 tag 274).
    var orientationMatrix: [Double]? {
        switch orientation {
        case 2: [-1, 0, 0, 1, 1, 0]
        case 3: [-1, 0, 0, -1, 1, 1]
        case 4: [1, 0, 0, -1, 0, 1]
        case 5: [0, -1, -1, 0, 1, 1]
        case 6: [0, -1, 1, 0, 0, 1]
        case 7: [0, 1, 1, 0, 0, 0]
        case 8: [0, 1, -1, 0, 1, 0]
        default: nil
        }
    }
}
