import CountersignCrypto
import Foundation

extension SigningError.Code {
    /// Revocation data for a certificate that names a source could not be had (responder down,
    /// an answer that does not cover the certificate, the time budget spent).
    public static let revocationUnavailable = SigningError.Code("revocationUnavailable")
    /// The signer's own chain is revoked: a B-LT signature made now would be worthless.
    public static let certificateRevoked = SigningError.Code("certificateRevoked")
}

/// Gathers the validation data of PAdES B-LT (EN 319 142-1 §5.4): for each end-entity
/// certificate (a signer's, a timestamp authority's) the chain built from the certificates at
/// hand, and for every certificate of that chain but the self-signed root an OCSP response from
/// its AIA responder, else a CRL from its distribution point. A delegated OCSP responder's own
/// certificate is checked too unless it carries id-pkix-ocsp-nocheck. Every exchange is bounded
/// by the fetcher's timeout and the whole collection by `budget`.
struct ValidationDataCollector {
    /// What was collected, deduplicated, in the order found.
    struct Collected {
        var certificates: [Certificate] = []
        var ocspResponses: [OCSPResponse] = []
        var crls: [CertificateRevocationList] = []
        /// For people: certificates that name no source, revocations found, and the like.
        var notes: [String] = []
    }

    /// The validation data of one chain (for a /VRI entry).
    struct ChainData {
        var certificates: [Certificate] = []
        var ocspResponses: [OCSPResponse] = []
        var crls: [CertificateRevocationList] = []
    }

    let fetcher: RevocationFetcher
    /// The longest the whole collection may take.
    let budget: TimeInterval
    /// Whether a revoked certificate stops the collection (signing now) or is recorded (extending
    /// an older signature, whose proof of existence may predate the revocation).
    let refusesRevoked: Bool

    /// The time the data must be fresh at (the signature's proof of existence); now when nil.
    var controlTime: Date?

    private(set) var collected = Collected()
    private var pool: [Certificate]
    private var checked: [Certificate: ChainData] = [:]
    private let deadline: Date

    init(fetcher: RevocationFetcher, budget: TimeInterval, refusesRevoked: Bool, known certificates: [Certificate]) {
        self.fetcher = fetcher
        self.budget = budget
        self.refusesRevoked = refusesRevoked
        pool = certificates
        deadline = Date().addingTimeInterval(budget)
    }

    /// Collects the data for `leaf`'s chain (built from the known certificates plus `more`) and
    /// returns the part that concerns this chain.
    mutating func collect(chainOf leaf: Certificate, more: [Certificate] = []) throws -> ChainData {
        for certificate in more where !pool.contains(certificate) { pool.append(certificate) }
        var data = ChainData()
        var current = leaf
        var seen: Set<Certificate> = []
        while seen.insert(current).inserted {
            remember(current)
            data.certificates.append(current)
            let issuer = current.issuer(among: pool)
            if current.isSelfIssued, issuer == current { break }
            let part = try revocation(of: current, issuer: issuer)
            data.certificates += part.certificates
            data.ocspResponses += part.ocspResponses
            data.crls += part.crls
            guard let issuer else {
                collected.notes.append("the issuer of \(current.subject) is not among the certificates at hand; the chain stops there")
                break
            }
            current = issuer
        }
        return data
    }

    private mutating func remember(_ certificate: Certificate) {
        if !collected.certificates.contains(certificate) { collected.certificates.append(certificate) }
    }

