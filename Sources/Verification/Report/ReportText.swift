import Foundation

extension VerificationReport {
    /// The report for people: the verdict, then per signature what was signed, by whom, when and
    /// by which clock, what changed since, and why the verdict.
    public var text: String {
        var lines: [String] = []
        let count = signatures.count
        // A structure that could not be read has no revisions to count: "0 signatures, 0
        // revisions" would read as an unsigned file, when the signatures were not reached.
        let shape = revisions == 0 && count == 0 && !fileIssues.isEmpty
            ? "its structure could not be read, so no signature was judged"
            : "\(count) signature\(count == 1 ? "" : "s"), \(revisions) revision\(revisions == 1 ? "" : "s")"
        lines.append("\(file): \(verdict) — \(shape), \(bytes) bytes")
        for issue in fileIssues { lines.append("  \(issue.verdict.rawValue): \(issue.reason)") }
        for note in notes { lines.append("  note: \(note)") }
        lines += trustedLists?.textLines ?? []
        if !unsignedSignatureFields.isEmpty {
            lines.append("  unsigned signature fields: \(unsignedSignatureFields.joined(separator: ", "))")
        }
        for rights in usageRights {
            lines.append("  usage rights (/Perms /\(rights.permission)) signed by \(rights.signer.map { $0.commonName ?? $0.subject } ?? "?") — not judged")
        }
        for (index, signature) in signatures.enumerated() {
            lines.append("")
            lines += signature.textLines(number: index + 1)
        }
        if let audit {
            lines.append("")
            lines.append("Audit record (audit.json\(audit.envelopeId.map { ", envelope \($0)" } ?? "")): \(audit.events) event(s)")
            lines.append("  event hash chain: \(audit.chainIntact ? "intact" : "BROKEN")")
            lines.append("  document hash before the audit page\(audit.revision.map { " (revision \($0 - 1))" } ?? ""): \(audit.documentHashMatches ? "matches" : "DOES NOT MATCH")")
            if let sent = audit.sentDocumentMatches {
                lines.append("  document as sent (the file's first revision): \(sent ? "matches" : "DOES NOT MATCH")")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension SignatureReport {
    /// How many allowed, and how many disallowed, changes the text lists for one signature.
    public static let listedChanges = 25

    func textLines(number: Int) -> [String] {
        var lines: [String] = []
        let what = kind == .documentTimestamp ? "Document timestamp" : certificationLevel != nil ? "Certification signature" : "Signature"
        lines.append("\(what) \(number): field '\(field)' — \(verdict)")
        if let signer {
            lines.append("  signed by:   \(signer.commonName ?? signer.subject)  (issuer \(signer.issuer); certificate SHA-256 \(signer.certificateSHA256))")
        } else {
            lines.append("  signed by:   unknown (no signer certificate could be read)")
        }
        for other in otherSigners { lines.append("  also signed by: \(other.commonName ?? other.subject) (another SignerInfo)") }
        if let algorithms { lines.append("  algorithms:  \(algorithms.signature), \(algorithms.key) key") }
        let claimed = signingTime.map { ReportTime.iso($0) } ?? "not stated"
        if let timestamp {
            let state = !timestamp.intact ? "INVALID" : timestamp.trusted ? "trusted" : "not trusted"
            lines.append("  time:        \(ReportTime.iso(timestamp.genTime)) by the timestamp authority \(timestamp.authority ?? "?") (\(state)); the signer claims \(claimed)")
        } else {
            lines.append("  time:        \(claimed), claimed by the signer's own clock (no timestamp)")
        }
        var covers = "  covers:      \(coverage)"
        if let byteRange { covers += "  (ByteRange [\(byteRange.map(String.init).joined(separator: " "))])" }
        if let subFilter { covers += "  \(subFilter)" }
        lines.append(covers)
        if let certificationLevel {
            let meaning = [1: "no changes allowed but validation data and metadata", 2: "form filling and signing allowed", 3: "form filling, signing and annotations allowed"]
            lines.append("  certifies:   DocMDP P=\(certificationLevel) (\(meaning[certificationLevel] ?? ""))")
        }
        if modifications.isEmpty {
            lines.append("  since:       \(revision == revisionCount ? "nothing added after it" : "no changes")")
        } else {
            let allowed = modifications.filter(\.allowed)
            let disallowed = modifications.filter { !$0.allowed }
            lines.append("  since:       \(allowed.count) allowed and \(disallowed.count) disallowed change(s)")
            // Listed up to a bound: a file with thousands of changes after each of thousands of
            // signatures would otherwise print (and hold) their product. --json has them all.
            for modification in allowed.prefix(Self.listedChanges) {
                lines.append("    ✓ revision \(modification.revision), object \(modification.object): \(modification.description)")
            }
            if allowed.count > Self.listedChanges {
                lines.append("    … and \(allowed.count - Self.listedChanges) more allowed change(s) (--json lists every one)")
            }
            for modification in disallowed.prefix(Self.listedChanges) {
                lines.append("    ✗ revision \(modification.revision), object \(modification.object) [\(modification.kind)]: \(modification.description)")
            }
            if disallowed.count > Self.listedChanges {
                lines.append("    … and \(disallowed.count - Self.listedChanges) more disallowed change(s) (--json lists every one)")
            }
        }
        for note in notes { lines.append("  note:        \(note)") }
        if let qualification {
            var line = "  qualified:   \(qualification.level)"
            if let service = qualification.service {
                line += " — issued under \"\(service.name)\" (\(service.provider), \(service.territory), \(service.type) \(service.status) at \(ReportTime.iso(qualification.time)))"
            }
            lines.append(line)
            for reason in qualification.reasons { lines.append("    · \(reason)") }
        }
        lines += revocationTextLines()
        if issues.isEmpty {
            lines.append("  why:         intact, nothing disallowed changed since, and the signer chains to a trust anchor")
        } else {
            for issue in issues.sorted(by: { $0.verdict > $1.verdict }) {
                lines.append("  why:         \(issue.verdict.rawValue): \(issue.reason)")
            }
        }
        return lines
    }
}

extension TrustedListsReport {
    var textLines: [String] {
        var lines = lists.map { list in
            "  trusted list: \(list.kind) \(list.territory)\(list.sequenceNumber.map { " #\($0)" } ?? "") from \(list.source), signed by \(list.signer), \(list.services) service(s)"
                + (list.expired ? " — WARNING: past its NextUpdate \(list.nextUpdate.map(ReportTime.iso) ?? "")" : "")
        }
        lines += refused.map { "  trusted list REFUSED: \($0.source) [\($0.code)]: \($0.reason)" }
        if !missing.isEmpty { lines.append("  trusted lists not provided (LOTL pointers): \(missing.joined(separator: ", "))") }
        return lines
    }
}
