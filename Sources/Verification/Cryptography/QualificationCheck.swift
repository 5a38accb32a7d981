import CountersignCrypto
import Foundation
import TrustedLists

/// What a signature's qualification rests on, kept until its verdict is final.
struct QualificationInput: Sendable, Hashable {
    var assessment: SignatureQualification?
    /// The best-signature-time the qualification is judged at.
    var time: Date
    var reasons: [String]
}

extension PDFVerifier {
    /// Judges the qualification of a signature whose CMS was checked: the signer's path at the
    /// best-signature-time (the earliest intact and trusted timestamp, else the claimed time),
    /// the trusted-list service that issued it, and the certificate's own statements.
    func qualify(_ signature: SignatureReport, _ outcome: SignatureCryptoCheck.Result) -> QualificationInput? {
        guard let trustedLists, let signer = outcome.signer else { return nil }
        let time = outcome.timestamps.filter { $0.intact && $0.trusted }.map(\.genTime).min() ?? signature.signingTime ?? Date()
        guard let validator,
              let path = try? validator.validate(signer, intermediates: outcome.cms?.certificates ?? [], at: time),
              let anchor = path.last else {
            return QualificationInput(assessment: nil, time: time, reasons: ["the signer's certificate chains to no trust anchor at \(ReportTime.iso(time))"])
        }
        var reasons: [String] = []
        let assessment = SignatureQualification.assess(signer: signer, anchor: anchor, chain: path, at: time, lists: trustedLists)
        if let service = assessment.service,
           let list = trustedLists.expired.first(where: { $0.territory == service.territory && $0.kind == .trustedList }) {
            reasons.append("the trusted list of \(list.territory) (\(list.source)) was past its NextUpdate \(list.nextUpdate.map(ReportTime.iso) ?? "") at the validation time: its content may be out of date")
        }
        return QualificationInput(assessment: assessment, time: time, reasons: reasons)
    }
}

extension SignatureReport {
    /// Sets `qualification` from the assessment and the final verdict (EU DSS labels).
    mutating func judgeQualification(_ lists: TrustedListSet?, at validationTime: Date) {
        guard let input = qualificationAssessment else { return }
        guard let assessment = input.assessment else {
            qualification = QualificationReport(level: "N/A", qualifiedCertificate: false, type: nil, qscd: false, service: nil,
                                                time: input.time, reasons: input.reasons)
            return
        }
        let validation: SignatureQualification.Validation = switch verdict {
        case .passed: .passed
        case .indeterminate: .indeterminate
        case .failed: .failed
        }
        let summary = assessment.service.map { service in
            let status = service.status(at: input.time)
            return TrustedServiceSummary(name: service.name, provider: service.provider, territory: service.territory,
                                         type: status?.typeName ?? "", status: status?.statusName ?? "none")
        }
        qualification = QualificationReport(level: assessment.level(after: validation), qualifiedCertificate: assessment.qualified,
                                            type: assessment.usage?.rawValue, qscd: assessment.qscd, service: summary,
                                            time: input.time, reasons: assessment.reasons + input.reasons)
    }
}

extension TrustedListsReport {
    init(_ set: TrustedListSet, at time: Date) {
        self.init(
            lists: set.lists.map { list in
                List(source: list.source, kind: list.kind.rawValue, territory: list.territory, sequenceNumber: list.sequenceNumber,
                     nextUpdate: list.nextUpdate, signer: list.signer.subject, services: list.services.count,
                     expired: list.isExpired(at: time))
            },
            refused: set.refused.map { Refusal(source: $0.source, code: $0.error.code.name, reason: $0.error.reason) },
            missing: set.missingPointers.map { "\($0.territory ?? "?") (\($0.location))" })
    }
}
