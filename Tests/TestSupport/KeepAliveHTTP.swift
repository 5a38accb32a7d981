import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 client that keeps its connections open between requests, as an integration's
/// HTTP library does (a pool per port), for the load tests: a connection and a thread per request
/// (``RawHTTP``) costs the client and the server more than the request itself. Answers are read by
/// `Content-Length` or chunked framing; one closed by the server (`Connection: close`, or framed by
/// the end of the stream) is not reused.
public final class KeepAliveHTTP: Sendable {
    private let idle = Mutex<[Int: [RawHTTP]]>([:])

    public init() {}

    /// Closes every idle connection.
    public func close() {
        idle.withLock { $0 = [:] }
    }

    /// One request and its answer, on an idle connection to `port` when there is one. A reused
    /// connection the server closed before answering (it may time idle connections out) is
    /// replaced by a new one once; nothing of the answer was read, so the request is sent again
    /// as a whole (the load tests send every POST with an `Idempotency-Key`). Throws when the
    /// port refuses the connection; an answer with status 0 means the connection broke mid-way.
    public func request(port: Int, _ method: String, _ path: String, headers: [String: String] = [:],
                        body: [UInt8]? = nil) async throws -> RawHTTP.Answer {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.blockingRequest(port: port, method, path, headers: headers, body: body) })
            }
        }
    }

    private func blockingRequest(port: Int, _ method: String, _ path: String, headers: [String: String],
                                 body: [UInt8]?) throws -> RawHTTP.Answer {
        var head = Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: LoadClient/1.0\r\n".utf8)
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += Array("\(name): \(value)\r\n".utf8) }
        if let body { head += Array("Content-Length: \(body.count)\r\n".utf8) } else if method == "POST" { head += Array("Content-Length: 0\r\n".utf8) }
        let request = head + Array("\r\n".utf8) + (body ?? [])
        let reused = idle.withLock { $0[port]?.popLast() }
        if let reused, let answer = Self.exchange(request, on: reused) {
            if answer.keepAlive { idle.withLock { $0[port, default: []].append(reused) } }
            return answer.answer
        }
        let connection = try RawHTTP(port: port)
        guard let answer = Self.exchange(request, on: connection) else { return RawHTTP.Answer(status: 0, headers: [:], body: []) }
        if answer.keepAlive { idle.withLock { $0[port, default: []].append(connection) } }
        return answer.answer
    }

    /// Sends the request and reads one framed answer; nil when the connection ends before a
    /// whole answer arrived.
    private static func exchange(_ request: [UInt8], on connection: RawHTTP) -> (answer: RawHTTP.Answer, keepAlive: Bool)? {
        guard connection.sendAll(request) else { return nil }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        func read() -> Bool {
            let count = recv(connection.fd, &buffer, buffer.count, 0)
            if count <= 0 { return false }
            data += buffer[0..<count]
            return true
        }
        var headEnd: Int?
        while headEnd == nil {
            let searched = max(0, data.count - 3)
            guard read() else { return nil }
            headEnd = RawHTTP.headEnd(in: data, from: searched)
        }
        guard let headEnd else { return nil }
        let parsed = RawHTTP.parse(Array(data[..<(headEnd + 4)]))
        let bodyStart = headEnd + 4
        if let length = parsed.headers["content-length"].flatMap(Int.init) {
            while data.count - bodyStart < length { guard read() else { return nil } }
            let answer = RawHTTP.Answer(status: parsed.status, headers: parsed.headers, body: Array(data[bodyStart..<(bodyStart + length)]))
            return (answer, parsed.headers["connection"]?.lowercased() != "close")
        }
        if parsed.headers["transfer-encoding"]?.lowercased() == "chunked" {
            var body = RawHTTP.dechunked(data[bodyStart...])
            while !body.complete {
                guard read() else { return nil }
                body = RawHTTP.dechunked(data[bodyStart...])
            }
            let answer = RawHTTP.Answer(status: parsed.status, headers: parsed.headers, body: body.body)
            return (answer, parsed.headers["connection"]?.lowercased() != "close")
        }
        // Framed by the end of the stream (or a body-less status): read what comes, do not reuse.
        let noBody = parsed.status == 204 || parsed.status == 304 || (100..<200).contains(parsed.status)
        if !noBody { while read() {} }
        return (RawHTTP.Answer(status: parsed.status, headers: parsed.headers, body: Array(data[bodyStart...])), noBody)
    }
}

extension RawHTTP {
    /// Sends every byte; false when the connection is closed.
    func sendAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }
}
