import ArgumentParser
import Countersign
import Foundation

/// The key and how to unlock it.
struct KeyOptions: ParsableArguments {
    @Option(help: "PKCS#12 file with the key, certificate and chain.")
    var p12: String?

    @Option(help: "PEM private key (with --cert).")
    var key: String?

    @Option(help: "PEM certificate chain, leaf first (with --key).")
    var cert: String?

    @Option(name: .customLong("password-file"), help: "Read the key's password from this file (first line).")
    var passwordFile: String?

    @Option(name: .customLong("password-env"), help: "Read the key's password from this environment variable.")
    var passwordEnv: String?

    @Option(help: ArgumentHelp("Refused: passwords never go on the command line.",
                               discussion: "Every user on the machine can read a command line (ps, /proc) and shells keep it in their history; use --password-file, --password-env, or the prompt."))
    var password: String?

    @Flag(name: .customLong("allow-expired"), help: "Sign even though the certificate has expired.")
    var allowExpired = false

    func validate() throws {
        if password != nil {
            throw ValidationError.passwordOnCommandLine("--password", alternatives: "--password-file FILE, --password-env NAME, or no password option (a prompt)")
        }
        if (p12 == nil) == (key == nil) {
            throw ValidationError("Give exactly one of --p12 FILE or --key FILE --cert FILE.")
        }
        if key != nil, cert == nil { throw ValidationError("--key needs --cert with the certificate chain.") }
        if passwordFile != nil, passwordEnv != nil { throw ValidationError("Give --password-file or --password-env, not both.") }
    }

    var loader: IdentityLoader {
        let source: IdentityLoader.Source = p12.map { .pkcs12(URL(fileURLWithPath: $0)) }
            ?? .pem(key: URL(fileURLWithPath: key!), certificates: URL(fileURLWithPath: cert!))
        let password: PasswordSource? = passwordFile.map { .file($0) } ?? passwordEnv.map { .environment($0) }
        return IdentityLoader(source: source, password: password, allowExpired: allowExpired)
    }
}

/// Where the signature goes and what it says.
struct SignatureOptions: ParsableArguments {
    @Option(help: "Fill this existing unsigned signature field (e.g. sig_customer).")
    var field: String?

    @Option(help: "Create a field at PAGE:X,Y,W,H (points, origin bottom-left).")
    var at: String?

    @Option(help: "Create a field at this text (found with poppler), like an anchor tab.")
    var anchor: String?

    @Option(name: .customLong("anchor-offset"), help: "Offset DX,DY from the anchor's lower-left corner (points).")
    var anchorOffset: String = "0,-50"

    @Option(name: .customLong("anchor-size"), help: "Field size W,H for --anchor (points).")
    var anchorSize: String = "200,45"

    @Option(name: .customLong("anchor-occurrence"), help: "Which occurrence of the anchor text (from 1).")
    var anchorOccurrence: Int = 1

    @Flag(help: "A signature with no visible widget.")
    var invisible = false

    @Option(name: .customLong("signer-name"), help: "Name shown and written to /Name (default: the certificate's CN).")
    var signerName: String?

    @Option(name: .customLong("mark-image"), help: "A PNG of a drawn signature to show instead of the typed name.")
    var markImage: String?

    @Option(name: .customLong("mark-font"), help: "The typed name's script: dancing-script (default), kaushan-script or tex-gyre-chorus.")
    var markFont: String?

    @Option(help: "Reason for signing.")
    var reason: String?

    @Option(help: "Location of signing.")
    var location: String?

    @Option(help: "pades-b-b (default), pades-b-t, pades-b-lt, pades-b-lta (these three need --tsa) or pkcs7.")
    var profile: String = "pades-b-b"

    @Option(help: "RFC 3161 time-stamp authority URL (http://…) for pades-b-t and up.")
    var tsa: String?

    @Flag(help: "With pades-b-lt/lta: also write /VRI entries in the DSS (deprecated by EN 319 142-1).")
    var vri = false

    @Option(name: .customLong("revocation-timeout"), help: "With pades-b-lt/lta: seconds allowed for each OCSP or CRL exchange (default 10).")
    var revocationTimeout: Double = 10

    @Option(help: "Make this first signature a DocMDP certification: no-changes or form-fill.")
    var certify: String?

    @Option(help: "Audit events: adds a Certificate of Completion page and audit.json (docs/audit.md). With --in: a directory of NAME.json per NAME.pdf, or a .jsonl file (- for standard input) with a \"document\" key per line.")
    var audit: String?

