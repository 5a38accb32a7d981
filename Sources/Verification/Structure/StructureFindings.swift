import PDFSyntax

extension ReportNote {
    /// A harmless structural deviation the strict reader accepted (`PDFNote`), as a report note:
    /// the same code, offset and message (docs/robustness.md lists the kinds).
    init(_ note: PDFNote) {
        self.init(code: note.code.name, offset: note.offset, message: note.message)
    }
}

extension VerificationIssue.Code {
    /// A revision's structure can be read two ways (an xref row naming another object, an object
    /// outside its revision, a redefined generation, …): after a signature FAILED, inside the
    /// signed revision INDETERMINATE (DESIGN.md §7).
    public static let ambiguousStructure = VerificationIssue.Code("ambiguousStructure")
}

/// Judges each ambiguity the strict reader found inside a revision against each signature: one
/// in a revision the signature covers makes it INDETERMINATE (the signer's own file is odd, but
/// nothing changed after signing); one in a later revision makes it FAILED. An ambiguity no
/// signature covers or follows (a file without signatures) is a file-level FAILED, as any
/// structure a strict reader cannot read one way is.
enum AmbiguityJudgement {
    static func apply(_ ambiguities: [PDFAmbiguity], to report: inout VerificationReport) {
        guard !ambiguities.isEmpty else { return }
        var judged = false
        for index in report.signatures.indices {
            // The 0-based index of the newest revision the signature covers.
            guard let covered = report.signatures[index].revision.map({ $0 - 1 }) else { continue }
            judged = true
            let inside = ambiguities.filter { $0.revision <= covered }
            let after = ambiguities.filter { $0.revision > covered }
            if !after.isEmpty {
                report.signatures[index].issues.append(VerificationIssue(.ambiguousStructure,
                    "a revision after the signed one can be read in more than one way, which is how content is changed unseen — \(listed(after))",
                    subIndication: .formatFailure))
            }
            if !inside.isEmpty {
                report.signatures[index].issues.append(VerificationIssue(.ambiguousStructure,
                    "the signed revision itself can be read in more than one way (nothing changed after signing, but what was signed is not certain) — \(listed(inside))",
                    verdict: .indeterminate))
            }
        }
        if !judged {
            report.fileIssues.append(VerificationIssue(.ambiguousStructure,
                "the file's structure can be read in more than one way — \(listed(ambiguities))", subIndication: .formatFailure))
        }
    }

    private static func listed(_ ambiguities: [PDFAmbiguity]) -> String {
        let shown = ambiguities.prefix(3).map(\.description).joined(separator: "; ")
        return ambiguities.count > 3 ? "\(shown) and \(ambiguities.count - 3) more" : shown
    }
}
