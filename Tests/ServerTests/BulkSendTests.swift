import Foundation
import Server
import Testing
import TestSupport
import Workflow

/// Bulk sends over HTTP: rows streamed as CSV and JSON Lines, worked off by the in-process
/// worker, per-row errors reported, a repeated upload adding nothing.
@Suite("Bulk sends")
struct BulkSendTests {
    nonisolated(unsafe) static let spec: [String: Any] = [
        "templateId": "service-agreement", "templateVersion": "3", "subject": "Service Agreement — {{company_name}}",
        "recipients": [
            ["name": "{{contact_first_name}} {{contact_last_name}}", "email": "{{contact_email}}", "role": "signer",
             "routingOrder": 1, "authentication": "link", "signatureRole": "customer"],
            ["name": "Jamie Chen", "email": "jamie.chen@northbeam.example", "role": "signer", "routingOrder": 2,
             "authentication": "link", "signatureRole": "company"],
        ],
        "metadata": ["lead_id": "{{lead_id}}"], "rowKeyColumn": "lead_id",
    ]

    static func csv(_ count: Int, badEvery: Int = 0) -> String {
        let columns = ServerFixture.lead.keys.sorted()
        var lines = [columns.joined(separator: ",")]
        for index in 1...count {
            var row = ServerFixture.lead
            row["lead_id"] = String(format: "LD-%06d", index)
            row["company_name"] = "Company \(index)"
            if badEvery > 0, index % badEvery == 0 { row["contact_email"] = "not-an-address" }
            lines.append(columns.map { value in
                let text = row[value] ?? ""
                return text.contains(",") ? "\"\(text)\"" : text
            }.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    func waitUntilDone(_ fixture: ServerFixture, _ id: String) async throws -> [String: Any] {
        var status: [String: Any] = [:]
        for _ in 0..<600 {
            status = try await fixture.call("GET", "/v1/bulk-sends/\(id)").json
            if status["pending"] as? Int == 0 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        return status
    }

    @Test("CSV rows become sent envelopes; bad rows fail with a reason; uploading again adds nothing")
    func csvUpload() async throws {
        let fixture = try await ServerFixture.start { $0.worker.enabled = true; $0.worker.interval = 0.2 }
        defer { Task { try await fixture.stop() } }
        let made = try await fixture.call("POST", "/v1/bulk-sends", json: Self.spec)
        #expect(made.status == 201, "\(made.text)")
        let id = try #require(made.json["id"] as? String)
        let body = Array(Self.csv(24, badEvery: 8).utf8)
        let headers = ["Authorization": "Bearer \(fixture.keys[.agent]!)", "Content-Type": "text/csv"]
        let upload = try await RawHTTP.request(port: fixture.port, "POST", "/v1/bulk-sends/\(id)/rows", headers: headers, body: body)
        #expect(upload.status == 200, "\(upload.text)")
        #expect(upload.json["received"] as? Int == 24)
        #expect(upload.json["added"] as? Int == 24)
        let status = try await waitUntilDone(fixture, id)
        #expect(status["created"] as? Int == 21)
        #expect(status["failed"] as? Int == 3)
        let failed = try await fixture.call("GET", "/v1/bulk-sends/\(id)/rows?state=failed")
        let rows = try #require(failed.json["items"] as? [[String: Any]])
        #expect(rows.map { $0["key"] as? String } == ["LD-000008", "LD-000016", "LD-000024"])
        #expect(rows.allSatisfy { ($0["error"] as? String)?.contains("not-an-address") == true })

        let again = try await RawHTTP.request(port: fixture.port, "POST", "/v1/bulk-sends/\(id)/rows", headers: headers, body: body)
        #expect(again.json["added"] as? Int == 0)
        #expect(again.json["duplicates"] as? Int == 24)
        #expect(try await fixture.envelopeCount() == 21)
        let sent = try await fixture.call("GET", "/v1/envelopes?state=sent&metadata=lead_id%3DLD-000003")
        let envelope = try #require((sent.json["items"] as? [[String: Any]])?.first)
        #expect(envelope["subject"] as? String == "Service Agreement — Company 3")
        #expect((envelope["recipients"] as? [[String: Any]])?.first?["name"] as? String == "Gabriel Côté")
        // Pages of rows: all 24, in order.
        var keys: [String] = []
        var cursor: String?
        repeat {
            let page = try await fixture.call("GET", "/v1/bulk-sends/\(id)/rows?limit=10" + (cursor.map { "&cursor=\($0)" } ?? ""))
            keys += (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
            cursor = page.json["nextCursor"] as? String
        } while cursor != nil
        #expect(keys == (1...24).map { String(format: "LD-%06d", $0) })
    }

    @Test("JSON Lines rows, unreadable lines rejected by number; other accounts and roles refused")
    func jsonLines() async throws {
        let fixture = try await ServerFixture.start { $0.worker.enabled = true; $0.worker.interval = 0.2 }
        defer { Task { try await fixture.stop() } }
        var spec = Self.spec
        spec["rowKeyColumn"] = nil
        spec["send"] = false
        let id = try #require(try await fixture.call("POST", "/v1/bulk-sends", json: spec).json["id"] as? String)
        var lines: [String] = []
        for index in 1...5 {
            var row: [String: Any] = ServerFixture.lead
            row["lead_id"] = String(format: "LD-9%05d", index)
            row["seats"] = index
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: row), as: UTF8.self))
        }
        lines.insert("{not json", at: 2)
        let body = Array(lines.joined(separator: "\n").utf8)
        let headers = ["Authorization": "Bearer \(fixture.keys[.agent]!)", "Content-Type": "application/x-ndjson"]
        let upload = try await RawHTTP.request(port: fixture.port, "POST", "/v1/bulk-sends/\(id)/rows", headers: headers, body: body)
        #expect(upload.json["added"] as? Int == 5)
        #expect((upload.json["rejected"] as? [[String: Any]])?.first?["row"] as? Int == 3)
        let status = try await waitUntilDone(fixture, id)
        #expect(status["created"] as? Int == 5)
        let drafts = try await fixture.call("GET", "/v1/envelopes?state=draft")
        #expect((drafts.json["items"] as? [Any])?.count == 5)

        let (_, other) = try await fixture.home.engine.createAccount(name: "Elsewhere")
        #expect(try await fixture.call("GET", "/v1/bulk-sends/\(id)", key: other.secret).status == 404)
        let foreign = try await RawHTTP.request(port: fixture.port, "POST", "/v1/bulk-sends/\(id)/rows",
                                                headers: ["Authorization": "Bearer \(other.secret)", "Content-Type": "text/csv"],
                                                body: Array(Self.csv(2).utf8))
        #expect(foreign.status == 404)
        // A key the spec does not have is refused with the one meant, not ignored.
        var typo = Self.spec
        typo["rowKeyColum"] = typo.removeValue(forKey: "rowKeyColumn") ?? "lead_id"
        let refused = try await fixture.call("POST", "/v1/bulk-sends", json: typo)
        #expect(refused.status == 400 && (refused.json["detail"] as? String)?.contains("rowKeyColum is not a field of a bulk send; did you mean 'rowKeyColumn'?") == true,
                "\(refused.text)")
        #expect(try await fixture.call("POST", "/v1/bulk-sends", as: .compliance, json: Self.spec).status == 403)
        let xml = try await RawHTTP.request(port: fixture.port, "POST", "/v1/bulk-sends/\(id)/rows",
                                            headers: ["Authorization": "Bearer \(fixture.keys[.agent]!)", "Content-Type": "text/xml"],
                                            body: Array("<rows/>".utf8))
        #expect(xml.status == 415)
        #expect(try await fixture.envelopeCount() == 5)
    }

    @Test("a row whose envelope exists already (a worker died after creating it) is not made twice")
    func exactlyOnce() async throws {
        let fixture = try await ServerFixture.start()
        defer { Task { try await fixture.stop() } }
        let engine = fixture.home.engine
        let agent = try await engine.authenticate(apiKey: fixture.keys[.agent]!)
        var spec = BulkSpec(templateID: "service-agreement", templateVersion: "3", subject: "Bulk {{lead_id}}",
                            recipients: [RecipientRequest(name: "{{contact_first_name}}", email: "{{contact_email}}", role: .signer,
                                                          authentication: .link, signatureRole: "customer"),
                                         RecipientRequest(name: "Jamie Chen", email: "jamie.chen@northbeam.example", role: .signer,
                                                          routingOrder: 2, authentication: .link, signatureRole: "company")])
        spec.rowKeyColumn = "lead_id"
        let bulk = try await engine.createBulkSend(agent, spec: spec)
        var rows = [ServerFixture.lead].makeIterator()
        let upload = try await engine.addBulkRows(agent, bulk: bulk.id) { rows.next().map { (1, .success($0)) } }
        #expect(upload.added == 1)
        // What a worker that died after creating the envelope left: the envelope, the row still pending.
        var request = EnvelopeRequest(templateID: "service-agreement", templateVersion: "3", subject: "Bulk LD-100000",
                                      data: ServerFixture.lead, recipients: spec.recipients)
        request.metadata = ["bulkRow": "\(bulk.id)#LD-100000"]
        request.recipients[0].name = "Gabriel"
        request.recipients[0].email = "gabriel.cote@crescentcapital.ca"
        let orphan = try await engine.createEnvelope(agent, request)
        let pass = try await WorkflowWorker(engine: engine, smtp: nil).runDue()
        #expect(pass.ran[.bulkSend] == 1)
        #expect(try await fixture.envelopeCount() == 1)
        let row = try #require(try await engine.bulkRows(agent, bulk: bulk.id).first)
        #expect(row.state == .created)
        #expect(row.envelope == orphan.id)
        #expect(try await engine.envelope(agent, id: orphan.id).state == .sent)
    }

    @Test("rows a dead worker held are worked off once its lease runs out, by a job kept for them")
    func rowsOfADeadWorker() async throws {
        let fixture = try await ServerFixture.start()
        defer { Task { try await fixture.stop() } }
        let engine = fixture.home.engine
        let agent = try await engine.authenticate(apiKey: fixture.keys[.agent]!)
        var spec = BulkSpec(templateID: "service-agreement", templateVersion: "3", subject: "Bulk {{lead_id}}",
                            recipients: [RecipientRequest(name: "{{contact_first_name}}", email: "{{contact_email}}", role: .signer,
                                                          authentication: .link, signatureRole: "customer"),
                                         RecipientRequest(name: "Jamie Chen", email: "jamie.chen@northbeam.example", role: .signer,
                                                          routingOrder: 2, authentication: .link, signatureRole: "company")])
        spec.rowKeyColumn = "lead_id"
        let bulk = try await engine.createBulkSend(agent, spec: spec)
        var leads = (1...3).map { index in
            var lead = ServerFixture.lead
            lead["lead_id"] = String(format: "LD-%06d", index)
            return lead
        }.makeIterator()
        #expect(try await engine.addBulkRows(agent, bulk: bulk.id) { leads.next().map { (1, .success($0)) } }.added == 3)
        // A worker claims two rows and dies before making their envelopes.
        let store = try #require(fixture.home.store as? any BulkSendStore)
        let now = fixture.clock.now()
        let held = try await store.claimBulkRows(account: agent.account, bulk: bulk.id, limit: 2, now: now, until: now.addingTimeInterval(300))
        #expect(held.count == 2)

        let worker = WorkflowWorker(engine: engine, smtp: nil)
        // One job, or more when making the envelope outlasted a 5-second slice (a loaded machine):
        // each slice hands over to a job due at once (BulkSliceTests).
        #expect(try await worker.runDue().ran[.bulkSend, default: 0] >= 1)
        #expect(try await fixture.envelopeCount() == 1, "only the row nobody held")
        let waiting = try await fixture.home.store.jobs(account: agent.account, kind: .bulkSend, envelope: bulk.id).filter { $0.state == .pending }
        #expect(waiting.count == 1, "a job is kept for the held rows")
        #expect(try await worker.runDue().total == 0, "nothing is due while the dead worker's lease runs")

        fixture.clock.advance(by: 301)
        #expect(try await worker.runDue().ran[.bulkSend, default: 0] >= 1)
        #expect(try await fixture.envelopeCount() == 3, "every row became an envelope")
        let rows = try await engine.bulkRows(agent, bulk: bulk.id)
        #expect(rows.allSatisfy { $0.state == .created } && Set(rows.compactMap(\.envelope)).count == 3)
        #expect(try await fixture.home.store.jobs(account: agent.account, kind: .bulkSend, envelope: bulk.id).allSatisfy { $0.state == .done },
                "no job is left once every row is done")
    }
}
