import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 client over a plain loopback socket, so tests control every byte: headers,
/// a body sent in parts, no redirects followed. Blocking I/O runs on its own thread, never on
/// the cooperative pool the server's handlers need.
public final class RawHTTP: @unchecked Sendable {
    public struct Answer: Sendable {
        public var status: Int
        /// Header names in lower case.
        public var headers: [String: String]
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
        /// The problem `type` of an error answer.
        public var problem: String { json["type"] as? String ?? "(no problem document: \(text.prefix(200)))" }

        public init(status: Int, headers: [String: String], body: [UInt8]) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    public let fd: Int32

    /// Connects to 127.0.0.1:port; throws when the connection is refused.
    ///
    /// The socket becomes `fd` only once connected. It used to be stored first and closed on a
    /// refused connection, and then closed again by `deinit`, which runs for a class whose
    /// initializer throws after every property is set: the second close could hit a descriptor
    /// the in-process server had just accepted under the same number (NIO then stops on EBADF).
    public init(port: Int) throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(socket)
            throw POSIXError(.ECONNREFUSED)
        }
        fd = socket
    }

    deinit { close(fd) }

    public func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// The head of a request (with `Connection: close`); `contentLength` announces the body.
    public static func head(_ method: String, _ path: String, headers: [String: String], contentLength: Int?) -> [UInt8] {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nUser-Agent: ServerTests/1.0\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        if let contentLength { text += "Content-Length: \(contentLength)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// Reads one whole answer (the server closes after it).
    public func receive() -> Answer {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        return Self.parse(data)
    }

    public static func parse(_ data: [UInt8]) -> Answer {
        guard let end = headEnd(in: data) else {
            return Answer(status: 0, headers: [:], body: data)
        }
        let lines = String(decoding: data[..<end], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(data[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return Answer(status: status, headers: headers, body: body)
    }

    /// Where the blank line ending a message's head starts (the index of its `\r\n\r\n`), searching
    /// from `start`; nil when it has not arrived yet. `memchr` for each `\r`, because the load tests
    /// call this on every answer and a search by slices costs the (debug-built) client more than
    /// the request.
    public static func headEnd(in data: [UInt8], from start: Int = 0) -> Int? {
        data.withUnsafeBytes { bytes -> Int? in
            guard let base = bytes.baseAddress else { return nil }
            var index = start
            while index + 4 <= bytes.count {
                guard let found = memchr(base + index, 13, bytes.count - index - 3) else { return nil }
                index = base.distance(to: UnsafeRawPointer(found))
                if bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 { return index }
                index += 1
            }
            return nil
        }
    }

    public static func dechunk(_ bytes: [UInt8]) -> [UInt8] { dechunked(bytes[...]).body }

    /// The body of a chunked message as far as it goes, and whether it is whole (the last, empty
    /// chunk and the blank line after it read).
    public static func dechunked(_ bytes: ArraySlice<UInt8>) -> (body: [UInt8], complete: Bool) {
        var result: [UInt8] = []
        var index = bytes.startIndex
        while true {
            guard let lineEnd = bytes[index...].firstIndex(of: 13), lineEnd + 1 < bytes.endIndex else { return (result, false) }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return (result, false) }
            let start = lineEnd + 2
            if size == 0 {
                // Trailer fields (none expected) end with a blank line.
                return (result, bytes[start...].starts(with: [13, 10]))
            }
            result += bytes[start..<min(bytes.endIndex, start + size)]
            guard start + size + 2 <= bytes.endIndex else { return (result, false) }
            index = start + size + 2
        }
    }

    /// Runs blocking socket work on its own thread.
    public static func offThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// One request and its answer.
    public static func request(port: Int, _ method: String, _ path: String, headers: [String: String] = [:],
                        body: [UInt8]? = nil) async throws -> Answer {
        try await offThread {
            let connection = try RawHTTP(port: port)
            connection.send(head(method, path, headers: headers, contentLength: body.map(\.count) ?? (method == "POST" ? 0 : nil)))
            if let body { connection.send(body) }
            return connection.receive()
        }
    }
}
