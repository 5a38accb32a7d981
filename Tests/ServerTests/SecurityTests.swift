import Foundation
import Glibc
import Server
import Testing
import TestSupport
import Workflow

/// Refusals tried for real against a live server: each answers the documented problem and
/// changes nothing.
@Suite("Security by trying")
struct SecurityTests {
    @Test("no key, a malformed key, a wrong key and a revoked key are 401 problems")
    func keys() async throws {
        let fixture = try await ServerFixture.start()
        defer { Task { try await fixture.stop() } }
        let none = try await fixture.call("GET", "/v1/envelopes", as: nil)
        #expect(none.status == 401)
        #expect(none.problem == "urn:countersign:problem:unauthenticated")
        #expect(none.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        #expect(none.headers["content-type"] == "application/problem+json")
        let malformed = try await fixture.call("GET", "/v1/envelopes", as: nil, headers: ["Authorization": "Basic YWRtaW46YWRtaW4="])
        #expect(malformed.status == 401)
        let wrong = try await fixture.call("GET", "/v1/envelopes", key: "csk_key_0000_" + String(repeating: "0", count: 64))
        #expect(wrong.status == 401)
        #expect(wrong.problem == "urn:countersign:problem:unauthenticated")

        let made = try await fixture.call("POST", "/v1/keys", as: .admin, json: ["role": "agent", "name": "CRM"])
        #expect(made.status == 201)
        let secret = try #require(made.json["secret"] as? String)
        let id = try #require(made.json["id"] as? String)
        #expect(try await fixture.call("GET", "/v1/envelopes", key: secret).status == 200)
        let revoked = try await fixture.call("DELETE", "/v1/keys/\(id)", as: .admin)
        #expect(revoked.status == 200)
        #expect(revoked.json["revokedAt"] is String)
        #expect(revoked.json["secret"] == nil)
        let after = try await fixture.call("GET", "/v1/envelopes", key: secret)
        #expect(after.status == 401)
        let created = try await fixture.call("POST", "/v1/envelopes", key: secret, json: ServerFixture.envelopeBody())
        #expect(created.status == 401)
        #expect(try await fixture.envelopeCount() == 0)
    }

    @Test("another account's key sees none of this account's envelopes")
    func tenantIsolation() async throws {
        let fixture = try await ServerFixture.start()
        defer { Task { try await fixture.stop() } }
        let id = try await fixture.createEnvelope()
        let (_, other) = try await fixture.home.engine.createAccount(name: "Elsewhere")
        for (method, path) in [("GET", "/v1/envelopes/\(id)"), ("GET", "/v1/envelopes/\(id)/events"), ("GET", "/v1/envelopes/\(id)/export"),
                               ("GET", "/v1/envelopes/\(id)/documents/doc_1"), ("POST", "/v1/envelopes/\(id)/send")] {
            let answer = try await fixture.call(method, path, key: other.secret)
            #expect(answer.status == 404, "\(method) \(path)")
            #expect(answer.problem == "urn:countersign:problem:not-found")
        }
        let list = try await fixture.call("GET", "/v1/envelopes", key: other.secret)
        #expect((list.json["items"] as? [Any])?.isEmpty == true)
        let mine = try await fixture.call("GET", "/v1/envelopes/\(id)")
        #expect(mine.json["state"] as? String == "draft")
    }

    @Test("a role without the right is 403 and nothing changes")
    func roles() async throws {
        let fixture = try await ServerFixture.start()
        defer { Task { try await fixture.stop() } }
        let tries: [(Role, String, String, Any?)] = [
            (.agent, "POST", "/v1/templates", ["source": "<template id=\"x\" version=\"1\"/>"]),
            (.agent, "POST", "/v1/templates/service-agreement/versions/3/retire", nil),
            (.agent, "GET", "/v1/keys", nil),
            (.legal, "POST", "/v1/keys", ["role": "admin", "name": "escalation"]),
            (.compliance, "POST", "/v1/envelopes", ServerFixture.envelopeBody()),
            (.legal, "POST", "/v1/envelopes", ServerFixture.envelopeBody()),
        ]
        for (role, method, path, body) in tries {
            let answer = try await fixture.call(method, path, as: role, json: body)
            #expect(answer.status == 403, "\(role) \(method) \(path): \(answer.text)")
            #expect(answer.problem == "urn:countersign:problem:forbidden")
        }
        #expect(try await fixture.envelopeCount() == 0)
        let keys = try await fixture.home.engine.keys(fixture.admin)
        #expect(keys.count == 4)
        let template = try await fixture.home.engine.templateVersion(fixture.admin, templateID: "service-agreement", version: "3")
        #expect(template.state == .published)
    }

