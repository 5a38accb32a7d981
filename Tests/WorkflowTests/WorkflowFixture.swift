import CountersignCrypto
import Foundation
import TestSupport
import Typesetting
import Workflow
import WorkflowSQLite

/// A real workflow on a new SQLite store: a development CA as the seal, the shipped template
/// library imported and `service-agreement@3` published, keys for every role, a clock tests move.
struct WorkflowFixture {
    let directory: URL
    let store: SQLiteWorkflowStore
    let clock: ManualClock
    let engine: WorkflowEngine
    let admin: Principal
    let legal: Principal
    let agent: Principal
    let compliance: Principal
    let trust: [Certificate]
    /// Now (whole seconds): the development CA is made now and is not valid before.
    static var start: Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }

    static func make(_ label: String = #function, seal: Bool = true, tsa: URL? = nil, extraTrust: [Certificate] = [],
                     webhooks: WebhookConfiguration = WebhookConfiguration(), bulkSlice: TimeInterval? = nil) async throws -> WorkflowFixture {
        let directory = try TestEnvironment.scratchDirectory("workflow-\(label)-\(UUID().uuidString.prefix(8))")
        let store = try SQLiteWorkflowStore(directory: directory.appendingPathComponent("store"))
        let files = try DevelopmentCA.make(in: directory.appendingPathComponent("ca"))
        let identity = try SigningIdentity.load(pkcs12: Data(contentsOf: files.signerPKCS12),
                                                password: try String(contentsOf: files.signerPassword, encoding: .utf8)
                                                    .trimmingCharacters(in: .whitespacesAndNewlines))
        let trust = try Certificate.load(pem: Data(contentsOf: files.caCertificate)) + extraTrust
        let clock = ManualClock(start)
        var configuration = WorkflowConfiguration(
            signingURL: "https://sign.example.test/s/", sender: "contracts@northbeam.example", organisation: "Northbeam Software",
            seal: seal ? SealConfiguration(identity: identity, trustAnchors: trust, timestampURL: tsa) : nil, webhooks: webhooks)
        if let bulkSlice { configuration.bulkSlice = bulkSlice }
        let engine = WorkflowEngine(store: store, clock: clock, configuration: configuration)
        let (_, key) = try await engine.createAccount(name: "Northbeam")
        let admin = try await engine.authenticate(apiKey: key.secret)
        func principal(_ role: Role) async throws -> Principal {
            try await engine.authenticate(apiKey: try await engine.issueKey(admin, role: role, name: role.rawValue).secret,
                                          onBehalfOf: "\(role.rawValue)@northbeam.example")
        }
        let legal = try await principal(.legal)
        _ = try await engine.importLibrary(legal, directory: TestEnvironment.root.appendingPathComponent("Templates"))
        _ = try await engine.publishTemplate(legal, templateID: "service-agreement", version: "3")
        return WorkflowFixture(directory: directory, store: store, clock: clock, engine: engine, admin: admin, legal: legal,
                               agent: try await principal(.agent), compliance: try await principal(.compliance), trust: trust)
    }

    /// Moves the clock up to the real time when it is behind (never back). A webhook receiver
    /// checks each message's timestamp against its own clock with five minutes' tolerance, so a
    /// worker delivering to one must sign at the time the receiver lives in, however long a
    /// loaded machine took since the fixture was made.
    func catchUpWithRealTime() {
        let now = Self.start
        if now > clock.now() { clock.set(now) }
    }

    /// The first lead of Fixtures/leads.csv as envelope data.
    static let lead: [String: String] = [
        "lead_id": "LD-100000", "company_name": "Crescent Capital Inc.", "contact_first_name": "Gabriel",
        "contact_last_name": "Côté", "contact_email": "gabriel.cote@crescentcapital.ca", "plan": "Starter", "seats": "4",
        "unit_price": "15.00", "discount_pct": "0", "effective_date": "2025-08-06", "term_months": "24",
        "industry": "Financial Services", "region": "NA", "country": "Canada", "owner_email": "jamie.chen@northbeam.example",
    ]

    /// A customer (order 1, e-mail code) and the company (order 2, link) signing, a CC.
    func request(data: [String: String] = lead, recipients: [RecipientRequest]? = nil) -> EnvelopeRequest {
        EnvelopeRequest(templateID: "service-agreement", templateVersion: "3", subject: "Service Agreement — Crescent Capital",
                        message: "Please sign by Friday.", data: data, recipients: recipients ?? [
                            RecipientRequest(name: "Gabriel Côté", email: "gabriel.cote@crescentcapital.ca", role: .signer,
                                             routingOrder: 1, authentication: .emailOTP, signatureRole: "customer"),
                            RecipientRequest(name: "Jamie Chen", email: "jamie.chen@northbeam.example", role: .signer,
                                             routingOrder: 2, authentication: .link, signatureRole: "company"),
                            RecipientRequest(name: "Legal Archive", email: "archive@northbeam.example", role: .cc, routingOrder: 3),
                        ], metadata: ["lead_id": data["lead_id"] ?? "", "owner": "jamie.chen@northbeam.example"])
    }

    /// The e-mails queued for an address, oldest first.
    func mails(to address: String, envelope: String? = nil) async throws -> [MailMessage] {
        try await store.jobs(account: admin.account, kind: .email, envelope: envelope)
            .map { try JSONDecoder().decode(MailMessage.self, from: $0.payload) }.filter { $0.to.contains(address) }
    }

    /// The token of the newest signing link e-mailed to an address.
    func token(for address: String) async throws -> String {
        let text = try await mails(to: address).last { $0.text.contains(engine.configuration.signingURL) }?.text ?? ""
        return Self.token(in: text, prefix: engine.configuration.signingURL)
    }

    static func token(in text: String, prefix: String) -> String {
        guard let range = text.range(of: prefix) else { return "" }
        return String(text[range.upperBound...].prefix { $0.isHexDigit })
    }

    /// The newest one-time code e-mailed to an address.
    func code(for address: String) async throws -> String {
        let text = try await mails(to: address).last { $0.subject.hasPrefix("Your code") }?.text ?? ""
        return String(text.split(separator: " ").first { $0.count == 7 && $0.hasSuffix(".") && $0.dropLast().allSatisfy(\.isNumber) }?.dropLast() ?? "")
    }

    /// Consent, authenticate (by code when needed), fill `values` (if any), adopt a typed
    /// signature (in `font`), sign.
    func signAll(_ address: String, name: String, font: SignatureFont = .standard, filling values: [String: String] = [:],
                 context: RequestContext = RequestContext(ip: "203.0.113.7", userAgent: "Tests/1.0")) async throws {
        let token = try await token(for: address)
        let view = try await engine.open(token: token, context: context)
        try await engine.consent(token: token, disclosureVersion: view.disclosureVersion,
                                 disclosureSHA256: engine.configuration.disclosure.sha256, context: context)
        if view.recipient.authentication == .emailOTP {
            try await engine.requestCode(token: token, context: context)
            try await engine.authenticate(token: token, code: try await code(for: address), context: context)
        }
        if !values.isEmpty { try await engine.fill(token: token, values: values, context: context) }
        try await engine.adopt(token: token, mark: .typed(name, font: font), context: context)
        try await engine.sign(token: token, context: context)
    }

    /// Everything an envelope's request could change: the envelope, its events, the queued jobs.
    func snapshot(_ id: String) async throws -> (Envelope?, [WorkflowEvent], [Job]) {
        (try await store.envelope(account: admin.account, id: id), try await store.events(account: admin.account, stream: id),
         try await store.jobs(account: admin.account, kind: nil, envelope: id))
    }
}
