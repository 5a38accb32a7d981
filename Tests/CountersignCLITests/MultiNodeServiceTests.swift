import Countersign
import Foundation
import Synchronization
import Testing
import TestSupport

/// The service as it is deployed on many nodes: a PostgreSQL cluster, `countersign serve`
/// processes sharing it, a webhook receiver that checks signatures with the standardwebhooks
/// package, and an SMTP relay. A bulk send's rows are uploaded in parts spread over the nodes, the
/// recipients sign every envelope through the API spread over the nodes, and (in the first test)
/// one node is killed with SIGKILL half-way and started again. Every envelope completes exactly
/// once, every sealed PDF verifies (ours and pdfsig), the audit chains verify, and every subscribed
/// event reaches the receiver.
///
/// `COUNTERSIGN_MULTINODE_ENVELOPES` sets the size (default 20); `COUNTERSIGN_MULTINODE_RESULTS`
/// names a folder for each test's rate and latencies (`scripts/bench service`: `killed.json`,
/// `load.json`).
@Suite(.serialized) struct MultiNodeServiceTests {
    static let events = ["envelope.sent", "recipient.signed", "envelope.completed"]

    /// Three nodes, one killed with SIGKILL half-way and restarted: nothing lost, nothing twice.
    /// Each node runs two jobs at once, so the leases also keep one node's own jobs apart.
    @Test func threeNodesOneKilledEveryEnvelopeCompletesOnce() async throws {
        try await run(name: "killed", nodeCount: 3, killOne: true, workerConcurrency: 2)
    }

    /// The load benchmark's run (`scripts/bench service`): the same bulk send, signing and checks
    /// with no failure injected, on as many nodes as the machine has cores
    /// (`COUNTERSIGN_MULTINODE_NODES` overrides it).
    @Test func nodesUnderLoadEveryEnvelopeCompletesOnce() async throws {
        let environment = ProcessInfo.processInfo.environment
        let nodeCount = Int(environment["COUNTERSIGN_MULTINODE_NODES"] ?? "") ?? max(2, ProcessInfo.processInfo.activeProcessorCount)
        try await run(name: "load", nodeCount: nodeCount, killOne: false)
    }

