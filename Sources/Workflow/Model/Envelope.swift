public import Foundation

/// An envelope: documents, recipients and their fields, moving `draft → sent → completed |
/// declined | voided | expired` (DESIGN.md §13). Stores keep it as one aggregate with an
/// optimistic-concurrency `revision`.
public struct Envelope: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case draft, sent, completed, declined, voided, expired

        /// Whether nothing can happen to the envelope any more (but retention and purge).
        public var isFinal: Bool { self != .draft && self != .sent }
    }

    public var id: String
    public var account: String
    public var state: State
    /// Increases with every committed change; a write names the revision it read.
    public var revision: Int
    public var subject: String
    /// The sender's message, put in every e-mail.
    public var message: String?
    /// The published template version the document is generated from; nil when the envelope's
    /// documents were uploaded.
    public var template: TemplateReference?
    /// The envelope's data as text values, as for a CSV row (coerced by the template's field types).
    public var data: [String: String]
    public var documents: [EnvelopeDocument]
    public var recipients: [Recipient]
    public var createdAt: Date
    public var createdBy: String
    public var sentAt: Date?
    public var expiresAt: Date?
    public var finishedAt: Date?
    /// Why it was voided or declined.
    public var finishReason: String?
    public var reminders: ReminderPolicy
    public var retention: RetentionPolicy
    /// CRM identifiers (lead id, ticket id, owner…), carried into every event and export.
    public var metadata: [String: String]
    /// Set once every recipient who must act has acted and the completion job is queued.
    public var completionQueued: Bool
    /// Evidence of the last event written for this envelope.
    public var eventCount: Int
    public var headHash: String

    /// A new draft envelope with no documents and no recipients.
    public init(id: String, account: String, subject: String, template: TemplateReference?, data: [String: String] = [:],
                createdAt: Date, createdBy: String, metadata: [String: String] = [:],
                reminders: ReminderPolicy = ReminderPolicy(), retention: RetentionPolicy = RetentionPolicy()) {
        self.id = id
        self.account = account
        self.state = .draft
        self.revision = 0
        self.subject = subject
        self.template = template
        self.data = data
        self.documents = []
        self.recipients = []
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.reminders = reminders
        self.retention = retention
        self.metadata = metadata
        self.completionQueued = false
        self.eventCount = 0
        self.headHash = WorkflowEvent.genesis
    }

    /// The recipient with this id, or `notFound`.
    public func recipient(_ id: String) throws(WorkflowError) -> Recipient {
        guard let recipient = recipients.first(where: { $0.id == id }) else {
            throw WorkflowError(.notFound, "envelope \(self.id) has no recipient \(id)")
        }
        return recipient
    }

    mutating func update(_ id: String, _ change: (inout Recipient) throws(WorkflowError) -> Void) throws(WorkflowError) {
        guard let index = recipients.firstIndex(where: { $0.id == id }) else {
            throw WorkflowError(.notFound, "envelope \(self.id) has no recipient \(id)")
        }
        try change(&recipients[index])
    }
}

/// The published template version an envelope's documents come from.
public struct TemplateReference: Sendable, Hashable, Codable {
    public var templateID: String
    public var version: String
    public var sha256: String

    public init(templateID: String, version: String, sha256: String) {
        self.templateID = templateID
        self.version = version
        self.sha256 = sha256
    }
}

extension Envelope {
    /// The documents the envelope holds in the `DocumentStore` (each kept while it is held): the
    /// SHA-256 of each document as sent and as sealed, until a purge.
    public var heldDocuments: [String] {
        documents.filter { !$0.purged }.flatMap { [$0.sentSHA256] + ($0.sealedSHA256.map { [$0] } ?? []) }
    }
}

/// One document of an envelope, content-addressed in the `DocumentStore`.
public struct EnvelopeDocument: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    /// SHA-256 (hex) of the document as sent (unsigned, fields empty).
    public var sentSHA256: String
    public var pages: Int
    /// SHA-256 (hex) of the completed, sealed document.
    public var sealedSHA256: String?
    /// Set when retention purged the bytes (the hashes stay).
    public var purged: Bool
    /// Where the document came from; nil (in envelopes stored before uploads existed) is generated.
    public var origin: Origin?
    /// SHA-256 (hex) of the uploaded file as received, when signing's input rules rewrote it
    /// cleanly before it was stored (`sentSHA256` is then the rewrite).
    public var uploadedSHA256: String?

    /// How an envelope's document was made.
    public enum Origin: String, Sendable, Hashable, Codable {
        /// Generated from the envelope's template version and data.
        case generated
        /// Uploaded as a PDF; fields are placed on its pages and drawn over them at completion.
        case uploaded
    }

    public init(id: String, name: String, sentSHA256: String, pages: Int, origin: Origin = .generated) {
        self.id = id
        self.name = name
        self.sentSHA256 = sentSHA256
        self.pages = pages
        self.purged = false
        self.origin = origin
    }

    /// Whether the document was uploaded (its fields are drawn over its pages at completion).
    public var isUploaded: Bool { origin == .uploaded }
}

/// Reminders: the first `interval` after sending, then every `interval`, at most `maximum`.
public struct ReminderPolicy: Sendable, Hashable, Codable {
    public var interval: TimeInterval
    public var maximum: Int
    public var sent: Int

    public init(interval: TimeInterval = 48 * 3600, maximum: Int = 3, sent: Int = 0) {
        self.interval = interval
        self.maximum = maximum
        self.sent = sent
    }
}

/// How long the completed record is kept and whether it is held.
public struct RetentionPolicy: Sendable, Hashable, Codable {
    /// A category name (`standard-contract`, `hipaa`, `consent`, …).
    public var category: String
    /// Set at completion (or when the envelope otherwise ends) from the category's duration.
    public var retainUntil: Date?
    /// A legal hold blocks purging whatever `retainUntil` says.
    public var legalHold: Bool
    public var purgedAt: Date?

    public init(category: String = "standard-contract") {
        self.category = category
        self.legalHold = false
    }

    /// The built-in categories and their durations in years.
    public static let categories: [String: Int] = ["standard-contract": 7, "hipaa": 6, "consent": 3, "short": 1]
}