    @Option(help: "Digest: sha256 (default), sha384 or sha512.")
    var digest: String = "sha256"

    @Flag(help: "RSA-PSS padding instead of PKCS#1 v1.5.")
    var pss = false

    @Option(help: "Signing time, ISO 8601 (default: now).")
    var date: String?

    func validate() throws {
        let placements = [field != nil, at != nil, anchor != nil, invisible].filter { $0 }.count
        if placements != 1 { throw ValidationError("Give exactly one of --field, --at, --anchor or --invisible.") }
        if SignatureProfile(rawValue: profile) == nil {
            throw ValidationError("--profile must be pades-b-b, pades-b-t, pades-b-lt, pades-b-lta or pkcs7, not '\(profile)'.")
        }
        if let tsa, URL(string: tsa)?.scheme?.lowercased() != "http" {
            throw ValidationError("--tsa must be an http:// URL, not '\(tsa)'.")
        }
        if SignatureProfile(rawValue: profile)?.isTimestamped == true, tsa == nil {
            throw ValidationError("--profile \(profile) needs --tsa URL.")
        }
        if vri, SignatureProfile(rawValue: profile)?.longTermLevel == nil {
            throw ValidationError("--vri is for --profile pades-b-lt or pades-b-lta.")
        }
        if !(revocationTimeout > 0 && revocationTimeout <= 300) {
            throw ValidationError("--revocation-timeout must be between 0 and 300 seconds.")
        }
        if let certify, Certification(rawValue: certify) == nil {
            throw ValidationError("--certify must be no-changes or form-fill, not '\(certify)'.")
        }
        if digestAlgorithm == nil { throw ValidationError("--digest must be sha256, sha384 or sha512.") }
        if let at, SignatureOptions.parseRect(at) == nil {
            throw ValidationError("--at must be PAGE:X,Y,W,H with numbers, e.g. 1:72,72,200,50; got '\(at)'.")
        }
        if date != nil, signingTime == nil { throw ValidationError("--date must be ISO 8601, e.g. 2026-03-02T14:05:00Z.") }
        if let markFont, SignatureFont(rawValue: markFont) == nil {
            throw ValidationError("--mark-font must be " + SignatureFont.identifiers.joined(separator: ", ") + ", not '\(markFont)'.")
        }
        if markFont != nil, markImage != nil { throw ValidationError("--mark-font is for the typed name; leave it out with --mark-image.") }
    }

