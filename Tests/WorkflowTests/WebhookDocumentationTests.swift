import Foundation
import Testing
import TestSupport
import WebhookHTTP
import Workflow

/// docs/webhooks.md: its receiver example runs against real deliveries, and its lists and
/// retry table are the ones the code uses.
@Suite(.serialized) struct WebhookDocumentationTests {
    static func page() throws -> String {
        try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/webhooks.md"), encoding: .utf8)
    }

    /// The first fenced block of `language` after `heading`.
    static func block(_ language: String, after heading: String) throws -> String {
        let text = try page()
        let section = try #require(text.range(of: heading))
        let start = try #require(text.range(of: "```\(language)\n", range: section.upperBound..<text.endIndex))
        let end = try #require(text.range(of: "\n```", range: start.upperBound..<text.endIndex))
        return String(text[start.upperBound..<end.lowerBound])
    }

    @Test func theReceiverExampleAcceptsOurDeliveriesOnceAndRefusesAForgery() async throws {
        let policy = try WebhookAddressPolicy(allowList: ["127.0.0.0/8"])
        let fixture = try await WorkflowFixture.make(seal: false, webhooks: WebhookConfiguration(addressPolicy: policy))
        let (endpoint, secret) = try await fixture.engine.createWebhookEndpoint(fixture.admin, url: "http://127.0.0.1:9/placeholder",
                                                                               eventTypes: ["envelope.*"])
        let python = TestEnvironment.venv.appendingPathComponent("bin/python")
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", try Self.block("python", after: "## Verifying webhooks")]
        process.environment = ["WEBHOOK_SECRET": secret, "PORT": "0"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer { process.stop() }
        var text = ""
        func readLine() -> String {
            while !text.contains("\n") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            guard let newline = text.firstIndex(of: "\n") else { return "" }
            let line = String(text[..<newline])
            text = String(text[text.index(after: newline)...])
            return line
        }
        let listening = readLine()
        let port = try #require(Int(listening.split(separator: " ").last ?? ""), "the example printed '\(listening)'")
        _ = try await fixture.engine.updateWebhookEndpoint(fixture.admin, id: endpoint.id, url: "http://127.0.0.1:\(port)/hooks")

        let created = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        fixture.catchUpWithRealTime()
        let first = try await WorkflowWorker(engine: fixture.engine, smtp: nil, webhooks: HTTPWebhookTransport(policy: policy)).runDue()
        #expect(first.failed.isEmpty, "a delivery failed: \(first.failed)")
        let delivery = try #require(try await fixture.store.webhookDeliveries(account: fixture.admin.account, query: .init()).first)
        #expect(readLine() == "received \(delivery.message) envelope.created \(created.id)")
        _ = try await fixture.engine.replayWebhookDelivery(fixture.admin, id: delivery.id)
        fixture.catchUpWithRealTime()
        let replayed = try await WorkflowWorker(engine: fixture.engine, smtp: nil, webhooks: HTTPWebhookTransport(policy: policy)).runDue()
        #expect(replayed.failed.isEmpty, "the replay's delivery failed: \(replayed.failed)")
        #expect(try await fixture.store.webhookDeliveries(account: fixture.admin.account, query: .init(state: .delivered)).count == 2)

        // A forgery: the right headers, signed with another secret.
        let body = Array(#"{"type":"envelope.completed","timestamp":"","data":{}}"#.utf8)
        let headers = try WebhookSignature.headers(id: "msg_forged", timestamp: Int(Date().timeIntervalSince1970), body: body,
                                                   secrets: [WebhookSignature.newSecret()])
        let response = await HTTPWebhookTransport(policy: policy).send(WebhookRequest(url: "http://127.0.0.1:\(port)/hooks",
                                                                                    headers: headers, body: body))
        #expect(response.status == 400)
        #expect(readLine().hasPrefix("refused:"), "the replay printed nothing: deduplicated by webhook-id")
    }

    @Test func theEventListIsTheOneDelivered() throws {
        let text = try Self.page()
        let section = try #require(text.range(of: "## Which events, and when"))
        let list = String(text[section.upperBound...].prefix { $0 != "*" })
        let documented = list.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        #expect(documented == WebhookEventTypes.all)
    }

    @Test func theRetryTableIsTheScheduleWithoutJitter() throws {
        let text = try Self.page()
        let section = try #require(text.range(of: "## Retries"))
        var documented: [Int: String] = [:]
        for line in text[section.upperBound...].split(separator: "\n").prefix(20) where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            for pair in stride(from: 0, to: cells.count - 1, by: 2) {
                if let attempt = Int(cells[pair]) { documented[attempt] = cells[pair + 1] }
            }
        }
        let configuration = WebhookConfiguration()
        var at: TimeInterval = 0
        var expected: [Int: String] = [1: "0"]
        var attempt = 1
        while true {
            at += configuration.retryDelay(afterAttempt: attempt, jitter: 0)
            guard at <= configuration.retryWindow else { break }
            attempt += 1
            let (hours, minutes, seconds) = (Int(at) / 3600, Int(at) % 3600 / 60, Int(at) % 60)
            expected[attempt] = [hours > 0 ? "\(hours) h" : nil, minutes > 0 ? "\(minutes) min" : nil,
                                 seconds > 0 && hours == 0 ? "\(seconds) s" : nil].compactMap { $0 }.joined(separator: " ")
        }
        #expect(documented == expected)
    }
}
