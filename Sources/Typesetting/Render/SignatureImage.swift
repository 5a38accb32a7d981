internal import CCairo

/// Checks a signer's drawn or uploaded signature image before it is adopted: the completion
/// draws it into the sealed document long after the signer has gone, so an image that cannot
/// be drawn there (truncated, damaged, too large to decode) or that shows nothing (white or
/// transparent) must be refused while the signer can still draw again.
public enum SignatureImage {
    /// The longest side, in pixels (a signature pad at three device pixels per point is about 1 800).
    public static let maximumSide = 4000
    /// The most pixels in all (a 64 MB decoded surface).
    public static let maximumPixels = 16_000_000
    /// Pixels that must show ink (dark enough over white) for the image to count as a mark.
    static let minimumInk = 10

    /// Why `png` cannot be a signature, or nil.
    public static func problem(_ png: [UInt8]) -> String? {
        if let problem = PNGInfo.problem(png) { return "the PNG cannot be read: \(problem)" }
        let (width, height) = PNGInfo.size(png) ?? (0, 0)  // PNGInfo.problem has checked the header
        guard width <= maximumSide, height <= maximumSide, width * height <= maximumPixels else {
            return "the image is \(width)×\(height) pixels; a signature may be at most \(maximumSide) pixels a side"
        }
        let surface = PNGReader.surface(png)
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let data = cairo_image_surface_get_data(surface) else {
            return "the PNG cannot be decoded (its image data is damaged)"
        }
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        let format = cairo_image_surface_get_format(surface)
        guard format == CAIRO_FORMAT_ARGB32 || format == CAIRO_FORMAT_RGB24 else { return nil }
        var ink = 0
        for row in 0..<Int(cairo_image_surface_get_height(surface)) {
            let line = UnsafeRawPointer(data + row * stride).assumingMemoryBound(to: UInt32.self)
            for column in 0..<Int(cairo_image_surface_get_width(surface)) {
                let pixel = line[column]  // 0xAARRGGBB, colour premultiplied by alpha
                let alpha = format == CAIRO_FORMAT_ARGB32 ? Int(pixel >> 24) : 255
                guard alpha >= 32 else { continue }
                // The pixel over white paper: premultiplied colour plus the white that shows through.
                let r = Int(pixel >> 16 & 0xFF) + 255 - alpha, g = Int(pixel >> 8 & 0xFF) + 255 - alpha, b = Int(pixel & 0xFF) + 255 - alpha
                if (r * 299 + g * 587 + b * 114) / 1000 < 192 {
                    ink += 1
                    if ink >= minimumInk { return nil }
                }
            }
        }
        return "the image shows no signature (it is blank: white or transparent); draw or upload your signature"
    }
}
