import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client over POSIX sockets, enough to POST a timestamp or OCSP query or GET a CRL: one
/// request per connection, `Connection: close`, plain http:// only, hard time limits.
struct HTTPClient {
    struct Response {
        var status: Int
        var headers: [String: String]  // lower-cased names
        var body: [UInt8]
    }

    var connectTimeout: TimeInterval
    var readTimeout: TimeInterval
    var maximumResponseSize = 1 << 20

    /// POSTs `body` and returns the response; `.network` for anything that goes wrong on the way.
    func post(_ url: URL, contentType: String, accept: String, body: [UInt8]) throws -> Response {
        try exchange(url, method: "POST", headers: "Content-Type: \(contentType)\r\nAccept: \(accept)\r\n"
                                                    + "Content-Length: \(body.count)\r\n", body: body)
    }

    /// GETs `url` (a CRL, say) and returns the response; `.network` for anything that goes wrong.
    func get(_ url: URL, accept: String) throws -> Response {
        try exchange(url, method: "GET", headers: "Accept: \(accept)\r\n", body: [])
    }

    private func exchange(_ url: URL, method: String, headers: String, body: [UInt8]) throws -> Response {
        guard let scheme = url.scheme?.lowercased() else { throw network(url, "the URL has no scheme") }
        if scheme == "https" { throw network(url, "https TSA URLs are not supported yet") }
        guard scheme == "http", let host = url.host, !host.isEmpty else {
            throw network(url, "only http:// URLs are supported")
        }
        let port = url.port ?? 80
        var path = url.path.isEmpty ? "/" : url.path
        if let query = url.query { path += "?" + query }
        let hostHeader = (host.contains(":") ? "[\(host)]" : host) + (url.port.map { ":\($0)" } ?? "")

        let socket = try connect(host: host, port: port, url: url)
        defer { close(socket) }
        let deadline = Date().addingTimeInterval(readTimeout)
        let head = "\(method) \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: Countersign\r\n"
            + headers + "Connection: close\r\n\r\n"
        try send(Array(head.utf8) + body, on: socket, deadline: deadline, url: url)
        return try receive(on: socket, deadline: deadline, url: url)
    }

    private func network(_ url: URL, _ what: String) -> CryptoError {
        CryptoError(.network, "\(url.absoluteString): \(what)")
    }

    private func errnoText(_ code: Int32 = errno) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }

    /// Resolves and connects (non-blocking connect bounded by `connectTimeout`), trying each address.
    private func connect(host: String, port: Int, url: URL) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let list else {
            throw network(url, "cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let address = entry {
            entry = address.pointee.ai_next
            let socket = Glibc.socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard socket >= 0 else { lastError = errnoText(); continue }
            _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
            if Glibc.connect(socket, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return socket }
            guard errno == EINPROGRESS else { lastError = errnoText(); close(socket); continue }
            let deadline = Date().addingTimeInterval(connectTimeout)
            guard wait(socket, for: Int16(POLLOUT), until: deadline) else {
                lastError = "no connection within \(connectTimeout) s"
                close(socket)
                continue
            }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(socket, SOL_SOCKET, SO_ERROR, &failure, &length)
            if failure == 0 { return socket }
            lastError = errnoText(failure)
            close(socket)
        }
        throw network(url, "cannot connect to \(host):\(port): \(lastError)")
    }

    /// Polls until the socket is ready for `events` or the deadline passes.
    private func wait(_ socket: Int32, for events: Int16, until deadline: Date) -> Bool {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return false }
            var descriptor = pollfd(fd: socket, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining * 1000, 60_000).rounded(.up)))
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return true }  // let the next call report the error
        }
    }

    private func send(_ bytes: [UInt8], on socket: Int32, deadline: Date, url: URL) throws {
        var offset = 0
        while offset < bytes.count {
            guard wait(socket, for: Int16(POLLOUT), until: deadline) else {
                throw network(url, "the request could not be sent within \(readTimeout) s")
            }
            let sent = bytes.withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw network(url, "sending the request failed: \(errnoText())")
            }
            offset += sent
        }
    }

    private func receive(on socket: Int32, deadline: Date, url: URL) throws -> Response {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            if let response = try complete(data, url: url) { return response }
            guard wait(socket, for: Int16(POLLIN), until: deadline) else {
                throw network(url, "no complete response within \(readTimeout) s")
            }
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw network(url, "reading the response failed: \(errnoText())")
            }
            if count == 0 {
                guard let response = try complete(data, url: url, closed: true) else {
                    throw network(url, data.isEmpty ? "the server closed the connection without answering"
                                                    : "the server closed the connection mid-response")
                }
                return response
            }
            data += buffer.prefix(count)
            guard data.count <= maximumResponseSize else {
                throw network(url, "the response is larger than \(maximumResponseSize) bytes")
            }
        }
    }

    /// The response if `data` holds all of it (by Content-Length, chunked end, or close).
    private func complete(_ data: [UInt8], url: URL, closed: Bool = false) throws -> Response? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headerEnd = data.firstRange(of: separator)?.lowerBound else { return nil }
        let lines = String(decoding: data[..<headerEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw network(url, "the reply is not HTTP")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = Array(data[(headerEnd + 4)...])
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            guard let decoded = try dechunk(body, url: url) else {
                if closed { throw network(url, "the chunked response ended early") }
                return nil
            }
            return Response(status: status, headers: headers, body: decoded)
        }
        if let lengthText = headers["content-length"] {
            guard let length = Int(lengthText), length >= 0 else { throw network(url, "bad Content-Length") }
            if body.count >= length { return Response(status: status, headers: headers, body: Array(body.prefix(length))) }
            if closed { throw network(url, "the response ended after \(body.count) of \(length) bytes") }
            return nil
        }
        return closed ? Response(status: status, headers: headers, body: body) : nil
    }

    /// Decodes a chunked body, or nil if the last chunk has not arrived yet.
    private func dechunk(_ body: [UInt8], url: URL) throws -> [UInt8]? {
        var output: [UInt8] = []
        var index = 0
        while true {
            guard let lineEnd = body[index...].firstRange(of: [13, 10])?.lowerBound else { return nil }
            let sizeText = String(decoding: body[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                throw network(url, "bad chunk size in the response")
            }
            index = lineEnd + 2
            if size == 0 { return output }
            guard body.count >= index + size + 2 else { return nil }
            output += body[index..<(index + size)]
            index += size + 2
        }
    }
}
