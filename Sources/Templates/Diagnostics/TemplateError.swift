/// One problem found in a template, a clause file or a data row: a stable code, a message a
/// person can act on, and where it is.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is (stable; compare codes, not messages).
    public let code: TemplateError.Code
    /// What was wrong and what was expected.
    public let message: String
    /// The template or clause file (as given to the compiler), when the problem is in a file.
    public let file: String?
    /// 1-based line and column (columns count Unicode scalars), when known.
    public let line: Int?
    public let column: Int?
    /// The element the problem is in (local name, without brackets), when there is one.
    public let element: String?
    /// The data field the problem is about (data errors).
    public let field: String?

    /// A diagnostic; data errors leave the position empty and name the field.
    public init(_ code: TemplateError.Code, _ message: String, file: String? = nil, line: Int? = nil,
                column: Int? = nil, element: String? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.element = element
        self.field = field
    }

    /// `FILE:LINE:COL: error: <element>: message`, or `field 'name': message` for data errors.
    public var description: String {
        var text = ""
        if let file {
            text += file
            if let line {
                text += ":\(line)"
                if let column { text += ":\(column)" }
            }
            text += ": "
        }
        text += "error: "
        if let element { text += "<\(element)>: " }
        if let field, element == nil { text += "field '\(field)': " }
        return text + message
    }
}

/// Everything a compile or bind step found wrong, all at once.
///
/// Equality compares the codes of the diagnostics, in the style of swift-asn1's errors.
public struct TemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem a diagnostic reports. Codes are stable; messages are for people.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The stable name of the code (e.g. `undeclaredField`).
        public let name: String
        /// A code by name; use the predefined constants.
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        // Reading files and XML.
        public static let io = Code("io")
        /// libxml2 cannot be loaded.
        public static let systemLibrary = Code("systemLibrary")
        public static let malformedXML = Code("malformedXML")
        public static let doctypeNotAllowed = Code("doctypeNotAllowed")
        public static let wrongNamespace = Code("wrongNamespace")
        // Structure.
        public static let unknownElement = Code("unknownElement")
        public static let misplacedElement = Code("misplacedElement")
        public static let unknownAttribute = Code("unknownAttribute")
        public static let missingAttribute = Code("missingAttribute")
        public static let invalidValue = Code("invalidValue")
        public static let duplicate = Code("duplicate")
        public static let textNotAllowed = Code("textNotAllowed")
        public static let badUnit = Code("badUnit")
        public static let badColor = Code("badColor")
        public static let unknownStyle = Code("unknownStyle")
        /// `font=` names a family no shipped font provides.
        public static let unknownFont = Code("unknownFont")
        public static let tableShape = Code("tableShape")
        public static let image = Code("image")
        // Expressions.
        public static let expressionSyntax = Code("expressionSyntax")
        public static let undeclaredField = Code("undeclaredField")
        public static let unknownFormatter = Code("unknownFormatter")
        // Clause library.
        public static let clauseNotFound = Code("clauseNotFound")
        public static let clauseVersionNotFound = Code("clauseVersionNotFound")
        public static let clauseUnpinned = Code("clauseUnpinned")
        public static let clauseUnapproved = Code("clauseUnapproved")
        public static let clauseOverridden = Code("clauseOverridden")
        public static let clauseInvalid = Code("clauseInvalid")
        // Data (bind time).
        public static let missingField = Code("missingField")
        public static let wrongType = Code("wrongType")
        public static let valueNotAllowed = Code("valueNotAllowed")
        public static let belowMinimum = Code("belowMinimum")
        public static let aboveMaximum = Code("aboveMaximum")
        public static let patternMismatch = Code("patternMismatch")
        public static let evaluation = Code("evaluation")
        /// Data holds characters no shipped font can draw.
        public static let missingGlyphs = Code("missingGlyphs")
        /// Data names a key that is not a declared field.
        public static let unknownField = Code("unknownField")
        /// The bound document has nothing in its body (a warning: it prints as a blank page).
        public static let emptyDocument = Code("emptyDocument")
    }

    /// Every problem found, in document order (template first, then clause files; data errors in
    /// field declaration order).
    public let diagnostics: [Diagnostic]
    public let fileID: String
    public let line: Int

    public init(_ diagnostics: [Diagnostic], fileID: String = #fileID, line: Int = #line) {
        self.diagnostics = diagnostics
        self.fileID = fileID
        self.line = line
    }

    /// An error with one diagnostic.
    public init(_ code: Code, _ message: String, file: String? = nil, fileID: String = #fileID, line: Int = #line) {
        self.init([Diagnostic(code, message, file: file)], fileID: fileID, line: line)
    }

    /// The code of the first diagnostic.
    public var code: Code { diagnostics.first?.code ?? Code("unknown") }

    /// All diagnostics, one per line.
    public var reason: String { diagnostics.map(\.description).joined(separator: "\n") }
    public var description: String { reason }

    public static func == (lhs: TemplateError, rhs: TemplateError) -> Bool {
        lhs.diagnostics.map(\.code) == rhs.diagnostics.map(\.code)
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(diagnostics.map(\.code)) }
}
