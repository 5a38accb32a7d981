public import Verification
import Foundation

/// The JSON form of the revocation checks (schema: docs/verify-report.md, "Revocation").
extension RevocationReport: JSONRepresentable {
    public var json: JSONValue {
        .object([
            "mode": .string(online ? "online" : "offline"),
            "validationTime": .string(ReportTime.iso(validationTime)),
            "bestSignatureTime": bestSignatureTime.map { .string(ReportTime.iso($0)) } ?? .null,
            "subIndication": subIndication.map { .string($0.rawValue) } ?? .null,
            "certificates": .array(certificates.map(\.json)),
        ])
    }
}

extension CertificateRevocation: JSONRepresentable {
    public var json: JSONValue {
        func time(_ date: Date?) -> JSONValue { date.map { .string(ReportTime.iso($0)) } ?? .null }
        return .object([
            "role": .string(role.rawValue), "subject": .string(subject), "certificateSHA256": .string(certificateSHA256),
            "status": .string(status.rawValue), "source": source.map(JSONValue.string) ?? .null,
            "origin": origin.map { .string($0.rawValue) } ?? .null,
            "thisUpdate": time(thisUpdate), "nextUpdate": time(nextUpdate),
            "issuedBy": issuedBy.map(JSONValue.string) ?? .null,
            "revocationTime": time(revocationTime), "revocationReason": revocationReason.map(JSONValue.string) ?? .null,
            "controlTime": time(controlTime), "notes": .array(notes.map(JSONValue.string)),
        ])
    }
}
