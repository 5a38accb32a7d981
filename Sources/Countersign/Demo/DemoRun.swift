public import Foundation
import Synchronization

/// `countersign demo`: the whole job on embedded defaults — a development CA made on first run,
/// contracts generated from the sample leads, each sealed with an audit certificate page built
/// from the sample events, and (with verification) checked.
public struct DemoRun: Sendable {
    public struct Summary: Sendable {
        public var outputDirectory: URL
        public var caCertificate: URL
        public var generated: Int
        public var sealed: Int
        /// Sealed files that verified PASSED against the development CA.
        public var passed: Int
        public var failures: [String]
        public var elapsed: TimeInterval
    }

    /// Where the sample template, clauses and fixtures are found.
    public var resources: ResourceLocator
    public var output: URL
    public var rows: Int
    public var workers: Int

    public init(resources: ResourceLocator = .standard, output: URL, rows: Int, workers: Int) {
        self.resources = resources
        self.output = output
        self.rows = rows
        self.workers = max(1, workers)
    }

    public func run(progress: ProgressReporter?) throws -> Summary {
        let start = Date()
        // The shipped inputs first: a broken installation fails before anything is written.
        let templateFile = try resources.file(.templates, "service-agreement.xml")
        let clauses = try resources.file(.templates, "clauses")
        let eventsFile = try resources.file(.fixtures, "audit-events.json")
        let leads = try resources.file(.fixtures, "leads.csv")
        _ = try resources.directory(.fonts)
        let keys = output.appendingPathComponent("dev-ca")
        let files = DevelopmentCAFiles(directory: keys)
        if !FileManager.default.fileExists(atPath: files.signerPKCS12.path) {
            _ = try DevelopmentCA.make(in: keys)
        }
        let password = try PasswordSource.file(files.signerPassword.path).read()
        let identity = try SigningIdentity.load(pkcs12: Data(contentsOf: files.signerPKCS12), password: password)
        let template = try TemplateCompiler(clauseLibrary: clauses).compile(file: templateFile)
        let sampleEvents = try AuditTrail.load(Data(contentsOf: eventsFile))

        // Read the rows to generate (a small demo: the first `rows` good rows).
        let reader = try CSVReader(url: leads)
        var records: [CSVRecord] = []
        var failures: [String] = []
        while records.count < rows, let next = try reader.next() {
            switch next {
            case .success(let record): records.append(record)
            case .failure(let error): failures.append("leads.csv \(error)")
            }
        }
        let contracts = output.appendingPathComponent("contracts")
        let sealed = output.appendingPathComponent("sealed")
        try FileManager.default.createDirectory(at: contracts, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: sealed, withIntermediateDirectories: true)
        progress?.setTotal(records.count)

        let next = Mutex(0)
        let work = records
        let outcome = Mutex((generated: 0, sealed: 0, passed: 0, failures: [String]()))
        let verifier = PDFVerifier(trustAnchors: [identity.chain.last ?? identity.certificate])
        let header = reader.header
        DispatchQueue.concurrentPerform(iterations: min(workers, max(1, work.count))) { _ in
            let generator: DocumentGenerator
            let signer: PDFSigner
            do {
                generator = try DocumentGenerator(template: template)
                signer = try PDFSigner(identity: identity)
            } catch {
                outcome.withLock { $0.failures.append("worker setup: \(error)") }
                return
            }
            while true {
                let index: Int = next.withLock { value in
                    defer { value += 1 }
                    return value
                }
                guard index < work.count else { break }
                let record = work[index]
                let row = Dictionary(zip(header, record.fields), uniquingKeysWith: { $1 })
                let name = (row["lead_id"] ?? "row-\(record.row)") + ".pdf"
                do {
                    let (values, problems) = template.coerce(row: row)
                    if let problem = problems.first { throw DemoError(message: "leads.csv row \(record.row): \(problem)") }
                    let document = try generator.generate(values, date: row["effective_date"])
                    try AtomicFile.write(document.pdf, to: contracts.appendingPathComponent(name))
                    outcome.withLock { $0.generated += 1 }
                    let trail = Self.events(for: row, sample: sampleEvents)
                    // The seal is made now, after the (sample) signing events it records.
                    let request = SignatureRequest(placement: .invisible(fieldName: "countersign_seal"),
                                                   reason: "Sealed by Countersign after all parties signed",
                                                   signingTime: Date(), audit: trail)
                    let signed = try signer.sign(PDFBytes(document.pdf), request: request)
                    let destination = sealed.appendingPathComponent(name)
                    try AtomicFile.write(parts: [signed.original, signed.appended], to: destination)
                    outcome.withLock { $0.sealed += 1 }
                    let report = try verifier.verify(path: destination.path)
                    guard report.verdict == .passed else {
                        throw DemoError(message: "verification says \(report.verdict): \(report.text)")
                    }
                    outcome.withLock { $0.passed += 1 }
                    progress?.advance()
                } catch {
                    outcome.withLock { $0.failures.append("\(name): \(error)") }
                    progress?.advance(failed: true)
                }
            }
        }
        progress?.finish()
        let result = outcome.withLock { $0 }
        return Summary(outputDirectory: output, caCertificate: files.caCertificate, generated: result.generated,
                       sealed: result.sealed, passed: result.passed, failures: failures + result.failures, elapsed: Date().timeIntervalSince(start))
    }

    /// The sample events, re-addressed to a lead: its contact signs as the customer.
    static func events(for row: [String: String], sample: AuditTrail) -> AuditTrail {
        var trail = sample
        trail.envelopeId = "env_" + (row["lead_id"] ?? "demo").replacingOccurrences(of: "-", with: "")
        trail.documentName = "Service Agreement — \(row["company_name"] ?? "")"
        if !trail.signers.isEmpty {
            trail.signers[0].name = "\(row["contact_first_name"] ?? "") \(row["contact_last_name"] ?? "")"
            trail.signers[0].email = row["contact_email"] ?? trail.signers[0].email
        }
        return trail
    }
}

/// The files of a development CA directory.
struct DevelopmentCAFiles {
    let directory: URL
    var caCertificate: URL { directory.appendingPathComponent("ca.pem") }
    var signerPKCS12: URL { directory.appendingPathComponent("signer.p12") }
    var signerPassword: URL { directory.appendingPathComponent("signer.pass") }
}

struct DemoError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
