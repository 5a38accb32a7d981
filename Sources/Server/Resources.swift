import Foundation
import Workflow

/// The JSON shapes of the API (docs/openapi.yaml, components/schemas): what a client sees of
/// the workflow's records — never token hashes, one-time codes or key hashes.
struct EnvelopeResource: Encodable {
    struct TemplateRef: Encodable {
        var id: String
        var version: String
        var sha256: String
    }
    struct RecipientResource: Encodable {
        var id: String
        var name: String
        var email: String
        var role: String
        var routingOrder: Int
        var state: String
        var authentication: String
        var signatureRole: String?
        var actedAt: Date?
        var declineReason: String?
        var fields: [FieldResource]
    }
    struct FieldResource: Encodable {
        var name: String
        var kind: String
        var required: Bool
        var options: [String]
        /// What the signer is asked for (the template's or upload's label, else the name in words).
        var label: String
        /// The most characters a value takes (text and initials).
        var maxLength: Int?
        var pattern: String?
        var placement: PlacementResource?
        var value: String?
    }
    /// Where a field sits: the page as displayed, points, origin bottom-left, y up.
    struct PlacementResource: Encodable {
        var document: String
        var page: Int
        var x: Double, y: Double, width: Double, height: Double
    }
    struct DocumentResource: Encodable {
        var id: String
        var name: String
        var pages: Int
        var sha256: String
        var sealedSha256: String?
        var purged: Bool
        /// `generated` (from the template) or `uploaded`.
        var origin: String
    }
    struct Retention: Encodable {
        var category: String
        var retainUntil: Date?
        var legalHold: Bool
        var purgedAt: Date?
    }

    var id: String
    var state: String
    var subject: String
    var message: String?
    /// Nil for envelopes over uploaded PDFs.
    var template: TemplateRef?
    var metadata: [String: String]
    var createdAt: Date
    var sentAt: Date?
    var expiresAt: Date?
    var finishedAt: Date?
    var finishReason: String?
    var completionQueued: Bool
    var revision: Int
    var eventCount: Int
    var retention: Retention
    var recipients: [RecipientResource]
    var documents: [DocumentResource]

    init(_ envelope: Envelope) {
        id = envelope.id
        state = envelope.state.rawValue
        subject = envelope.subject
        message = envelope.message
        template = envelope.template.map { TemplateRef(id: $0.templateID, version: $0.version, sha256: $0.sha256) }
        metadata = envelope.metadata
        createdAt = envelope.createdAt
        sentAt = envelope.sentAt
        expiresAt = envelope.expiresAt
        finishedAt = envelope.finishedAt
        finishReason = envelope.finishReason
        completionQueued = envelope.completionQueued
        revision = envelope.revision
        eventCount = envelope.eventCount
        retention = Retention(category: envelope.retention.category, retainUntil: envelope.retention.retainUntil,
                              legalHold: envelope.retention.legalHold, purgedAt: envelope.retention.purgedAt)
        recipients = envelope.recipients.map(Self.recipient)
        documents = envelope.documents.map(Self.document)
    }

    static func document(_ document: EnvelopeDocument) -> DocumentResource {
        DocumentResource(id: document.id, name: document.name, pages: document.pages, sha256: document.sentSHA256,
                         sealedSha256: document.sealedSHA256, purged: document.purged, origin: (document.origin ?? .generated).rawValue)
    }

    static func recipient(_ recipient: Recipient) -> RecipientResource {
        let method: String
        switch recipient.authentication {
        case .link: method = "link"
        case .emailOTP: method = "emailOTP"
        case .accessCode: method = "accessCode"
        }
        return RecipientResource(id: recipient.id, name: recipient.name, email: recipient.email, role: recipient.role.rawValue,
                                 routingOrder: recipient.routingOrder, state: recipient.state.rawValue, authentication: method,
                                 signatureRole: recipient.signatureRole, actedAt: recipient.actedAt,
                                 declineReason: recipient.declineReason,
                                 fields: recipient.fields.map {
                                     FieldResource(name: $0.name, kind: $0.kind.rawValue, required: $0.required, options: $0.options,
                                                   label: $0.displayLabel,
                                                   maxLength: $0.kind == .text || $0.kind == .initials ? $0.characterLimit : nil,
                                                   pattern: $0.pattern,
                                                   placement: $0.placement.map {
                                                       PlacementResource(document: $0.document, page: $0.page, x: $0.x, y: $0.y,
                                                                         width: $0.width, height: $0.height)
                                                   },
                                                   value: $0.value)
                                 })
    }
}

struct TemplateVersionResource: Encodable {
    var templateId: String
    var version: String
    var state: String
    var sha256: String?
    var sourceSha256: String
    var createdAt: Date
    var createdBy: String
    var publishedAt: Date?
    var publishedBy: String?
    var retiredAt: Date?
    var revision: Int

    init(_ version: TemplateVersion) {
        templateId = version.templateID
        self.version = version.version
        state = version.state.rawValue
        sha256 = version.sha256
        sourceSha256 = DigestHex.sha256(Array(version.source))
        createdAt = version.createdAt
        createdBy = version.createdBy
        publishedAt = version.publishedAt
        publishedBy = version.publishedBy
        retiredAt = version.retiredAt
        revision = version.revision
    }
}

struct ClauseVersionResource: Encodable {
    var clauseId: String
    var version: String
    var state: String
    var sourceSha256: String
    var proposedAt: Date
    var approvedBy: String?
    var approvedOn: String?
    var revision: Int

    init(_ clause: ClauseVersion) {
        clauseId = clause.clauseID
        version = clause.version
        state = clause.state.rawValue
        sourceSha256 = DigestHex.sha256(Array(clause.source))
        proposedAt = clause.proposedAt
        approvedBy = clause.approvedBy
        approvedOn = clause.approvedOn
        revision = clause.revision
    }
}

struct KeyResource: Encodable {
    var id: String
    var role: String
    var name: String
    var createdAt: Date
    var revokedAt: Date?
    /// Only in the answer that created the key.
    var secret: String?

    init(_ key: APIKeyRecord, secret: String? = nil) {
        id = key.id
        role = key.role.rawValue
        name = key.name
        createdAt = key.createdAt
        revokedAt = key.revokedAt
        self.secret = secret
    }
}

struct EventResource: Encodable {
    struct Actor: Encodable {
        var kind: String
        var id: String
        var onBehalfOf: String?
    }
    var sequence: Int
    var type: String
    var at: Date
    var actor: Actor
    var data: [String: String]
    var personal: [String: String]?
    var previousHash: String
    var hash: String

    init(_ event: WorkflowEvent) {
        sequence = event.sequence
        type = event.type
        at = event.at
        actor = Actor(kind: event.actor.kind.rawValue, id: event.actor.id, onBehalfOf: event.actor.onBehalfOf)
        data = event.data
        personal = event.personal
        previousHash = event.previousHash
        hash = event.hash
    }
}

/// A page of a list with the cursor of the next page (null on the last).
struct Page<Item: Encodable>: Encodable {
    var items: [Item]
    var nextCursor: String?
}
