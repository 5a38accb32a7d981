/// An error from the PDF object layer: a stable code, a reason a person can act on, and
/// where in the file it happened when that is known.
///
/// Equality compares codes only, in the style of swift-asn1's errors.
public struct PDFError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is. Codes are stable; reasons are for people.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let notPDF = Code("notPDF")
        public static let syntax = Code("syntax")
        public static let unexpectedEnd = Code("unexpectedEnd")
        public static let badStartXref = Code("badStartXref")
        public static let badXref = Code("badXref")
        public static let xrefEntryMismatch = Code("xrefEntryMismatch")
        public static let missingEOF = Code("missingEOF")
        public static let unexplainedTrailingBytes = Code("unexplainedTrailingBytes")
        /// A complete revision (`startxref … %%EOF`) inside an update that the `/Prev` chain skips.
        public static let skippedRevision = Code("skippedRevision")
        public static let overlappingSections = Code("overlappingSections")
        public static let generationRedefined = Code("generationRedefined")
        public static let missingObject = Code("missingObject")
        public static let badStream = Code("badStream")
        public static let unsupportedFilter = Code("unsupportedFilter")
        public static let filterFailed = Code("filterFailed")
        public static let limitExceeded = Code("limitExceeded")
        public static let referenceCycle = Code("referenceCycle")
        public static let pageTreeCycle = Code("pageTreeCycle")
        public static let badPageTree = Code("badPageTree")
        public static let encrypted = Code("encrypted")
        /// The password opens an encrypted document neither as its user nor as its owner password.
        public static let wrongPassword = Code("wrongPassword")
        public static let io = Code("io")
        public static let invalidArgument = Code("invalidArgument")
    }

    public let code: Code
    public let reason: String
    /// The byte offset in the file the problem was found at, when known.
    public let offset: Int?
    /// The object the problem is in, when known.
    public let object: PDFReference?
    public let fileID: String
    public let line: Int

    public init(_ code: Code, _ reason: String, offset: Int? = nil, object: PDFReference? = nil,
                fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.offset = offset
        self.object = object
        self.fileID = fileID
        self.line = line
    }

    /// The same error, attributed to an object (kept if one was already named).
    public func inObject(_ reference: PDFReference) -> PDFError {
        object != nil ? self : PDFError(code, reason, offset: offset, object: reference, fileID: fileID, line: line)
    }

    /// One line: the reason, then where (object and byte offset).
    public var description: String {
        var whereParts: [String] = []
        if let object { whereParts.append("object \(object.number) \(object.generation)") }
        if let offset { whereParts.append("byte offset \(offset)") }
        return whereParts.isEmpty ? reason : "\(reason) (at \(whereParts.joined(separator: ", ")))"
    }

    public static func == (lhs: PDFError, rhs: PDFError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
