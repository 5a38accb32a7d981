import CountersignCrypto
import Foundation
import Hummingbird
import NIOCore
import TestSupport
import WebPages
import Workflow
import WorkflowSQLite

/// A real workflow on a new SQLite store (development CA seal, the shipped templates with
/// `service-agreement@3` published, an agent key) and the pages over it.
struct PagesFixture {
    let directory: URL
    let store: SQLiteWorkflowStore
    let engine: WorkflowEngine
    let admin: Principal
    let agent: Principal
    let agentKey: String
    let trust: [Certificate]
    let pages: WebPages<PagesTestContext>

    static func make(_ label: String = #function, signingURL: String = "http://127.0.0.1/s/",
                     frameAncestors: [String] = []) async throws -> PagesFixture {
        let directory = try TestEnvironment.scratchDirectory("pages-\(label.prefix(24))-\(UUID().uuidString.prefix(8))")
        let store = try SQLiteWorkflowStore(directory: directory.appendingPathComponent("store"))
        let files = try DevelopmentCA.make(in: directory.appendingPathComponent("ca"))
        let identity = try SigningIdentity.load(pkcs12: Data(contentsOf: files.signerPKCS12),
                                                password: try String(contentsOf: files.signerPassword, encoding: .utf8)
                                                    .trimmingCharacters(in: .whitespacesAndNewlines))
        let trust = try Certificate.load(pem: Data(contentsOf: files.caCertificate))
        let configuration = WorkflowConfiguration(signingURL: signingURL, sender: "contracts@northbeam.example",
                                                  organisation: "Northbeam Software",
                                                  seal: SealConfiguration(identity: identity, trustAnchors: trust))
        let engine = WorkflowEngine(store: store, configuration: configuration)
        let (account, key) = try await engine.createAccount(name: "Northbeam")
        let admin = try await engine.authenticate(apiKey: key.secret)
        let legal = try await engine.authenticate(apiKey: try await engine.issueKey(admin, role: .legal, name: "legal").secret)
        _ = try await engine.importLibrary(legal, directory: TestEnvironment.root.appendingPathComponent("Templates"))
        _ = try await engine.publishTemplate(legal, templateID: "service-agreement", version: "3")
        let agentKey = try await engine.issueKey(admin, role: .agent, name: "agent").secret
        let pages = try WebPages<PagesTestContext>(engine: engine, configuration: WebPagesConfiguration(
            fontsDirectory: TestEnvironment.root.appendingPathComponent("Fonts"),
            pageCacheDirectory: directory.appendingPathComponent("page-cache"),
            frameAncestors: frameAncestors.isEmpty ? [:] : [account.id: frameAncestors]))
        return PagesFixture(directory: directory, store: store, engine: engine, admin: admin,
                            agent: try await engine.authenticate(apiKey: agentKey), agentKey: agentKey, trust: trust, pages: pages)
    }

    /// The first lead of Fixtures/leads.csv as envelope data.
    static let lead: [String: String] = [
        "lead_id": "LD-100000", "company_name": "Crescent Capital Inc.", "contact_first_name": "Gabriel",
        "contact_last_name": "Côté", "contact_email": "gabriel.cote@crescentcapital.ca", "plan": "Starter", "seats": "4",
        "unit_price": "15.00", "discount_pct": "0", "effective_date": "2025-08-06", "term_months": "24",
        "industry": "Financial Services", "region": "NA", "country": "Canada", "owner_email": "jamie.chen@northbeam.example",
    ]

    /// A sent two-signer envelope: the customer (order 1, authenticated as asked) and the company (order 2, link).
    func sentEnvelope(customer: String = "gabriel.cote@crescentcapital.ca", authentication: RecipientRequest.AuthenticationRequest = .emailOTP,
                      lead: String = "LD-100000", language: String? = nil) async throws -> Envelope {
        var data = Self.lead
        data["lead_id"] = lead
        var metadata = ["lead_id": lead, "owner": "jamie.chen@northbeam.example"]
        if let language { metadata["language"] = language }
        let envelope = try await engine.createEnvelope(agent, EnvelopeRequest(
            templateID: "service-agreement", templateVersion: "3", subject: "Service Agreement — Crescent Capital",
            message: "Please sign by Friday.", data: data, recipients: [
                RecipientRequest(name: "Gabriel Côté", email: customer, role: .signer, routingOrder: 1,
                                 authentication: authentication, signatureRole: "customer"),
                RecipientRequest(name: "Jamie Chen", email: "jamie.chen@northbeam.example", role: .signer, routingOrder: 2,
                                 authentication: .link, signatureRole: "company"),
            ], metadata: metadata))
        return try await engine.send(agent, envelope: envelope.id)
    }

    /// The token of the newest signing link queued for an address (from the outbox).
    func token(for address: String) async throws -> String {
        let mails = try await store.jobs(account: admin.account, kind: .email, envelope: nil)
            .map { try JSONDecoder().decode(MailMessage.self, from: $0.payload) }.filter { $0.to.contains(address) }
        let text = mails.last { $0.text.contains(engine.configuration.signingURL) }?.text ?? ""
        guard let range = text.range(of: engine.configuration.signingURL) else { return "" }
        return String(text[range.upperBound...].prefix { $0.isHexDigit })
    }

    /// The newest one-time code queued for an address.
    func code(for address: String) async throws -> String {
        let mails = try await store.jobs(account: admin.account, kind: .email, envelope: nil)
            .map { try JSONDecoder().decode(MailMessage.self, from: $0.payload) }.filter { $0.to.contains(address) }
        let text = mails.last { $0.subject.hasPrefix("Your code") }?.text ?? ""
        return String(text.split(separator: " ").first { $0.count == 7 && $0.hasSuffix(".") && $0.dropLast().allSatisfy(\.isNumber) }?.dropLast() ?? "")
    }
}

/// The pages' request context in these tests: Hummingbird's basic one plus the peer's address,
/// as the service's own context has it, so the evidence's IP is what a live server records.
struct PagesTestContext: Hummingbird.RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
