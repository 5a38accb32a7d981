public import Verification

/// The JSON form of a verification report (schema: docs/verify-report.md).
extension VerificationReport: JSONRepresentable {
    public var json: JSONValue {
        .object([
            "file": .string(file), "verdict": .string(verdict.rawValue), "revisions": .int(revisions), "bytes": .int(bytes),
            "signatures": .array(signatures.map(\.json)),
            "fileReasons": .array(fileIssues.map { .string($0.reason) }),
            "fileCodes": .array(fileIssues.map { .string($0.code.name) }),
            "fileSubIndications": .array(fileIssues.map(\.subIndication.json)),
            "indication": .string(indication),
            "notes": .array(notes.map(\.json)),
            "unsignedSignatureFields": .array(unsignedSignatureFields.map(JSONValue.string)),
            "usageRights": .array(usageRights.map(\.json)),
            "audit": audit.json,
            "trustedLists": trustedLists.json,
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
            "cmsSHA256": cmsSHA256.map(JSONValue.string) ?? .null,
            "certificationLevel": certificationLevel.map(JSONValue.int) ?? .null,
            "modifications": .array(modifications.map(\.json)),
            "verdict": .string(verdict.rawValue), "reasons": .array(issues.map { .string($0.reason) }),
            "codes": .array(issues.map { .string($0.code.name) }),
            "subIndications": .array(issues.map(\.subIndication.json)),
            "indication": .string(indication), "subIndication": subIndication.json,
            "timestamps": .array(timestamps.map(\.json)), "otherSigners": .array(otherSigners.map(\.json)),
            "algorithms": algorithms.json, "notes": .array(notes.map(\.json)),
            "revocation": revocation.json,
            "qualification": qualification.json,
        ])
    }
}

extension SubIndication: JSONRepresentable {
    public var json: JSONValue { .string(name) }
}

extension ReportNote: JSONRepresentable {
    public var json: JSONValue {
        .object(["code": .string(code), "offset": offset.map(JSONValue.int) ?? .null, "message": .string(message)])
    }
}

extension UsageRightsSignature: JSONRepresentable {
    public var json: JSONValue {
        .object(["permission": .string(permission), "subFilter": subFilter.map(JSONValue.string) ?? .null, "signer": signer.json])
    }
}

extension SignatureAlgorithms: JSONRepresentable {
    public var json: JSONValue {
        .object(["digest": .string(digest), "signature": .string(signature), "key": .string(key)])
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
                 "sentDocumentMatches": sentDocumentMatches.map(JSONValue.bool) ?? .null,
                 "revision": revision.map(JSONValue.int) ?? .null, "reasons": .array(issues.map { .string($0.reason) })])
    }
}

extension QualificationReport: JSONRepresentable {
    public var json: JSONValue {
        .object([
            "level": .string(level), "qualifiedCertificate": .bool(qualifiedCertificate),
            "type": type.map(JSONValue.string) ?? .null, "qscd": .bool(qscd),
            "service": service.map { service in
                .object(["name": .string(service.name), "provider": .string(service.provider), "territory": .string(service.territory),
                         "type": .string(service.type), "status": .string(service.status)])
            } ?? .null,
            "time": .string(ReportTime.iso(time)), "reasons": .array(reasons.map(JSONValue.string)),
        ])
    }
}

extension TrustedListsReport: JSONRepresentable {
    public var json: JSONValue {
        .object([
            "lists": .array(lists.map { list in
                .object(["source": .string(list.source), "kind": .string(list.kind), "territory": .string(list.territory),
                         "sequenceNumber": list.sequenceNumber.map(JSONValue.int) ?? .null,
                         "nextUpdate": list.nextUpdate.map { .string(ReportTime.iso($0)) } ?? .null,
                         "signer": .string(list.signer), "services": .int(list.services), "expired": .bool(list.expired)])
            }),
            "refused": .array(refused.map { .object(["source": .string($0.source), "code": .string($0.code), "reason": .string($0.reason)]) }),
            "missing": .array(missing.map(JSONValue.string)),
        ])
    }
}
