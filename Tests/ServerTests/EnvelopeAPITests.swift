import Foundation
import Server
import TestSupport
import Testing
import Workflow

/// The API end to end on a live server: the template library, envelopes and their sender
/// actions, and a recipient signing through the recipient routes until the worker seals.
@Suite("Envelope API")
struct EnvelopeAPITests {
    @Test("clauses and a template imported, approved and published over HTTP")
    func library() async throws {
        let fixture = try await ServerFixture.start(library: false)
        defer { Task { try await fixture.stop() } }
        let templates = TestEnvironment.root.appendingPathComponent("Templates")
        let clauseFiles = try FileManager.default.contentsOfDirectory(atPath: templates.appendingPathComponent("clauses").path)
            .filter { $0.hasSuffix(".xml") }.sorted()
        for name in clauseFiles {
            let source = try String(contentsOf: templates.appendingPathComponent("clauses/\(name)"), encoding: .utf8)
            let answer = try await fixture.call("POST", "/v1/clauses", as: .legal, json: ["source": source])
            #expect(answer.status == 201, "\(name): \(answer.text)")
        }
        let proposed = try await fixture.call("GET", "/v1/clauses?limit=200", as: .agent)
        let pending = (proposed.json["items"] as? [[String: Any]] ?? []).filter { $0["state"] as? String == "proposed" }
        for clause in pending {
            let path = "/v1/clauses/\(clause["clauseId"]!)/versions/\(clause["version"]!)/approve"
            #expect(try await fixture.call("POST", path, as: .agent).status == 403)
            let approved = try await fixture.call("POST", path, as: .legal)
            #expect(approved.json["state"] as? String == "approved")
        }
        let source = try String(contentsOf: templates.appendingPathComponent("service-agreement.xml"), encoding: .utf8)
        let logo = try Data(contentsOf: templates.appendingPathComponent("assets/logo.png")).base64EncodedString()
        let imported = try await fixture.call("POST", "/v1/templates", as: .legal,
                                              json: ["source": source, "assets": ["assets/logo.png": logo]])
        #expect(imported.status == 201, "\(imported.text)")
        #expect(imported.json["state"] as? String == "draft")
        let path = "/v1/templates/service-agreement/versions/3"
        #expect(imported.headers["location"] == path)
        #expect(try await fixture.call("POST", "/v1/envelopes", json: ServerFixture.envelopeBody()).problem
                == "urn:countersign:problem:illegal-transition")
        let published = try await fixture.call("POST", path + "/publish", as: .legal)
        #expect(published.json["state"] as? String == "published")
        #expect((published.json["sha256"] as? String)?.count == 64)
        #expect(try await fixture.call("POST", path + "/publish", as: .legal).status == 409)
        #expect(try await fixture.call("POST", "/v1/envelopes", json: ServerFixture.envelopeBody()).status == 201)
        let retired = try await fixture.call("POST", path + "/retire", as: .legal)
        #expect(retired.json["state"] as? String == "retired")
        #expect(try await fixture.call("GET", path, as: .compliance).json["state"] as? String == "retired")
    }

    @Test("create, send, ETag and If-Match, list with cursors and filters, events, export, documents")
    func senderSide() async throws {
        let fixture = try await ServerFixture.start()
        defer { Task { try await fixture.stop() } }
        let created = try await fixture.call("POST", "/v1/envelopes", json: ServerFixture.envelopeBody())
        #expect(created.status == 201)
        let id = try #require(created.json["id"] as? String)
        #expect(created.headers["location"] == "/v1/envelopes/\(id)")
        let etag = try #require(created.headers["etag"])
        let status = try await fixture.call("GET", "/v1/envelopes/\(id)", as: .compliance)
        #expect(status.headers["etag"] == etag)
        #expect(try await fixture.call("GET", "/v1/envelopes/\(id)", headers: ["If-None-Match": etag]).status == 304)
        let stale = try await fixture.call("POST", "/v1/envelopes/\(id)/send", headers: ["If-Match": "\"r999\""])
        #expect(stale.status == 412)
        #expect(stale.problem == "urn:countersign:problem:precondition-failed")
        #expect(try await fixture.call("GET", "/v1/envelopes/\(id)").json["state"] as? String == "draft")
        let sent = try await fixture.call("POST", "/v1/envelopes/\(id)/send", headers: ["If-Match": etag])
        #expect(sent.status == 200)
        #expect(sent.json["state"] as? String == "sent")
        #expect(sent.headers["etag"] != etag)
        let again = try await fixture.call("POST", "/v1/envelopes/\(id)/send")
        #expect(again.status == 409)
        #expect(again.problem == "urn:countersign:problem:illegal-transition")

        for lead in ["LD-000001", "LD-000002", "LD-000003", "LD-000004"] { _ = try await fixture.createEnvelope(leadID: lead) }
        var seen: [String] = []
        var cursor: String?
        // A cursor belongs to the list that gave it: another list refuses it rather than paging from it.
        let first = try #require(try await fixture.call("GET", "/v1/envelopes?limit=2", as: .compliance).json["nextCursor"] as? String)
        let elsewhere = try await fixture.call("GET", "/v1/envelopes/\(id)/events?cursor=\(first)", as: .compliance)
        #expect(elsewhere.status == 400 && elsewhere.text.contains("not /v1/envelopes/\(id)/events"), "\(elsewhere.text)")
        repeat {
            let page = try await fixture.call("GET", "/v1/envelopes?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), as: .compliance)
            #expect(page.status == 200)
            seen += (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            cursor = page.json["nextCursor"] as? String
        } while cursor != nil
        #expect(seen.count == 5)
        #expect(Set(seen).count == 5)
        #expect(seen.contains(id))  // ids made in one millisecond sort by their random part
        let drafts = try await fixture.call("GET", "/v1/envelopes?state=draft&state=voided")
        #expect((drafts.json["items"] as? [Any])?.count == 4)
        let byLead = try await fixture.call("GET", "/v1/envelopes?metadata=lead_id%3DLD-000003")
        #expect((byLead.json["items"] as? [[String: Any]])?.map { ($0["metadata"] as? [String: String])?["lead_id"] } == ["LD-000003"])
        #expect(try await fixture.call("GET", "/v1/envelopes?state=lost").status == 400)
        // A second metadata filter would be dropped by a one-key store: refused, not widened.
        let twoFilters = try await fixture.call("GET", "/v1/envelopes?metadata=lead_id%3DLD-000003&metadata=region%3DEU")
        #expect(twoFilters.status == 400 && twoFilters.text.contains("one metadata filter"), "\(twoFilters.text)")
        #expect(try await fixture.call("GET", "/v1/envelopes?cursor=zzzz").status == 400)

        let events = try await fixture.call("GET", "/v1/envelopes/\(id)/events", as: .compliance)
        let items = try #require(events.json["items"] as? [[String: Any]])
        #expect(items.map { $0["type"] as? String } .prefix(2) == ["envelope.created", "envelope.sent"])
        for (previous, next) in zip(items, items.dropFirst()) { #expect(next["previousHash"] as? String == previous["hash"] as? String) }
        let csv = try await fixture.call("GET", "/v1/envelopes/\(id)/export?format=csv")
        #expect(csv.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(csv.text.contains("LD-100000"))
        let json = try await fixture.call("GET", "/v1/envelopes/\(id)/export")
        #expect(json.text.contains("\"lead_id\""))
        let pdf = try await fixture.call("GET", "/v1/envelopes/\(id)/documents/doc_1")
        #expect(pdf.headers["content-type"] == "application/pdf")
        #expect(pdf.headers["content-disposition"] == #"attachment; filename="service-agreement.pdf""#)
        #expect(pdf.body.starts(with: Array("%PDF-".utf8)))
        #expect(try await fixture.call("GET", "/v1/envelopes/\(id)/documents/doc_9").status == 404)

        let voided = try await fixture.call("POST", "/v1/envelopes/\(id)/void", json: ["reason": "Wrong plan"])
        #expect(voided.json["state"] as? String == "voided")
        let hold = try await fixture.call("POST", "/v1/envelopes/\(id)/legal-hold", json: ["hold": true, "reason": "Litigation"])
        #expect(hold.status == 403)
        let held = try await fixture.call("POST", "/v1/envelopes/\(id)/legal-hold", as: .compliance, json: ["hold": true, "reason": "Litigation"])
        #expect((held.json["retention"] as? [String: Any])?["legalHold"] as? Bool == true)
    }

    @Test("an envelope over an uploaded PDF with a placed signature field")
    func uploadedPDF() async throws {
        let fixture = try await ServerFixture.start()
        defer { Task { try await fixture.stop() } }
        // A real PDF to upload: a generated agreement, downloaded through the API.
        let generated = try await fixture.createEnvelope()
        let pdf = try await fixture.call("GET", "/v1/envelopes/\(generated)/documents/doc_1").body
        let body: [String: Any] = [
            "subject": "Please countersign", "send": true,
            "documents": [["name": "agreement.pdf", "pdf": Data(pdf).base64EncodedString(), "textTags": false,
                           "fields": [["kind": "signature", "role": "customer", "position": ["page": 1, "x": 72, "y": 600]]]]],
            "recipients": [["name": "Gabriel Côté", "email": "gabriel.cote@crescentcapital.ca", "role": "signer",
                            "authentication": "link", "signatureRole": "customer"]],
        ]
        let created = try await fixture.call("POST", "/v1/envelopes", json: body)
        #expect(created.status == 201, "\(created.text)")
        #expect(created.json["template"] == nil)
        #expect(created.json["state"] as? String == "sent")
        let documents = try #require(created.json["documents"] as? [[String: Any]])
        #expect(documents.first?["origin"] as? String == "uploaded")
        var both = body
        both["templateId"] = "service-agreement"
        both["templateVersion"] = "3"
        let ambiguous = try await fixture.call("POST", "/v1/envelopes", json: both)
        #expect(ambiguous.status == 400)
        var broken = body
        broken["documents"] = [["name": "x.pdf", "pdf": Data("not a pdf".utf8).base64EncodedString(), "fields": [] as [Any]]]
        let refused = try await fixture.call("POST", "/v1/envelopes", json: broken)
        #expect(refused.status == 422, "\(refused.text)")
        #expect(try await fixture.envelopeCount() == 2)
    }

    @Test("bad requests are 400/415/422 problems that name what is wrong")
    func badRequests() async throws {
        let fixture = try await ServerFixture.start()
        defer { Task { try await fixture.stop() } }
        let notJSON = try await RawHTTP.request(port: fixture.port, "POST", "/v1/envelopes",
                                                headers: ["Authorization": "Bearer \(fixture.keys[.agent]!)", "Content-Type": "application/json"],
                                                body: Array("{not json".utf8))
        #expect(notJSON.status == 400)
        #expect((notJSON.json["detail"] as? String)?.contains("not valid JSON at line 1, column") == true, "\(notJSON.text)")
        let role = try await fixture.call("POST", "/v1/keys", as: .admin, json: ["role": "superuser", "name": "crm"])
        #expect(role.status == 400 && (role.json["detail"] as? String)?.contains(#"role: "superuser" is not an allowed value; expected "agent", "legal", "compliance", "admin""#) == true,
                "\(role.text)")
        let xml = try await fixture.call("POST", "/v1/envelopes", json: ["a": 1], headers: ["Content-Type": "application/xml"])
        #expect(xml.status == 415)
        var body = ServerFixture.envelopeBody()
        body.removeValue(forKey: "subject")
        let missing = try await fixture.call("POST", "/v1/envelopes", json: body)
        #expect(missing.status == 400)
        #expect((missing.json["detail"] as? String)?.contains("subject") == true)
        var badData = ServerFixture.envelopeBody()
        badData["data"] = ["seats": "many"]
        let unfit = try await fixture.call("POST", "/v1/envelopes", json: badData)
        #expect(unfit.status == 422)
        #expect(unfit.problem == "urn:countersign:problem:template")
        // A key the request does not have would be ignored by decoding, and with it the value it
        // meant to give: it is refused with the closest key.
        var misspelled = ServerFixture.envelopeBody()
        misspelled["templateID"] = misspelled.removeValue(forKey: "templateId")
        let mistyped = try await fixture.call("POST", "/v1/envelopes", json: misspelled)
        #expect(mistyped.status == 400)
        #expect((mistyped.json["detail"] as? String)?.contains("templateID is not a field of an envelope request; did you mean 'templateId'?") == true,
                "\(mistyped.text)")
        // At every depth, and in every route's body.
        var nested = ServerFixture.envelopeBody()
        var recipients = try #require(nested["recipients"] as? [[String: Any]])
        recipients[1]["signatureRol"] = recipients[1].removeValue(forKey: "signatureRole")
        nested["recipients"] = recipients
        let deep = try await fixture.call("POST", "/v1/envelopes", json: nested)
        #expect(deep.status == 400)
        #expect((deep.json["detail"] as? String)?.contains("recipients[1].signatureRol is not a field of an envelope request; did you mean 'signatureRole'?") == true,
                "\(deep.text)")
        #expect(try await fixture.envelopeCount() == 0)
        let id = try await fixture.createEnvelope()
        let before = try await fixture.call("GET", "/v1/envelopes/\(id)")
        let void = try await fixture.call("POST", "/v1/envelopes/\(id)/void", json: ["reasn": "sent in error"])
        #expect(void.status == 400)
        #expect((void.json["detail"] as? String)?.contains("reasn is not a field of this request's body; did you mean 'reason'?") == true,
                "\(void.text)")
        let after = try await fixture.call("GET", "/v1/envelopes/\(id)")
        #expect(after.json["state"] as? String == before.json["state"] as? String && after.headers["etag"] == before.headers["etag"] && before.headers["etag"] != nil)
        // A query parameter the route does not read is refused, not dropped with its filter.
        let typo = try await fixture.call("GET", "/v1/envelopes?stat=sent")
        #expect(typo.status == 400 && (typo.json["detail"] as? String)?.contains("stat is not a query parameter of GET /v1/envelopes; did you mean 'state'?") == true,
                "\(typo.text)")
        let none = try await fixture.call("GET", "/v1/envelopes/\(id)?verbose=1")
        #expect(none.status == 400 && (none.json["detail"] as? String)?.contains("it takes none") == true, "\(none.text)")
        #expect(try await fixture.call("GET", "/v1/envelopes?state=sent&limit=5").status == 200)
        // A method the route does not take is 405 with Allow, not a 404 that reads "no such route".
        let delete = try await fixture.call("DELETE", "/v1/envelopes/\(id)")
        #expect(delete.status == 405 && delete.headers["allow"] == "GET, HEAD" && delete.problem == "urn:countersign:problem:method-not-allowed",
                "\(delete.status) \(delete.headers) \(delete.text)")
        let put = try await fixture.call("PUT", "/v1/envelopes", json: ServerFixture.envelopeBody())
        #expect(put.status == 405 && put.headers["allow"] == "GET, HEAD, POST", "\(put.text)")
        // HEAD is answered wherever GET is: GET's status and headers, no body.
        let head = try await fixture.call("HEAD", "/v1/envelopes/\(id)")
        #expect(head.status == 200 && head.body.isEmpty && head.headers["etag"] == after.headers["etag"], "\(head.status) \(head.headers)")
        #expect(try await fixture.call("HEAD", "/v1/envelopes/env_missing").status == 404)
        #expect(try await fixture.call("HEAD", "/v1/envelopes/\(id)", as: nil).status == 401)
        let unknown = try await fixture.call("GET", "/v1/nothing-here")
        #expect(unknown.status == 404)
        #expect(unknown.problem == "urn:countersign:problem:not-found")
        #expect(try await fixture.envelopeCount() == 1)
    }

    @Test("a HEAD of a signing link (a mail scanner's) answers without recording an opening")
    func headOfSigningLink() async throws {
        let fixture = try await ServerFixture.start()
        defer { Task { try await fixture.stop() } }
        let id = try await fixture.createEnvelope(send: true)
        let link = try await fixture.call("POST", "/v1/envelopes/\(id)/recipients/rcp_1/embedded-link")
        let path = String((link.json["url"] as? String ?? "").dropFirst(fixture.server.configuration.publicURL.count))
        let page = try #require(try await fixture.call("GET", path, as: nil).headers["location"])
        let token = String(page.split(separator: "/").last ?? "")
        func state() async throws -> String? {
            let envelope = try await fixture.call("GET", "/v1/envelopes/\(id)")
            let recipients = envelope.json["recipients"] as? [[String: Any]] ?? []
            return recipients.first(where: { $0["id"] as? String == "rcp_1" })?["state"] as? String
        }
        let api = try await fixture.call("HEAD", "/v1/signing/\(token)", as: nil)
        #expect(api.status == 200 && api.body.isEmpty && api.headers["content-type"]?.hasPrefix("application/json") == true, "\(api.headers)")
        let landing = try await fixture.call("HEAD", page, as: nil)
        #expect(landing.status == 200 && landing.body.isEmpty && landing.headers["content-type"]?.hasPrefix("text/html") == true
                && landing.headers["content-security-policy"] != nil, "\(landing.status) \(landing.headers)")
        #expect(try await fixture.call("HEAD", "/v1/signing/\(String(repeating: "0", count: 64))", as: nil).status == 401)
        #expect(try await state() == "sent")
        #expect(try await fixture.call("GET", "/v1/signing/\(token)", as: nil).status == 200)
        #expect(try await state() == "delivered")
    }

    @Test("a recipient signs through the recipient routes; the in-process worker seals the envelope")
    func recipientFlow() async throws {
        // An hour between polls: only the engine's doorbell (the last signature queues the
        // completion, which rings it) can start the seal within the minute this test waits.
        let fixture = try await ServerFixture.start { $0.worker.enabled = true; $0.worker.interval = 3600 }
        defer { Task { try await fixture.stop() } }
        let id = try await fixture.createEnvelope(send: true)
        var credentials: [String] = []
        for recipient in ["rcp_1", "rcp_2"] {
            let link = try await fixture.call("POST", "/v1/envelopes/\(id)/recipients/\(recipient)/embedded-link")
            let path = String((link.json["url"] as? String ?? "").dropFirst(fixture.server.configuration.publicURL.count))
            let token = String(try #require(try await fixture.call("GET", path, as: nil).headers["location"]).split(separator: "/").last ?? "")
            credentials += [token, String(path.split(separator: "/").last ?? "")]
            let view = try await fixture.call("GET", "/v1/signing/\(token)", as: nil)
            #expect(view.json["needsConsent"] as? Bool == true)
            let disclosure = try #require(view.json["disclosure"] as? [String: Any])
            let early = try await fixture.call("POST", "/v1/signing/\(token)/sign", as: nil)
            #expect(early.status == 409)
            let consent = try await fixture.call("POST", "/v1/signing/\(token)/consent", as: nil, json: [
                "disclosureVersion": disclosure["version"]!, "disclosureSha256": disclosure["sha256"]!])
            #expect(consent.status == 200, "\(consent.text)")
            let pdf = try await fixture.call("GET", "/v1/signing/\(token)/documents/doc_1", as: nil)
            #expect(pdf.body.starts(with: Array("%PDF-".utf8)))
            if recipient == "rcp_1" {
                // A script font must be one of the known identifiers, and only with a typed mark.
                let unknown = try await fixture.call("POST", "/v1/signing/\(token)/adopt", as: nil,
                                                     json: ["kind": "typed", "text": "Signer", "font": "comic-sans"])
                #expect(unknown.status == 422 && unknown.text.contains("font: 'comic-sans' is not a signature font"), "\(unknown.text)")
                let drawn = try await fixture.call("POST", "/v1/signing/\(token)/adopt", as: nil,
                                                   json: ["kind": "drawn", "png": "iVBORw0KGgo=", "font": "kaushan-script"])
                #expect(drawn.status == 400, "\(drawn.text)")
            }
            let adopt = try await fixture.call("POST", "/v1/signing/\(token)/adopt", as: nil, json: [
                "kind": "typed", "text": "Signer \(recipient)", "font": recipient == "rcp_1" ? "tex-gyre-chorus" : "kaushan-script"])
            #expect(adopt.status == 200, "\(adopt.text)")
            let sign = try await fixture.call("POST", "/v1/signing/\(token)/sign", as: nil, headers: ["Idempotency-Key": "sign-\(recipient)"])
            #expect(sign.status == 200, "\(sign.text)")
            let replay = try await fixture.call("POST", "/v1/signing/\(token)/sign", as: nil, headers: ["Idempotency-Key": "sign-\(recipient)"])
            #expect(replay.status == 200)
            #expect(replay.headers["idempotency-replayed"] == "true")
        }
        var state = ""
        for _ in 0..<300 where state != "completed" {
            try await Task.sleep(for: .milliseconds(200))
            state = try await fixture.call("GET", "/v1/envelopes/\(id)").json["state"] as? String ?? ""
        }
        #expect(state == "completed")
        let sealed = try await fixture.call("GET", "/v1/envelopes/\(id)/documents/doc_1")
        #expect(sealed.body.starts(with: Array("%PDF-".utf8)))
        let file = try TestEnvironment.scratchDirectory("api-sealed").appendingPathComponent("\(id).pdf")
        try Data(sealed.body).write(to: file)
        let fonts = try runCommand("pdffonts", [file.path]).stdout
        #expect(fonts.contains("+TeXGyreChorus") && fonts.contains("+KaushanScript"), "each signer's chosen script: \(fonts)")
        let envelope = try await fixture.call("GET", "/v1/envelopes/\(id)")
        let documents = try #require(envelope.json["documents"] as? [[String: Any]])
        #expect((documents.first?["sealedSha256"] as? String)?.count == 64)
        let verification = try await AuditVerifier(store: fixture.home.store, trustAnchors: fixture.home.trustAnchors).verify()
        #expect(verification.findings.isEmpty, "\(verification.findings)")
        // The request log names each request's path, but never a token or an embedded link's
        // secret in it: whoever reads the log could act as the recipient.
        let lines = fixture.log.lines.withLock { $0 }
        #expect(credentials.count == 4 && credentials.allSatisfy { $0.count >= 64 }, "\(credentials)")
        #expect(lines.contains { $0.contains("/v1/signing/") } && lines.contains { $0.contains("/v1/embedded/cse_") })
        for credential in credentials {
            #expect(!lines.contains { $0.contains(credential) }, "a log line holds \(credential.prefix(8))…")
        }
    }
}
