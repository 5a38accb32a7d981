import CountersignCrypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Workflow

/// `Idempotency-Key` on POST: the first request's response is stored and replayed for the same
/// key and the same request (method, path, body); the same key with another request is 409
/// `idempotency-key-reused`, and while the first is still running 409 `idempotency-key-in-progress`.
/// Keys are scoped to the caller (the API key itself, or the signing token) and kept 24 hours: a
/// key of the same account with another role never sees an answer its role could not get.
/// A 5xx answer is not stored, so the client may retry under the same key. A reservation whose
/// node died before answering is taken over by a retry once it is `abandonAfter` old.
///
/// An answer that shows a secret once (a new API key, a webhook signing secret, an embedded
/// link) is marked by its route with `Countersign-Secret-Once`; its secret is never stored.
/// A retry gets 409 `secret-not-replayed` naming what the first request made and what to do.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = ServiceContext
    let records: any ServiceRecordStore
    let maxBodyBytes: Int
    let clock: @Sendable () -> Date
    /// After this long a reservation still in progress is taken to be a dead node's, and a retry
    /// under its key runs (twice the request timeout, at least two minutes).
    let abandonAfter: TimeInterval
    /// The caller's scope; nil leaves the request alone.
    let scope: @Sendable (Request, Context) -> String?

    static let lifetime: TimeInterval = 86_400
    /// Media types whose bodies stream (bulk sends): their routes handle the key themselves.
    static let streamed = ["text/csv", "application/x-ndjson", "application/jsonl"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let key = request.headers[.idempotencyKey] else {
            return Self.withoutMarks(try await next(request, context))
        }
        if let type = request.headers[.contentType], Self.streamed.contains(where: { type.lowercased().hasPrefix($0) }) {
            return Self.withoutMarks(try await next(request, context))
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw ServiceError(.badRequest, "Idempotency-Key must be 1 to 255 visible ASCII characters")
        }
        guard let scope = scope(request, context) else { return Self.withoutMarks(try await next(request, context)) }
        var request = request
        let body = try await request.collectBody(upTo: maxBodyBytes)
        var hashed = Array("\(request.method.rawValue) \(request.uri.path)?\(request.uri.query ?? "")\n".utf8)
        hashed += body.readableBytesView
        let hash = DigestAlgorithm.sha256.hash(hashed).hexString.lowercased()
        let now = clock()
        let record = IdempotencyRecord(account: scope, key: key, requestHash: hash, createdAt: now)
        if let existing = try await records.reserveIdempotencyKey(record, expiredBefore: now.addingTimeInterval(-Self.lifetime),
                                                                  abandonedBefore: now.addingTimeInterval(-abandonAfter)) {
            guard existing.requestHash == hash else {
                throw ServiceError(.idempotencyKeyReused, "Idempotency-Key '\(key)' was used with another request (method, path or body); use a new key for a new request")
            }
            guard !existing.inProgress else {
                throw ServiceError(.idempotencyKeyInProgress, "the first request with Idempotency-Key '\(key)' is still running; retry shortly",
                                   headers: ["Retry-After": "1"])
            }
            return replay(existing)
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ProblemResponse.make(error, request: request, context: context)
        }
        guard response.status.code < 500 else {
            try? await records.releaseIdempotencyKey(account: scope, key: key)
            return response
        }
        let bytes = try await Self.collect(response.body)
        var stored = record
        if let made = response.headers[.secretOnce] {
            response.headers[.secretOnce] = nil
            // What a retry gets instead of the secret: a refusal naming what was made.
            let refusal = ServiceError(.secretNotReplayed, "the first request with Idempotency-Key '\(key)' made \(made); "
                                       + "a secret is shown once and never stored, so it is not replayed")
            let (problem, _) = Problem.from(refusal, instance: request.uri.path, requestID: nil)
            stored.status = problem.status
            stored.headers[HTTPField.Name.contentType.rawName] = ProblemResponse.mediaType
            stored.body = Array(try JSONCoding.encoder.encode(problem))
        } else {
            stored.status = Int(response.status.code)
            for name in [HTTPField.Name.contentType, .location, .eTag, .contentDisposition] {
                if let value = response.headers[name] { stored.headers[name.rawName] = value }
            }
            stored.body = bytes
        }
        // The change is made: its answer is stored even across a brief outage (StoreRetry).
        try await StoreRetry.run { try await records.completeIdempotencyKey(stored) }
        response.body = .init(byteBuffer: ByteBuffer(bytes: bytes))
        return response
    }

    /// `response` without the routes' internal marks (they are for this middleware only).
    static func withoutMarks(_ response: Response) -> Response {
        guard response.headers[.secretOnce] != nil else { return response }
        var response = response
        response.headers[.secretOnce] = nil
        return response
    }

    func replay(_ record: IdempotencyRecord) -> Response {
        var fields = HTTPFields()
        for (name, value) in record.headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        fields[.idempotencyReplayed] = "true"
        return Response(status: .init(code: record.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: record.body)))
    }

    /// The bytes a response body writes.
    static func collect(_ body: ResponseBody) async throws -> [UInt8] {
        let sink = CollectingWriter.Sink()
        try await body.write(CollectingWriter(sink: sink))
        return sink.bytes
    }
}

/// A response body writer that keeps what is written (in a sink the caller reads afterwards).
struct CollectingWriter: ResponseBodyWriter {
    final class Sink {
        var bytes: [UInt8] = []
    }

    let sink: Sink
    mutating func write(_ buffer: ByteBuffer) async throws { sink.bytes += buffer.readableBytesView }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
