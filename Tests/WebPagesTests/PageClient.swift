import Foundation
import Hummingbird
import HummingbirdTesting

/// A tiny browser over a Hummingbird test client: keeps cookies by path, posts forms, and reads
/// the CSRF token out of the last page.
final class PageClient: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [(name: String, value: String, path: String)] = []

    init(_ client: any TestClientProtocol) { self.client = client }

    struct Page {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: String
        var bytes: [UInt8]
        var location: String? { headers[.location] }
        var setCookie: [String] { headers[values: .setCookie] }

        /// The value of the first hidden `csrf` input.
        var csrf: String? {
            guard let range = body.range(of: "name=\"csrf\" value=\"") else { return nil }
            return String(body[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    func get(_ uri: String, headers extra: HTTPFields = [:]) async throws -> Page {
        try await send(uri, .get, headers: extra, body: nil)
    }

    func post(_ uri: String, _ fields: [String: String], headers extra: HTTPFields = [:]) async throws -> Page {
        var headers = extra
        headers[.contentType] = "application/x-www-form-urlencoded"
        let body = fields.map { key, value in
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            return key.addingPercentEncoding(withAllowedCharacters: allowed)! + "=" + value.addingPercentEncoding(withAllowedCharacters: allowed)!
        }.joined(separator: "&")
        return try await send(uri, .post, headers: headers, body: ByteBuffer(string: body))
    }

    func send(_ uri: String, _ method: HTTPRequest.Method, headers extra: HTTPFields, body: ByteBuffer?) async throws -> Page {
        var headers = extra
        let path = uri.split(separator: "?").first.map(String.init) ?? uri
        let matching = cookies.filter { path.hasPrefix($0.path) }.map { "\($0.name)=\($0.value)" }
        if !matching.isEmpty, headers[.cookie] == nil { headers[.cookie] = matching.joined(separator: "; ") }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body) { $0 }
        let bytes = Array(response.body.readableBytesView)
        let page = Page(status: response.status, headers: response.headers, body: String(decoding: bytes, as: UTF8.self), bytes: bytes)
        for header in page.setCookie {
            let parts = header.split(separator: ";").map { String($0).trimmingCharacters(in: CharacterSet.whitespaces) }
            guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
            let cookiePath = parts.first { $0.lowercased().hasPrefix("path=") }.map { String($0.dropFirst(5)) } ?? "/"
            cookies.removeAll { $0.name == name && $0.path == cookiePath }
            cookies.append((name, value, cookiePath))
        }
        return page
    }
}
