public import Foundation
import Templates

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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, email, role, routingOrder, authentication, accessCode, signatureRole, fields, when
        }
    }

    public struct ReminderBody: Decodable, Sendable {
        /// Seconds between reminders (at least 3600).
        public var interval: Double
        public var maximum: Int

        enum CodingKeys: String, CodingKey, CaseIterable { case interval, maximum }
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

    enum CodingKeys: String, CodingKey, CaseIterable {
        case templateId, templateVersion, documents, subject, message, data, recipients, metadata, retentionCategory,
             reminders, documentDate, send
    }

    /// The first key of `json` that an envelope request does not have (a misspelling, or a
    /// key of another format such as `templateID`), said with its path and the closest key;
    /// nil when every key is known or `json` is not an object (decoding says what is wrong then).
    /// Decoding alone would ignore such a key and the value it meant to give.
    public static func unknownKeyProblem(in json: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else { return nil }
        func check<Keys: CodingKey & CaseIterable>(_ object: [String: Any], _ keys: Keys.Type, _ path: String) -> String? {
            let known = keys.allCases.map(\.stringValue)
            for key in object.keys.sorted() where !known.contains(key) {
                let hint = Suggestions.closest(to: key, in: known).map { "; did you mean '\($0)'?" }
                    ?? "; its fields are " + known.joined(separator: ", ")
                return "\(path)\(key) is not a field of an envelope request\(hint)"
            }
            return nil
        }
        if let problem = check(object, CodingKeys.self, "") { return problem }
        for (index, recipient) in ((object["recipients"] as? [Any]) ?? []).enumerated() {
            if let recipient = recipient as? [String: Any], let problem = check(recipient, RecipientBody.CodingKeys.self, "recipients[\(index)].") {
                return problem
            }
        }
        if let reminders = object["reminders"] as? [String: Any] { return check(reminders, ReminderBody.CodingKeys.self, "reminders.") }
        return nil
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
