import CountersignCrypto
import Foundation
import TrustedLists

/// Trust anchors taken from trusted lists (ETSI TS 119 612) next to the ones the caller gives
/// (`--trust`): a chain that ends at a certificate of a trusted-list service is trusted only if
/// that service was granted at the time that matters (the best-signature-time for a signer, the
/// genTime for a timestamp authority). A withdrawn service no longer anchors what was signed
/// after its withdrawal; what was signed before still stands.
struct TrustedListAnchors: Sendable {
    let lists: TrustedListSet
    /// The caller's own anchors: always trusted, whatever a list says.
    let pinned: Set<Certificate>

    /// Every certificate the chain validator may end a path at.
    static func anchors(_ pinned: [Certificate], _ lists: TrustedListSet?) -> [Certificate] {
        var seen = Set(pinned)
        return pinned + (lists?.anchorCertificates ?? []).filter { seen.insert($0).inserted }
    }

    /// nil when `path` (leaf first, anchor last) ends at a pinned anchor or at a service granted
    /// at `time`; else an INDETERMINATE issue saying which service and why.
    func problem(with path: [Certificate], at time: Date, what: String, code: VerificationIssue.Code) -> VerificationIssue? {
        guard let anchor = path.last, !pinned.contains(anchor) else { return nil }
        switch lists.anchor(anchor, at: time) {
        case .success: return nil
        case .failure(let error):
            return VerificationIssue(code,
                "\(what) chains to \(anchor.commonName ?? anchor.subject), a trusted-list service that was not granted at \(ReportTime.iso(time)): \(error.reason) — no chain to a trust anchor valid at that time",
                verdict: .indeterminate, subIndication: .noCertificateChainFound)
        }
    }
}
