import CountersignCrypto
import Foundation
import TestSupport
import Testing
import Verification

/// pyHanko's own test corpus as a peer suite: every signed PDF its source distribution ships,
/// verified by us and by pyHanko with the same trust anchors (the roots of pyHanko's test PKI),
/// each at its signing time. Per signature the verdict, whether the cryptography holds, the
/// coverage and the modification level must agree, except the documented disagreements below
/// (docs/verification.md, "Peer suite: pyHanko's corpus").
@Suite(.enabled(if: PeerCorpus.available, Comment(rawValue: PeerCorpus.unavailableReason)))
struct PeerCorpusTests {
    /// One side's view of a signature, in terms both validators share.
    struct Summary: Equatable, CustomStringConvertible {
        var verdict: String
        /// The digest matches and the signature value verifies; nil when not established.
        var sound: Bool?
        /// "whole file", "revision" (a complete earlier revision) or "partial".
        var coverage: String?
        /// "none", "allowed" or "disallowed" (changes after the signature).
        var modification: String?

        var description: String {
            [verdict, sound.map { $0 ? "sound" : "broken" }, coverage, modification.map { "changes: \($0)" }]
                .compactMap { $0 }.joined(separator: ", ")
        }

        /// Compares what both sides established.
        func agrees(with other: Summary) -> Bool {
            guard verdict == other.verdict else { return false }
            if let sound, let otherSound = other.sound, sound != otherSound { return false }
            if let coverage, let otherCoverage = other.coverage, coverage != otherCoverage { return false }
            if let modification, let otherModification = other.modification, modification != otherModification { return false }
            return true
        }
    }

    enum Expectation {
        /// We decide otherwise on purpose: our verdict, and the rule that decides it.
        case deliberate(Verdict, because: String)
    }

    /// Disagreements, by "file" (every signature) or "file#field". None at present; an entry
    /// needs the clause of the spec that decides it, in docs/verification.md too.
    static let expectations: [String: Expectation] = [:]

    /// pyHanko's "sneaky" files: the signing revision rewrites an appearance also used elsewhere,
    /// or lets go of one that a catalog or trailer key also names. Each must be FAILED.
    static let sneaky = ["form-update-override-appearance-stream-sneaky.pdf",
                         "form-update-override-appearance-stream-ap-indirect-sneaky.pdf",
                         "form-update-no-override-appearance-stream-ap-indirect-sneaky.pdf",
                         "form-update-ap-indirect-sneaky-trailer.pdf"]

    @Test func everySignatureAgreesWithPyHanko() throws {
        let data = try PeerCorpus.data.get()
        let files = try PeerCorpus.signedFiles(in: data)
        #expect(files.count >= 30, "pyHanko's corpus should hold ~34 signed files, found \(files.count)")
        let judgements = try PeerCorpus.judge(files, in: data)
        var rows: [String] = []
        for file in files {
            let judgement = try #require(judgements[file])
            let anchors = try judgement.anchors.flatMap { try Certificate.load(pem: Data($0.utf8)) }
            let report = try PDFVerifier(trustAnchors: anchors).verify(path: data.appendingPathComponent("pdf/\(file)").path)
            if judgement.signatures.isEmpty {
                // pyHanko cannot read the file at all (an encryption it needs a key for, a broken CMS):
                // we must not pass it either.
                #expect(report.verdict != .passed, "\(file): pyHanko refuses it (\(judgement.error ?? "?")) but we pass it")
                rows.append("| \(file) | — | refused: \(judgement.error ?? "?") | \(report.verdict.rawValue) | agree (neither validates) |")
                continue
            }
            #expect(report.signatures.count == judgement.signatures.count, "\(file): \(report.text)")
            for theirs in judgement.signatures {
                // Judged at the same time as pyHanko judged it (the test PKI's certificates have
                // expired since; at today's date an untimestamped signature is rightly
                // INDETERMINATE OUT_OF_BOUNDS_NO_POE for both of us).
                let atTheirMoment = try theirs.moment.map {
                    try PDFVerifier(trustAnchors: anchors, revocation: RevocationOptions(validationTime: Date(timeIntervalSince1970: $0)))
                        .verify(path: data.appendingPathComponent("pdf/\(file)").path)
                } ?? report
                let ours = try #require(atTheirMoment.signatures.first { $0.field == theirs.field }, "\(file): no signature \(theirs.field ?? "?")")
                rows.append(try compare(file: file, field: theirs.field ?? "?", ours: Self.summary(ours),
                                        theirs: Self.summary(theirs), report: atTheirMoment))
            }
        }
        for file in Self.sneaky {
            let judgement = try #require(judgements[file])
            let report = try PDFVerifier(trustAnchors: judgement.anchors.flatMap { try Certificate.load(pem: Data($0.utf8)) })
                .verify(path: data.appendingPathComponent("pdf/\(file)").path)
            #expect(report.signatures.first?.verdict == .failed && report.codes.contains(.disallowedModification), "\(report.text)")
        }
        // docs/verification.md holds this very table; a fresh copy goes next to the corpus.
        let table = (["| file | signature | pyHanko | ours | |", "|---|---|---|---|---|"] + rows).joined(separator: "\n") + "\n"
        try Data(table.utf8).write(to: data.deletingLastPathComponent().appendingPathComponent("peer-table.md"))
        let docs = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/verification.md"), encoding: .utf8)
        #expect(docs.contains(table), "docs/verification.md's peer table differs from this run's (see peer-table.md next to the corpus)")
    }

