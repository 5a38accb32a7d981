public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real RFC 3161 timestamp authority on 127.0.0.1 for tests: an in-process HTTP server on
/// an ephemeral port that answers each query with `openssl ts -reply`, signing with a TSA
/// certificate (critical extendedKeyUsage timeStamping) issued by its own test root — all
/// made with the `openssl` CLI in a temporary directory. Stop it when done (deinit does too).
public final class TestTSA: @unchecked Sendable {
    /// How the server behaves.
    public enum Mode: Sendable {
        /// Answers with real timestamp responses.
        case normal
        /// Real responses, sent with `Transfer-Encoding: chunked`.
        case chunked
        /// Answers HTTP 200 with bytes that are not a timestamp response.
        case garbage
        /// Accepts connections and never answers (for read timeouts).
        case silent
        /// Nothing listens on the port (connection refused).
        case down
        /// Answers HTTP 404 (a wrong path on a real server).
        case notFound
    }

    /// The TSA's URL (http://127.0.0.1:PORT/tsa).
    public let url: URL
    /// The TSA's root certificate (PEM) — the trust anchor for its tokens.
    public let rootCertificate: URL
    /// The TSA's own certificate (PEM).
    public let tsaCertificate: URL
    /// How many queries it has answered.
    public var requestCount: Int { lock.withLock { requests } }

    private let directory: URL
    private let mode: Mode
    private let backdatedDays: Int
    private let listener: Int32
    private let lock = NSLock()
    private var stopped = false
    private var requests = 0
    private let finished = DispatchSemaphore(value: 0)

