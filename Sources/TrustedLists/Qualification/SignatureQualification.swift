public import CountersignCrypto
public import Foundation

/// A signature's EU qualification as EU DSS reports it (QESig, QESeal, AdESig-QC, AdESeal-QC,
/// AdESig, AdESeal, their "Indeterminate" and "Not AdES" forms, N/A): the signer certificate's
/// own statements (QcStatements, policies) combined with what the trusted list said about the
/// issuing CA/QC service at the certificate's issuance and at the signing time.
public struct SignatureQualification: Sendable, Hashable {
    /// The outcome of the AdES validation the qualification rests on.
    public enum Validation: Sendable, Hashable {
        case passed, indeterminate, failed
    }

    /// The trust service that issued the signer's certificate (nil: none in the trusted lists).
    public var service: TrustService?
    /// Qualified at both the issuance and the signing time.
    public var qualified: Bool
    /// What the certificate is qualified for (nil: unknown or contradictory).
    public var usage: CertificateQualifiers.Usage?
    /// The private key is in a (Q)SCD at the signing time.
    public var qscd: Bool
    /// How each part was decided, for the report.
    public var reasons: [String]

    /// The DSS label for this qualification after an AdES validation with `validation`.
    public func level(after validation: Validation) -> String {
        guard service != nil else { return "N/A" }
        if usage == .web { return "N/A" }
        let kind = switch usage { case .signature: "Sig"; case .seal: "Seal"; default: "?" }
        switch validation {
        case .failed:
            return qualified && qscd ? "Not AdES but QC with QSCD" : qualified ? "Not AdES but QC" : "Not AdES"
        case .passed, .indeterminate:
            let label = qualified && qscd ? (usage == nil ? "QES?" : "QE\(kind)")
                : qualified ? (usage == nil ? "AdES?-QC" : "AdE\(kind)-QC")
                : (usage == nil ? "AdES?" : "AdE\(kind)")
            return validation == .indeterminate ? "Indeterminate \(label)" : label
        }
    }

    static let qualifierBase = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/"
    static let caQC = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC"
    static let eIDASStart = ISO8601DateFormatter().date(from: "2016-07-01T00:00:00Z")!

    /// The qualification of a signature by `signer`, whose chain reached `anchor`, made at
    /// `signingTime` (the best-signature-time), under `lists`.
    public static func assess(signer: Certificate, anchor: Certificate, chain: [Certificate], at signingTime: Date,
                              lists: TrustedListSet) -> SignatureQualification {
        let statements = CertificateQualifiers(signer)
        // The CA/QC service: the anchor, or any issuer on the path that a list names.
        let candidates = ([anchor] + chain.dropFirst()).flatMap { lists.services(for: $0) }
        guard let service = candidates.first(where: { $0.history.contains { $0.type == caQC } }) ?? candidates.first else {
            return SignatureQualification(service: nil, qualified: false, usage: statements.statedUsage, qscd: false,
                reasons: ["the signer's chain reaches no service of the trusted lists"])
        }
        var reasons: [String] = []
        let atIssuance = evaluate(service, statements: statements, signer: signer, at: signer.notBefore, label: "at issuance", reasons: &reasons)
        let atSigning = evaluate(service, statements: statements, signer: signer, at: signingTime, label: "at signing time", reasons: &reasons)
        var usage = atSigning.usage
        if atIssuance.qualified, atSigning.qualified, atIssuance.usage != atSigning.usage {
            reasons.append("the certificate's type differs between issuance and signing time")
            usage = nil
        }
        return SignatureQualification(service: service, qualified: atIssuance.qualified && atSigning.qualified,
                                      usage: usage, qscd: atSigning.qscd, reasons: reasons)
    }

