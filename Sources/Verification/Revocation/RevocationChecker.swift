import CountersignCrypto
import Foundation

/// Decides the revocation status of one certificate at a control time from a document's
/// validation data (and the network when online), as EN 319 102-1 §5.2.5/§5.2.6 and RFC 6960 /
/// RFC 5280 ask:
///
/// - an OCSP response counts only if its signature verifies and its signer is the issuing CA or
///   a certificate that CA issued with id-kp-OCSPSigning, valid when the response was produced;
///   its CertID must name the certificate (issuer name and key hash, serial);
/// - a CRL counts only if the issuer signed it and it is complete for the certificate (same
///   issuer, not a delta, not partitioned by reason or certificate kind);
/// - revoked wins over good; revocation times are compared with the control time here, never
///   by OpenSSL (which would use the wall clock);
/// - a good status is fresh when it was issued at or after the control time, or the control time
///   is before its nextUpdate; one issued after the certificate expired proves nothing
///   (expired certificates leave CRLs).
struct RevocationChecker {
    let data: ValidationData
    /// nil when offline.
    let fetcher: RevocationFetcher?
    let validationTime: Date

    func check(_ certificate: Certificate, issuer: Certificate, role: CertificateRevocation.Role,
               controlTime: Date) -> CertificateRevocation {
        var result = CertificateRevocation(role: role, subject: certificate.subject, certificateSHA256: certificate.sha256Fingerprint,
                                           status: .unavailable, controlTime: controlTime, notes: [])
        if certificate.hasOCSPNoCheck, role != .signer {
            result.status = .exempt
            return result
        }
        var findings = collect(certificate, issuer: issuer, notes: &result.notes)
        // Online, the sources are asked even when the document has data: a revocation published
        // since (possibly dated before the signature) supersedes what the file carries.
        if fetcher != nil, !findings.contains(where: { $0.origin == .online }) {
            fetch(certificate, issuer: issuer, notes: &result.notes)
            findings = collect(certificate, issuer: issuer, notes: &result.notes)
        }
        if let revoked = findings.filter(isRevoked).min(by: { ($0.revocationTime ?? .distantFuture) < ($1.revocationTime ?? .distantFuture) }) {
            return apply(revoked, to: result, status: .revoked)
        }
        if let fresh = findings.filter({ isFresh($0, certificate, controlTime) }).max(by: { $0.thisUpdate < $1.thisUpdate }) {
            return apply(fresh, to: result, status: fresh.status)
        }
        if let late = findings.filter({ $0.thisUpdate > certificate.notAfter }).max(by: { $0.thisUpdate < $1.thisUpdate }) {
            result = apply(late, to: result, status: .outOfBounds)
            result.notes.append("the data was issued \(late.thisUpdate.isoText), after the certificate expired \(certificate.notAfter.isoText); expired certificates leave CRLs, so it proves nothing")
            return result
        }
        if let newest = findings.max(by: { $0.thisUpdate < $1.thisUpdate }) {
            result = apply(newest, to: result, status: .stale)
            result.notes.append("the newest data (thisUpdate \(newest.thisUpdate.isoText), nextUpdate \(newest.nextUpdate?.isoText ?? "none")) is not fresh for \(controlTime.isoText)")
            return result
        }
        if !certificate.namesRevocationSource {
            result.status = .noSource
            result.notes.append("the certificate names no OCSP responder and no CRL distribution point")
        } else if fetcher == nil {
            let held = data.ocspResponses.count + data.crls.count
            result.notes.append(held == 0
                ? "no revocation data in the document; verified offline (use --online, or extend the file to B-LT)"
                : "none of the document's \(data.ocspResponses.count) OCSP responses and \(data.crls.count) CRLs gives this certificate's status; verified offline (use --online, or extend the file to B-LT)")
        }
        return result
    }

    // MARK: Findings

    /// One acceptable statement about the certificate.
    private struct Finding {
        var status: CertificateRevocation.Status
        var source: String
        var origin: CertificateRevocation.Origin
        var thisUpdate: Date
        var nextUpdate: Date?
        var issuedBy: String
        var revocationTime: Date?
        var reason: RevocationReason?
    }

    private func isRevoked(_ finding: Finding) -> Bool { finding.status == .revoked }