    private func compare(file: String, field: String, ours: Summary, theirs: Summary, report: VerificationReport) throws -> String {
        let row = "| \(file) | \(field) | \(theirs) | \(ours) |"
        switch Self.expectations["\(file)#\(field)"] ?? Self.expectations[file] {
        case nil:
            #expect(ours.agrees(with: theirs), "\(file) \(field): pyHanko \(theirs), we \(ours)\n\(report.text)")
            return row + " agree |"
        case .deliberate(let verdict, let because):
            #expect(ours.verdict == verdict.rawValue, "\(file) \(field): we decided \(verdict) (\(because)) but say \(ours)")
            #expect(!ours.agrees(with: theirs), "\(file) \(field): pyHanko now agrees with us — drop the deliberate entry")
            return row + " deliberate (below) |"
        }
    }

    static func summary(_ theirs: PeerCorpus.Judgement.Signature) -> Summary {
        guard theirs.error == nil else { return Summary(verdict: "FAILED") }
        let sound = theirs.intact == true && theirs.valid == true
        let coverage = switch theirs.coverage {
        case "ENTIRE_FILE": "whole file"
        case "ENTIRE_REVISION": "revision"
        default: "partial"
        }
        var modification = switch theirs.modification {
        case "NONE": "none"
        case "OTHER": "disallowed"
        case nil: nil as String?
        default: "allowed"
        }
        if theirs.docmdp_ok == false { modification = "disallowed" }
        let verdict = !sound || coverage == "partial" || modification == "disallowed" ? "FAILED"
            : theirs.bottom_line == true ? "PASSED" : "INDETERMINATE"
        return Summary(verdict: verdict, sound: sound, coverage: coverage,
                       modification: coverage == "partial" ? nil : modification)
    }

    static func summary(_ ours: SignatureReport) -> Summary {
        let codes = Set(ours.issues.map(\.code))
        let broken: Set<VerificationIssue.Code> = [.digestMismatch, .badCMS, .badContents, .wrappedSignature, .signerCertificateMissing,
                                                  .signatureInvalid, .contentNotDetached]
        // A malformed /ByteRange or an unsupported algorithm stops us before the cryptography.
        let sound: Bool? = codes.contains(.unsupported) || codes.contains(.badByteRange) ? nil : codes.isDisjoint(with: broken)
        let coverage = ours.coverage == "whole file" ? "whole file" : ours.coverage.hasPrefix("revision") ? "revision" : "partial"
        let modification = ours.modifications.isEmpty ? "none" : ours.modifications.allSatisfy { $0.allowed } ? "allowed" : "disallowed"
        return Summary(verdict: ours.verdict.rawValue, sound: sound, coverage: coverage,
                       modification: coverage == "partial" ? nil : modification)
    }
}
