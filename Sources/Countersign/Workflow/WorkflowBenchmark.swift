public import Foundation
import Synchronization
import Workflow

/// The workflow benchmark (`scripts/bench workflow`, docs/performance.md): envelopes per second
/// from creation to sealed completion through the library — created from `service-agreement@3`
/// with a lead's data, sent, signed by two signers in routing order (the links read from the
/// outbox), completed by `workers` in-process workers (generate with the marks, seal, verify,
/// commit) — against the bare rate of generating and sealing the same documents with no
/// workflow at all (the limit). E-mail stays in the outbox (no relay): delivery is the relay's
/// cost, not ours.
public struct WorkflowBenchmark: Sendable {
    /// A timed run.
    public struct Measurement: Sendable, Hashable {
        public var envelopes: Int
        public var seconds: Double
        public var rate: Double { seconds > 0 ? Double(envelopes) / seconds : 0 }
    }

    /// The shipped template library (`Templates/`) and leads (`Fixtures/leads.csv`; rows are
    /// reused in turn when more envelopes than leads are asked for).
    public let templates: URL
    public let leads: URL

    public init(templates: URL, leads: URL) {
        self.templates = templates
        self.leads = leads
    }

    /// The leads' rows (header → value), the empty values left out.
    func rows() throws -> [[String: String]] {
        let reader = try CSVReader(url: leads)
        var rows: [[String: String]] = []
        while let next = try reader.next() {
            if case .success(let record) = next {
                rows.append(Dictionary(zip(reader.header, record.fields), uniquingKeysWith: { $1 }).filter { !$0.value.isEmpty })
            }
        }
        guard !rows.isEmpty else { throw WorkflowError(.invalidRequest, "\(leads.path) has no lead rows") }
        return rows
    }

    /// Envelopes from create to sealed completion on a new workflow in `directory` with its store
    /// at `store` (nil: SQLite in the folder). `clients` tasks (the senders and signers, at
    /// once: one client alone waits on every commit in turn) each create, send and sign one
    /// envelope after another; `workers` workers complete concurrently. The clock starts after
    /// the template library is published.
    public func runWorkflow(directory: URL, store: WorkflowStoreLocation?, envelopes: Int, workers: Int,
                            clients: Int = 4) async throws -> Measurement {
        let home = try await WorkflowHome.open(directory: directory, store: store)
        do {
            let measurement = try await runWorkflow(home, envelopes: envelopes, workers: max(1, workers), clients: max(1, clients))
            await home.close()
            return measurement
        } catch {
            await home.close()
            throw error
        }
    }

    private func runWorkflow(_ home: WorkflowHome, envelopes count: Int, workers: Int, clients: Int) async throws -> Measurement {
        let engine = home.engine
        let (_, key) = try await engine.createAccount(name: "Workflow benchmark")
        let admin = try await engine.authenticate(apiKey: key.secret, onBehalfOf: "bench@northbeam.example")
        let library = try await engine.importLibrary(admin, directory: templates)
        guard let template = library.templates.first(where: { $0.templateID == "service-agreement" && $0.version == "3" }) else {
            throw WorkflowError(.notFound, "\(templates.path) has no service-agreement@3")
        }
        _ = try await engine.publishTemplate(admin, templateID: template.templateID, version: template.version)
        let rows = try rows()
        let completed = BenchCounter()
        let next = BenchCounter()
        let start = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<clients { group.addTask {
                let context = RequestContext(ip: "198.51.100.23", userAgent: "countersign-bench/1.0")
                while true {
                    let index = next.add(1)
                    if index >= count { return }
                    let row = rows[index % rows.count]
                    let customer = "lead\(index)@customers.example"
                    let envelope = try await engine.createEnvelope(admin, EnvelopeRequest(
                        templateID: template.templateID, templateVersion: template.version,
                        subject: "Service Agreement — \(row["company_name"] ?? "")", data: row, recipients: [
                            RecipientRequest(name: "Customer \(index)", email: customer, role: .signer, routingOrder: 1,
                                             authentication: .link, signatureRole: "customer"),
                            RecipientRequest(name: "Northbeam Sales", email: "sales@northbeam.example", role: .signer, routingOrder: 2,
                                             authentication: .link, signatureRole: "company"),
                        ], metadata: ["lead_id": row["lead_id"] ?? ""]))
                    try await engine.send(admin, envelope: envelope.id)
                    try await OutboxSigner.sign(engine, account: admin.account, envelope: envelope.id, email: customer,
                                                name: "Customer \(index)", context: context)
                    try await OutboxSigner.sign(engine, account: admin.account, envelope: envelope.id, email: "sales@northbeam.example",
                                                name: "Northbeam Sales", context: context)
                }
            } }
            for index in 0..<workers {
                group.addTask {
                    let worker = WorkflowWorker(engine: engine, smtp: nil, name: "bench-\(index)")
                    while completed.value < count {
                        let pass = try await worker.runDue()
                        if let failure = pass.failed.first { throw WorkflowError(.completion, "a benchmark job failed: \(failure)") }
                        let done = pass.ran[.completion] ?? 0
                        if done > 0 {
                            completed.add(done)
                        } else {
                            try await Task.sleep(for: .milliseconds(5))
                        }
                    }
                }
            }
            // The first failure ends the run (leaving the closure cancels the workers' polling);
            // waiting for all would wait forever on workers whose envelopes never come.
            while try await group.next() != nil {}
        }
        let seconds = Date().timeIntervalSince(start)
        // Every envelope is completed (counted a page at a time, so memory stays flat).
        var sealed = 0
        var after: String?
        while true {
            let page = try await engine.store.envelopes(account: admin.account, query: EnvelopeQuery(states: [.completed], after: after, limit: 500))
            sealed += page.count
            guard let last = page.last else { break }
            after = last.id
        }
        guard sealed == count else { throw WorkflowError(.completion, "the benchmark completed \(sealed) of \(count) envelopes") }
        return Measurement(envelopes: count, seconds: seconds)
    }
}

/// A counter shared by a benchmark's tasks.
final class BenchCounter: Sendable {
    private let atomic = Atomic<Int>(0)

    var value: Int { atomic.load(ordering: .relaxed) }

    /// Adds `amount`; returns the value before.
    @discardableResult
    func add(_ amount: Int) -> Int { atomic.add(amount, ordering: .relaxed).oldValue }
}
