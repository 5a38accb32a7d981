/// An error from the typesetter: a stable code and a reason a person can act on.
public struct TypesettingError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let fonts = Code("fonts")
        public static let image = Code("image")
        public static let cairo = Code("cairo")
        public static let layout = Code("layout")
        /// A link to something other than a web page or an address (`javascript:`, `file:`).
        public static let link = Code("link")
        /// Text holds characters no shipped font can draw.
        public static let missingGlyphs = Code("missingGlyphs")
        /// cairo, pango, fontconfig or harfbuzz cannot be loaded.
        public static let systemLibrary = Code("systemLibrary")
    }

    public let code: Code
    public let reason: String
    /// The source element the error is about (a template's `<p>` at a line and column), when
    /// the block carried one.
    public var origin: BlockOrigin?
    public let fileID: String
    public let line: Int

    public init(_ code: Code, _ reason: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.fileID = fileID
        self.line = line
    }

    /// The reason, after the origin when there is one (`t.xml:6:30: <cell>: …`).
    public var description: String { origin.map { "\($0): \(reason)" } ?? reason }

    /// Runs `body`, giving a typesetting error it throws `origin` unless it names one already
    /// (an inner block's origin is the more precise).
    static func attributed<T>(to origin: BlockOrigin?, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as TypesettingError where error.origin == nil && origin != nil {
            error.origin = origin
            throw error
        }
    }
    public static func == (lhs: TypesettingError, rhs: TypesettingError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