    static func parseRect(_ text: String) -> (Int, Double, Double, Double, Double)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let page = Int(parts[0]) else { return nil }
        let numbers = parts[1].split(separator: ",").compactMap { Double($0) }
        guard numbers.count == 4 else { return nil }
        return (page, numbers[0], numbers[1], numbers[2], numbers[3])
    }

    static func pair(_ text: String) -> (Double, Double)? {
        let numbers = text.split(separator: ",").compactMap { Double($0) }
        return numbers.count == 2 ? (numbers[0], numbers[1]) : nil
    }

    var signingTime: Date? {
        guard let date else { return Date() }
        let formatter = ISO8601DateFormatter()
        if let parsed = formatter.date(from: date) { return parsed }
        formatter.formatOptions = [.withFullDate]
        return formatter.date(from: date)
    }

    var placement: SignaturePlacement {
        if let field { return .field(field) }
        if let at, let (page, x, y, w, h) = SignatureOptions.parseRect(at) { return .rectangle(page: page, x: x, y: y, width: w, height: h) }
        if let anchor {
            let (dx, dy) = SignatureOptions.pair(anchorOffset) ?? (0, -50)
            let (w, h) = SignatureOptions.pair(anchorSize) ?? (200, 45)
            return .anchor(text: anchor, occurrence: anchorOccurrence, offsetX: dx, offsetY: dy, width: w, height: h)
        }
        return .invisible(fieldName: nil)
    }

    /// The request (for `batch`, without audit events: those are per document, `batchAudits`).
    func request(batch: Bool) throws -> SignatureRequest {
        var mark: SignatureMark? = nil
        if let markImage {
            let data = try StandardStreams.read(markImage, what: "the --mark-image PNG")
            guard data.starts(with: [0x89, 0x50, 0x4E, 0x47]) else {
                throw CLIError(ExitStatus.dataError, file: markImage, "is not a PNG file", todo: "export the drawn signature as PNG")
            }
            mark = .image(png: [UInt8](data))
        }
        var trail: AuditTrail? = nil
        if let audit, !batch {
            let data = try StandardStreams.read(audit, what: "the --audit events JSON")
            do {
                trail = try AuditTrail.load(data)
            } catch let error as SigningError {
                throw CLIError(ExitStatus.dataError, file: audit, error.reason, todo: "fix the events file (docs/audit.md)")
            }
        }
        var request = SignatureRequest(placement: placement, mark: mark, signerName: signerName, reason: reason,
                                       location: location, profile: SignatureProfile(rawValue: profile)!,
                                       certification: certify.flatMap(Certification.init(rawValue:)),
                                       signingTime: signingTime ?? Date(), audit: trail)
        request.typedNameFont = markFont.flatMap(SignatureFont.init(rawValue:)) ?? .standard
        return request
    }

    /// Per-document audit events for `sign --in`: a directory or a JSON Lines file; a single
    /// events file is refused (it would put one envelope on every document).
    var batchAudits: BatchAudits? {
        get throws {
            guard let audit else { return nil }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: audit, isDirectory: &isDirectory) else {
                throw CLIError(ExitStatus.noInput, file: audit, "no such file or directory (the --audit events)", todo: "check the path")
            }
            if isDirectory.boolValue { return .directory(URL(fileURLWithPath: audit)) }
            if audit.lowercased().hasSuffix(".jsonl") { return .jsonLines(URL(fileURLWithPath: audit)) }
            throw CLIError(ExitStatus.usage, file: audit,
                           "one events file for every document of --in would give each document the same envelope and signers",
                           todo: "give a directory holding NAME.json for each NAME.pdf, or a .jsonl file with a \"document\" key on each line (docs/audit.md)")
        }
    }

    var digestAlgorithm: DigestAlgorithm? {
        ["sha256": .sha256, "sha384": .sha384, "sha512": .sha512][digest.lowercased()]
    }

    /// How B-LT/B-LTA signatures gather validation data.
    var longTerm: LongTermExtender {
        LongTermExtender(fetcher: RevocationFetcher(timeout: revocationTimeout), includesVRI: vri)
    }

    var cmsOptions: CMSSigner.Options {
        CMSSigner.Options(digest: digestAlgorithm ?? .sha256, rsaPadding: pss ? .pss : .pkcs1v15,
                          profile: profile == "pkcs7" ? .pkcs7 : .cades)
    }
}

