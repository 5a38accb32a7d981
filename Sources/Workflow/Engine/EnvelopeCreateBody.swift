public import Foundation
import Templates
import InputChecks

/// An envelope request as JSON: the body of `POST /v1/envelopes` (docs/openapi.yaml,
/// `EnvelopeCreate`) and the file `countersign envelope create --request` reads — one format for
/// both. `request()` turns it into an `EnvelopeRequest`, applying the documented defaults
/// (routing order 1, `emailOTP` authentication, the `standard-contract` retention category).
public struct EnvelopeCreateBody: Decodable, Sendable {
    public struct RecipientBody: Decodable, Sendable {
        public var name: String
        public var email: String
        public var role: Recipient.Role
        public var routingOrder: Int?
        /// `link`, `emailOTP` (default) or `accessCode` (with `accessCode`).
        public var authentication: String?
        public var accessCode: String?
        public var signatureRole: String?
        public var fields: [FieldRequest]?
        public var when: String?
    }

    public struct ReminderBody: Decodable, Sendable {
        /// Seconds between reminders (at least 3600).
        public var interval: Double
        public var maximum: Int
    }

    public var templateId: String?
    public var templateVersion: String?
    /// Uploaded PDFs with placed fields, instead of a template.
    public var documents: [DocumentUpload]?
    public var subject: String
    public var message: String?
    public var data: [String: String]?
    public var recipients: [RecipientBody]
    public var metadata: [String: String]?
    public var retentionCategory: String?
    public var reminders: ReminderBody?
    public var documentDate: String?
    /// Send at once (one request instead of create + send).
    public var send: Bool?

    /// The body of `json`, refusing a key an envelope request does not have at any depth (a
    /// misspelling, or a key of another format such as `templateID`: `StrictJSONDecoder`), which
    /// decoding alone would ignore with the value it meant to give.
    public static func decode(_ json: Data) throws -> EnvelopeCreateBody {
        try StrictJSONDecoder(what: "an envelope request").decode(Self.self, from: json)
    }

    /// The request this body asks for; a body that does not make one is an `invalidRequest`
    /// naming the field.
    public func request() throws(WorkflowError) -> EnvelopeRequest {
        let recipients = try Self.recipients(self.recipients)
        var policy = ReminderPolicy()
        if let reminders {
            policy.interval = reminders.interval
            policy.maximum = reminders.maximum
        }
        switch (templateId, templateVersion, documents) {
        case (let id?, let version?, nil):
            return EnvelopeRequest(templateID: id, templateVersion: version, subject: subject, message: message,
                                   data: data ?? [:], recipients: recipients, metadata: metadata ?? [:],
                                   retentionCategory: retentionCategory ?? "standard-contract", reminders: policy,
                                   documentDate: documentDate)
        case (nil, nil, let documents?):
            guard documentDate == nil else {
                throw WorkflowError(.invalidRequest, "documentDate is for generated documents; uploaded PDFs are used as they are")
            }
            return EnvelopeRequest(documents: documents, subject: subject, message: message, data: data ?? [:],
                                   recipients: recipients, metadata: metadata ?? [:],
                                   retentionCategory: retentionCategory ?? "standard-contract", reminders: policy)
        default:
            throw WorkflowError(.invalidRequest, "give templateId and templateVersion (a generated document) or documents (uploaded PDFs), not both")
        }
    }

    /// The recipients' requests, each authentication checked against its access code.
    public static func recipients(_ items: [RecipientBody]) throws(WorkflowError) -> [RecipientRequest] {
        var recipients: [RecipientRequest] = []
        for (index, item) in items.enumerated() {
            let authentication: RecipientRequest.AuthenticationRequest
            switch item.authentication ?? "emailOTP" {
            case "link": authentication = .link
            case "emailOTP": authentication = .emailOTP
            case "accessCode":
                guard let code = item.accessCode else {
                    throw WorkflowError(.invalidRequest, "recipients[\(index)]: authentication accessCode needs accessCode")
                }
                authentication = .accessCode(code)
            case let other:
                throw WorkflowError(.invalidRequest, "recipients[\(index)].authentication '\(other)' is not link, emailOTP or accessCode")
            }
            if item.accessCode != nil, item.authentication != "accessCode" {
                throw WorkflowError(.invalidRequest, "recipients[\(index)]: accessCode is only for authentication accessCode")
            }
            recipients.append(RecipientRequest(name: item.name, email: item.email, role: item.role, routingOrder: item.routingOrder ?? 1,
                                               authentication: authentication, signatureRole: item.signatureRole,
                                               fields: item.fields ?? [], when: item.when))
        }
        return recipients
    }
}
