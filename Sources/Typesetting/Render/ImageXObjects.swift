internal import CCairo
import PDFSyntax

/// Image XObjects: JPEG bytes passed through unchanged as `DCTDecode`; PNG decoded (by cairo)
/// to 8-bit RGB with Flate, its alpha channel, if any pixel is not opaque, as an `/SMask`.
///
/// Encoded images are cached per typesetter by their bytes (a logo is encoded once per worker).
final class ImageXObjects {
    private struct Encoded {
        var image: PDFStream
        var mask: PDFStream?
    }

    private var cache: [Image.Format: [[UInt8]: Encoded]] = [:]
    private var count = 0
    private let limit = 64

    /// Adds the image (and its soft mask) to `file`; returns the image's reference.
    func add(_ source: ImageSource, to file: inout PDFObjectFile) throws -> PDFReference {
        let encoded: Encoded
        if let cached = cache[source.image.format]?[source.image.data] {
            encoded = cached
        } else {
            encoded = try ImageXObjects.encode(source)
            if count >= limit { cache.removeAll(); count = 0 }
            cache[source.image.format, default: [:]][source.image.data] = encoded
            count += 1
        }
        var image = encoded.image
        if let mask = encoded.mask {
            image.dictionary["SMask"] = .reference(file.add(.stream(mask)))
        }
        return file.add(.stream(image))
    }

    /// Checked here, once per typesetter and image (`cache`), not per document: a template's
    /// images were checked when it compiled; this catches the others (an uploaded mark).
    private static func encode(_ source: ImageSource) throws -> Encoded {
        if let problem = source.image.problem {
            throw TypesettingError(.image, "the \(source.image.format == .png ? "PNG" : "JPEG") image cannot be printed: \(problem)")
        }
        switch source.image.format {
        case .jpeg:
            var dictionary = header(source.pixelWidth, source.pixelHeight)
            switch source.components {
            case 1: dictionary["ColorSpace"] = .name("DeviceGray")
            case 4:
                dictionary["ColorSpace"] = .name("DeviceCMYK")
                dictionary["Decode"] = [1, 0, 1, 0, 1, 0, 1, 0]  // Adobe JPEGs store CMYK inverted
            default: dictionary["ColorSpace"] = .name("DeviceRGB")
            }
            dictionary["Filter"] = .name("DCTDecode")
            return Encoded(image: PDFStream(dictionary: dictionary, encodedData: source.image.data), mask: nil)
        case .png:
            let pixels = try decodePNG(source.image.data)
            var dictionary = header(pixels.width, pixels.height)
            dictionary["ColorSpace"] = .name("DeviceRGB")
            dictionary["Filter"] = .name("FlateDecode")
            let image = PDFStream(dictionary: dictionary, encodedData: try Flate.encode(pixels.rgb, level: 6))
            guard let alpha = pixels.alpha else { return Encoded(image: image, mask: nil) }
            var maskDictionary = header(pixels.width, pixels.height)
            maskDictionary["ColorSpace"] = .name("DeviceGray")
            maskDictionary["Filter"] = .name("FlateDecode")
            return Encoded(image: image, mask: PDFStream(dictionary: maskDictionary,
                                                         encodedData: try Flate.encode(alpha, level: 6)))
        }
    }

    private static func header(_ width: Int, _ height: Int) -> PDFDictionary {
        ["Type": .name("XObject"), "Subtype": .name("Image"), "Width": .integer(width), "Height": .integer(height),
         "BitsPerComponent": 8]
    }

    /// RGB samples and, when some pixel is not opaque, alpha samples (not premultiplied).
    private static func decodePNG(_ bytes: [UInt8]) throws -> (width: Int, height: Int, rgb: [UInt8], alpha: [UInt8]?) {
        let surface = PNGReader.surface(bytes)
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw TypesettingError(.image, "the PNG image could not be decoded (\(bytes.count) bytes)")
        }
        cairo_surface_flush(surface)
        let width = Int(cairo_image_surface_get_width(surface)), height = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        let hasAlpha = cairo_image_surface_get_format(surface) == CAIRO_FORMAT_ARGB32
        guard let data = cairo_image_surface_get_data(surface) else {
            throw TypesettingError(.image, "cairo decoded the PNG image to no pixels")
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        var alpha = [UInt8](repeating: 255, count: hasAlpha ? width * height : 0)
        var translucent = false
        for row in 0..<height {
            let line = UnsafeRawPointer(data + row * stride).assumingMemoryBound(to: UInt32.self)
            for column in 0..<width {
                let pixel = line[column]  // native-endian 0xAARRGGBB, colour premultiplied by alpha
                var r = Int(pixel >> 16 & 0xFF), g = Int(pixel >> 8 & 0xFF), b = Int(pixel & 0xFF)
                let index = row * width + column
                if hasAlpha {
                    let a = Int(pixel >> 24)
                    if a < 255 {
                        translucent = true
                        alpha[index] = UInt8(a)
                        if a == 0 {
                            r = 0; g = 0; b = 0
                        } else {
                            r = min(255, (r * 255 + a / 2) / a)
                            g = min(255, (g * 255 + a / 2) / a)
                            b = min(255, (b * 255 + a / 2) / a)
                        }
                    }
                }
                rgb[index * 3] = UInt8(r)
                rgb[index * 3 + 1] = UInt8(g)
                rgb[index * 3 + 2] = UInt8(b)
            }
        }
        return (width, height, rgb, translucent ? alpha : nil)
    }
}

/// Feeds PNG bytes to cairo's stream reader.
struct PNGReader {
    let bytes: [UInt8]
    var position = 0

    /// The image surface cairo decodes `bytes` to (its status says whether it could); the
    /// caller destroys it.
    static func surface(_ bytes: [UInt8]) -> OpaquePointer {
        var reader = PNGReader(bytes: bytes)
        return withUnsafeMutablePointer(to: &reader) { pointer in
            cairo_image_surface_create_from_png_stream({ closure, data, length in
                let reader = closure!.assumingMemoryBound(to: PNGReader.self)
                return reader.pointee.read(into: data!, count: Int(length)) ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_READ_ERROR
            }, pointer)
        }!
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func read(into destination: UnsafeMutablePointer<UInt8>, count: Int) -> Bool {
        guard position + count <= bytes.count else { return false }
        bytes.withUnsafeBufferPointer { destination.update(from: $0.baseAddress! + position, count: count) }
        position += count
        return true
    }
}
