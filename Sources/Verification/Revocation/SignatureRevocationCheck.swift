import CountersignCrypto
import Foundation
import PDFSyntax

/// The revocation step of DESIGN.md §16 for every signature and document timestamp of a file:
/// each certificate of the signer's chain and of each timestamp authority's chain is checked
/// (`RevocationChecker`) at its control time, and the outcome is judged against the proof of
/// existence the timestamps give:
///
/// - the signer's chain at the best-signature-time: the signature timestamp's time or a later
///   document timestamp's, whichever is earliest, else the validation time;
/// - a timestamp authority's chain at the time of its token.
///
/// A certificate revoked after the best-signature-time does not hurt the signature (the
/// timestamp proves it was made before); revoked at or before it is TOTAL-FAILED REVOKED;
/// revoked with no proof of existence is INDETERMINATE REVOKED_NO_POE.
struct SignatureRevocationCheck {
    let validator: ChainValidator
    let chains: TrustCache
    let certificates: CertificateCache
    let options: RevocationOptions

    /// `contents`: each signature's /Contents DER by field name; `parsed`: those the signature
    /// check already parsed (the others are parsed here).
    func run(_ document: PDFDocument, contents: [String: [UInt8]], parsed alreadyParsed: [String: CMSSignedData] = [:],
             report: inout VerificationReport) {
        let validationTime = options.validationTime ?? Date()
        let data = ValidationData()
        var notes: [String] = []
        do {
            try data.addStore(of: document)
        } catch {
            notes.append("the document's DSS cannot be read: \(error)")
        }
        var parsed: [String: CMSSignedData] = [:]
        for signature in report.signatures {
            guard let der = contents[signature.field],
                  let cms = alreadyParsed[signature.field] ?? (try? CMSSignedData.parse(der: der, certificateCache: certificates)) else { continue }
            parsed[signature.field] = cms
            data.addSignature(cms: cms)
        }
        notes += data.notes
        let checker = RevocationChecker(data: data, fetcher: options.online ? RevocationFetcher(timeout: options.timeout) : nil,
                                        validationTime: validationTime)
        let archive = ArchiveTimestamps(documentTimestamps: report.signatures.compactMap { signature in
            guard signature.kind == .documentTimestamp, let summary = signature.timestamp, summary.intact, summary.trusted,
                  signature.issues.isEmpty, let revision = signature.revision, let cms = parsed[signature.field] else { return nil }
            return stamp(cms.der, revision: revision)
        }, validationTime: validationTime)
        for index in report.signatures.indices {
            guard let revision = report.signatures[index].revision,
                  let lapsed = archive.lapsed.first(where: { $0.revision == revision }) else { continue }
            let message = "this document timestamp no longer proves anything: its authority's certificate expired \(lapsed.authorityExpiry.isoText) and no later document timestamp protects it (renew with 'countersign extend --to lta' before the newest one's authority expires)"
            report.signatures[index].notes.append(ReportNote(code: "archiveTimestampLapsed", message: message))
            // A proof that no longer stands is not a PASSED one (ETSI EN 319 102-1: no proof of
            // existence within its authority's validity).
            report.signatures[index].issues.append(VerificationIssue(.certificateNotUsable, message, verdict: .indeterminate,
                                                                     subIndication: .outOfBoundsNoPOE))
        }
        for index in report.signatures.indices {
            let signature = report.signatures[index]
            guard let cms = parsed[signature.field], signature.signer != nil,
                  !signature.issues.contains(where: { $0.verdict == .failed || $0.code == .untrusted }) else { continue }
            var revocation = RevocationReport(online: options.online, validationTime: validationTime, bestSignatureTime: nil,
                                              subIndication: nil, certificates: [])
            var issues: [VerificationIssue] = []
            if signature.kind == .documentTimestamp {
                if let token = try? TimestampToken.parse(der: cms.der, certificateCache: certificates) {
                    revocation.bestSignatureTime = token.genTime
                    checkAuthority(token, checker: checker, data: data, into: &revocation, issues: &issues)
                }
            } else if let signer = cms.signerCertificate {
                var proofs = archive.proofs(after: signature.revision ?? Int.max)
                var notes: [ReportNote] = []
                // The signature timestamp's authority first: a token whose authority was revoked
                // before its time proves nothing (EN 319 102-1 §5.5.4). With a document timestamp
                // to prove existence instead, it is set aside with a note; without one, its
                // revocation is the signature's INDETERMINATE NO_POE, as before.
                var authorityReport = RevocationReport(online: options.online, validationTime: validationTime, bestSignatureTime: nil,
                                                       subIndication: nil, certificates: [])
                var authorityIssues: [VerificationIssue] = []
                var discardedTimestamp = false
                if let tokenDER = cms.timestampToken, signature.timestamp?.trusted == true,
                   let token = try? TimestampToken.parse(der: tokenDER, certificateCache: certificates) {
                    checkAuthority(token, checker: checker, data: data, into: &authorityReport, issues: &authorityIssues)
                    if !proofs.isEmpty, authorityReport.subIndication == .noPOE,
                       authorityReport.certificates.contains(where: { $0.status == .revoked }) {
                        discardedTimestamp = true
                        notes.append(ReportNote(code: "timestampDiscarded",
                            message: "the signature timestamp is set aside: " + authorityIssues.map(\.reason).joined(separator: "; ")
                                + "; the document timestamp of \(proofs.min()!.isoText) proves the signature existed instead"))
                        authorityIssues = []
                        authorityReport.subIndication = nil
                    }
                }
                if !discardedTimestamp, let summary = signature.timestamp, summary.intact, summary.trusted, let tokenDER = cms.timestampToken,
                   let own = stamp(tokenDER, revision: signature.revision ?? Int.max) {
                    if archive.stands(own) {
                        proofs.append(summary.genTime)
                        if own.authorityExpiry < validationTime, let protector = archive.protector(of: own) {
                            notes.append(ReportNote(code: "timestampProtected",
                                message: "the signature timestamp's authority certificate expired \(own.authorityExpiry.isoText); the document timestamp of \(protector.time.isoText), made before, keeps its time proven"))
                        }
                    } else {
                        notes.append(ReportNote(code: "timestampLapsed",
                            message: "the signature timestamp no longer proves its time: its authority's certificate expired \(own.authorityExpiry.isoText) and no document timestamp made before then covers it"))
                    }
                }
                let best = proofs.min()
                revocation.bestSignatureTime = best
                judgeExpiry(of: signer, best: best, validationTime: validationTime, signature: signature, notes: &notes, issues: &issues)
                report.signatures[index].notes += notes
                let chainTime = signature.timestamp.flatMap { $0.trusted ? $0.genTime : nil } ?? signature.signingTime ?? validationTime
                if let chain = try? chains.validate(signer, intermediates: cms.certificates + data.certificates, at: chainTime,
                                                    with: validator) {
                    for (position, certificate) in chain.dropLast().enumerated() where !validator.trustAnchors.contains(certificate) {
                        let status = checker.check(certificate, issuer: chain[position + 1], role: position == 0 ? .signer : .signerCA,
                                                   controlTime: best ?? validationTime)
                        revocation.certificates.append(status)
                        judgeSignerChain(status, best: best, into: &revocation, issues: &issues)
                    }
                }
                revocation.certificates += authorityReport.certificates
                issues += authorityIssues
                if let sub = authorityReport.subIndication { Self.escalate(&revocation, to: sub) }
            }
            for note in notes { revocation.certificates.indices.forEach { revocation.certificates[$0].notes.append(note) } }
            report.signatures[index].revocation = revocation
            report.signatures[index].issues += issues
        }
    }