    private func isFresh(_ finding: Finding, _ certificate: Certificate, _ controlTime: Date) -> Bool {
        guard finding.status == .good || finding.status == .unknown, finding.thisUpdate <= certificate.notAfter else { return false }
        if finding.thisUpdate >= controlTime { return true }
        return finding.nextUpdate.map { controlTime <= $0 } ?? false
    }

    private func apply(_ finding: Finding, to base: CertificateRevocation, status: CertificateRevocation.Status) -> CertificateRevocation {
        var result = base
        result.status = status
        result.source = finding.source
        result.origin = finding.origin
        result.thisUpdate = finding.thisUpdate
        result.nextUpdate = finding.nextUpdate
        result.issuedBy = finding.issuedBy
        result.revocationTime = finding.revocationTime
        result.revocationReason = finding.reason?.description
        return result
    }

    private func collect(_ certificate: Certificate, issuer: Certificate, notes: inout [String]) -> [Finding] {
        var findings: [Finding] = []
        var rejected: [String] = []
        for item in data.ocspResponses {
            let response = item.value
            guard let single = response.status(of: certificate, issuer: issuer) else { continue }
            if let problem = response.authorisationProblem(issuer: issuer, others: data.certificates) {
                rejected.append("an OCSP response (\(item.origin.rawValue)) was rejected: \(problem)")
                continue
            }
            guard single.thisUpdate <= validationTime.addingTimeInterval(300) else {
                rejected.append("an OCSP response (\(item.origin.rawValue)) was issued after the validation time \(validationTime.isoText)")
                continue
            }
            if let next = single.nextUpdate, next < single.thisUpdate {
                rejected.append("an OCSP response (\(item.origin.rawValue)) was rejected: its nextUpdate \(next.isoText) is before its thisUpdate \(single.thisUpdate.isoText)")
                continue
            }
            var finding = Finding(status: .good, source: "ocsp", origin: item.origin, thisUpdate: single.thisUpdate,
                                  nextUpdate: single.nextUpdate, issuedBy: response.signer(among: candidates(issuer))?.subject ?? "")
            switch single.status {
            case .good: break
            case .unknown: finding.status = .unknown
            case .revoked(let time, let reason):
                finding.status = .revoked
                finding.revocationTime = time
                finding.reason = reason
            }
            findings.append(finding)
        }
        for item in data.crls {
            let crl = item.value
            if let problem = crl.scopeProblem(for: certificate) {
                if problem != .otherIssuer { rejected.append("a CRL (\(item.origin.rawValue)) cannot be used: \(problem)") }
                continue
            }
            guard crl.isSigned(by: issuer) else {
                rejected.append("a CRL (\(item.origin.rawValue)) naming \(crl.issuer) is not signed by the issuer's key")
                continue
            }
            guard crl.thisUpdate <= validationTime.addingTimeInterval(300) else {
                rejected.append("a CRL (\(item.origin.rawValue)) was issued after the validation time \(validationTime.isoText)")
                continue
            }
            if let next = crl.nextUpdate, next < crl.thisUpdate {
                rejected.append("a CRL (\(item.origin.rawValue)) was rejected: its nextUpdate \(next.isoText) is before its thisUpdate \(crl.thisUpdate.isoText)")
                continue
            }
            var finding = Finding(status: .good, source: "crl", origin: item.origin, thisUpdate: crl.thisUpdate,
                                  nextUpdate: crl.nextUpdate, issuedBy: crl.issuer)
            if let entry = crl.entry(for: certificate), entry.reason != .removeFromCRL {
                finding.status = .revoked
                finding.revocationTime = entry.revocationTime
                finding.reason = entry.reason
            }
            findings.append(finding)
        }
        for note in rejected where !notes.contains(note) { notes.append(note) }
        return findings
    }

    private func candidates(_ issuer: Certificate) -> [Certificate] { [issuer] + data.certificates }

    private func fetch(_ certificate: Certificate, issuer: Certificate, notes: inout [String]) {
        guard let fetcher else { return }
        if !certificate.ocspURLs.isEmpty {
            do {
                data.add(try fetcher.ocsp(for: certificate, issuer: issuer), origin: .online)
            } catch {
                notes.append("OCSP could not be fetched: \(error)")
            }
        }
        if !certificate.crlURLs.isEmpty {
            do {
                data.add(try fetcher.crl(for: certificate), origin: .online)
            } catch {
                notes.append("the CRL could not be fetched: \(error)")
            }
        }
    }
}