    /// The revocation data of one certificate, fetched once per run.
    private mutating func revocation(of certificate: Certificate, issuer: Certificate?) throws -> ChainData {
        if let done = checked[certificate] { return done }
        var data = ChainData()
        checked[certificate] = data  // a responder's chain that leads back here stops here
        defer { checked[certificate] = data }
        // A responder certificate marked ocsp-nocheck is trusted for its lifetime (RFC 6960
        // §4.2.2.2.1): it needs no data, and naming no source is not worth a note.
        if certificate.hasOCSPNoCheck { return data }
        guard certificate.namesRevocationSource else {
            collected.notes.append("\(certificate.subject) names no OCSP responder and no CRL distribution point; nothing to fetch")
            return data
        }
        var failures: [String] = []
        // A response past its nextUpdate is kept (it may be fresh for an older signature's proof
        // of existence) but is not enough alone: the CRL is asked too.
        var staleResponse: String?
        if let issuer, !certificate.ocspURLs.isEmpty {
            do {
                try checkBudget(certificate)
                let response = try fetcher.ocsp(for: certificate, issuer: issuer)
                guard let single = response.status(of: certificate, issuer: issuer) else {
                    throw SigningError(.revocationUnavailable, "the OCSP response does not name the certificate")
                }
                // The verifier's own rules: a response it would reject is not validation data.
                if let problem = response.authorisationProblem(issuer: issuer, others: pool) {
                    throw SigningError(.revocationUnavailable, "the OCSP response was rejected: \(problem)")
                }
                try Self.requireSane(thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate, what: "the OCSP response")
                try judge(single.status, of: certificate, source: "its OCSP responder")
                if !collected.ocspResponses.contains(where: { $0.der == response.der }) { collected.ocspResponses.append(response) }
                data.ocspResponses.append(response)
                for extra in response.certificates where !pool.contains(extra) { pool.append(extra) }
                // The responder's own certificate: part of the data, and checked in turn when it
                // is delegated without ocsp-nocheck.
                if let responder = response.signer(among: response.certificates + pool), responder != issuer {
                    data.certificates += try collect(chainOf: responder).certificates
                }
                let control = controlTime ?? Date()
                guard let nextUpdate = single.nextUpdate, nextUpdate < control, single.thisUpdate < control else { return data }
                staleResponse = "its OCSP response's nextUpdate \(nextUpdate.isoText) is before \(control.isoText), the time it must vouch for"
            } catch let error as SigningError where error.code == .certificateRevoked {
                throw error
            } catch {
                failures.append("OCSP (\(certificate.ocspURLs.map(\.absoluteString).joined(separator: ", "))): \(error)")
            }
        } else if issuer == nil, !certificate.ocspURLs.isEmpty {
            failures.append("OCSP: the issuer's certificate, which the request names, is not at hand")
        }
        if !certificate.crlURLs.isEmpty {
            do {
                try checkBudget(certificate)
                let crl = try fetcher.crl(for: certificate)
                if let problem = crl.scopeProblem(for: certificate) {
                    throw SigningError(.revocationUnavailable, "the CRL cannot give this certificate's status: \(problem)")
                }
                if let issuer, !crl.isSigned(by: issuer) {
                    throw SigningError(.revocationUnavailable, "the CRL is not signed by \(issuer.subject)")
                }
                try Self.requireSane(thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, what: "the CRL")
                if let entry = crl.entry(for: certificate) {
                    try judge(.revoked(time: entry.revocationTime, reason: entry.reason), of: certificate, source: "its CRL")
                }
                if !collected.crls.contains(where: { $0.der == crl.der }) { collected.crls.append(crl) }
                data.crls.append(crl)
                return data
            } catch let error as SigningError where error.code == .certificateRevoked {
                throw error
            } catch {
                failures.append("CRL (\(certificate.crlURLs.map(\.absoluteString).joined(separator: ", "))): \(error)")
            }
        }
        if let staleResponse { failures.insert("OCSP: \(staleResponse)", at: 0) }
        throw SigningError(.revocationUnavailable,
            "no revocation data could be had for \(certificate.subject): \(failures.joined(separator: "; ")) — B-LT needs it; check that the responder and the CRL server are reachable (or sign with pades-b-t now and run 'countersign extend' later)")
    }

    /// Data the verifier could not use is not validation data: issued (give or take five minutes
    /// of clock skew) after now, or with its nextUpdate before its thisUpdate.
    static func requireSane(thisUpdate: Date, nextUpdate: Date?, what: String, now: Date = Date()) throws {
        if thisUpdate > now.addingTimeInterval(300) {
            throw SigningError(.revocationUnavailable, "\(what) says it was issued \(thisUpdate.isoText), after now (\(now.isoText))")
        }
        if let nextUpdate, nextUpdate < thisUpdate {
            throw SigningError(.revocationUnavailable, "\(what)'s nextUpdate \(nextUpdate.isoText) is before its thisUpdate \(thisUpdate.isoText)")
        }
    }

    private mutating func judge(_ status: OCSPResponse.SingleStatus.CertificateStatus, of certificate: Certificate,
                                source: String) throws {
        switch status {
        case .good:
            return
        case .unknown:
            throw SigningError(.revocationUnavailable, "\(source) does not know \(certificate.subject)")
        case .revoked(let time, let reason):
            let text = "\(certificate.subject) was revoked \(ISO8601DateFormatter().string(from: time))\(reason.map { " (\($0))" } ?? "") according to \(source)"
            if refusesRevoked {
                throw SigningError(.certificateRevoked, text + "; a signature made with it now has no value")
            }
            collected.notes.append(text)
        }
    }

    private func checkBudget(_ certificate: Certificate) throws {
        guard Date() < deadline else {
            throw SigningError(.revocationUnavailable,
                               "the time allowed for fetching validation data (\(Int(budget)) s) ran out before \(certificate.subject)")
        }
    }
}
