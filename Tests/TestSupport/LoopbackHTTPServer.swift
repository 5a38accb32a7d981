public import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for tests (CRL distribution points, say): one request per
/// connection, answered by a closure, on an ephemeral port. Stop it when done (deinit does too).
public final class LoopbackHTTPServer: @unchecked Sendable {
    /// One request: method, path and body.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var body: [UInt8]
    }

    /// One answer: status line text ("200 OK"), content type and body.
    public struct Response: Sendable {
        public var status: String
        public var contentType: String
        public var body: [UInt8]

        public init(status: String = "200 OK", contentType: String = "application/octet-stream", body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    /// http://127.0.0.1:PORT
    public let baseURL: URL
    public let port: Int
    /// How many requests it has answered.
    public var requestCount: Int { lock.withLock { requests } }

    private let listener: Int32
    private let handler: @Sendable (Request) -> Response
    private let lock = NSLock()
    private var stopped = false
    private var requests = 0
    private let finished = DispatchSemaphore(value: 0)

    public init(handler: @escaping @Sendable (Request) -> Response) throws {
        self.handler = handler
        let (socket, port) = try Self.listen()
        listener = socket
        self.port = port
        baseURL = URL(string: "http://127.0.0.1:\(port)")!
        Thread { [self] in
            serve()
            finished.signal()
        }.start()
    }

    /// A port on 127.0.0.1 that nothing listens on now (for a server that is down, or one another
    /// process will bind a little later). It is taken below the kernel's ephemeral range: a port
    /// from that range (what binding port 0 gives) can be handed to another test's server or
    /// outgoing connection in the meantime, and the late binder then finds it taken — or, worse,
    /// a browser finds another test's server there. No port is handed out twice in one process.
    public static func freePort() throws -> Int {
        let lowestEphemeral = ephemeralRangeStart()
        for _ in 0..<200 {
            let candidate = Int.random(in: 10_000..<max(10_001, lowestEphemeral))
            guard handedOut.withLock({ $0.insert(candidate).inserted }) else { continue }
            if let socket = try? listen(port: candidate) {
                close(socket.0)
                return candidate
            }
        }
        let (socket, port) = try listen()
        close(socket)
        return port
    }

    private static let handedOut = Mutex<Set<Int>>([])

    /// The first port of /proc/sys/net/ipv4/ip_local_port_range (32768 when it cannot be read).
    private static func ephemeralRangeStart() -> Int {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
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

    deinit { stop() }

    private static func listen(port: Int = 0) throws -> (Int32, Int) {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw TestTSAError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        guard bound == 0, Glibc.listen(socket, 16) == 0 else {
            close(socket)
            throw TestTSAError("bind/listen: \(String(cString: strerror(errno)))")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return (socket, Int(UInt16(bigEndian: address.sin_port)))
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func serve() {
        while !isStopped {
            var descriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            _ = setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if let request = readRequest(client) {
                lock.withLock { requests += 1 }
                respond(client, handler(request))
            }
            close(client)
        }
    }

    private func readRequest(_ client: Int32) -> Request? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while data.count < 1 << 20 {
            if let end = data.firstRange(of: [13, 10, 13, 10])?.upperBound {
                let lines = String(decoding: data[..<end], as: UTF8.self).components(separatedBy: "\r\n")
                let parts = lines[0].split(separator: " ")
                let lengthLine = lines.first { $0.lowercased().hasPrefix("content-length:") }
                let length = lengthLine.flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if parts.count >= 2, data.count - end >= length {
                    return Request(method: String(parts[0]), path: String(parts[1]), body: Array(data[end..<(end + length)]))
                }
            }
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            data += buffer.prefix(count)
        }
        return nil
    }

    private func respond(_ client: Int32, _ response: Response) {
        let head = "HTTP/1.1 \(response.status)\r\nContent-Type: \(response.contentType)\r\n"
            + "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + response.body
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(client, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
    }
}
