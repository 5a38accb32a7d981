import Foundation

extension SignatureReport {
    /// "revocation:" lines: how the data was had, then one line per certificate checked.
    func revocationTextLines() -> [String] {
        guard let revocation else { return [] }
        var lines = ["  revocation:  \(revocation.online ? "online (the document's data and its certificates' sources, asked now)" : "offline (the document's own data only)"), at \(ReportTime.iso(revocation.validationTime))"
                     + (revocation.subIndication.map { " — \($0.rawValue)" } ?? "")]
        if revocation.certificates.contains(where: { $0.status == .unavailable }), revocation.subIndication == nil {
            lines.append("    (a status marked unavailable was not established and did not count against the signature; "
                         + "--online fetches it, --require-revocation makes it INDETERMINATE)")
        }
        for certificate in revocation.certificates {
            var line = "    \(certificate.role.rawValue) \(certificate.subject): \(certificate.status.rawValue)"
            if let source = certificate.source, let origin = certificate.origin {
                line += " by \(source.uppercased()) (\(origin.rawValue)"
                if let thisUpdate = certificate.thisUpdate { line += ", thisUpdate \(ReportTime.iso(thisUpdate))" }
                line += ")"
            }
            if let time = certificate.revocationTime {
                line += ", revoked \(ReportTime.iso(time))" + (certificate.revocationReason.map { " (\($0))" } ?? "")
            }
            lines.append(line)
            for note in certificate.notes { lines.append("      · \(note)") }
        }
        return lines
    }
}
