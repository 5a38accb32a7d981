import Foundation
import Testing
import TestSupport
import WebhookHTTP
import Workflow

/// Signatures, our receiver-side verifier, rotation, the SSRF guard, roles and replay.
@Suite(.serialized) struct WebhookSecurityTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    /// Python's standardwebhooks signs the same message: our signature must be the same bytes.
    @Test func ourSignatureIsTheOneStandardWebhooksComputes() throws {
        let body = #"{"type":"envelope.sent","data":{"envelope":"env_1","name":"Côté"}}"#
        let ours = try WebhookSignature.sign(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(body.utf8),
                                             secret: Self.secret)
        let python = Process()
        python.executableURL = TestEnvironment.venv.appendingPathComponent("bin/python")
        python.arguments = ["-c", """
            import sys
            from datetime import datetime, timezone
            from standardwebhooks.webhooks import Webhook
            print(Webhook(sys.argv[1]).sign("msg_p5jXN8AQM9LWM0D4loKWxJek", datetime.fromtimestamp(1614265330, tz=timezone.utc), sys.argv[2]))
            """, Self.secret, body]
        let output = Pipe()
        python.standardOutput = output
        try python.run()
        python.waitForExit()
        let theirs = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(python.terminationStatus == 0)
        #expect(ours == theirs)
    }

    @Test func ourVerifierAcceptsGoodMessagesAndRefusesForgedAndStaleOnes() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let body = Array(#"{"type":"envelope.completed"}"#.utf8)
        let rotated = WebhookSignature.newSecret()
        let headers = try WebhookSignature.headers(id: "msg_1", timestamp: 1_800_000_000, body: body, secrets: [Self.secret, rotated])
        var fields: [String: String] = [:]
        for (name, value) in headers { fields[name.uppercased()] = value }
        #expect(fields["WEBHOOK-SIGNATURE"]?.split(separator: " ").count == 2, "one signature per active secret")
        #expect(try WebhookVerifier(secrets: [Self.secret]).verify(headers: fields, body: body, now: now) == "msg_1")
        #expect(try WebhookVerifier(secrets: [rotated]).verify(headers: fields, body: body, now: now) == "msg_1")

        func refused(_ what: String, _ verifier: WebhookVerifier = WebhookVerifier(secrets: [Self.secret]),
                     headers: [String: String] = fields, body: [UInt8] = body, now: Date = now, reason: String) {
            #expect(throws: WorkflowError(.signature, "")) { try verifier.verify(headers: headers, body: body, now: now) }
            do {
                try verifier.verify(headers: headers, body: body, now: now)
            } catch {
                #expect(error.reason.contains(reason), "\(what): \(error.reason)")
            }
        }
        refused("altered body", body: Array(#"{"type":"envelope.voided"}"#.utf8), reason: "no v1 signature")
        refused("another secret", WebhookVerifier(secrets: [WebhookSignature.newSecret()]), reason: "no v1 signature")
        var forged = fields
        forged["WEBHOOK-SIGNATURE"] = "v1," + Data(repeating: 7, count: 32).base64EncodedString()
        refused("forged signature", headers: forged, reason: "no v1 signature")
        var otherID = fields
        otherID["WEBHOOK-ID"] = "msg_2"
        refused("signature moved to another message", headers: otherID, reason: "no v1 signature")
        refused("stale", now: now.addingTimeInterval(301), reason: "old")
        refused("from the future", now: now.addingTimeInterval(-301), reason: "future")
        var missing = fields
        missing["WEBHOOK-TIMESTAMP"] = nil
        refused("no timestamp", headers: missing, reason: "lacks")
        #expect(try WebhookVerifier(secrets: [Self.secret], tolerance: 600).verify(headers: fields, body: body,
                                                                                   now: now.addingTimeInterval(500)) == "msg_1")
    }

    @Test func theAddressPolicyRefusesEveryInternalRangeUnlessAllowListed() throws {
        let standard = WebhookAddressPolicy.standard
        for address in ["127.0.0.1", "127.8.9.10", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.1", "192.168.1.1",
                        "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.251", "255.255.255.255", "::", "::1",
                        "::ffff:127.0.0.1", "::ffff:8.8.8.8", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "64:ff9b::7f00:1"] {
            #expect(throws: WorkflowError(.webhook, "")) { try standard.check(address) }
        }
        for address in ["8.8.8.8", "93.184.216.34", "172.32.0.1", "2606:4700:4700::1111"] {
            #expect(throws: Never.self) { try standard.check(address) }
        }
        let allowing = try WebhookAddressPolicy(allowList: ["127.0.0.0/8", "10.20.0.0/16", "::1"])
        #expect(throws: Never.self) { try allowing.check("127.0.0.1") }
        #expect(throws: Never.self) { try allowing.check("10.20.3.4") }
        #expect(throws: Never.self) { try allowing.check("::1") }
        #expect(throws: WorkflowError(.webhook, "")) { try allowing.check("10.21.0.1") }
        #expect(throws: WorkflowError(.webhook, "")) { try allowing.check("::ffff:127.0.0.1") }
        #expect(throws: WorkflowError(.invalidRequest, "")) { try WebhookAddressPolicy(allowList: ["10.0.0.0/33"]) }
        #expect(throws: WorkflowError(.invalidRequest, "")) { try WebhookAddressPolicy(allowList: ["intranet"]) }
    }

    /// The transport refuses internal targets before any connection, and delivers once allow-listed.
    @Test func legacyIPv4NotationsAreRecognised() {
        #expect(WebhookAddressPolicy.legacyIPv4("127.2") == "127.0.0.2")
        #expect(WebhookAddressPolicy.legacyIPv4("2130706434") == "127.0.0.2")
        #expect(WebhookAddressPolicy.legacyIPv4("0x7f000002") == "127.0.0.2")
        #expect(WebhookAddressPolicy.legacyIPv4("0177.0.0.2") == "127.0.0.2")
        for host in ["127.0.0.2", "crm.example.com", "deadbeef.example", "cafe", "1.2.3.4.5"] {
            #expect(WebhookAddressPolicy.legacyIPv4(host) == nil, "\(host)")
        }
    }

    @Test func theTransportRefusesInternalTargetsAndConnectsOnlyWhenAllowed() async throws {
        let receiver = try LoopbackWebhookReceiver(secrets: [Self.secret])
        defer { receiver.stop() }
        let guarded = HTTPWebhookTransport(policy: .standard, connectTimeout: 2, timeout: 5)
        let targets = ["http://127.0.0.1:\(receiver.port)/hooks", "http://10.1.2.3/hooks", "http://169.254.169.254/latest/meta-data/",
                       "http://[::1]:\(receiver.port)/hooks", "http://[::ffff:127.0.0.1]:\(receiver.port)/hooks",
                       "http://localhost:\(receiver.port)/hooks", "https://localhost:\(receiver.port)/hooks"]
        let headers = try WebhookSignature.headers(id: "msg_ssrf", timestamp: Int(Date().timeIntervalSince1970), body: [0x7B, 0x7D],
                                                   secrets: [Self.secret])
        for target in targets {
            let response = await guarded.send(WebhookRequest(url: target, headers: headers, body: [0x7B, 0x7D]))
            #expect(response.status == nil, "\(target) was reached")
            #expect(response.error?.contains("allow list") == true || response.error?.contains("allow-list") == true,
                    "\(target): \(response.error ?? "")")
        }
        #expect(receiver.records().isEmpty, "no request reached the receiver")

        let allowed = HTTPWebhookTransport(policy: try WebhookAddressPolicy(allowList: ["127.0.0.0/8", "::1"]), timeout: 5)
        let response = await allowed.send(WebhookRequest(url: receiver.url, headers: headers, body: [0x7B, 0x7D]))
        #expect(response.status == 204, "\(response)")
        #expect(receiver.records().map(\.strict) == [true])

        // A redirect is an answer, never followed.
        try receiver.control(secrets: [Self.secret], status: 302)
        let redirected = await allowed.send(WebhookRequest(url: receiver.url, headers: headers, body: [0x7B, 0x7D]))
        #expect(redirected.status == 302 && redirected.error != nil)
        #expect(receiver.records().count == 2, "the Location was not followed")
    }

    @Test func endpointsNeedAnAdminRecordEventsWithoutSecretsAndRefuseBadInput() async throws {
        let fixture = try await WorkflowFixture.make(seal: false)
        for principal in [fixture.agent, fixture.legal, fixture.compliance] {
            await #expect(throws: WorkflowError(.forbidden, "")) {
                _ = try await fixture.engine.createWebhookEndpoint(principal, url: "https://crm.example.com/hooks")
            }
        }
        await #expect(throws: WorkflowError(.forbidden, "")) { _ = try await fixture.engine.webhookEndpoints(fixture.agent) }
        for url in ["ftp://crm.example.com/", "https://", "not a url", "https://user:pw@crm.example.com/", "http://10.0.0.5/hooks",
                    "http://169.254.169.254/", "http://[::1]/hooks",
                    // IPv4 in the legacy notations resolvers still read (127.0.0.2, 169.254.169.254, 10.0.0.1).
                    "http://127.2/", "http://2130706434/", "http://0x7f000002/", "http://0177.0.0.2/", "http://0xa9.254.169.254/",
                    "http://10.1/", "http://8.8.8.010/"] {
            await #expect(throws: WorkflowError(.invalidRequest, "")) {
                _ = try await fixture.engine.createWebhookEndpoint(fixture.admin, url: url)
            }
        }
        await #expect(throws: WorkflowError(.invalidRequest, "")) {
            _ = try await fixture.engine.createWebhookEndpoint(fixture.admin, url: "https://crm.example.com/", eventTypes: ["envelope.nope"])
        }
        #expect(try await fixture.store.webhookEndpoints(account: fixture.admin.account).isEmpty, "refusals stored nothing")
        #expect(try await fixture.store.events(account: fixture.admin.account, stream: "webhooks").isEmpty)

        let (endpoint, secret) = try await fixture.engine.createWebhookEndpoint(fixture.admin, url: "https://crm.example.com/hooks",
                                                                                 eventTypes: ["template.*", "envelope.completed"])
        #expect(secret.hasPrefix("whsec_") && Data(base64Encoded: String(secret.dropFirst(6)))?.count == 32)
        let updated = try await fixture.engine.updateWebhookEndpoint(fixture.admin, id: endpoint.id, description: "CRM v2")
        #expect(updated.description == "CRM v2" && updated.eventTypes == ["envelope.completed", "template.*"])
        let (_, rotated) = try await fixture.engine.rotateWebhookSecret(fixture.admin, id: endpoint.id)
        _ = try await fixture.engine.disableWebhookEndpoint(fixture.admin, id: endpoint.id)
        let audit = try await fixture.store.events(account: fixture.admin.account, stream: "webhooks")
        #expect(audit.map(\.type) == ["webhook.endpoint_created", "webhook.endpoint_updated", "webhook.secret_rotated",
                                      "webhook.endpoint_disabled"])
        #expect(audit.allSatisfy { $0.actor.id == fixture.admin.keyID && $0.data["endpoint"] == endpoint.id })
        let text = audit.map { "\($0.data)" }.joined()
        #expect(!text.contains(secret) && !text.contains(rotated) && !text.contains("whsec_"), "secrets never enter events")
        let read = try #require(try await fixture.engine.webhookEndpoints(fixture.compliance).first)
        #expect(read.secrets.count == 2 && read.secrets[0].expiresAt != nil && read.secrets[1].expiresAt == nil)
    }

    @Test func rotationSignsWithBothSecretsUntilTheOldOneExpires() async throws {
        let policy = try WebhookAddressPolicy(allowList: ["127.0.0.0/8"])
        let fixture = try await WorkflowFixture.make(seal: false, webhooks: WebhookConfiguration(addressPolicy: policy))
        let receiver = try LoopbackWebhookReceiver()
        defer { receiver.stop() }
        let worker = WorkflowWorker(engine: fixture.engine, smtp: nil, webhooks: HTTPWebhookTransport(policy: policy))
        let (endpoint, old) = try await fixture.engine.createWebhookEndpoint(fixture.admin, url: receiver.url,
                                                                            eventTypes: ["template.*"])
        let (_, new) = try await fixture.engine.rotateWebhookSecret(fixture.admin, id: endpoint.id, overlap: 3600)
        try receiver.control(secrets: [old, new])
        _ = try await fixture.engine.retireTemplate(fixture.legal, templateID: "service-agreement", version: "3")
        _ = try await worker.runDue()
        fixture.clock.advance(by: 3601)
        _ = try await fixture.engine.publishTemplate(fixture.legal, templateID: "mutual-nda", version: "2")
        _ = try await worker.runDue()
        let records = receiver.records()
        #expect(records.map(\.signatures.count) == [2, 1], "two signatures during the overlap, one after")
        #expect(records.map(\.matched) == [[0, 1], [1]], "the old secret stopped signing when it expired")
        #expect(records.map { $0.data["template"] as? String } == ["service-agreement@3", "mutual-nda@2"])
    }

    @Test func replayResendsTheSameMessageAndRefusesWhatIsNotThere() async throws {
        let policy = try WebhookAddressPolicy(allowList: ["127.0.0.0/8"])
        let fixture = try await WorkflowFixture.make(seal: false, webhooks: WebhookConfiguration(addressPolicy: policy))
        let receiver = try LoopbackWebhookReceiver()
        defer { receiver.stop() }
        let worker = WorkflowWorker(engine: fixture.engine, smtp: nil, webhooks: HTTPWebhookTransport(policy: policy))
        let (endpoint, secret) = try await fixture.engine.createWebhookEndpoint(fixture.admin, url: receiver.url,
                                                                               eventTypes: ["envelope.created"])
        try receiver.control(secrets: [secret])
        let created = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        _ = try await worker.runDue()
        let original = try #require(try await fixture.store.webhookDeliveries(account: fixture.admin.account, query: .init()).first)
        await #expect(throws: WorkflowError(.forbidden, "")) { _ = try await fixture.engine.replayWebhookDelivery(fixture.agent, id: original.id) }
        let replay = try await fixture.engine.replayWebhookDelivery(fixture.admin, id: original.id)
        #expect(replay.message == original.message && replay.payload == original.payload && replay.replayOf == original.id)
        let again = try await fixture.engine.replayWebhookEvent(fixture.admin, stream: created.id, sequence: 1)
        #expect(again.map(\.endpoint) == [endpoint.id] && again[0].message == original.message)
        _ = try await worker.runDue()
        let records = receiver.records()
        #expect(records.count == 3 && Set(records.map(\.id)) == [original.message], "receivers deduplicate replays by webhook-id")
        await #expect(throws: WorkflowError(.notFound, "")) { _ = try await fixture.engine.replayWebhookDelivery(fixture.admin, id: "whd_none") }
        await #expect(throws: WorkflowError(.notFound, "")) {
            _ = try await fixture.engine.replayWebhookEvent(fixture.admin, stream: created.id, sequence: 99)
        }
        let count = try await fixture.store.webhookDeliveries(account: fixture.admin.account, query: .init()).count
        #expect(count == 3, "refused replays stored nothing")
    }
}
