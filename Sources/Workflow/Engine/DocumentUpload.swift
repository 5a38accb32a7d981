public import Foundation

/// An uploaded PDF for an envelope and the fields placed on it.
///
/// The PDF must be one signing accepts as input (DESIGN.md §7: harmless deviations are kept, an
/// unsigned file with ambiguous structure is rewritten cleanly); an encrypted file or one that
/// already carries signatures is refused. Fields come from `fields` (placed by anchor text or
/// by coordinates) and, with `textTags`, from `{{field:…}}` tags in the PDF's text.
public struct DocumentUpload: Sendable, Hashable, Codable {
    /// The document's name (`nda.pdf`), shown to recipients and on the Certificate of Completion.
    public var name: String
    /// The PDF's bytes (base64 in JSON).
    public var pdf: Data
    /// Fields placed by anchor text or coordinates (none when left out of the JSON).
    public var fields: [FieldPlacementRequest]
    /// Whether to place fields from `{{field:…}}` text tags found in the PDF (docs/workflow.md,
    /// "Text tags"). On by default; a document without tags is then simply without tag fields.
    public var textTags: Bool?

    public init(name: String, pdf: Data, fields: [FieldPlacementRequest] = [], textTags: Bool? = nil) {
        self.name = name
        self.pdf = pdf
        self.fields = fields
        self.textTags = textTags
    }

    private enum CodingKeys: String, CodingKey { case name, pdf, fields, textTags }

    /// `fields` may be left out (a document whose fields all come from text tags).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        pdf = try container.decode(Data.self, forKey: .pdf)
        fields = try container.decodeIfPresent([FieldPlacementRequest].self, forKey: .fields) ?? []
        textTags = try container.decodeIfPresent(Bool.self, forKey: .textTags)
    }
}

/// A field to place on an uploaded document: what it is, whose it is, and where it goes — by
/// `anchor` text or at a `position`, exactly one of the two.
public struct FieldPlacementRequest: Sendable, Hashable, Codable {
    /// The field's name, unique in the envelope (default `<role>_<kind>_<n>`).
    public var name: String?
    public var kind: Field.Kind
    /// The signer's `signatureRole` the field belongs to.
    public var role: String
    /// Whether the signer must fill it before signing (default true; a checkbox may stay unticked).
    public var required: Bool?
    /// A dropdown's choices.
    public var options: [String]?
    /// A text field's most characters.
    public var maxLength: Int?
    /// A regular expression a text field's whole value must match.
    public var pattern: String?
    /// What the signing page asks for (default: the name).
    public var label: String?
    /// Size in `units` (defaults depend on the kind: docs/workflow.md).
    public var width: Double?
    public var height: Double?
    /// `pt` (default), `in`, `mm` or `cm`: for sizes, offsets and positions.
    public var units: String?
    public var anchor: Anchor?
    public var position: Position?

    public init(name: String? = nil, kind: Field.Kind, role: String, required: Bool? = nil, options: [String]? = nil,
                maxLength: Int? = nil, pattern: String? = nil, width: Double? = nil, height: Double? = nil,
                units: String? = nil, anchor: Anchor? = nil, position: Position? = nil, label: String? = nil) {
        self.name = name
        self.kind = kind
        self.role = role
        self.required = required
        self.options = options
        self.maxLength = maxLength
        self.pattern = pattern
        self.label = label
        self.width = width
        self.height = height
        self.units = units
        self.anchor = anchor
        self.position = position
    }

    /// Text in the PDF the field is placed by: the field's top-left corner goes at the found
    /// text's top-left corner (on the page as displayed), moved `offsetX` right and `offsetY` down.
    public struct Anchor: Sendable, Hashable, Codable {
        public var text: String
        /// `first` (default), `all` (one field per occurrence, named `<name>_<n>`), or a
        /// 1-based occurrence number as text (`"2"`).
        public var occurrence: String?
        public var offsetX: Double?
        public var offsetY: Double?
        /// Match case exactly (default: case-insensitive).
        public var caseSensitive: Bool?

        public init(text: String, occurrence: String? = nil, offsetX: Double? = nil, offsetY: Double? = nil,
                    caseSensitive: Bool? = nil) {
            self.text = text
            self.occurrence = occurrence
            self.offsetX = offsetX
            self.offsetY = offsetY
            self.caseSensitive = caseSensitive
        }
    }

    /// A position on a page as displayed (the crop box with `/Rotate` applied).
    public struct Position: Sendable, Hashable, Codable {
        /// 1-based page number.
        public var page: Int
        public var x: Double
        public var y: Double
        /// `top-left` (default: x right and y down from the displayed page's top-left corner to
        /// the field's top-left corner) or `bottom-left` (x right and y up from the bottom-left
        /// corner to the field's bottom-left corner, as in PDF).
        public var origin: String?

        public init(page: Int, x: Double, y: Double, origin: String? = nil) {
            self.page = page
            self.x = x
            self.y = y
            self.origin = origin
        }
    }
}
