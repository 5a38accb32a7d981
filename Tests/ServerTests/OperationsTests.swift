import Foundation
import Server
import TestSupport
import Testing
import Workflow

/// Health, readiness, metrics, logs, configuration and graceful shutdown.
@Suite("Operations")
struct OperationsTests {
    @Test("healthz, readyz and metrics answer; every answer has a request id that the JSON log names")
    func probes() async throws {
        let fixture = try await ServerFixture.start(library: false)
        defer { Task { try await fixture.stop() } }
        let health = try await fixture.call("GET", "/healthz", as: nil)
        #expect(health.status == 200)
        #expect(health.json["status"] as? String == "ok")
        let ready = try await fixture.call("GET", "/readyz", as: nil)
        #expect(ready.status == 200)
        let requestID = try #require(ready.headers["x-request-id"])
        _ = try await fixture.call("GET", "/v1/envelopes")
        let metrics = try await fixture.call("GET", "/metrics", as: nil)
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
        #expect(metrics.text.contains("countersign_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"} 1"))
        #expect(metrics.text.contains("countersign_http_request_duration_seconds_bucket"))
        // The failure counters exist before the first failure, so alerts on them have a series.
        #expect(metrics.text.contains("countersign_jobs_failed_total 0") && metrics.text.contains("countersign_worker_passes_failed_total 0"),
                "\(metrics.text)")
        let lines = fixture.log.lines.withLock { $0 }
        let line = try #require(lines.first { $0.contains("\"request_id\":\"\(requestID)\"") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["path"] as? String == "/readyz")
        #expect(object["status"] as? String == "200")
        #expect(object["level"] as? String == "info")
    }

    @Test("graceful shutdown: a request in flight completes, new connections are refused")
    func gracefulShutdown() async throws {
        let fixture = try await ServerFixture.start()
        let body = Array(try JSONSerialization.data(withJSONObject: ServerFixture.envelopeBody()))
        let port = fixture.port
        let secret = fixture.keys[.agent]!
        let connection = try await RawHTTP.offThread { () -> RawHTTP in
            let connection = try RawHTTP(port: port)
            connection.send(RawHTTP.head("POST", "/v1/envelopes", headers: ["Authorization": "Bearer \(secret)",
                                                                           "Content-Type": "application/json"],
                                         contentLength: body.count))
            connection.send(Array(body[..<(body.count / 2)]))
            return connection
        }
        try await Task.sleep(for: .milliseconds(300))
        let stopping = Task { try await fixture.stop() }
        // The listener closes soon after the shutdown begins (how soon depends on the load).
        var refused = false
        for _ in 0..<100 {
            do {
                _ = try RawHTTP(port: port)
                try await Task.sleep(for: .milliseconds(100))
            } catch {
                refused = true
                break
            }
        }
        #expect(refused, "new connections were still accepted 10 s after the shutdown began")
        let answer = try await RawHTTP.offThread { () -> RawHTTP.Answer in
            connection.send(Array(body[(body.count / 2)...]))
            return connection.receive()
        }
        #expect(answer.status == 201, "\(answer.text)")
        #expect(answer.json["state"] as? String == "draft")
        try await stopping.value
        #expect(try await fixture.envelopeCount() == 1)
    }

    @Test("with a certificate and key configured, the API speaks TLS")
    func tls() async throws {
        let directory = try TestEnvironment.scratchDirectory()
        let certificate = directory.appendingPathComponent("cert.pem"), key = directory.appendingPathComponent("key.pem")
        let made = try runCommand("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                              "-keyout", key.path, "-out", certificate.path, "-days", "1", "-subj", "/CN=127.0.0.1",
                                              "-addext", "subjectAltName=IP:127.0.0.1"])
        #expect(made.status == 0, "\(made.stderr)")
        let fixture = try await ServerFixture.start(library: false) {
            $0.tls = .init(certificate: certificate.path, key: key.path)
        }
        defer { Task { try await fixture.stop() } }
        let port = fixture.port
        let secure = try await RawHTTP.offThread {
            try runCommand("curl", ["-sS", "--fail-with-body", "--cacert", certificate.path, "https://127.0.0.1:\(port)/healthz"])
        }
        #expect(secure.status == 0, "\(secure.stderr)")
        #expect(secure.stdout.contains("\"ok\""))
        let plain = try await RawHTTP.request(port: port, "GET", "/healthz")
        #expect(plain.status != 200, "plain HTTP is not answered on a TLS port")
    }

    @Test("the configuration file, then the environment; unknown keys and bad values refused")
    func configuration() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let file = directory.appendingPathComponent("serve.json")
        try Data("""
            {"port": 9090, "home": "data", "publicURL": "https://sign.example.com", "worker": {"enabled": false, "smtp": "mail:2525"},
             "rateLimit": {"requests": 100, "window": 60}, "tls": {"certificate": "tls/cert.pem", "key": "tls/key.pem"}}
            """.utf8).write(to: file)
        let loaded = try ServerConfiguration.load(file: file.path, environment: ["COUNTERSIGN_PORT": "7070", "COUNTERSIGN_WORKER": "true"])
        #expect(loaded.port == 7070)
        #expect(loaded.worker.enabled)
        #expect(loaded.worker.smtp == "mail:2525")
        #expect(loaded.home == directory.appendingPathComponent("data").path)
        #expect(loaded.tls?.certificate == directory.appendingPathComponent("tls/cert.pem").path)
        #expect(loaded.rateLimit.requests == 100)
        #expect(loaded.maxBodyBytes == ServerConfiguration().maxBodyBytes)
        // Relative paths from the environment are the caller's (the current folder).
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let fromEnvironment = try ServerConfiguration.load(file: file.path, environment: [
            "COUNTERSIGN_WORKFLOW_HOME": "env-home", "COUNTERSIGN_TLS_CERTIFICATE": "env/cert.pem", "COUNTERSIGN_SESSION_KEY_FILE": "env/session.key"])
        #expect(fromEnvironment.home == here.appendingPathComponent("env-home").standardizedFileURL.path)
        #expect(fromEnvironment.tls?.certificate == here.appendingPathComponent("env/cert.pem").standardizedFileURL.path)
        #expect(fromEnvironment.tls?.key == directory.appendingPathComponent("tls/key.pem").path, "the file's own path, from its folder")
        #expect(fromEnvironment.pages.sessionKeyFile == here.appendingPathComponent("env/session.key").standardizedFileURL.path)

        try Data(#"{"prot": 1}"#.utf8).write(to: file)
        #expect { try ServerConfiguration.load(file: file.path, environment: [:]) } throws: { error in
            (error as? ServiceError)?.reason.contains("prot is not a field of the configuration; did you mean 'port'?") == true
        }
        #expect(loaded.worker.concurrency == 1, "the default")
        for concurrency in [0, 65] {
            try Data(#"{"worker": {"concurrency": \#(concurrency)}}"#.utf8).write(to: file)
            #expect { try ServerConfiguration.load(file: file.path, environment: [:]) } throws: { error in
                (error as? ServiceError)?.reason.contains("worker.concurrency must be 1 to 64") == true
            }
        }
        try Data(#"{"worker": {"concurrency": 8}}"#.utf8).write(to: file)
        #expect(try ServerConfiguration.load(file: file.path, environment: [:]).worker.concurrency == 8)
        try Data(#"{"worker": {"enable": true}}"#.utf8).write(to: file)
        #expect(throws: ServiceError(.configuration, "")) { try ServerConfiguration.load(file: file.path, environment: [:]) }
        try Data(#"{"port": "eighty"}"#.utf8).write(to: file)
        #expect(throws: ServiceError(.configuration, "")) { try ServerConfiguration.load(file: file.path, environment: [:]) }
        #expect(throws: ServiceError(.configuration, "")) {
            try ServerConfiguration.load(file: nil, environment: ["COUNTERSIGN_PORT": "http"])
        }
        #expect(throws: ServiceError(.configuration, "")) {
            try ServerConfiguration.load(file: nil, environment: ["COUNTERSIGN_PUBLIC_URL": "ftp://x"])
        }
        #expect(throws: ServiceError(.configuration, "")) {
            try ServerConfiguration.load(file: nil, environment: ["COUNTERSIGN_TLS_CERTIFICATE": "/c.pem"])
        }
        #expect(throws: ServiceError(.configuration, "")) { try ServerConfiguration.load(file: directory.appendingPathComponent("none.json").path, environment: [:]) }
    }

    @Test("the organisation seal: file keys, environment overrides, paths from the file's folder, mistakes refused")
    func sealConfiguration() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let file = directory.appendingPathComponent("serve.json")
        try Data("""
            {"seal": {"p12": "seal/org.p12", "passwordFile": "seal/org.pass", "trust": ["seal/root.pem"], "tsa": "http://tsa.example/tsa"}}
            """.utf8).write(to: file)
        let loaded = try ServerConfiguration.load(file: file.path, environment: [:])
        #expect(loaded.seal.p12 == directory.appendingPathComponent("seal/org.p12").path)
        #expect(loaded.seal.passwordFile == directory.appendingPathComponent("seal/org.pass").path)
        #expect(loaded.seal.trust == [directory.appendingPathComponent("seal/root.pem").path])
        #expect(loaded.seal.tsa == "http://tsa.example/tsa" && loaded.seal.hasKey)
        let overridden = try ServerConfiguration.load(file: file.path, environment: [
            "COUNTERSIGN_SEAL_TRUST": "/etc/a.pem:/etc/b.pem", "COUNTERSIGN_TSA": "", "COUNTERSIGN_SEAL_P12": "/etc/other.p12"])
        #expect(overridden.seal.trust == ["/etc/a.pem", "/etc/b.pem"])
        #expect(overridden.seal.tsa == nil && overridden.seal.p12 == "/etc/other.p12")
        #expect(!ServerConfiguration().seal.hasKey, "the development CA by default")
        // The environment replaces the file's key choice whole, and its relative paths are the
        // caller's (the current folder), not the file's folder.
        try Data(#"{"seal": {"key": "k.pem", "cert": "c.pem", "passwordEnv": "SEAL_PASS"}}"#.utf8).write(to: file)
        let replaced = try ServerConfiguration.load(file: file.path, environment: [
            "COUNTERSIGN_SEAL_P12": "seal/org.p12", "COUNTERSIGN_SEAL_PASSWORD_FILE": "seal/org.pass"])
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        #expect(replaced.seal.p12 == here.appendingPathComponent("seal/org.p12").standardizedFileURL.path)
        #expect(replaced.seal.key == nil && replaced.seal.cert == nil && replaced.seal.passwordEnv == nil)
        #expect(replaced.seal.passwordFile == here.appendingPathComponent("seal/org.pass").standardizedFileURL.path)

        for (text, message) in [(#"{"seal": {"p12": "a.p12", "key": "k.pem", "cert": "c.pem"}}"#, "not both"),
                                (#"{"seal": {"key": "k.pem"}}"#, "seal.key and seal.cert go together"),
                                (#"{"seal": {"p12": "a.p12", "passwordFile": "p", "passwordEnv": "P"}}"#, "seal.passwordFile or seal.passwordEnv"),
                                (#"{"seal": {"tsa": "https://tsa.example"}}"#, "seal.tsa 'https://tsa.example' is not an http:// URL"),
                                (#"{"seal": {"password": "hunter2"}}"#, "seal.password is not a field of the configuration"),
                                (#"{"seal": {"passwordFile": "p", "trust": ["root.pem"]}}"#, "a password is given but no key"),
                                ("{\"port\": 8443,\n  \"host\": ", "the configuration is not valid JSON at line 2, column")] {
            try Data(text.utf8).write(to: file)
            #expect { try ServerConfiguration.load(file: file.path, environment: [:]) } throws: { error in
                (error as? ServiceError)?.reason.contains(message) == true
            }
        }
    }
}
