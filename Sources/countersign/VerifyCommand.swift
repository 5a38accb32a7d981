import ArgumentParser
import Countersign
import Foundation
import Synchronization

/// `countersign verify FILE... [--trust CERT.pem]... [--json] [--in DIR] [--jobs N]`
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify the signatures of PDFs strictly: structure, CMS, chain, timestamp, changes since signing.",
        discussion: """
            Exit status: 0 every file PASSED, 1 some file FAILED, 2 the worst is INDETERMINATE \
            (e.g. no --trust, or a signer that does not chain to it; also a file with no signatures); \
            64 usage, 66 a file is missing, 74 a file cannot be read.
            With --json: one file prints one JSON object; several files or --in print JSON Lines, \
            one object per file, in input order (docs/verify-report.md).
            """)

    @Argument(help: "PDF files to verify.")
    var files: [String] = []

    @Option(name: .customLong("in"), help: "Verify every PDF in this directory (sorted by name).")
    var inputDirectory: String?

    @Option(help: "A trusted root or intermediate certificate (PEM, may hold several). Repeatable.")
    var trust: [String] = []

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(help: "Parallel workers (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "Fetch OCSP responses and CRLs the document lacks from the certificates' AIA and CRL distribution points (default: offline, the document's own validation data only).")
    var online = false

    @Option(name: .customLong("revocation-timeout"), help: "Seconds allowed for each OCSP or CRL exchange with --online (default 10).")
    var revocationTimeout: Double = 10

    @Option(help: "Validate at this time instead of now, ISO 8601 (e.g. 2027-06-01T00:00:00Z).")
    var at: String?

    private var validationTime: Date? { at.flatMap { ISO8601DateFormatter().date(from: $0) } }

    func validate() throws {
        if files.isEmpty && inputDirectory == nil { throw ValidationError("Give one or more FILEs or --in DIR.") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if at != nil, validationTime == nil { throw ValidationError("--at must be ISO 8601, e.g. 2027-06-01T00:00:00Z.") }
        if !(revocationTimeout > 0 && revocationTimeout <= 300) { throw ValidationError("--revocation-timeout must be between 0 and 300 seconds.") }
    }

    func run() throws {
        // Without libcrypto every report would be INDETERMINATE; say what is missing instead.
        do { try CryptoLibrary.require() } catch { throw exitForError(error) }
        var anchors: [Certificate] = []
        for path in trust {
            guard let data = FileManager.default.contents(atPath: path) else {
                printError("\(path): no such file (a --trust certificate)")
                throw ExitCode(FileManager.default.fileExists(atPath: path) ? ExitStatus.ioError : ExitStatus.noInput)
            }
            do {
                anchors += try Certificate.load(pem: data)
            } catch {
                throw exitForError(error, file: path)
            }
        }
        var paths = files
        if let inputDirectory {
            do {
                paths += try VerifyBatch.pdfs(in: URL(fileURLWithPath: inputDirectory))
            } catch let error as VerificationError {
                printError(error.reason)
                throw ExitCode(error.code == .notFound ? ExitStatus.noInput : ExitStatus.ioError)
            }
        }
        let total = paths.count
        let lines = json && (total > 1 || inputDirectory != nil)
        let status = Mutex(Status())
        let batch = VerifyBatch(verifier: PDFVerifier(trustAnchors: anchors,
                                                              revocation: RevocationOptions(online: online, timeout: revocationTimeout,
                                                                                            validationTime: validationTime)),
                                workers: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        batch.run(paths) { index, outcome in
            switch outcome {
            case .report(let report):
                status.withLock { $0.worst = max($0.worst, report.verdict) }
                let text = json ? report.json.rendered(pretty: !lines) : report.text + (index + 1 < total ? "\n" : "")
                FileHandle.standardOutput.write(Data((text + "\n").utf8))
            case .unreadable(let path, let error):
                status.withLock { $0.missing = $0.missing || error.code == .notFound; $0.unreadable = $0.unreadable || error.code == .io }
                printError("\(path): \(error.reason)")
            }
        }
        let final = status.withLock { $0 }
        if final.unreadable { throw ExitCode(ExitStatus.ioError) }
        if final.missing { throw ExitCode(ExitStatus.noInput) }
        switch final.worst {
        case .passed: return
        case .failed: throw ExitCode(ExitStatus.failed)
        case .indeterminate: throw ExitCode(ExitStatus.indeterminate)
        }
    }

    private struct Status {
        var worst = Verdict.passed
        var missing = false
        var unreadable = false
    }
}