    /// An envelope created and sent while the store blinks (a PostgreSQL restart) is answered
    /// 201 once its answer can be stored, and a retry under the key replays it: not a 503 the
    /// client would retry into a second envelope and a second invitation.
    @Test func aChangeMadeIsAnsweredAcrossABriefStoreOutageNotMadeTwice() async throws {
        let fixture = try await ServerFixture.start(failingAnswerStores: 2)
        let headers = ["Idempotency-Key": "crm-order-restart"]
        let first = try await fixture.call("POST", "/v1/envelopes", json: ServerFixture.envelopeBody(send: true), headers: headers)
        #expect(first.status == 201 && first.json["state"] as? String == "sent", "\(first.status) \(first.text)")
        let again = try await fixture.call("POST", "/v1/envelopes", json: ServerFixture.envelopeBody(send: true), headers: headers)
        #expect(again.status == 201 && again.headers["idempotency-replayed"] == "true" && again.json["id"] as? String == first.json["id"] as? String)
        #expect(try await fixture.envelopeCount() == 1)
        try await fixture.stop()
    }

    @Test("an Idempotency-Key replays the first answer; another body under it is 409")
    func idempotency() async throws {
        let fixture = try await ServerFixture.start()
        defer { Task { try await fixture.stop() } }
        let headers = ["Idempotency-Key": "crm-order-4711"]
        let first = try await fixture.call("POST", "/v1/envelopes", json: ServerFixture.envelopeBody(), headers: headers)
        #expect(first.status == 201)
        let again = try await fixture.call("POST", "/v1/envelopes", json: ServerFixture.envelopeBody(), headers: headers)
        #expect(again.status == 201)
        #expect(again.headers["idempotency-replayed"] == "true")
        #expect(again.json["id"] as? String == first.json["id"] as? String)
        #expect(again.body == first.body)
        let other = try await fixture.call("POST", "/v1/envelopes", json: ServerFixture.envelopeBody(leadID: "LD-999"), headers: headers)
        #expect(other.status == 409)
        #expect(other.problem == "urn:countersign:problem:idempotency-key-reused")
        #expect(try await fixture.envelopeCount() == 1)
        // Keys are per account: another account may use the same key for its own request.
        let (_, stranger) = try await fixture.home.engine.createAccount(name: "Elsewhere")
        let theirs = try await fixture.call("POST", "/v1/keys", key: stranger.secret, json: ["role": "agent", "name": "x"], headers: headers)
        #expect(theirs.status == 201)
        #expect(theirs.headers["idempotency-replayed"] == nil)
        let bad = try await fixture.call("POST", "/v1/envelopes", json: ServerFixture.envelopeBody(), headers: ["Idempotency-Key": "with space"])
        #expect(bad.status == 400)
    }