    func run(name: String, nodeCount: Int, killOne: Bool, workerConcurrency: Int = 1) async throws {
        let environment = ProcessInfo.processInfo.environment
        let count = Int(environment["COUNTERSIGN_MULTINODE_ENVELOPES"] ?? "") ?? 20
        let clients = Int(environment["COUNTERSIGN_MULTINODE_CLIENTS"] ?? "") ?? 4
        let postgres = try PostgresServer.start()
        defer { postgres.stop() }
        try postgres.createDatabase("service")
        let store = "postgres://\(postgres.user)@127.0.0.1:\(postgres.port)/service"
        let smtp = try LoopbackSMTPServer()
        defer { smtp.stop() }
        let receiver = try LoopbackWebhookReceiver()
        defer { receiver.stop() }
        let nodes = try ServiceNodes(count: nodeCount, store: store, smtp: smtp.port, lease: 5, workerConcurrency: workerConcurrency)
        defer { nodes.stop() }

        // The receiver's endpoint, registered before anything happens.
        let endpoint = try await nodes.call(node: 0, "POST", "/v1/webhook-endpoints", json: [
            "url": receiver.url, "description": "CRM", "eventTypes": Self.events])
        #expect(endpoint.status == 201, "\(endpoint.text)")
        try receiver.control(secrets: [try #require(endpoint.json["secret"] as? String)])

        // One bulk send; its rows uploaded in three parts spread over the nodes.
        let started = ContinuousClock.now
        let bulk = try await nodes.call(node: 0, "POST", "/v1/bulk-sends", json: Self.bulkSpec)
        let bulkID = try #require(bulk.json["id"] as? String, "\(bulk.text)")
        for part in 0..<3 {
            let rows = Array(stride(from: part, to: count, by: 3))
            let upload = try await RawHTTP.request(port: nodes.ports[part % nodeCount], "POST", "/v1/bulk-sends/\(bulkID)/rows", headers: [
                "Authorization": "Bearer \(nodes.key)", "Content-Type": "text/csv", "Idempotency-Key": "rows-\(part)"],
                body: Array(Self.csv(rows).utf8))
            #expect(upload.status == 200 && upload.json["added"] as? Int == rows.count, "\(upload.text)")
        }
        let ids = try await sentEnvelopes(nodes, bulk: bulkID, count: count)
        #expect(ids.count == count)
        let allSent = ContinuousClock.now

        // The recipients sign, spread over the nodes; node 1 dies half-way and comes back (killOne).
        let workflow = try await WorkflowHome.open(directory: nodes.home, store: try WorkflowStoreLocation(store))
        let principal = try await workflow.engine.authenticate(apiKey: nodes.key)
        let signed = Counter(), next = Counter()
        let killer = Task {
            guard killOne else { return 0 }
            while signed.value.load(ordering: .relaxed) < count / 2 { try await Task.sleep(for: .milliseconds(20)) }
            let completedBefore = try await workflow.store.envelopes(account: principal.account,
                                                                     query: EnvelopeQuery(states: [.completed], limit: 100_000)).count
            nodes.kill(1)
            try await Task.sleep(for: .seconds(1))
            try nodes.start(1)
            return completedBefore
        }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<clients {
                    group.addTask {
                        while true {
                            let index = next.value.add(1, ordering: .relaxed).oldValue
                            guard index < ids.count else { return }
                            try await Self.sign(ids[index], nodes: nodes, first: (index + client) % nodeCount)
                            signed.value.add(1, ordering: .relaxed)
                        }
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            killer.cancel()
            throw error
        }
        let allSigned = ContinuousClock.now
        let completedAtKill = try await killer.value
        #expect(!killOne || completedAtKill < count, "node 1 was killed before every envelope was complete")

        // Every envelope completes, every e-mail goes out, every subscribed event arrives.
        let account = principal.account
        var completed = 0
        let deadline = Date().addingTimeInterval(Double(120 + count))
        while Date() < deadline {
            completed = try await workflow.store.envelopes(account: account, query: EnvelopeQuery(states: [.completed], limit: 100_000)).count
            if completed == count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let finishedAt = ContinuousClock.now
        #expect(completed == count, "\(completed) of \(count) completed:\n\(nodes.logText(1).suffix(2000))")
        let expected = try await expectedWebhooks(workflow, account: account, ids: ids)
        #expect(expected.count == 4 * count, "per envelope: sent, signed twice, completed; got \(expected.count) events")
        var received: [String: LoopbackWebhookReceiver.Record] = [:]
        var mailDone = false
        while Date() < deadline {
            received = Dictionary(receiver.records().map { ($0.id, $0) }) { first, _ in first }
            mailDone = try await workflow.store.jobs(account: account, kind: .email, envelope: nil).allSatisfy { $0.state == .done }
            if mailDone, Set(received.values.map(Self.key)).isSuperset(of: expected) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(mailDone, "every e-mail delivered")
        try await checkExactlyOnce(workflow, account: account, ids: ids, smtp: smtp)
        checkWebhooks(received: received, all: receiver.records(), expected: expected)
        try await checkSealedDocuments(nodes, workflow: workflow, ids: ids)
        let audit = try WorkerHarness.countersign(["audit", "verify"], home: nodes.home, store: store, key: nodes.key)
        #expect(audit.status == 0 && audit.stdout.contains("\"intact\":true"), "\(audit.stdout) \(audit.stderr)")
        for node in nodes.ports.indices {
            let metrics = try await nodes.call(node: node, "GET", "/metrics", key: "")
            #expect(metrics.status == 200 && metrics.text.contains("countersign_http_requests_total"), "node \(node): \(metrics.text.prefix(300))")
        }
        try checkBackup(postgres, nodes: nodes)
        await workflow.close()

        if let folder = environment["COUNTERSIGN_MULTINODE_RESULTS"] {
            let seconds = Self.seconds(finishedAt - started)
            let results: [String: Any] = [
                "envelopes": count, "nodes": nodeCount, "killed": killOne ? 1 : 0, "clients": clients, "seconds": seconds, "rate": Double(count) / seconds,
                // The phases: the bulk send until every envelope is sent, the signing, the last completions.
                "phases": ["sending": Self.seconds(allSent - started), "signing": Self.seconds(allSigned - allSent),
                           "completing": Self.seconds(finishedAt - allSigned)],
                "signerAction": nodes.latencies.summary(.signerAction), "statusRead": nodes.latencies.summary(.statusRead),
                "stuckIdempotencyKeys": nodes.stuckKeys.load(ordering: .relaxed),
            ]
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
                .write(to: URL(fileURLWithPath: folder).appendingPathComponent("\(name).json"))
        }
        nodes.stop()
        try? FileManager.default.removeItem(at: nodes.home)
    }

    /// docs/operations.md's node configuration is one `countersign serve` accepts.
    @Test func theOperationsGuidesConfigurationIsValid() throws {
        let text = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        let start = try #require(text.range(of: "```json\n"))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let scratch = try TestEnvironment.scratchDirectory("operations")
        let file = scratch.appendingPathComponent("node.json")
        // The session key lives where the guide puts it on a node; here, in a scratch folder
        // (`--check` reads it, as `serve` does before it makes anything).
        let key = scratch.appendingPathComponent("session.key")
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: key)
        let guide = String(text[start.upperBound..<end.lowerBound])
        #expect(guide.contains("/etc/countersign/session.key"))
        try Data(guide.replacingOccurrences(of: "/etc/countersign/session.key", with: key.path).utf8).write(to: file)
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("COUNTERSIGN_") }
        let checked = try runCommand(TestEnvironment.countersignExecutable.path, ["serve", "--config", file.path, "--check"],
                                     environment: environment)
        #expect(checked.status == 0, "\(checked.stderr)")
        let configuration = try #require(try JSONSerialization.jsonObject(with: checked.stdoutData) as? [String: Any])
        #expect((configuration["worker"] as? [String: Any])?["lease"] as? Double == 60)
        #expect((configuration["store"] as? String)?.hasPrefix("postgres://") == true)
    }

    /// The backup of docs/operations.md, taken while the nodes run: `pg_dump` of the store,
    /// restored into a new database, on which `audit verify` passes.
    func checkBackup(_ postgres: PostgresServer, nodes: ServiceNodes) throws {
        let dump = postgres.directory.appendingPathComponent("countersign.dump").path
        let connection = ["-h", "127.0.0.1", "-p", String(postgres.port), "-U", postgres.user]
        let dumped = try postgres.run("pg_dump", connection + ["-Fc", "-f", dump, "service"])
        #expect(dumped.status == 0, "\(dumped.stderr)")
        try postgres.createDatabase("restored")
        let restored = try postgres.run("pg_restore", connection + ["-d", "restored", dump])
        #expect(restored.status == 0, "\(restored.stderr)")
        let audit = try WorkerHarness.countersign(["audit", "verify"], home: nodes.home,
                                                  store: "postgres://\(postgres.user)@127.0.0.1:\(postgres.port)/restored", key: nodes.key)
        #expect(audit.status == 0 && audit.stdout.contains("\"intact\":true"), "restored: \(audit.stdout) \(audit.stderr)")
    }

    /// Waits until the bulk send made every envelope, then lists them (all sent) through the API.
    func sentEnvelopes(_ nodes: ServiceNodes, bulk: String, count: Int) async throws -> [String] {
        let deadline = Date().addingTimeInterval(Double(120 + count))
        var status: [String: Any] = [:]
        while Date() < deadline {
            status = try await nodes.call(node: 2, "GET", "/v1/bulk-sends/\(bulk)").json
            if status["pending"] as? Int == 0 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(status["created"] as? Int == count && status["failed"] as? Int == 0, "\(status)")
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try await nodes.call(node: 1, "GET", "/v1/envelopes?state=sent&limit=100" + (cursor.map { "&cursor=\($0)" } ?? ""))
            ids += (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            cursor = page.json["nextCursor"] as? String
        } while cursor != nil
        return ids
    }

    /// Both signers of one envelope, in routing order, each on another node: an embedded link,
    /// the signing view, consent, an adopted signature and the signature; a status read after each.
    static func sign(_ id: String, nodes: ServiceNodes, first: Int) async throws {
        let envelope = try await nodes.call(node: first, "GET", "/v1/envelopes/\(id)", kind: .statusRead).json
        let signers = (envelope["recipients"] as? [[String: Any]] ?? []).filter { $0["role"] as? String == "signer" }
            .sorted { ($0["routingOrder"] as? Int ?? 0) < ($1["routingOrder"] as? Int ?? 0) }
        guard signers.count == 2 else { throw HarnessError("\(id) has \(signers.count) signers: \(envelope)") }
        for (step, signer) in signers.enumerated() {
            let node = (first + step) % nodes.ports.count
            let recipient = try #require(signer["id"] as? String)
            let token = try await signingToken(envelope: id, recipient: recipient, node: node, nodes: nodes)
            let view = try await nodes.call(node: node, "GET", "/v1/signing/\(token)", key: "")
            let disclosure = try #require(view.json["disclosure"] as? [String: Any], "\(view.text)")
            let actions: [(String, [String: Any])] = [
                ("consent", ["disclosureVersion": disclosure["version"] ?? "", "disclosureSha256": disclosure["sha256"] ?? ""]),
                ("adopt", ["kind": "typed", "text": signer["name"] as? String ?? "Signer"]),
                ("sign", [:]),
            ]
            for (action, body) in actions {
                try await act(action, body: body, token: token, envelope: id, recipient: recipient, node: node, nodes: nodes)
            }
            _ = try await nodes.call(node: node + 1, "GET", "/v1/envelopes/\(id)", kind: .statusRead)
        }
    }

    /// The recipient's signing token, from a new embedded link (single use, so a link a killed
    /// node consumed without answering is replaced by another).
    static func signingToken(envelope id: String, recipient: String, node: Int, nodes: ServiceNodes) async throws -> String {
        var last = ""
        for _ in 0..<5 {
            let link = try await nodes.call(node: node, "POST", "/v1/envelopes/\(id)/recipients/\(recipient)/embedded-link")
            if let url = link.json["url"] as? String, let start = url.range(of: "/v1/embedded/") {
                let redirect = try await nodes.call(node: node, "GET", String(url[start.lowerBound...]), key: "")
                if let token = redirect.headers["location"]?.split(separator: "/").last { return String(token) }
                last = "\(redirect.status) \(redirect.text)"
            } else {
                last = "\(link.status) \(link.text)"
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw HarnessError("no signing token for \(id)/\(recipient): \(last)")
    }

    /// One signer action, retried as a client does. A node killed while it ran the action leaves
    /// the action's Idempotency-Key reserved (409 `idempotency-key-in-progress`, for the key's whole
    /// lifetime): after a few retries the client takes a new key, and an action the dead node did
    /// commit is recognised by its effect (consent given, recipient completed).
    static func act(_ action: String, body: [String: Any], token: String, envelope id: String, recipient: String, node: Int,
                    nodes: ServiceNodes) async throws {
        var key = "\(id)-\(recipient)-\(action)"
        for attempt in 0..<30 {
            let answer = try await nodes.call(node: node, "POST", "/v1/signing/\(token)/\(action)", json: body, key: "",
                                              kind: .signerAction, idempotencyKey: key)
            if answer.status == 200 { return }
            if answer.problem.hasSuffix(":idempotency-key-in-progress") {
                nodes.stuckKeys.add(1, ordering: .relaxed)
                if attempt >= 3 { key = "\(id)-\(recipient)-\(action)-\(attempt)" }
                try await Task.sleep(for: .seconds(1))
                continue
            }
            if answer.status == 409 {
                switch action {
                case "consent":
                    let view = try await nodes.call(node: node, "GET", "/v1/signing/\(token)", key: "")
                    if view.json["needsConsent"] as? Bool == false { return }
                case "sign":
                    let envelope = try await nodes.call(node: node, "GET", "/v1/envelopes/\(id)").json
                    let state = (envelope["recipients"] as? [[String: Any]] ?? []).first { $0["id"] as? String == recipient }?["state"]
                    if state as? String == "completed" { return }
                default: break
                }
            }
            throw HarnessError("\(action) of \(id)/\(recipient): \(answer.status) \(answer.text)")
        }
        throw HarnessError("\(action) of \(id)/\(recipient): the Idempotency-Key stayed in progress")
    }

    /// One completion event, one ledger entry and a sealed document per envelope; every completion
    /// job done; every queued e-mail delivered (a repeat carries the same Message-ID).
    func checkExactlyOnce(_ workflow: WorkflowHome, account: String, ids: [String], smtp: LoopbackSMTPServer) async throws {
        let store = workflow.store
        for id in ids {
            let envelope = try #require(try await store.envelope(account: account, id: id))
            #expect(envelope.state == .completed && envelope.documents.allSatisfy { $0.sealedSHA256 != nil })
            let completions = try await store.events(account: account, stream: id).filter { $0.type == "envelope.completed" }
            #expect(completions.count == 1, "\(id) completed \(completions.count) times")
        }
        let ledger = try await store.ledger(account: account)
        #expect(ledger.count == ids.count && Set(ledger.map(\.envelope)) == Set(ids), "one ledger entry per envelope")
        #expect(try await store.jobs(account: account, kind: .completion, envelope: nil).allSatisfy { $0.state == .done })
        let queued = try await store.jobs(account: account, kind: .email, envelope: nil)
            .map { try JSONDecoder().decode(MailMessage.self, from: $0.payload).messageID }
        #expect(Set(queued).count == queued.count && Set(smtp.messageIDs()) == Set(queued), "no e-mail lost, none invented")
    }

    /// An event a webhook carries: its envelope, sequence and type.
    static func key(_ record: LoopbackWebhookReceiver.Record) -> String {
        "\(record.data["stream"] as? String ?? "?")#\(record.data["sequence"] as? Int ?? -1) \(record.json["type"] as? String ?? "?")"
    }

    /// The subscribed events in the envelopes' evidence streams.
    func expectedWebhooks(_ workflow: WorkflowHome, account: String, ids: [String]) async throws -> Set<String> {
        var keys: Set<String> = []
        for id in ids {
            for event in try await workflow.store.events(account: account, stream: id) where Self.events.contains(event.type) {
                keys.insert("\(id)#\(event.sequence) \(event.type)")
            }
        }
        return keys
    }

    /// Each expected event arrived (deduplicated by webhook-id), signed with the endpoint's secret,
    /// one webhook-id per event, nothing unexpected, and a repeat only ever with the same body.
    func checkWebhooks(received: [String: LoopbackWebhookReceiver.Record], all: [LoopbackWebhookReceiver.Record], expected: Set<String>) {
        let keys = received.values.map(Self.key)
        #expect(Set(keys) == expected, "missing \(expected.subtracting(keys).sorted().prefix(5)), unexpected \(Set(keys).subtracting(expected).sorted().prefix(5))")
        #expect(keys.count == Set(keys).count, "one webhook-id per event")
        #expect(all.allSatisfy { $0.matched == [0] && $0.strict }, "every delivery signed with the endpoint's secret")
        for record in all { #expect(received[record.id]?.body == record.body, "a repeat of \(record.id) has the same body") }
        let completions = received.values.filter { $0.json["type"] as? String == "envelope.completed" }
        #expect(completions.count == Set(completions.compactMap { $0.data["envelope"] as? String }).count, "one completion per envelope")
    }

    /// Downloads every sealed document over the API and verifies them all with `countersign verify`
    /// (the development seal's CA as the trust anchor) and each with pdfsig.
    func checkSealedDocuments(_ nodes: ServiceNodes, workflow: WorkflowHome, ids: [String]) async throws {
        let folder = nodes.home.appendingPathComponent("sealed")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (index, id) in ids.enumerated() {
            let pdf = try await nodes.call(node: index, "GET", "/v1/envelopes/\(id)/documents/doc_1")
            #expect(pdf.status == 200 && pdf.body.starts(with: Array("%PDF-".utf8)), "\(id): \(pdf.status)")
            try Data(pdf.body).write(to: folder.appendingPathComponent("\(id).pdf"))
        }
        let verified = try runCommand(TestEnvironment.countersignExecutable.path, [
            "verify", "--in", folder.path, "--json", "--jobs", "2", "--trust", workflow.caCertificate.path], timeout: 600)
        let verdicts = verified.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["verdict"] as? String
        }
        #expect(verified.status == 0 && verdicts.count == ids.count && verdicts.allSatisfy { $0 == "PASSED" },
                "\(verified.stdout.prefix(2000)) \(verified.stderr)")
        for id in ids {
            let pdfsig = try runCommand("pdfsig", [folder.appendingPathComponent("\(id).pdf").path]).stdout
            #expect(pdfsig.contains("Signature is Valid") && pdfsig.contains("Total document signed"), "\(id): \(pdfsig)")
        }
    }

    /// A counter the signing clients share.
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The bulk send: service-agreement@3, the row's customer first, then the company.
    nonisolated(unsafe) static let bulkSpec: [String: Any] = [
        "templateId": "service-agreement", "templateVersion": "3", "subject": "Service Agreement — {{company_name}}",
        "recipients": [
            ["name": "{{contact_first_name}} {{contact_last_name}}", "email": "{{contact_email}}", "role": "signer",
             "routingOrder": 1, "authentication": "link", "signatureRole": "customer"],
            ["name": "Jamie Chen", "email": "jamie.chen@northbeam.example", "role": "signer", "routingOrder": 2,
             "authentication": "link", "signatureRole": "company"],
        ],
        "metadata": ["lead_id": "{{lead_id}}"], "rowKeyColumn": "lead_id",
    ]

    /// CSV rows for the given lead numbers (a header row first).
    static func csv(_ rows: [Int]) -> String {
        let columns = ["lead_id", "company_name", "contact_first_name", "contact_last_name", "contact_email", "plan", "seats",
                       "unit_price", "discount_pct", "effective_date", "term_months", "owner_email"]
        var lines = [columns.joined(separator: ",")]
        for row in rows {
            lines.append([String(format: "LD-%06d", 100_000 + row), "Crescent \(row) Inc.", "Gabriel", "Côté",
                          "customer\(row)@crescent.example", "Starter", "4", "15.00", "0", "2025-08-06", "24",
                          "jamie.chen@northbeam.example"].joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