    /// The proof-of-existence view of a timestamp token (nil when it cannot be read or names no authority).
    private func stamp(_ der: [UInt8], revision: Int) -> ArchiveTimestamps.Stamp? {
        guard let token = try? TimestampToken.parse(der: der, certificateCache: certificates),
              let authority = token.tsaCertificate else { return nil }
        return ArchiveTimestamps.Stamp(revision: revision, time: token.genTime, authorityExpiry: authority.notAfter,
                                       authority: authority.subject)
    }

    /// A signer's certificate that has expired by the validation time: PASSED with the reason when
    /// a standing timestamp proves the signature was made while it was valid; otherwise
    /// INDETERMINATE OUT_OF_BOUNDS_NO_POE (EN 319 102-1 §5.2.7).
    private func judgeExpiry(of signer: Certificate, best: Date?, validationTime: Date, signature: SignatureReport,
                             notes: inout [ReportNote], issues: inout [VerificationIssue]) {
        guard signer.notAfter < validationTime,
              !signature.issues.contains(where: { $0.code == .certificateNotUsable }) else { return }
        if let best, best <= signer.notAfter, best >= signer.notBefore {
            notes.append(ReportNote(code: "expiredProtected",
                message: "the signer's certificate expired \(signer.notAfter.isoText); the signature's proof of existence (\(best.isoText)) shows it was made while the certificate was valid"))
        } else {
            issues.append(VerificationIssue(.certificateNotUsable,
                "the signer's certificate expired \(signer.notAfter.isoText) and nothing that still stands proves the signature was made before (a signature timestamp, protected by a document timestamp once its authority expires)",
                verdict: .indeterminate, subIndication: .outOfBoundsNoPOE))
        }
    }

