public import Foundation
import Workflow

extension WorkflowBenchmark {
    /// What the limit does to each document, with no workflow around it.
    public enum Limit: String, Sendable, CaseIterable {
        /// DESIGN.md §6's seal, as the engine does it alone (`generate`, then `sign --audit`):
        /// the document generated, a Certificate of Completion for its two signers' events and
        /// the document as sent appended with its `audit.json`, one invisible PAdES B-B
        /// signature. The workflow's sealed files are these documents plus the signers' marks.
        case seal
        /// The document generated and one invisible PAdES B-B signature, with no certificate
        /// page: a stricter limit than the seal (the one sessions before 17 measured against).
        case signature
    }

    /// The limit: the same documents as the workflow's (the template bound with each lead's
    /// data) made on `workers` threads with no store, no events and no verification.
    public func runLimit(directory: URL, envelopes count: Int, workers: Int, limit: Limit = .seal) async throws -> Measurement {
        let documents = try LimitDocuments(benchmark: self, directory: directory, limit: limit)
        let next = BenchCounter()
        let start = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, workers) {
                group.addTask {
                    let maker = try documents.maker()
                    while true {
                        let index = next.add(1)
                        if index >= count { return }
                        _ = try maker.document(index)
                    }
                }
            }
            try await group.waitForAll()
        }
        return Measurement(envelopes: count, seconds: Date().timeIntervalSince(start))
    }
}

/// The limit's inputs, shared by its threads: the compiled template, the leads and the seal
/// (the development CA in the run's folder, as the workflow's home uses).
public struct LimitDocuments: Sendable {
    let template: CompiledTemplate
    let rows: [[String: String]]
    let identity: SigningIdentity
    let limit: WorkflowBenchmark.Limit
    /// The development CA the documents verify against.
    public let trustAnchors: [Certificate]

    public init(benchmark: WorkflowBenchmark, directory: URL, limit: WorkflowBenchmark.Limit) throws {
        let seal = try OrganisationSeal.development.configuration(home: directory)
        identity = seal.identity
        trustAnchors = seal.trustAnchors
        let file = benchmark.templates.appendingPathComponent("service-agreement.xml")
        template = try TemplateCompiler(clauseLibrary: TemplateLocations.clauseLibrary(for: file)).compile(file: file)
        rows = try benchmark.rows()
        self.limit = limit
    }

    /// One thread's typesetter, generator and signer.
    public func maker() throws -> Maker { try Maker(self) }

    /// Makes documents one at a time (not thread-safe: one per thread).
    public final class Maker {
        let inputs: LimitDocuments
        let generator: DocumentGenerator
        let signer: PDFSigner

        init(_ inputs: LimitDocuments) throws {
            self.inputs = inputs
            let typesetter = try Typesetter()
            generator = try DocumentGenerator(template: inputs.template, typesetter: typesetter)
            signer = try PDFSigner(identity: inputs.identity, typesetter: typesetter)
        }

        /// The sealed document of envelope `index` (its lead is row `index` of the leads, in turn).
        public func document(_ index: Int) throws -> [UInt8] {
            let row = inputs.rows[index % inputs.rows.count]
            let (values, problems) = inputs.template.coerce(row: row)
            guard problems.isEmpty else {
                throw WorkflowError(.template, "lead \(index % inputs.rows.count + 1): " + problems.map(\.description).joined(separator: "; "))
            }
            let pdf = try generator.generate(values, date: "2026-12-03").pdf
            let id = "env_bench\(index)"
            var request = SignatureRequest(placement: .invisible(fieldName: "countersign_seal"), reason: "Completed envelope \(id)",
                                           profile: .padesBB, signingTime: Date())
            if inputs.limit == .seal {
                let head = String(repeating: "0", count: 64)
                request.reason = "Completed envelope \(id); evidence chain head \(head) (24 events)"
                request.audit = try Self.trail(id: id, company: row["company_name"] ?? "", index: index, sent: pdf)
            }
            return try signer.sign(pdf, request: request)
        }

        /// A two-signer envelope's Certificate of Completion input, shaped as the workflow's
        /// (`CertificateTrail`): the envelope created and sent, each signer sent the link,
        /// viewing, consenting and signing, from an IP with a user agent; the document as sent.
        static func trail(id: String, company: String, index: Int, sent pdf: [UInt8]) throws -> AuditTrail {
            let start = Date(timeIntervalSince1970: 1_796_300_000)
            var second = 0.0
            func at() -> String {
                second += 37
                return AuditTime.iso(start.addingTimeInterval(second))
            }
            let agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
            func signer(_ name: String, _ email: String, role: String) -> AuditTrail.Signer {
                let events = [AuditTrail.Event(type: "sent", at: at(), actor: "system")]
                    + ["viewed", "consented", "signed"].map { AuditTrail.Event(type: $0, at: at(), actor: email, ip: "198.51.100.23", userAgent: agent) }
                return AuditTrail.Signer(name: name, email: email, role: role, authentication: "Link", ip: "198.51.100.23",
                                         userAgent: agent, events: events)
            }
            let envelope = [AuditTrail.Event(type: "created", at: at(), actor: "bench@northbeam.example"),
                            AuditTrail.Event(type: "sent", at: at(), actor: "bench@northbeam.example")]
            let signers = [signer("Customer \(index)", "lead\(index)@customers.example", role: "customer"),
                           signer("Northbeam Sales", "sales@northbeam.example", role: "company")]
            return try AuditTrail(checking: id, documentName: "Service Agreement — \(company) — service-agreement.pdf", signers: signers,
                                  events: envelope, documentAsSent: AuditTrail.SentDocument(
                                      sha256: DigestAlgorithm.sha256.hash(pdf).hexString.lowercased(), bytes: pdf.count))
        }
    }
}