    /// A TSA with its own root; or, with `pki`, one whose certificate the PKI's intermediate
    /// issued (AIA OCSP and CRL distribution point on loopback, so its revocation can be had),
    /// valid `days` days from `startDaysAgo` days ago. With `backdatedDays`, every token says it
    /// was made that many days ago (`openssl ts -reply` runs under faketime).
    /// With `namesItself`, each token carries the optional TSTInfo `tsa` name (RFC 3161 §2.4.2),
    /// as many public TSAs' do.
    public init(mode: Mode = .normal, issuedBy pki: TestPKI? = nil, days: Int = 30, startDaysAgo: Int = 0,
                backdatedDays: Int = 0, namesItself: Bool = false) throws {
        self.mode = mode
        self.backdatedDays = backdatedDays
        directory = try TestEnvironment.scratchDirectory("TestTSA")
        rootCertificate = directory.appendingPathComponent("root.pem")
        tsaCertificate = directory.appendingPathComponent("tsa.pem")
        if let pki {
            let identity = try pki.issueTimestampAuthority("Countersign Test TSA \(UUID().uuidString.prefix(6))", days: days,
                                                           startDaysAgo: startDaysAgo)
            let files = FileManager.default
            try files.copyItem(at: identity.key, to: directory.appendingPathComponent("tsa.key"))
            try files.copyItem(at: identity.certificate, to: tsaCertificate)
            try files.copyItem(at: identity.chain, to: directory.appendingPathComponent("chain.pem"))
            try files.copyItem(at: pki.rootCertificate, to: rootCertificate)
            try Self.writeConfiguration(in: directory, certificates: "chain.pem", namesItself: namesItself)
        } else {
            try Self.makeAuthority(in: directory, namesItself: namesItself)
        }

        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw TestTSAError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        guard bound == 0, listen(socket, 16) == 0 else {
            close(socket)
            throw TestTSAError("bind/listen: \(String(cString: strerror(errno)))")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        url = URL(string: "http://127.0.0.1:\(port)/tsa")!
        listener = socket
        if mode == .down {
            close(socket)  // the port is now refused
            stopped = true
            finished.signal()
            return
        }
        Thread { [self] in
            serve()
            finished.signal()
        }.start()
    }

    /// Stops the server and waits (at most 5 s) for it to finish.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        // Closed only once the serving thread has left: closed under it, the number could be
        // reused by another test's socket while the thread still polls and accepts on it.
        if finished.wait(timeout: .now() + 5) == .success { close(listener) }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func serve() {
        while !isStopped {
            var descriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let query = readRequest(client) else { return }
        lock.withLock { requests += 1 }
        switch mode {
        case .silent:
            while !isStopped { usleep(20_000) }
        case .garbage:
            respond(client, body: Array("this is certainly not a TimeStampResp".utf8), chunked: false)
        case .normal, .chunked:
            guard let reply = try? timestampReply(for: query) else {
                respond(client, status: "500 Internal Server Error", body: [], chunked: false)
                return
            }
            respond(client, body: reply, chunked: mode == .chunked)
        case .down:
            break
        case .notFound:
            respond(client, status: "404 Not Found", body: Array("no such page".utf8), chunked: false)
        }
    }

    /// Reads headers and a Content-Length body.
    private func readRequest(_ client: Int32) -> [UInt8]? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while data.count < 1 << 20 {
            if let end = data.firstRange(of: [13, 10, 13, 10])?.upperBound {
                let head = String(decoding: data[..<end], as: UTF8.self).lowercased()
                let lengthLine = head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                let length = lengthLine.flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if data.count - end >= length { return Array(data[end..<(end + length)]) }
            }
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            data += buffer.prefix(count)
        }
        return nil
    }

    private func respond(_ client: Int32, status: String = "200 OK", body: [UInt8], chunked: Bool) {
        var head = "HTTP/1.1 \(status)\r\nContent-Type: application/timestamp-reply\r\nConnection: close\r\n"
        var payload = body
        if chunked {
            head += "Transfer-Encoding: chunked\r\n\r\n"
            let half = body.count / 2
            payload = []
            for piece in [body[..<half], body[half...]] where !piece.isEmpty {
                payload += Array((String(piece.count, radix: 16) + "\r\n").utf8) + piece + [13, 10]
            }
            payload += Array("0\r\n\r\n".utf8)
        } else {
            head += "Content-Length: \(body.count)\r\n\r\n"
        }
        let bytes = Array(head.utf8) + payload
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(client, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    private func timestampReply(for query: [UInt8]) throws -> [UInt8] {
        let name = UUID().uuidString
        let queryURL = directory.appendingPathComponent("\(name).tsq")
        let replyURL = directory.appendingPathComponent("\(name).tsr")
        defer {
            try? FileManager.default.removeItem(at: queryURL)
            try? FileManager.default.removeItem(at: replyURL)
        }
        try Data(query).write(to: queryURL)
        let arguments = ["ts", "-reply", "-config", directory.appendingPathComponent("tsa.cnf").path,
                         "-queryfile", queryURL.path, "-out", replyURL.path]
        let result = backdatedDays > 0
            ? try runBackdated(days: backdatedDays, "openssl", arguments, timeout: 20)
            : try runCommand("openssl", arguments, timeout: 20)
        guard result.status == 0 else { throw TestTSAError("openssl ts -reply: \(result.stderr)") }
        return [UInt8](try Data(contentsOf: replyURL))
    }

    /// Root CA, TSA key and certificate, and the `openssl ts` configuration.
    private static func makeAuthority(in directory: URL, namesItself: Bool) throws {
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func run(_ arguments: [String]) throws {
            let result = try runCommand("openssl", arguments, timeout: 30)
            guard result.status == 0 else { throw TestTSAError("openssl \(arguments.first ?? ""): \(result.stderr)") }
        }
        try run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", path("root.key"), "-out", path("root.pem"), "-days", "30",
                 "-subj", "/CN=Countersign Test TSA Root", "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try run(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", path("tsa.key"), "-out", path("tsa.csr"), "-subj", "/CN=Countersign Test TSA"])
        try Data("""
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature
            extendedKeyUsage=critical,timeStamping
            subjectKeyIdentifier=hash
            authorityKeyIdentifier=keyid

            """.utf8).write(to: directory.appendingPathComponent("tsa-ext.cnf"))
        try run(["x509", "-req", "-in", path("tsa.csr"), "-CA", path("root.pem"), "-CAkey", path("root.key"),
                 "-set_serial", "0x7453", "-days", "30", "-extfile", path("tsa-ext.cnf"), "-out", path("tsa.pem")])
        try writeConfiguration(in: directory, certificates: "root.pem", namesItself: namesItself)
    }

    /// The `openssl ts` configuration; `certificates` (in `directory`) go into each token.
    private static func writeConfiguration(in directory: URL, certificates: String, namesItself: Bool) throws {
        try Data("01\n".utf8).write(to: directory.appendingPathComponent("serial"))
        try Data("""
            [ tsa ]
            default_tsa = tsa_config
            [ tsa_config ]
            dir = \(directory.path)
            serial = $dir/serial
            crypto_device = builtin
            signer_cert = $dir/tsa.pem
            certs = $dir/\(certificates)
            signer_key = $dir/tsa.key
            signer_digest = sha256
            default_policy = 1.3.6.1.4.1.99999.1
            digests = sha256, sha384, sha512
            accuracy = secs:1
            ordering = no
            tsa_name = \(namesItself ? "yes" : "no")
            ess_cert_id_chain = no
            ess_cert_id_alg = sha256

            """.utf8).write(to: directory.appendingPathComponent("tsa.cnf"))
    }
}

/// A failure setting up or running the test TSA.
public struct TestTSAError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
