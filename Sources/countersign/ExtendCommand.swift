import ArgumentParser
import Countersign
import Foundation

/// `countersign extend FILE… --to lt|lta [--in DIR] [--out PATH] [--tsa URL]`
struct ExtendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Raise signed PDFs to PAdES B-LT or B-LTA: add validation data, renew the archive timestamp.",
        discussion: """
            Fetches OCSP responses and CRLs for every signature's and timestamp's chain and writes them, with \
            the certificates, into the document's DSS as an incremental update; --to lta then adds a document \
            timestamp covering it (run again later to renew it). Every earlier signature stays valid. Files are \
            changed in place (atomically, only when extending succeeds) unless --out is given. \
            A revoked certificate found on the way is recorded with a note, not refused (the signature \
            may predate the revocation; verify judges it). The TSA is given 10 s to connect and 30 s to \
            answer. Exit status: 0 all extended, 65 a file cannot be extended (unsigned, unreadable \
            signature), 74 validation data or the TSA cannot be reached, 66 a file is missing.
            """)

    @Argument(help: "Signed PDF files to extend.")
    var files: [String] = []

    @Option(name: .customLong("in"), help: "Extend every PDF in this directory.")
    var inputDirectory: String?

    @Option(help: "Write the result here instead of in place: a file for one FILE, a directory otherwise.")
    var out: String?

    @Option(help: "lt (validation data) or lta (validation data and a document timestamp).")
    var to: String

    @Option(help: "RFC 3161 time-stamp authority URL (http://…); needed for --to lta.")
    var tsa: String?

    @Flag(help: "Also write /VRI entries in the DSS (deprecated by EN 319 142-1).")
    var vri = false

    @Option(name: .customLong("revocation-timeout"), help: "Seconds allowed for each OCSP or CRL exchange (default 10).")
    var revocationTimeout: Double = 10

    @Option(help: "Extra certificates (PEM) to build chains with, e.g. an intermediate the signature does not carry. Repeatable.")
    var certificates: [String] = []

    @Flag(help: "Print one JSON object per file on stdout (JSON Lines).")
    var json = false

    @OptionGroup var documentPassword: DocumentPasswordOptions

    private var level: LongTermLevel? { LongTermLevel(rawValue: to) }

    func validate() throws {
        if files.isEmpty && inputDirectory == nil { throw ValidationError("Give one or more FILEs or --in DIR.") }
        if level == nil { throw ValidationError("--to must be lt or lta, not '\(to)'.") }
        if level == .lta, tsa == nil { throw ValidationError("--to lta needs --tsa URL for the document timestamp.") }
        if let tsa, URL(string: tsa)?.scheme?.lowercased() != "http" {
            throw ValidationError("--tsa must be an http:// URL, not '\(tsa)'.")
        }
        if !(revocationTimeout > 0 && revocationTimeout <= 300) {
            throw ValidationError("--revocation-timeout must be between 0 and 300 seconds.")
        }
    }

    func run() throws {
        var paths = files
        var worst: Int32 = ExitStatus.ok
        try reportingErrors(json: json) {
            if let inputDirectory { paths += try VerifyBatch.pdfs(in: URL(fileURLWithPath: inputDirectory)) }
        }
        var password = ""
        try reportingErrors(json: json) { password = try documentPassword.read() }
        var extraCertificates: [Certificate] = []
        for path in certificates {
            try reportingErrors(json: json, file: path) {
                let data = try StandardStreams.read(path, what: "a --certificates PEM file")
                do {
                    extraCertificates += try Certificate.load(pem: data)
                } catch {
                    throw CLIError.from(error, file: path)
                }
            }
        }
        let extender = LongTermExtender(fetcher: RevocationFetcher(timeout: revocationTimeout),
                                        timestampClient: tsa.flatMap(URL.init(string:)).map { TimestampClient(url: $0) },
                                        includesVRI: vri, extraCertificates: extraCertificates)
        for path in paths {
            let output = destination(for: path, count: paths.count)
            do {
                try reportingErrors(json: json, file: path) {
                    guard FileManager.default.fileExists(atPath: path) else {
                        throw CLIError(ExitStatus.noInput, file: path, "no such file (the PDF to extend)", todo: "check the path")
                    }
                    let result = try extender.extend(file: URL(fileURLWithPath: path), to: URL(fileURLWithPath: output), level: level!,
                                                     password: password)
                    for note in result.notes { printError("\(path): note: \(note)") }
                    if json {
                        printJSON(.object(["input": .string(path), "output": .string(output), "level": .string(to),
                                           "certificates": .int(result.certificates), "ocspResponses": .int(result.ocspResponses),
                                           "crls": .int(result.crls), "notes": .array(result.notes.map(JSONValue.string))]))
                    } else {
                        FileHandle.standardError.write(Data(("extended \(path) to B-\(to.uppercased()) → \(output) (\(result.certificates) "
                            + "certificates, \(result.ocspResponses) OCSP responses, \(result.crls) CRLs)\n").utf8))
                    }
                }
            } catch let exit as ExitCode {
                worst = max(worst, exit.rawValue)
            }
        }
        if worst != ExitStatus.ok { throw ExitCode(worst) }
    }

    /// In place, or `--out` (a file for one input, else a directory holding the same names).
    private func destination(for path: String, count: Int) -> String {
        guard let out else { return path }
        if count == 1, inputDirectory == nil, !out.hasSuffix("/") { return out }
        return URL(fileURLWithPath: out).appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path
    }
}
