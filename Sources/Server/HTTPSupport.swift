import CountersignCrypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Workflow
import InputChecks

enum DigestHex {
    static func sha256(_ bytes: [UInt8]) -> String { DigestAlgorithm.sha256.hash(bytes).hexString.lowercased() }
}

/// Reading requests and writing responses the same way on every route.
enum HTTP {
    /// Decodes a JSON body of at most `limit` bytes; a wrong media type is 415, too large 413,
    /// malformed JSON 400 naming the path of the bad value.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int, what: String = "this request's body") async throws -> T {
        try decode(type, bytes: try await jsonBody(request, limit: limit), what: what)
    }

    /// A JSON body's bytes: the media type checked, an empty body refused.
    static func jsonBody(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let mediaType = request.headers[.contentType], !mediaType.lowercased().hasPrefix("application/json") {
            throw ServiceError(.unsupportedMediaType, "this route takes application/json, not \(mediaType)")
        }
        let bytes = try await body(request, limit: limit)
        guard !bytes.isEmpty else { throw ServiceError(.badRequest, "the body is empty; this route takes a JSON object") }
        return bytes
    }

    /// Decodes a body already read; malformed JSON is 400 naming the path of the bad value, and
    /// so is a key the body does not have (the schemas say `additionalProperties: false`), with
    /// the key that was meant. `what` names the body in that message.
    static func decode<T: Decodable>(_ type: T.Type, bytes: [UInt8], what: String = "this request's body") throws -> T {
        do {
            return try StrictJSONDecoder(what: what).decode(T.self, from: Data(bytes))
        } catch let unknown as StrictJSONDecoder.KeyProblem {
            throw ServiceError(.badRequest, unknown.description)
        } catch let error as DecodingError {
            throw ServiceError(.badRequest, "the JSON body does not fit: \(DecodingProblem.describe(error, json: Data(bytes)))")
        } catch {
            throw ServiceError(.badRequest, DecodingProblem.describeSyntax(error as NSError, json: Data(bytes))
                               ?? "the body is not JSON: \(error.localizedDescription)")
        }
    }

    /// The whole body, refusing more than `limit` bytes (a declared Content-Length too large is
    /// refused before anything is read).
    static func body(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw ServiceError(.payloadTooLarge, "the body is \(length) bytes; this service takes at most \(limit)")
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw ServiceError(.payloadTooLarge, "the body is larger than \(limit) bytes, the most this service takes")
        }
    }

    /// A JSON response.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        fields[.cacheControl] = "no-store"
        let data = try JSONCoding.encoder.encode(value)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Raw bytes with a media type.
    static func bytes(_ bytes: [UInt8], type: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = type
        fields[.cacheControl] = "no-store"
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// An envelope's entity tag: its revision (every change raises it).
    static func etag(_ envelope: Envelope) -> String { "\"r\(envelope.revision)\"" }

    /// An envelope response with its `ETag`.
    static func envelope(_ envelope: Envelope, status: HTTPResponse.Status = .ok, location: Bool = false) throws -> Response {
        var headers: HTTPFields = [.eTag: etag(envelope)]
        if location { headers[.location] = "/v1/envelopes/\(envelope.id)" }
        return try json(EnvelopeResource(envelope), status: status, headers: headers)
    }

    /// `If-Match`: when present it must name the current version (or `*`), else 412.
    static func checkIfMatch(_ request: Request, current envelope: Envelope) throws {
        guard let header = request.headers[.ifMatch] else { return }
        let tags = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard tags.contains("*") || tags.contains(etag(envelope)) else {
            throw ServiceError(.preconditionFailed, "If-Match \(header) is not the envelope's current version \(etag(envelope)); read it again")
        }
    }

    /// A required path parameter (the router guarantees it; a missing one is a route bug).
    static func parameter(_ context: ServiceContext, _ name: String) throws -> String {
        guard let value = context.parameters.get(name), !value.isEmpty else {
            throw ServiceError(.badRequest, "the path needs a \(name)")
        }
        return value
    }

    /// Query parameters: one value, all values.
    static func query(_ request: Request, _ name: String) -> String? { request.uri.queryParameters.get(name) }
    static func queryAll(_ request: Request, _ name: String) -> [String] {
        request.uri.queryParameters.getAll(name).map { String($0) }
    }

    /// `limit` between 1 and 200 (50 by default).
    static func limit(_ request: Request) throws -> Int {
        guard let text = query(request, "limit") else { return 50 }
        guard let value = Int(text), (1...200).contains(value) else {
            throw ServiceError(.badRequest, "limit '\(text)' must be a whole number from 1 to 200")
        }
        return value
    }

    /// A page of an in-memory, sorted list: the cursor is the last item's key, opaque to clients.
    static func page<T, Item: Encodable>(_ items: [T], request: Request, key: (T) -> String,
                                          map: (T) -> Item) throws -> Page<Item> {
        let limit = try limit(request)
        var rest = items.sorted { key($0) < key($1) }[...]
        if let after = try Cursor.after(request) {
            rest = rest.drop { key($0) <= after }
        }
        let slice = Array(rest.prefix(limit))
        let next = rest.count > limit ? slice.last.map { Cursor.encode(key($0), request: request) } : nil
        return Page(items: slice.map(map), nextCursor: next)
    }
}

/// Opaque cursors: base64url of the list's path and the last key seen. The path binds a
/// cursor to the list that gave it: the events of one envelope, say, cannot be paged with a
/// cursor from another's, nor the keys with one from the envelopes — such a cursor is refused,
/// not read as a position in the wrong list.
enum Cursor {
    /// The cursor after `key` in the list `request` asked for.
    static func encode(_ key: String, request: Request) -> String {
        Data((request.uri.path + "\n" + key).utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The key the request's `cursor` parameter stands for (nil without one); a cursor this API
    /// did not give, or gave for another list, is a `badRequest` naming the parameter.
    static func after(_ request: Request) throws -> String? {
        guard let cursor = HTTP.query(request, "cursor") else { return nil }
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard cursor.count <= 600, let data = Data(base64Encoded: text), let decoded = String(data: data, encoding: .utf8),
              let newline = decoded.firstIndex(of: "\n") else {
            throw ServiceError(.badRequest, "cursor '\(cursor)' is not one this API gave; pass a page's nextCursor unchanged")
        }
        let path = decoded[..<newline]
        guard path == request.uri.path else {
            throw ServiceError(.badRequest, "cursor '\(cursor)' pages \(path), not \(request.uri.path); "
                               + "pass the nextCursor of this list's previous page")
        }
        return String(decoded[decoded.index(after: newline)...])
    }
}
