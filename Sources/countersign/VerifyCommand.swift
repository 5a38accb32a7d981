import ArgumentParser
import Countersign
import Foundation
import Synchronization

/// `countersign verify FILE... [--trust CERT.pem]... [--trust-list TL.xml... --trust-list-signer CERT.pem...]
/// [--json] [--in DIR] [--jobs N]`
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify the signatures of PDFs strictly: structure, CMS, chain, timestamp, changes since signing.",
        discussion: """
            Exit status: 0 every file PASSED, 1 some file FAILED, 2 the worst is INDETERMINATE \
            (e.g. no --trust, or a signer that does not chain to it; also a file with no signatures); \
            64 usage, 65 a --trust certificate or trusted list that is not one, 66 a file is missing, \
            71 --trust-list without libxmlsec1, 74 a file cannot be read. A file that is missing or cannot be read \
            decides the status over the verdicts of the others (each is still reported).
            With --trust-list: trusted-list services granted at the signing time are trust anchors too, and \
            each signature's EU qualification is reported (docs/ltv.md).
            With --json: one file prints one JSON object; several files or --in print JSON Lines, \
            one object per file, in input order (docs/verify-report.md) — a file that cannot be read \
            gets {"file", "verdict": null, "error": {"status", "message"}}. Text output for several \
            files ends with a summary line.
            """)

    @Argument(help: "PDF files to verify ('-': standard input).")
    var files: [String] = []

    @Option(name: .customLong("in"), help: "Verify every PDF in this directory (sorted by name).")
    var inputDirectory: String?

    @Option(help: "A trusted root or intermediate certificate (PEM, may hold several). Repeatable.")
    var trust: [String] = []

    @Option(name: .customLong("trust-list"),
            help: "An EU trusted list (ETSI TS 119 612 XML): the LOTL and the national lists it points to. Services granted at the signing time become trust anchors and each signature's qualification (QESig, AdESig-QC, …) is reported. Repeatable.")
    var trustLists: [String] = []

    @Option(name: .customLong("trust-list-signer"),
            help: "A certificate (PEM, may hold several) pinned to sign the LOTL (or a national list given without its LOTL). National lists are pinned by the LOTL's pointers. Repeatable.")
    var trustListSigners: [String] = []

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(help: "Parallel workers (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "Also ask the certificates' OCSP responders and CRL distribution points, even where the document has data (default: offline, the document's own validation data only).")
    var online = false

    @Option(name: .customLong("revocation-timeout"), help: "Seconds allowed for each OCSP or CRL exchange with --online (default 10).")
    var revocationTimeout: Double = 10

    @Flag(name: .customLong("require-revocation"),
          help: "A certificate whose revocation status cannot be had (nothing in the file, nothing fetched) makes the signature INDETERMINATE (TRY_LATER), as EN 319 102-1 asks; by default it is reported and does not count.")
    var requireRevocation = false

    @Option(help: "text (default), or etsi-xml: an ETSI TS 119 102-2 validation report on stdout (one FILE).")
    var report: String = "text"

    @Option(help: "Validate at this time instead of now, ISO 8601 (e.g. 2027-06-01T00:00:00Z).")
    var at: String?

    @OptionGroup var documentPassword: DocumentPasswordOptions

    private var validationTime: Date? { at.flatMap { ISO8601DateFormatter().date(from: $0) } }

    func validate() throws {
        if files.isEmpty && inputDirectory == nil { throw ValidationError("Give one or more FILEs or --in DIR.") }
        var isFolder: ObjCBool = false
        if let folder = files.first(where: { FileManager.default.fileExists(atPath: $0, isDirectory: &isFolder) && isFolder.boolValue }) {
            throw ValidationError("\(folder) is a folder; verify the PDFs in it with --in \(folder)")
        }
        try JobsOption.check(jobs)
        if !["text", "etsi-xml"].contains(report) { throw ValidationError("--report must be text or etsi-xml, not '\(report)'.") }
        if report == "etsi-xml", json || files.count != 1 || inputDirectory != nil {
            throw ValidationError("--report etsi-xml writes one XML document: give one FILE and no --json or --in.")
        }
        if at != nil, validationTime == nil { throw ValidationError("--at must be ISO 8601, e.g. 2027-06-01T00:00:00Z.") }
        if !trustListSigners.isEmpty && trustLists.isEmpty {
            throw ValidationError("--trust-list-signer pins the signer of a trusted list: give the lists with --trust-list.")
        }
        if !trustLists.isEmpty && trustListSigners.isEmpty {
            throw ValidationError("--trust-list needs --trust-list-signer: the certificate that signs the LOTL (lists are never trusted unsigned).")
        }
        if !(revocationTimeout > 0 && revocationTimeout <= 300) { throw ValidationError("--revocation-timeout must be between 0 and 300 seconds.") }
    }

    func run() throws {
        try reportingErrors(json: json) {
            // Without libcrypto every report would be INDETERMINATE; say what is missing instead.
            try CryptoLibrary.require()
            var anchors: [Certificate] = []
            for path in trust {
                let data = try StandardStreams.read(path, what: "a --trust certificate")
                do {
                    anchors += try Certificate.load(pem: data)
                } catch {
                    throw CLIError.from(error, file: path)
                }
            }
            let lists = try loadTrustedLists()
            var paths = files
            if let inputDirectory { paths += try VerifyBatch.pdfs(in: URL(fileURLWithPath: inputDirectory)) }
            var spooled: (url: URL, cleanup: () -> Void)? = nil
            if let index = paths.firstIndex(of: StandardStreams.name) {
                spooled = try StandardStreams.spool(StandardStreams.name, suffix: ".pdf", what: "the PDF to verify")
                paths[index] = spooled!.url.path
            }
            defer { spooled?.cleanup() }
            let stdinPath = spooled?.url.path
            try verify(paths, anchors: anchors, lists: lists) { path in path == stdinPath ? "<stdin>" : path }
        }
    }

    /// The trusted lists, each checked against its pinned signer; a refused list is said on
    /// standard error (and in every report) and lends no anchor.
    private func loadTrustedLists() throws -> TrustedListSet? {
        guard !trustLists.isEmpty else { return nil }
        var pinned: [Certificate] = []
        for path in trustListSigners {
            let data = try StandardStreams.read(path, what: "a --trust-list-signer certificate")
            do {
                pinned += try Certificate.load(pem: data)
            } catch {
                throw CLIError.from(error, file: path)
            }
        }
        let sources = try trustLists.map { path in
            TrustedListSet.Source(name: path, bytes: Array(try StandardStreams.read(path, what: "a --trust-list trusted list")))
        }
        let lists = TrustedListSet.load(sources, pinned: pinned, at: validationTime ?? Date())
        if let failure = lists.refused.first(where: { $0.error.code == .systemLibrary }) {
            throw CLIError(ExitStatus.osError, file: failure.source, failure.error.reason, todo: "install libxmlsec1-openssl")
        }
        for refusal in lists.refused { printError("warning: trusted list refused: \(refusal.error.reason)") }
        for pointer in lists.missingPointers {
            printError("warning: the LOTL points to the trusted list of \(pointer.territory ?? "?") at \(pointer.location), which was not given (--trust-list): its services are not trusted")
        }
        for list in lists.expired {
            printError("warning: the trusted list \(list.source) (\(list.territory)) is past its NextUpdate \(list.nextUpdate.map { ISO8601DateFormatter().string(from: $0) } ?? ""); it is used, but may be out of date")
        }
        return lists
    }

    private func verify(_ paths: [String], anchors: [Certificate], lists: TrustedListSet?,
                        shown: @escaping @Sendable (String) -> String) throws {
        let total = paths.count
        let lines = json && (total > 1 || inputDirectory != nil)
        let status = Mutex(Status())
        var configured = PDFVerifier(trustAnchors: anchors,
                                     revocation: RevocationOptions(online: online, timeout: revocationTimeout, validationTime: validationTime,
                                                                   requireData: requireRevocation),
                                     trustedLists: lists)
        configured.documentPassword = try documentPassword.read()
        let verifier = configured
        let batch = VerifyBatch(verifier: verifier,
                                workers: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        batch.run(paths) { index, outcome in
            switch outcome {
            case .report(var report):
                report.file = shown(report.file)
                status.withLock { $0.count(report.verdict) }
                if self.report == "etsi-xml" {  // never with --json: refused in validate()
                    guard let xml = report.etsiXML else {
                        printError("\(report.file): no signatures, so no ETSI TS 119 102-2 report (the schema's report describes at least one signature); nothing written — run verify without --report to see what the file holds")
                        return
                    }
                    FileHandle.standardOutput.write(Data((xml + "\n").utf8))
                    return
                }
                let text = json ? Self.json(report, path: paths[index], verifier: verifier).rendered(pretty: !lines)
                    : Self.text(report, path: paths[index], verifier: verifier) + (index + 1 < total ? "\n" : "")
                FileHandle.standardOutput.write(Data((text + "\n").utf8))
            case .unreadable(let path, let error):
                let failure = CLIError.from(error, file: shown(path))
                status.withLock { $0.unreadable.append(failure) }
                printError(failure.description)
                if json {
                    // One object per file, in input order, also for a file that could not be read.
                    let object: JSONValue = .object(["file": .string(shown(path)), "verdict": .null,
                                                     "error": .object(["status": .int(Int(failure.status)),
                                                                       "message": .string(failure.description)])])
                    FileHandle.standardOutput.write(Data((object.rendered(pretty: !lines) + "\n").utf8))
                }
            }
        }
        let final = status.withLock { $0 }
        if !json, total > 1 || inputDirectory != nil {
            var summary = "\(total) file\(total == 1 ? "" : "s"): \(final.passed) PASSED, \(final.failed) FAILED, "
                + "\(final.indeterminate) INDETERMINATE"
            if !final.unreadable.isEmpty { summary += ", \(final.unreadable.count) unreadable" }
            print("\nSummary: " + summary)
        }
        if let worst = final.unreadable.map(\.status).max() { throw ExitCode(worst) }
        switch final.worst {
        case .passed: return
        case .failed: throw ExitCode(ExitStatus.failed)
        case .indeterminate: throw ExitCode(ExitStatus.indeterminate)
        }
    }

    /// The report's JSON with `completeRevisions`: for a file whose end is not a complete
    /// revision, the bytes that are and the report on them (the text's indented part); else null.
    static func json(_ report: VerificationReport, path: String, verifier: PDFVerifier) -> JSONValue {
        guard case .object(var object) = report.json else { return report.json }
        object["completeRevisions"] = .null
        if report.revisions == 0, let intact = VerificationContext.intactPart(path: path, verifier: verifier) {
            var part = intact.report
            part.file = report.file
            object["completeRevisions"] = .object(["bytes": .int(intact.bytes), "trailingBytes": .int(intact.trailing), "report": part.json])
        }
        return .object(object)
    }

    /// The report's text and, for a file whose end is not a complete revision, the verdict on the
    /// complete revisions before it.
    static func text(_ report: VerificationReport, path: String, verifier: PDFVerifier) -> String {
        var text = report.text
        if report.revisions == 0, let intact = VerificationContext.intactPart(path: path, verifier: verifier) {
            var part = intact.report
            part.file = report.file
            text += "\n  The file looks truncated: its last \(intact.trailing) bytes are not a complete revision. "
                + "The complete revisions before them (bytes 0–\(intact.bytes)) verify as follows; the verdict "
                + "for the file stays \(report.verdict.rawValue).\n\n"
                + part.text.split(separator: "\n", omittingEmptySubsequences: false).map { "  | " + $0 }.joined(separator: "\n")
        }
        return text
    }

    private struct Status {
        var worst = Verdict.passed
        var passed = 0, failed = 0, indeterminate = 0
        var unreadable: [CLIError] = []

        mutating func count(_ verdict: Verdict) {
            worst = max(worst, verdict)
            switch verdict {
            case .passed: passed += 1
            case .failed: failed += 1
            case .indeterminate: indeterminate += 1
            }
        }
    }
}
