public import Foundation

/// A real HTTP receiver on loopback (Python's http.server) that checks every signature with the
/// independent `standardwebhooks` package from PyPI and records what arrived.
///
/// What it accepts and answers is its control object (``control(secrets:fail:status:)``): `secrets`
/// (the receiver's whsec_ keys), `fail` (answer 500 to the first N requests), `status` (answer this
/// instead of 204 afterwards). Each request is
/// logged as one JSON line: the headers, the body, which secrets' signatures matched
/// (`Webhook.sign`, the package's HMAC), whether `Webhook.verify` (signature and its 5-minute
/// timestamp window) accepted it, and the status answered.
public final class LoopbackWebhookReceiver: @unchecked Sendable {
    public let process = Process()
    public let directory: URL
    public private(set) var port: Int
    private let stdin: Pipe
    private let stdout: Pipe

    static let script = """
        import json, os, socket, sys, threading
        from datetime import datetime, timezone
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from standardwebhooks.webhooks import Webhook, WebhookVerificationError
        folder = sys.argv[1]
        count = 0
        control = json.loads(sys.argv[2])
        log = open(os.path.join(folder, "log.jsonl"), "a", buffering=1)  # line-buffered: each line whole
        lock = threading.Lock()
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a production receiver does
            def log_message(self, *args): pass
            def do_POST(self):
                global count
                with lock:
                    count += 1
                    number = count
                    current = control
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                offered = headers.get("webhook-signature", "").split(" ")
                matched, strict = [], False
                for index, secret in enumerate(current["secrets"]):
                    hook = Webhook(secret)
                    try:
                        when = datetime.fromtimestamp(int(headers.get("webhook-timestamp", "0")), tz=timezone.utc)
                        if hook.sign(headers.get("webhook-id", ""), when, body.decode()) in offered: matched.append(index)
                    except ValueError: pass
                    try:
                        hook.verify(body, headers); strict = True
                    except WebhookVerificationError: pass
                status = 401 if not matched else 500 if number <= current.get("fail", 0) else current.get("status", 204)
                line = json.dumps({"headers": headers, "body": body.decode(), "matched": matched, "strict": strict,
                                   "status": status, "path": self.path}) + "\\n"
                with lock:
                    log.write(line)
                self.send_response(status)
                if status in (301, 302, 307, 308): self.send_header("location", "/elsewhere")
                # A 204 has no body: on a kept-alive connection its bytes would start the next answer.
                answer = b"failing on purpose" if status == 500 else b"" if status == 204 else b"ok"
                if status != 204: self.send_header("content-length", str(len(answer)))
                self.end_headers(); self.wfile.write(answer)
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        # Each line on stdin is a new control object, acknowledged on stdout once it applies;
        # the end of stdin stops the receiver.
        for line in sys.stdin:
            with lock: control = json.loads(line)
            print("ok", flush=True)
        server.shutdown()
        """

    public init(secrets: [String] = [], fail: Int = 0, status: Int = 204) throws {
        let python = TestEnvironment.venv.appendingPathComponent("bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw TestTSAError("no venv with standardwebhooks at \(TestEnvironment.venv.path): run scripts/lib/common.sh ensure_venv")
        }
        directory = try TestEnvironment.scratchDirectory("webhooks-\(UUID().uuidString.prefix(8))")
        process.executableURL = python
        process.arguments = ["-c", Self.script, directory.path, try Self.controlLine(secrets: secrets, fail: fail, status: status)]
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        stdin = input
        stdout = output
        port = 0
        try process.run()
        guard let line = readLine() else { throw TestTSAError("the webhook receiver did not start (is standardwebhooks in the venv?)") }
        guard let port = Int(line) else {
            throw TestTSAError("the webhook receiver printed no port")
        }
        self.port = port
    }

    public var url: String { "http://127.0.0.1:\(port)/hooks" }

    /// Changes what the receiver accepts and answers, for every request it reads after this returns.
    public func control(secrets: [String], fail: Int = 0, status: Int = 204) throws {
        try stdin.fileHandleForWriting.write(contentsOf: Data((Self.controlLine(secrets: secrets, fail: fail, status: status) + "\n").utf8))
        guard readLine() == "ok" else { throw TestTSAError("the webhook receiver did not take its new control object") }
    }

    private static func controlLine(secrets: [String], fail: Int, status: Int) throws -> String {
        let object: [String: Any] = ["secrets": secrets, "fail": fail, "status": status]
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// The receiver's next line on stdout (its port, then one acknowledgement per control object).
    private func readLine() -> String? {
        var line = Data()
        while !line.contains(0x0A) {
            let byte = stdout.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { return nil }
            line += byte
        }
        return String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public struct Record: Sendable {
        public var headers: [String: String]
        public var body: String
        public var matched: [Int]
        public var strict: Bool
        public var status: Int
        public var id: String { headers["webhook-id"] ?? "" }
        public var signatures: [String] { (headers["webhook-signature"] ?? "").split(separator: " ").map(String.init) }
        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
        public var data: [String: Any] { json["data"] as? [String: Any] ?? [:] }
    }

    /// Every request received so far, in order.
    public func records() -> [Record] {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("log.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Record(headers: object["headers"] as? [String: String] ?? [:], body: object["body"] as? String ?? "",
                          matched: object["matched"] as? [Int] ?? [], strict: object["strict"] as? Bool ?? false,
                          status: object["status"] as? Int ?? 0)
        }
    }

    public func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitForExit(timeout: 10)
        try? FileManager.default.removeItem(at: directory)
    }
}