/// `countersign sign FILE --out FILE …` or `countersign sign --in DIR --out DIR …`
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign PDFs: fill or create a signature field, optionally add an audit certificate page.")

    @Argument(help: "The PDF to sign ('-': standard input), or use --in DIR.")
    var file: String?

    @Option(name: .customLong("in"), help: "Sign every PDF in this directory.")
    var inputDirectory: String?

    @Option(help: "The signed PDF ('-': standard output), or a directory with --in.")
    var out: String

    @Option(help: "Parallel workers for --in (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "With --in: keep documents an earlier run signed (their files still match its manifest), sign the rest.")
    var resume = false

    @Flag(help: "Sign where Countersign would refuse: a signature box too small for legible text (with a warning), or, with --in, an --out that already holds files (everything is signed again).")
    var force = false

    @Flag(help: "No progress output.")
    var quiet = false

    @Flag(help: "Print where the time went (parse, build, hash, sign, write, sync) as one JSON line on stdout.")
    var timings = false

    @Flag(help: "Print the result as a JSON object on stdout (docs/cli.md).")
    var json = false

    @OptionGroup var key: KeyOptions
    @OptionGroup var signature: SignatureOptions
    @OptionGroup var documentPassword: DocumentPasswordOptions

    func validate() throws {
        if (file == nil) == (inputDirectory == nil) { throw ValidationError("Give a FILE or --in DIR, not both.") }
        try JobsOption.check(jobs)
        if resume && force { throw ValidationError("--resume keeps earlier results and --force replaces them; give one.") }
        if resume && inputDirectory == nil { throw ValidationError("--resume is for --in DIR.") }
        if out == StandardStreams.name && (json || timings) {
            throw ValidationError("--out - writes the PDF to standard output; --json and --timings would mix with it.")
        }
        if inputDirectory != nil && out == StandardStreams.name { throw ValidationError("--in needs an --out directory, not '-'.") }
        if key.passwordFile == StandardStreams.name && file == StandardStreams.name {
            throw ValidationError("the PDF and the password cannot both come from standard input.")
        }
    }

    func run() throws {
        try reportingErrors(json: json) {
            // Key and flag errors name their own files; errors from signing name the document.
            var request = try signature.request(batch: inputDirectory != nil)
            request.allowIllegibleAppearance = force
            request.documentPassword = try documentPassword.read()
            let identity = try key.loader.load(at: request.signingTime)
            let client = signature.tsa.flatMap(URL.init(string:)).map { TimestampClient(url: $0) }
            if let inputDirectory {
                try signDirectory(inputDirectory, identity: identity, request: request, client: client)
                return
            }
            do {
                try signFile(file!, identity: identity, request: request, client: client)
            } catch let error where !(error is ExitCode) {
                throw CLIError.from(error, file: StandardStreams.display(file!))
            }
        }
    }

    private func signDirectory(_ inputDirectory: String, identity: SigningIdentity, request: SignatureRequest,
                               client: TimestampClient?) throws {
        var batch = SignBatch(identity: identity, options: signature.cmsOptions, timestampClient: client,
                              request: request, workers: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        // `--audit -`: the per-document events as JSON Lines on standard input.
        var spooled: (url: URL, cleanup: () -> Void)?
        if signature.audit == StandardStreams.name {
            spooled = try StandardStreams.spool(StandardStreams.name, suffix: ".jsonl", what: "the --audit events (JSON Lines)")
        }
        defer { spooled?.cleanup() }
        batch.audits = try spooled.map { .jsonLines($0.url) } ?? signature.batchAudits
        batch.longTerm = signature.longTerm
        batch.existingOutput = resume ? .resume : force ? .overwrite : .refuse
        let summary = try batch.run(input: URL(fileURLWithPath: inputDirectory), output: URL(fileURLWithPath: out),
                                    progress: quiet || json ? nil : ProgressReporter(label: "signed"))
        if json {
            printJSON(.object(["signed": .int(summary.signed), "kept": .int(summary.kept), "failed": .int(summary.failed),
                               "elapsed": .double(summary.elapsed),
                               "manifest": .string(URL(fileURLWithPath: out).appendingPathComponent("manifest.jsonl").path)]))
        } else if !quiet {
            FileHandle.standardError.write(Data((summary.description + "\n").utf8))
        }
        if timings { print(summary.timings.json(wall: summary.elapsed)) }
        if summary.failed > 0 { throw ExitCode(ExitStatus.failed) }
    }

    private func signFile(_ file: String, identity: SigningIdentity, request: SignatureRequest, client: TimestampClient?) throws {
        let start = ContinuousClock.now
        let original: PDFBytes
        if file == StandardStreams.name {
            original = PDFBytes([UInt8](try StandardStreams.read(file, what: "the PDF to sign")))
        } else {
            guard FileManager.default.fileExists(atPath: file) else {
                throw CLIError(ExitStatus.noInput, file: file, "no such file (the PDF to sign)", todo: "check the path")
            }
            original = try PDFBytes(mappingFile: file)
        }
        let signer = try PDFSigner(identity: identity, options: signature.cmsOptions, timestampClient: client)
        signer.longTerm = signature.longTerm
        let signed = try signer.sign(original, request: request, fileSHA256: json)
        try StandardStreams.write([signed.original, signed.appended], to: out)
        for warning in signed.warnings { printError("\(StandardStreams.display(file)): warning: \(warning)") }
        // A rewrite before signing is always said: the output is not the input plus an update.
        for notice in signed.notices {
            FileHandle.standardError.write(Data("countersign: \(StandardStreams.display(file)): notice: \(notice)\n".utf8))
        }
        if json {
            printJSON(.object(["input": .string(StandardStreams.display(file)), "output": .string(out),
                               "bytes": .int(signed.count), "sha256": .string(signed.sha256?.hexString ?? ""),
                               "rewritten": .bool(!signed.notices.isEmpty),
                               "notices": .array(signed.notices.map(JSONValue.string)),
                               "notes": .array(signed.notes.map { note in
                                   .object(["code": .string(note.code.name), "offset": note.offset.map(JSONValue.int) ?? .null,
                                            "message": .string(note.message)])
                               })]))
        } else if !quiet {
            FileHandle.standardError.write(Data("signed \(StandardStreams.display(file)) → \(out == "-" ? "standard output" : out)\n".utf8))
        }
        if timings {
            let wall = ContinuousClock.now - start
            print(signed.timings.json(wall: Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18))
        }
    }
}
