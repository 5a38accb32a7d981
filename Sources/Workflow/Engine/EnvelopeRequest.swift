import Foundation

/// What an agent asks for when creating an envelope: a document generated from a published
/// template (`templateID`, `templateVersion`, `data`), or uploaded PDFs with placed fields
/// (`documents`) — one or the other.
public struct EnvelopeRequest: Sendable, Hashable, Codable {
    public var templateID: String?
    public var templateVersion: String?
    /// Uploaded PDFs and the fields placed on them (instead of a template).
    public var documents: [DocumentUpload]?
    public var subject: String
    public var message: String?
    /// The template's data as text values (as a CSV row); for uploads, only what `when`
    /// conditions read.
    public var data: [String: String]
    public var recipients: [RecipientRequest]
    /// CRM identifiers carried into every event and export.
    public var metadata: [String: String]
    public var retentionCategory: String
    public var reminders: ReminderPolicy
    /// The date written into the documents (ISO 8601); the day of creation by default.
    public var documentDate: String?

    public init(templateID: String, templateVersion: String, subject: String, message: String? = nil,
                data: [String: String], recipients: [RecipientRequest], metadata: [String: String] = [:],
                retentionCategory: String = "standard-contract", reminders: ReminderPolicy = ReminderPolicy(),
                documentDate: String? = nil) {
        self.templateID = templateID
        self.templateVersion = templateVersion
        self.subject = subject
        self.message = message
        self.data = data
        self.recipients = recipients
        self.metadata = metadata
        self.retentionCategory = retentionCategory
        self.reminders = reminders
        self.documentDate = documentDate
    }

    /// A request for an envelope over uploaded PDFs; each signer's `signatureRole` is the role
    /// the documents' fields name.
    public init(documents: [DocumentUpload], subject: String, message: String? = nil, data: [String: String] = [:],
                recipients: [RecipientRequest], metadata: [String: String] = [:],
                retentionCategory: String = "standard-contract", reminders: ReminderPolicy = ReminderPolicy()) {
        self.documents = documents
        self.subject = subject
        self.message = message
        self.data = data
        self.recipients = recipients
        self.metadata = metadata
        self.retentionCategory = retentionCategory
        self.reminders = reminders
    }
}

/// One recipient of an envelope request.
public struct RecipientRequest: Sendable, Hashable, Codable {
    public enum AuthenticationRequest: Sendable, Hashable, Codable {
        case link
        case emailOTP
        /// The access code the sender gives the recipient (only its SHA-256 is stored).
        case accessCode(String)
    }

    public var name: String
    public var email: String
    public var role: Recipient.Role
    public var routingOrder: Int
    public var authentication: AuthenticationRequest
    /// The template's signature role this signer's mark fills.
    public var signatureRole: String?
    /// Fields the recipient fills (template field names).
    public var fields: [FieldRequest]
    /// A condition over the envelope's data: the recipient is included only when it holds.
    public var when: String?

    public init(name: String, email: String, role: Recipient.Role, routingOrder: Int = 1,
                authentication: AuthenticationRequest = .emailOTP, signatureRole: String? = nil,
                fields: [FieldRequest] = [], when: String? = nil) {
        self.name = name
        self.email = email
        self.role = role
        self.routingOrder = routingOrder
        self.authentication = authentication
        self.signatureRole = signatureRole
        self.fields = fields
        self.when = when
    }
}

/// A field a recipient fills: `name` is a field declared in the template's `<fields>`.
public struct FieldRequest: Sendable, Hashable, Codable {
    public var name: String
    public var kind: Field.Kind
    public var required: Bool

    public init(name: String, kind: Field.Kind, required: Bool = true) {
        self.name = name
        self.kind = kind
        self.required = required
    }
}
