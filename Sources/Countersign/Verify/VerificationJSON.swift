public import Verification

/// The JSON form of a verification report (schema: docs/verify-report.md).
extension VerificationReport: JSONRepresentable {
    public var json: JSONValue {
        .object([
            "file": .string(file), "verdict": .string(verdict.rawValue), "revisions": .int(revisions), "bytes": .int(bytes),
            "signatures": .array(signatures.map(\.json)),
            "fileReasons": .array(fileIssues.map { .string($0.reason) }),
            "fileCodes": .array(fileIssues.map { .string($0.code.name) }),
            "audit": audit.json,
        ])
    }
}

extension SignatureReport: JSONRepresentable {
    public var json: JSONValue {
        .object([
            "field": .string(field), "kind": .string(kind.rawValue), "signer": signer.json,
            "signingTime": signingTime.map { .string(ReportTime.iso($0)) } ?? .null,
            "timestamp": timestamp.json, "coverage": .string(coverage), "revision": revision.map(JSONValue.int) ?? .null,
            "subFilter": subFilter.map(JSONValue.string) ?? .null,
            "byteRange": byteRange.map { .array($0.map(JSONValue.int)) } ?? .null,
            "certificationLevel": certificationLevel.map(JSONValue.int) ?? .null,
            "modifications": .array(modifications.map(\.json)),
            "verdict": .string(verdict.rawValue), "reasons": .array(issues.map { .string($0.reason) }),
            "codes": .array(issues.map { .string($0.code.name) }),
            "revocation": revocation.json,
        ])
    }
}

extension SignerIdentity: JSONRepresentable {
    public var json: JSONValue {
        .object(["commonName": commonName.map(JSONValue.string) ?? .null, "subject": .string(subject),
                 "issuer": .string(issuer), "certificateSHA256": .string(certificateSHA256)])
    }
}

extension TimestampSummary: JSONRepresentable {
    public var json: JSONValue {
        .object(["genTime": .string(ReportTime.iso(genTime)), "tsa": authority.map(JSONValue.string) ?? .null,
                 "intact": .bool(intact), "trusted": .bool(trusted)])
    }
}

extension Modification: JSONRepresentable {
    public var json: JSONValue {
        .object(["revision": .int(revision), "object": .string(object), "kind": .string(kind), "allowed": .bool(allowed),
                 "description": .string(description)])
    }
}

extension AuditReport: JSONRepresentable {
    public var json: JSONValue {
        .object(["envelopeId": envelopeId.map(JSONValue.string) ?? .null, "events": .int(events),
                 "chainIntact": .bool(chainIntact), "documentHashMatches": .bool(documentHashMatches),
                 "revision": revision.map(JSONValue.int) ?? .null, "reasons": .array(issues.map { .string($0.reason) })])
    }
}