    @Test("an answer is replayed only to its own key, and a secret never")
    func idempotencyIsPerKeyAndNeverReplaysASecret() async throws {
        let fixture = try await ServerFixture.start()
        defer { Task { try await fixture.stop() } }
        let headers = ["Idempotency-Key": "mk-admin-key-1"]
        let issued = try await fixture.call("POST", "/v1/keys", as: .admin, json: ["role": "admin", "name": "ops"], headers: headers)
        #expect(issued.status == 201 && (issued.json["secret"] as? String)?.hasPrefix("csk_") == true)
        #expect(issued.headers["countersign-secret-once"] == nil, "the routes' mark stays inside the service")
        // Another key of the account, with a role that may not issue keys, under the same
        // Idempotency-Key: its own request, refused by its role — not the admin's stored answer.
        let agent = try await fixture.call("POST", "/v1/keys", as: .agent, json: ["role": "admin", "name": "ops"], headers: headers)
        #expect(agent.status == 403 && agent.headers["idempotency-replayed"] == nil, "\(agent.status) \(agent.text)")
        #expect(!agent.text.contains("csk_"))
        // The admin's retry: no second key, and no secret from the store.
        let retry = try await fixture.call("POST", "/v1/keys", as: .admin, json: ["role": "admin", "name": "ops"], headers: headers)
        #expect(retry.status == 409 && retry.problem == "urn:countersign:problem:secret-not-replayed", "\(retry.status) \(retry.text)")
        #expect(retry.headers["idempotency-replayed"] == "true" && !retry.text.contains("csk_"))
        let id = try #require(issued.json["id"] as? String)
        #expect(retry.text.contains(id) && retry.text.contains("DELETE /v1/keys/\(id)"), "\(retry.text)")
        let keys = try await fixture.call("GET", "/v1/keys", as: .admin)
        #expect(((keys.json["items"] as? [[String: Any]]) ?? []).filter { $0["name"] as? String == "ops" }.count == 1, "\(keys.text)")
        // The same for a webhook endpoint's signing secret.
        let hook = ["url": "https://crm.example.com/hooks", "eventTypes": ["envelope.completed"]] as [String: Any]
        let created = try await fixture.call("POST", "/v1/webhook-endpoints", as: .admin, json: hook, headers: ["Idempotency-Key": "hook-1"])
        #expect(created.status == 201 && (created.json["secret"] as? String)?.hasPrefix("whsec_") == true, "\(created.text)")
        let again = try await fixture.call("POST", "/v1/webhook-endpoints", as: .admin, json: hook, headers: ["Idempotency-Key": "hook-1"])
        #expect(again.status == 409 && !again.text.contains("whsec_") && again.text.contains("rotate-secret"), "\(again.text)")
    }

    @Test("a body over the limit is 413 before it is read")
    func bodyLimit() async throws {
        let fixture = try await ServerFixture.start { $0.maxBodyBytes = 4096 }
        defer { Task { try await fixture.stop() } }
        var body = ServerFixture.envelopeBody()
        body["message"] = String(repeating: "x", count: 8000)
        let answer = try await fixture.call("POST", "/v1/envelopes", json: body)
        #expect(answer.status == 413)
        #expect(answer.problem == "urn:countersign:problem:payload-too-large")
        #expect(try await fixture.envelopeCount() == 0)
    }

