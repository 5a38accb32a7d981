public import Foundation
internal import CPoppler
internal import LazySystemLibraries

/// An open PDF read through poppler-glib: pages, text positions, form fields, rendering.
///
/// For reading existing PDFs only, never for security decisions: poppler silently repairs
/// damaged files. Poppler documents are not thread-safe, so this class is deliberately not
/// `Sendable`; keep each instance confined to one task. Page numbers are 1-based throughout.
public final class DocumentReader {
    /// The owned poppler document (one reference, released in `deinit`).
    let document: OpaquePointer
    /// Page rotations already found, by 0-based index (see `PageFrame`).
    var rotations: [Int: Int] = [:]

    /// Opens the PDF at `path`, decrypting it with `password` when it is encrypted.
    public init(path: String, password: String? = nil) throws(PDFReaderError) {
        try Self.requireLibraries()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PDFReaderError(.notFound, "no file at \(path)")
        }
        guard !isDirectory.boolValue else { throw PDFReaderError(.io, "\(path) is a directory") }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var error: UnsafeMutablePointer<GError>?
        guard let uri = g_filename_to_uri(absolute, nil, &error) else {
            throw Self.translate(error, password: password, what: path)
        }
        defer { g_free(uri) }
        let opened = poppler_document_new_from_file(uri, password, &error)
        guard let opened else { throw Self.translate(error, password: password, what: path) }
        document = opened
    }

    /// Opens a PDF held in memory; the bytes are copied, so the caller's buffer may go away.
    public convenience init(bytes: [UInt8], password: String? = nil) throws(PDFReaderError) {
        try self.init(data: Data(bytes), password: password)
    }

    /// Opens a PDF held in memory; the bytes are copied, so the caller's buffer may go away.
    public init(data: Data, password: String? = nil) throws(PDFReaderError) {
        try Self.requireLibraries()
        // g_bytes_new copies; poppler keeps its own reference for as long as the document lives.
        let gbytes = data.withUnsafeBytes { g_bytes_new($0.baseAddress, gsize($0.count)) }
        defer { g_bytes_unref(gbytes) }
        var error: UnsafeMutablePointer<GError>?
        let opened = poppler_document_new_from_bytes(gbytes, password, &error)
        guard let opened else { throw Self.translate(error, password: password, what: "the PDF data") }
        document = opened
    }

    deinit { cs_poppler_unref(UnsafeMutableRawPointer(document)) }

    /// The number of pages.
    public var pageCount: Int { Int(poppler_document_get_n_pages(document)) }

    /// The page's size in points: the crop box, with the page rotation applied.
    public func pageSize(at page: Int) throws(PDFReaderError) -> PageSize {
        try withPage(page) { handle in
            var width = 0.0, height = 0.0
            poppler_page_get_size(handle, &width, &height)
            return PageSize(width: width, height: height)
        }
    }

    /// The page's crop box in PDF user space (unrotated).
    public func cropBox(at page: Int) throws(PDFReaderError) -> PageRect {
        try withPage(page) { handle in
            let box = Self.cropBox(of: handle)
            return PageRect(x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2)
        }
    }

    /// The page's text as poppler extracts it, in reading order.
    public func text(page: Int) throws(PDFReaderError) -> String {
        try withPage(page) { handle in Self.takeString(poppler_page_get_text(handle)) ?? "" }
    }

    /// Every occurrence of `text`, in page order (and poppler's reading order within a page),
    /// with boxes in PDF user space whatever the page's rotation or crop box.
    ///
    /// Matching is case-insensitive unless `caseSensitive` is set; a match that wraps onto
    /// another line is not found. An empty `text` finds nothing.
    public func find(text: String, caseSensitive: Bool = false) -> [TextMatch] {
        guard !text.isEmpty else { return [] }
        let options = caseSensitive ? POPPLER_FIND_CASE_SENSITIVE : POPPLER_FIND_DEFAULT
        var matches: [TextMatch] = []
        for index in 0..<pageCount {
            let number = index + 1
            guard let handle = poppler_document_get_page(document, Int32(index)) else { continue }
            defer { cs_poppler_unref(UnsafeMutableRawPointer(handle)) }
            let list = poppler_page_find_text_with_options(handle, text, options)
            defer { cs_free_rectangle_list(list) }
            guard list != nil else { continue }
            let frame = frame(of: handle, index: index)
            var node = list
            while let current = node {
                if let box = current.pointee.data?.assumingMemoryBound(to: PopplerRectangle.self).pointee {
                    let rect = frame.userRect(displayX1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2)
                    matches.append(TextMatch(page: number, rect: rect))
                }
                node = current.pointee.next
            }
        }
        return matches
    }

    /// The document information dictionary as poppler reads it.
    public var metadata: DocumentMetadata {
        DocumentMetadata(title: Self.takeString(poppler_document_get_title(document)),
                         author: Self.takeString(poppler_document_get_author(document)),
                         subject: Self.takeString(poppler_document_get_subject(document)),
                         creator: Self.takeString(poppler_document_get_creator(document)),
                         producer: Self.takeString(poppler_document_get_producer(document)))
    }

    // MARK: - Helpers shared with the other files

    /// Runs `body` with the page's handle, releasing it afterwards.
    func withPage<T>(_ page: Int, _ body: (OpaquePointer) throws(PDFReaderError) -> T) throws(PDFReaderError) -> T {
        guard page >= 1, page <= pageCount else {
            throw PDFReaderError(.pageOutOfRange, "page \(page) is not in 1...\(pageCount)")
        }
        guard let handle = poppler_document_get_page(document, Int32(page - 1)) else {
            throw PDFReaderError(.damaged, "poppler could not load page \(page)")
        }
        defer { cs_poppler_unref(UnsafeMutableRawPointer(handle)) }
        return try body(handle)
    }

    static func cropBox(of page: OpaquePointer) -> PopplerRectangle {
        var box = PopplerRectangle()
        poppler_page_get_crop_box(page, &box)
        return box
    }

    /// Copies a gchar* poppler handed over and frees it; nil and "" both come back as nil.
    static func takeString(_ pointer: UnsafeMutablePointer<gchar>?) -> String? {
        guard let pointer else { return nil }
        defer { g_free(pointer) }
        let string = String(cString: pointer)
        return string.isEmpty ? nil : string
    }

    /// Maps a GError from opening a document to a reader error, freeing the GError.
    /// poppler-glib and what it needs, loaded now: an error instead of the process exiting.
    private static func requireLibraries() throws(PDFReaderError) {
        if let failure = cs_lazy_require(CS_LAZY_GROUP_READER.rawValue) {
            throw PDFReaderError(.systemLibrary, String(cString: failure))
        }
    }

    static func translate(_ error: UnsafeMutablePointer<GError>?, password: String?, what: String) -> PDFReaderError {
        defer { cs_gerror_free(error) }
        guard let error else { return PDFReaderError(.damaged, "poppler could not open \(what)") }
        let message = error.pointee.message.map { String(cString: $0) } ?? "no detail"
        guard error.pointee.domain == poppler_error_quark() else {
            return PDFReaderError(.io, "could not open \(what): \(message)")
        }
        switch UInt32(bitPattern: error.pointee.code) {
        case POPPLER_ERROR_ENCRYPTED.rawValue:
            let hint = password == nil ? "it is encrypted and needs a password" : "the password is wrong"
            return PDFReaderError(.encrypted, "could not open \(what): \(hint)")
        case POPPLER_ERROR_OPEN_FILE.rawValue:
            return PDFReaderError(.io, "could not read \(what): \(message)")
        default:
            return PDFReaderError(.damaged, "\(what) is not a PDF poppler can read: \(message)")
        }
    }
}

/// Poppler documents must stay on one task at a time.
@available(*, unavailable)
extension DocumentReader: Sendable {}