    private func checkAuthority(_ token: TimestampToken, checker: RevocationChecker, data: ValidationData,
                                into revocation: inout RevocationReport, issues: inout [VerificationIssue]) {
        guard let authority = token.tsaCertificate,
              let chain = try? chains.validate(authority, intermediates: token.signedData.certificates + data.certificates,
                                               at: token.genTime, with: validator) else { return }
        for (position, certificate) in chain.dropLast().enumerated() where !validator.trustAnchors.contains(certificate) {
            let status = checker.check(certificate, issuer: chain[position + 1],
                                       role: position == 0 ? .timestampAuthority : .timestampCA, controlTime: token.genTime)
            revocation.certificates.append(status)
            let who = "the timestamp authority's certificate \(certificate.subject)"
            switch status.status {
            case .revoked where (status.revocationTime ?? .distantPast) <= token.genTime:
                raise(.noPOE, .revoked, "\(who) was revoked\(status.revocationTime.map { " " + $0.isoText } ?? ""), before the time it vouches for (\(token.genTime.isoText))",
                      into: &revocation, issues: &issues)
            default:
                judgeUnestablished(status, who: who, into: &revocation, issues: &issues)
            }
        }
    }

    private func judgeSignerChain(_ status: CertificateRevocation, best: Date?, into revocation: inout RevocationReport,
                                  issues: inout [VerificationIssue]) {
        let who = status.role == .signer ? "the signer's certificate" : "the CA certificate \(status.subject)"
        switch status.status {
        case .revoked:
            let time = status.revocationTime ?? .distantPast
            let why = status.revocationReason.map { " (\($0))" } ?? ""
            if let best, best < time { return }
            if let best, status.role == .signer {
                raise(.revoked, .revoked, "\(who) was revoked \(time.isoText)\(why), before the signature's proof of existence \(best.isoText)",
                      verdict: .failed, into: &revocation, issues: &issues)
            } else {
                let proof = best.map { "the signature's proof of existence \($0.isoText) is not earlier" } ?? "nothing proves the signature existed before (no trusted timestamp)"
                raise(status.role == .signer ? .revokedNoPOE : .revokedCANoPOE, .revoked,
                      "\(who) was revoked \(time.isoText)\(why), and \(proof)", into: &revocation, issues: &issues)
            }
        default:
            judgeUnestablished(status, who: who, into: &revocation, issues: &issues)
        }
    }

    /// A status that is not established — no data (only with `requireData`), stale data, unknown
    /// to the responder — is TRY_LATER; data issued only after the certificate expired is
    /// OUT_OF_BOUNDS_NO_POE. Good, exempt and source-less statuses raise nothing.
    private func judgeUnestablished(_ status: CertificateRevocation, who: String, into revocation: inout RevocationReport,
                                    issues: inout [VerificationIssue]) {
        switch status.status {
        case .unavailable where !options.requireData:
            break
        case .stale, .unavailable, .unknown:
            raise(.tryLater, .revocationUnknown, "the revocation status of \(who) cannot be established: \(summary(status))",
                  into: &revocation, issues: &issues)
        case .outOfBounds:
            raise(.outOfBoundsNoPOE, .revocationUnknown, "\(who): \(summary(status))", into: &revocation, issues: &issues)
        case .good, .noSource, .exempt, .revoked:
            break
        }
    }

    private func summary(_ status: CertificateRevocation) -> String {
        let head = switch status.status {
        case .unknown: "the OCSP responder does not know it"
        case .stale: "no fresh revocation data"
        case .outOfBounds: "the only revocation data was issued after it expired"
        default: "no acceptable revocation data"
        }
        return ([head] + status.notes).joined(separator: "; ")
    }

    private func raise(_ sub: RevocationSubIndication, _ code: VerificationIssue.Code, _ reason: String,
                       verdict: Verdict = .indeterminate, into revocation: inout RevocationReport, issues: inout [VerificationIssue]) {
        issues.append(VerificationIssue(code, reason, verdict: verdict, subIndication: SubIndication(sub.rawValue)))
        Self.escalate(&revocation, to: sub)
    }

    /// Gives the report `sub` unless it has a graver sub-indication already.
    private static func escalate(_ revocation: inout RevocationReport, to sub: RevocationSubIndication) {
        let order: [RevocationSubIndication] = [.revoked, .revokedNoPOE, .revokedCANoPOE, .noPOE, .outOfBoundsNoPOE, .tryLater]
        if let current = revocation.subIndication, order.firstIndex(of: current)! <= order.firstIndex(of: sub)! { return }
        revocation.subIndication = sub
    }
}