    private static func evaluate(_ service: TrustService, statements: CertificateQualifiers, signer: Certificate, at time: Date,
                                 label: String, reasons: inout [String]) -> (qualified: Bool, usage: CertificateQualifiers.Usage?, qscd: Bool) {
        let when = ISO8601DateFormatter().string(from: time)
        guard let status = service.status(at: time) else {
            reasons.append("\(label) (\(when)): the service \"\(service.name)\" had no status yet")
            return (false, statements.statedUsage, false)
        }
        let qualifiers = Set(status.qualifications.filter { matches($0.criteria, signer, statements) }
            .flatMap(\.qualifiers).map { $0.replacingOccurrences(of: qualifierBase, with: "") })
        let qualifiedStatus = status.isGranted && !status.status.hasSuffix("recognisedatnationallevel")
        var qualified = status.type == caQC && qualifiedStatus
        if !qualified {
            reasons.append("\(label) (\(when)): the service is \(status.statusName) (\(status.typeName)), not a granted CA/QC")
        } else if qualifiers.contains("NotQualified") {
            qualified = false
            reasons.append("\(label): the trusted list says NotQualified for this certificate")
        } else if !qualifiers.contains("QCStatement") && !statements.claimsQualified {
            qualified = false
            reasons.append("\(label): the certificate has no QcCompliance statement or qualified policy, and the trusted list does not add one")
        }
        var usage: CertificateQualifiers.Usage? = statements.statedUsage
        if qualifiers.contains("QCForESig") { usage = .signature }
        if qualifiers.contains("QCForESeal") || qualifiers.contains("QCForLegalPerson") { usage = .seal }
        if qualifiers.contains("QCForWSA") { usage = .web }
        let allowed = status.additionalInformation.compactMap { uri -> CertificateQualifiers.Usage? in
            uri.hasSuffix("ForeSignatures") ? .signature : uri.hasSuffix("ForeSeals") ? .seal
                : uri.hasSuffix("ForWebSiteAuthentication") ? .web : nil
        }
        if usage == nil {
            if time < eIDASStart && statements.qcTypes.isEmpty {
                usage = .signature  // Directive 1999/93/EC: qualified certificates were for signatures
            } else if allowed.count == 1 {
                usage = allowed[0]
            }
        }
        if qualified, let usage, !allowed.isEmpty, !allowed.contains(usage) {
            qualified = false
            reasons.append("\(label): the service is not granted for \(usage == .signature ? "e-signatures" : usage == .seal ? "e-seals" : "website authentication")")
        }
        var qscd = statements.claimsQSCD
        if !qualifiers.isDisjoint(with: ["QCWithSSCD", "QCWithQSCD", "QCQSCDManagedOnBehalf"]) { qscd = true }
        if !qualifiers.isDisjoint(with: ["QCNoSSCD", "QCNoQSCD"]) { qscd = false }
        return (qualified, usage, qualified && qscd)
    }

    static func matches(_ criteria: QualificationCriteria, _ certificate: Certificate, _ statements: CertificateQualifiers) -> Bool {
        switch criteria {
        case .keyUsage(let name, let set):
            return keyUsageBit(name).map { (certificate.keyUsage?.contains($0) ?? false) == set } ?? false
        case .policies(let oids):
            return !oids.isEmpty && oids.allSatisfy(statements.policies.contains)
        case .extendedKeyUsage(let oid):
            return statements.extendedKeyUsages.contains(oid)
        case .unsupported:
            return false
        case .list(let assert, let items):
            let results = items.map { matches($0, certificate, statements) }
            switch assert {
            case "atLeastOne": return results.contains(true)
            case "none": return !results.contains(true)
            default: return !results.isEmpty && results.allSatisfy { $0 }
            }
        }
    }

    private static func keyUsageBit(_ name: String) -> Certificate.KeyUsage? {
        switch name {
        case "digitalSignature": .digitalSignature
        case "nonRepudiation", "contentCommitment": .nonRepudiation
        case "keyEncipherment": .keyEncipherment
        case "dataEncipherment": .dataEncipherment
        case "keyAgreement": .keyAgreement
        case "keyCertSign": .keyCertSign
        case "crlSign": .cRLSign
        case "encipherOnly": .encipherOnly
        case "decipherOnly": .decipherOnly
        default: nil
        }
    }
}
