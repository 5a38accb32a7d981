public import Foundation

/// Someone an envelope goes to. Recipients are not users: they act through their token.
public struct Recipient: Sendable, Hashable, Codable {
    /// The most recipients an envelope may have.
    public static let maximumPerEnvelope = 100

    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        /// Signs; their mark goes into their signature field.
        case signer
        /// Approves (or declines); blocks later routing orders until they do.
        case approver
        /// Gets the completed copy.
        case cc
        /// May view once it is their turn; does not act.
        case viewer

        /// Whether the envelope waits for this recipient.
        var mustAct: Bool { self == .signer || self == .approver }
    }

    /// `created → sent → delivered → completed | declined`.
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case created, sent, delivered, completed, declined
    }

    public var id: String
    public var name: String
    public var email: String
    public var role: Role
    /// Equal orders run in parallel; the lowest unfinished order is active.
    public var routingOrder: Int
    public var authentication: Authentication
    public var state: State
    /// The template's signature role whose field this signer's mark fills (`customer`).
    public var signatureRole: String?
    /// The `when` expression that included this recipient, kept for the evidence.
    public var condition: String?
    /// Fields this recipient fills.
    public var fields: [Field]
    /// SHA-256 (hex) of each signing token issued to the recipient (the first e-mail, reminders,
    /// resends); the tokens themselves are only e-mailed. Emptied when the e-mail is corrected.
    public var tokenHashes: [String]
    public var consent: Consent?
    /// When the recipient passed the authentication their method needs.
    public var authenticatedAt: Date?
    public var otp: OneTimeCode?
    /// Failed access-code attempts (five lock the recipient out until resent).
    public var failedAttempts: Int
    public var mark: AdoptedMark?
    public var actedAt: Date?
    public var declineReason: String?
    /// IP and user agent of the recipient's last action.
    public var lastIP: String?
    public var lastUserAgent: String?

    /// A new recipient in state `created`.
    public init(id: String, name: String, email: String, role: Role, routingOrder: Int,
                authentication: Authentication = .emailOTP, signatureRole: String? = nil, condition: String? = nil,
                fields: [Field] = []) {
        self.id = id
        self.name = name
        self.email = email
        self.role = role
        self.routingOrder = routingOrder
        self.authentication = authentication
        self.state = .created
        self.signatureRole = signatureRole
        self.condition = condition
        self.fields = fields
        self.failedAttempts = 0
        self.tokenHashes = []
    }
}

/// How a recipient proves who they are before acting.
public enum Authentication: Sendable, Hashable, Codable {
    /// Holding the link is enough.
    case link
    /// A 6-digit code e-mailed on request: valid 10 minutes, 5 attempts.
    case emailOTP
    /// A code the sender gives the recipient out of band; only its SHA-256 is stored.
    case accessCode(sha256: String)

    /// The method's name in events and on the Certificate of Completion.
    public var displayName: String {
        switch self {
        case .link: return "Link"
        case .emailOTP: return "Email OTP"
        case .accessCode: return "Access code"
        }
    }
}

/// What the recipient consented to: the electronic-records disclosure (ESIGN) by version and hash.
public struct Consent: Sendable, Hashable, Codable {
    public var disclosureVersion: String
    public var disclosureSHA256: String
    public var at: Date
}

/// An outstanding e-mailed one-time code (its SHA-256, never the code).
public struct OneTimeCode: Sendable, Hashable, Codable {
    public var sha256: String
    public var expiresAt: Date
    public var attempts: Int

    public static let lifetime: TimeInterval = 600
    public static let maximumAttempts = 5
    /// The least time between two codes for one recipient: a link holder cannot flood the
    /// signer's mailbox, nor draw fresh codes to guess at faster.
    public static let minimumInterval: TimeInterval = 30
    /// Wrong codes (of every code, or access codes) a recipient may enter in all before they are
    /// locked out until the sender resends the invitation: a new code does not reset this count,
    /// so guessing is bounded however many codes are drawn.
    public static let lockOutAfter = 10

    /// When this code was sent.
    public var sentAt: Date { expiresAt.addingTimeInterval(-Self.lifetime) }
}

/// A field a recipient fills: its value is drawn into the document at completion.
///
/// In a generated document, fields other than `signature` name a field declared in the
/// template's `<fields>`, so the value goes through the template (typed, formatted, laid out)
/// when the final document is made. On an uploaded document every field has a `placement` and
/// its value (or the signer's mark) is drawn there, over the page.
public struct Field: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case signature, initials, dateSigned = "date-signed", text, checkbox, dropdown
    }

    /// The template field name (for `signature`, the template's signature role).
    public var name: String
    public var kind: Kind
    public var required: Bool
    /// The choices of a dropdown (from the template's enum field).
    public var options: [String]
    public var value: String?
    /// Where the field sits on an uploaded document's page; nil in generated documents.
    public var placement: FieldPlacement?
    /// The most characters a text field takes (nil: the default limit).
    public var maxLength: Int?
    /// A regular expression the whole value of a text field must match.
    public var pattern: String?
    /// What the signer is asked for: the label the template prints under the field, or the one an
    /// upload gives (nil: the signing page shows the name).
    public var label: String?

    public init(name: String, kind: Kind, required: Bool = true, options: [String] = [], value: String? = nil,
                placement: FieldPlacement? = nil, maxLength: Int? = nil, pattern: String? = nil, label: String? = nil) {
        self.name = name
        self.kind = kind
        self.required = required
        self.options = options
        self.value = value
        self.placement = placement
        self.maxLength = maxLength
        self.pattern = pattern
        self.label = label
    }

    /// What a page asks the signer for: the label, or else the name in words (`purchase_order`
    /// reads "Purchase Order").
    public var displayLabel: String { label ?? name.replacingOccurrences(of: "_", with: " ").capitalized }

    /// The most characters a filled value of this field takes: 8 for initials, else its own
    /// `maxLength`, at most 500. What the engine enforces and the signing form's input limit.
    public var characterLimit: Int { kind == .initials ? 8 : min(maxLength ?? 500, 500) }
}

/// Where a field sits on a page of an uploaded document.
///
/// The rectangle is on the page **as displayed**: the crop box with the page's `/Rotate`
/// applied, in points, origin at the displayed page's bottom-left corner, y up. A viewer shows
/// the field there whatever the page's rotation or crop-box offset.
public struct FieldPlacement: Sendable, Hashable, Codable {
    /// The envelope document's id (`doc_1`, …).
    public var document: String
    /// 1-based page number.
    public var page: Int
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    /// The text tag the field was placed by (painted over at completion), if any.
    public var tag: TagBox?

    public init(document: String, page: Int, x: Double, y: Double, width: Double, height: Double, tag: TagBox? = nil) {
        self.document = document
        self.page = page
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.tag = tag
    }

    /// A tag's box on the displayed page (same coordinates as the field's).
    public struct TagBox: Sendable, Hashable, Codable {
        public var x: Double, y: Double, width: Double, height: Double

        public init(x: Double, y: Double, width: Double, height: Double) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
        }
    }
}
