public import Foundation

/// `countersign demo`: the whole job on embedded defaults — the workflow core on SQLite with a
/// development CA made on first run: envelopes from the sample leads, two signers in routing
/// order, sealed contracts with the signers' marks in their fields, verified, evidence checked.
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
        /// Evidence events in the store, and whether `audit verify` found them intact.
        public var events: Int
        public var evidenceIntact: Bool
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

    /// Runs the demo; waits for the asynchronous workflow underneath.
    public func run(progress: ProgressReporter?) throws -> Summary {
        let demo = self
        return try waitFor { try await demo.runFlow(progress: progress) }
    }

    /// The real flow on the embedded defaults: a workflow home (SQLite store + development CA) in
    /// the output folder, the shipped template library imported and `service-agreement@3`
    /// published, then for each lead an envelope with the customer (order 1, e-mailed code) and the
    /// account owner (order 2, link) signing through the library API — consent, the code read from
    /// the outbox, a typed signature, sign — completed by workers, sealed, verified, and the
    /// store's evidence checked.
    func runFlow(progress: ProgressReporter?) async throws -> Summary {
        let start = Date()
        // The shipped inputs first: a broken installation fails before anything is written.
        let templates = try resources.directory(.templates)
        let leads = try resources.file(.fixtures, "leads.csv")
        _ = try resources.directory(.fonts)
        let home = try WorkflowHome(directory: output, signingURL: "https://sign.countersign.invalid/s/",
                                    sender: "contracts@northbeam.example", organisation: "Northbeam Software")
        let engine = home.engine
        let (_, key) = try await engine.createAccount(name: "Northbeam demo \(AuditTime.iso(start))")
        let admin = try await engine.authenticate(apiKey: key.secret, onBehalfOf: "demo@northbeam.example")
        let library = try await engine.importLibrary(admin, directory: templates)
        guard let template = library.templates.first(where: { $0.templateID == "service-agreement" }) else {
            throw DemoError(message: "Templates/service-agreement.xml is missing")
        }
        _ = try await engine.publishTemplate(admin, templateID: template.templateID, version: template.version)

        let reader = try CSVReader(url: leads)
        var failures: [String] = []
        var envelopes: [(name: String, id: String)] = []
        let contracts = output.appendingPathComponent("contracts")
        let sealed = output.appendingPathComponent("sealed")
        try FileManager.default.createDirectory(at: contracts, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: sealed, withIntermediateDirectories: true)
        var records: [CSVRecord] = []
        while records.count < rows, let next = try reader.next() {
            switch next {
            case .success(let record): records.append(record)
            case .failure(let error): failures.append("leads.csv \(error)")
            }
        }
        progress?.setTotal(records.count)
        for record in records {
            let row = Dictionary(zip(reader.header, record.fields), uniquingKeysWith: { $1 })
            let name = row["lead_id"] ?? "row-\(record.row)"
            do {
                let customer = "\(row["contact_first_name"] ?? "") \(row["contact_last_name"] ?? "")"
                let owner = (row["owner_email"] ?? "").isEmpty ? "sales@northbeam.example" : row["owner_email"]!
                let envelope = try await engine.createEnvelope(admin, EnvelopeRequest(
                    templateID: template.templateID, templateVersion: template.version,
                    subject: "Service Agreement — \(row["company_name"] ?? "")", message: "Please review and sign.",
                    data: row.filter { !$0.value.isEmpty }, recipients: [
                        RecipientRequest(name: customer, email: row["contact_email"] ?? "", role: .signer, routingOrder: 1,
                                         authentication: .emailOTP, signatureRole: "customer"),
                        RecipientRequest(name: "Northbeam Sales", email: owner, role: .signer, routingOrder: 2,
                                         authentication: .link, signatureRole: "company"),
                        RecipientRequest(name: "Contracts archive", email: "archive@northbeam.example", role: .cc, routingOrder: 3),
                    ], metadata: ["lead_id": name, "owner": owner], documentDate: row["effective_date"]))
                if let sent = try await home.store.documents.get(envelope.documents[0].sentSHA256) {
                    try AtomicFile.write(sent, to: contracts.appendingPathComponent(name + ".pdf"))
                }
                try await engine.send(admin, envelope: envelope.id)
                try await Self.sign(engine, envelope: envelope.id, account: admin.account, email: row["contact_email"] ?? "", name: customer)
                try await Self.sign(engine, envelope: envelope.id, account: admin.account, email: owner, name: "Northbeam Sales")
                envelopes.append((name, envelope.id))
            } catch {
                failures.append("\(name): \(error)")
                progress?.advance(failed: true)
            }
        }
        // Workers complete the envelopes (generate with the marks, seal, verify) from the queue.
        let passes = try await withThrowingTaskGroup(of: WorkflowWorker.Pass.self) { group in
            for index in 0..<workers {
                group.addTask { try await WorkflowWorker(engine: engine, smtp: nil, name: "demo-\(index)").runDue() }
            }
            return try await group.reduce(into: [WorkflowWorker.Pass]()) { $0.append($1) }
        }
        failures += passes.flatMap(\.failed)
        let verifier = PDFVerifier(trustAnchors: home.trustAnchors)
        var sealedCount = 0
        var passed = 0
        for (name, id) in envelopes {
            guard let envelope = try await home.store.envelope(account: admin.account, id: id), envelope.state == .completed,
                  let hash = envelope.documents.first?.sealedSHA256, let bytes = try await home.store.documents.get(hash) else {
                failures.append("\(name): not completed")
                progress?.advance(failed: true)
                continue
            }
            let destination = sealed.appendingPathComponent(name + ".pdf")
            try AtomicFile.write(bytes, to: destination)
            sealedCount += 1
            let report = try verifier.verify(path: destination.path)
            if report.verdict == .passed { passed += 1 } else { failures.append("\(name): \(report.verdict)") }
            progress?.advance()
        }
        progress?.finish()
        let audit = try await AuditVerifier(store: home.store, trustAnchors: home.trustAnchors).verify(account: admin.account)
        failures += audit.findings.map(\.description)
        return Summary(outputDirectory: output, caCertificate: home.caCertificate, generated: envelopes.count, sealed: sealedCount,
                       passed: passed, failures: failures, elapsed: Date().timeIntervalSince(start),
                       events: audit.events, evidenceIntact: audit.isIntact)
    }

    /// One signer acting through the library API: the link and the one-time code are read from the outbox.
    static func sign(_ engine: WorkflowEngine, envelope: String, account: String, email: String, name: String) async throws {
        try await OutboxSigner.sign(engine, account: account, envelope: envelope, email: email, name: name,
                                    context: RequestContext(ip: "198.51.100.23", userAgent: "countersign-demo/1.0"))
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
