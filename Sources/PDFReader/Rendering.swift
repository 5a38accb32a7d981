internal import CCairo
internal import CPoppler

extension DocumentReader {
    /// The largest image side cairo can make.
    static let maximumPixelSide = 32_767

    /// Renders a page on a white background and writes it as a PNG.
    ///
    /// The image is `ceil(width × dpi / 72)` by `ceil(height × dpi / 72)` pixels, from `pageSize(at:)`.
    public func renderPNG(page: Int, dpi: Double = 144, to path: String) throws(PDFReaderError) {
        guard dpi.isFinite, dpi > 0 else { throw PDFReaderError(.invalidArgument, "dpi must be positive, not \(dpi)") }
        try withPage(page) { (handle) throws(PDFReaderError) in
            var width = 0.0, height = 0.0
            poppler_page_get_size(handle, &width, &height)
            let scale = dpi / 72
            let pixelWidth = (width * scale).rounded(.up), pixelHeight = (height * scale).rounded(.up)
            let limit = Double(Self.maximumPixelSide)
            guard pixelWidth >= 1, pixelHeight >= 1, pixelWidth <= limit, pixelHeight <= limit else {
                throw PDFReaderError(.renderFailed,
                                     "page \(page) at \(dpi) dpi would be \(pixelWidth)×\(pixelHeight) pixels")
            }
            guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(pixelWidth), Int32(pixelHeight))
            else { throw PDFReaderError(.renderFailed, "cairo could not make an image surface") }
            defer { cairo_surface_destroy(surface) }
            guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let context = cairo_create(surface) else {
                throw PDFReaderError(.renderFailed, "cairo could not make a \(pixelWidth)×\(pixelHeight) image")
            }
            cairo_set_source_rgb(context, 1, 1, 1)
            cairo_paint(context)
            cairo_scale(context, scale, scale)
            poppler_page_render(handle, context)
            let drawStatus = cairo_status(context)
            cairo_destroy(context)
            guard drawStatus == CAIRO_STATUS_SUCCESS else {
                throw PDFReaderError(.renderFailed, "rendering page \(page) failed: \(Self.describe(drawStatus))")
            }
            cairo_surface_flush(surface)
            let writeStatus = cairo_surface_write_to_png(surface, path)
            guard writeStatus == CAIRO_STATUS_SUCCESS else {
                throw PDFReaderError(.renderFailed, "could not write \(path): \(Self.describe(writeStatus))")
            }
        }
    }

    static func describe(_ status: cairo_status_t) -> String { String(cString: cairo_status_to_string(status)) }
}
