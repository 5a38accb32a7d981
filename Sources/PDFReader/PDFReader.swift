internal import CPoppler

/// Reading existing PDFs through poppler-glib: pages, text positions, form fields.
///
/// Never used for security decisions (DESIGN.md §3): poppler repairs broken files silently.
public enum PDFReaderInfo {
    /// The version of poppler this build links.
    public static var popplerVersion: String { String(cString: poppler_get_version()) }
}