    @Test("a slowloris client, one header byte at a time, is cut off after requestTimeout")
    func slowHeaders() async throws {
        let fixture = try await ServerFixture.start { $0.requestTimeout = 2 }
        defer { Task { try await fixture.stop() } }
        let port = fixture.port
        let started = Date()
        let closedAfter = try await RawHTTP.offThread { () -> TimeInterval? in
            let connection = try RawHTTP(port: port)
            // Never idle for a second, never a complete head.
            for byte in Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 40) {
                let sent = withUnsafeBytes(of: byte) { Glibc.send(connection.fd, $0.baseAddress, 1, Int32(MSG_NOSIGNAL)) }
                if sent <= 0 { return Date().timeIntervalSince(started) }
                var probe: UInt8 = 0
                if recv(connection.fd, &probe, 1, Int32(MSG_DONTWAIT)) == 0 { return Date().timeIntervalSince(started) }
                usleep(250_000)
            }
            return nil
        }
        let seconds = try #require(closedAfter, "the connection was still open after 10 s of trickled headers")
        #expect(seconds < 6, "closed only after \(seconds) s")
        // The server still answers everyone else.
        #expect(try await fixture.call("GET", "/healthz").status == 200)
    }

    @Test("past the quota a key gets 429 with Retry-After and RateLimit headers")
    func rateLimit() async throws {
        let fixture = try await ServerFixture.start { $0.rateLimit = .init(requests: 3, window: 3600) }
        defer { Task { try await fixture.stop() } }
        var remaining: [String] = []
        for _ in 0..<3 {
            let answer = try await fixture.call("GET", "/v1/envelopes")
            #expect(answer.status == 200)
            #expect(answer.headers["ratelimit-policy"] == "\"per-key\";q=3;w=3600")
            remaining.append(answer.headers["ratelimit"]?.split(separator: ";").dropFirst().first.map(String.init) ?? "")
        }
        #expect(remaining == ["r=2", "r=1", "r=0"])
        let limited = try await fixture.call("GET", "/v1/envelopes")
        #expect(limited.status == 429)
        #expect(limited.problem == "urn:countersign:problem:rate-limited")
        #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 > 0)
        // Another key has its own quota.
        #expect(try await fixture.call("GET", "/v1/envelopes", as: .compliance).status == 200)
    }

    @Test("the pages' refusals reach the browser as their HTML pages, not as problem documents")
    func pageRefusalsStayPages() async throws {
        let fixture = try await ServerFixture.start()
        defer { Task { try await fixture.stop() } }
        let unknown = try await fixture.call("GET", "/s/" + String(repeating: "a", count: 64), as: nil)
        #expect(unknown.status == 404 && unknown.headers["content-type"]?.hasPrefix("text/html") == true, "\(unknown.text.prefix(300))")
        #expect(unknown.text.contains("<html") && !unknown.text.contains("urn:countersign:problem"))
        let console = try await fixture.call("GET", "/console/envelopes/env_nothere", as: nil)
        #expect(console.headers["content-type"]?.hasPrefix("application/problem+json") != true, "\(console.status) \(console.text.prefix(300))")
        // The API's own errors are still problem documents.
        let api = try await fixture.call("GET", "/v1/envelopes/env_nothere")
        #expect(api.status == 404 && api.problem == "urn:countersign:problem:not-found")
    }

    @Test("an embedded signing URL works once, and not after 5 minutes")
    func embeddedLinks() async throws {
        let fixture = try await ServerFixture.start()
        defer { Task { try await fixture.stop() } }
        let id = try await fixture.createEnvelope(send: true)
        let made = try await fixture.call("POST", "/v1/envelopes/\(id)/recipients/rcp_1/embedded-link")
        #expect(made.status == 201)
        let url = try #require(made.json["url"] as? String)
        let path = String(url.dropFirst(fixture.server.configuration.publicURL.count))
        let redeemed = try await fixture.call("GET", path, as: nil)
        #expect(redeemed.status == 303)
        let location = try #require(redeemed.headers["location"])
        #expect(location.hasPrefix(fixture.server.configuration.publicURL + "/s/"))
        let token = String(location.split(separator: "/").last ?? "")
        let view = try await fixture.call("GET", "/v1/signing/\(token)", as: nil)
        #expect(view.status == 200)
        #expect((view.json["recipient"] as? [String: Any])?["id"] as? String == "rcp_1")
        let twice = try await fixture.call("GET", path, as: nil)
        #expect(twice.status == 401)
        #expect(twice.problem == "urn:countersign:problem:unauthenticated")

        let late = try await fixture.call("POST", "/v1/envelopes/\(id)/recipients/rcp_1/embedded-link")
        let latePath = String((late.json["url"] as? String ?? "").dropFirst(fixture.server.configuration.publicURL.count))
        fixture.clock.advance(by: 301)
        let expired = try await fixture.call("GET", latePath, as: nil)
        #expect(expired.status == 401)
        // Not yet their turn: the company signer (order 2) gets no link.
        let early = try await fixture.call("POST", "/v1/envelopes/\(id)/recipients/rcp_2/embedded-link")
        #expect(early.status == 409)
        #expect(early.problem == "urn:countersign:problem:illegal-transition")
        let forged = try await fixture.call("GET", "/v1/embedded/cse_" + String(repeating: "ab", count: 32), as: nil)
        #expect(forged.status == 401)
    }
}
