/// An error from reading a PDF through poppler: a stable code and a reason a person can act on.
///
/// Equality compares codes only, like `PDFError`.
public struct PDFReaderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is. Codes are stable; reasons are for people.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The file does not exist.
        public static let notFound = Code("notFound")
        /// The file exists but could not be read.
        public static let io = Code("io")
        /// Not a PDF, or too damaged for poppler to open.
        public static let damaged = Code("damaged")
        /// Encrypted, and no password or a wrong one was given.
        public static let encrypted = Code("encrypted")
        /// A page number outside `1...pageCount`.
        public static let pageOutOfRange = Code("pageOutOfRange")
        /// Rendering or writing the image failed.
        public static let renderFailed = Code("renderFailed")
        /// An argument the reader cannot use (a non-positive DPI, say).
        public static let invalidArgument = Code("invalidArgument")
        /// poppler-glib (or glib, cairo) cannot be loaded.
        public static let systemLibrary = Code("systemLibrary")
    }

    public let code: Code
    public let reason: String
    public let fileID: String
    public let line: Int

    public init(_ code: Code, _ reason: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.fileID = fileID
        self.line = line
    }

    public var description: String { reason }

    public static func == (lhs: PDFReaderError, rhs: PDFReaderError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
