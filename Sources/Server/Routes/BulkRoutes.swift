import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Workflow

/// Bulk sends: a specification, then rows uploaded as CSV or JSON Lines (streamed to a spool
/// file, never held whole in memory), worked off by jobs on any node; progress and per-row
/// errors readable as they happen.
struct BulkRoutes {
    let api: APIDependencies

    struct SpecBody: Decodable {
        var templateId: String
        var templateVersion: String
        var subject: String
        var message: String?
        var recipients: [EnvelopeRoutes.CreateBody.RecipientBody]
        var metadata: [String: String]?
        var retentionCategory: String?
        var send: Bool?
        var rowKeyColumn: String?
    }

    struct BulkSendResource: Encodable {
        var id: String
        var templateId: String
        var templateVersion: String
        var send: Bool
        var rowKeyColumn: String?
        var createdAt: Date
        var rows: Int
        var pending: Int
        var created: Int
        var failed: Int

        init(_ bulk: BulkSend) {
            id = bulk.id
            templateId = bulk.spec.templateID
            templateVersion = bulk.spec.templateVersion
            send = bulk.spec.send
            rowKeyColumn = bulk.spec.rowKeyColumn
            createdAt = bulk.createdAt
            pending = bulk.counts[.pending] ?? 0
            created = bulk.counts[.created] ?? 0
            failed = bulk.counts[.failed] ?? 0
            rows = pending + created + failed
        }
    }

    struct RowResource: Encodable {
        var sequence: Int
        var key: String
        var state: String
        var envelopeId: String?
        var error: String?
    }

    func register(on group: RouterGroup<ServiceContext>) {
        let engine = api.engine
        let configuration = api.configuration
        group.post("bulk-sends") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await HTTP.decode(SpecBody.self, from: request, limit: configuration.maxBodyBytes, what: "a bulk send")
            let recipients = try EnvelopeRoutes.recipients(body.recipients)
            let spec = BulkSpec(templateID: body.templateId, templateVersion: body.templateVersion, subject: body.subject,
                                message: body.message, recipients: recipients, metadata: body.metadata ?? [:],
                                retentionCategory: body.retentionCategory ?? "standard-contract", send: body.send ?? true,
                                rowKeyColumn: body.rowKeyColumn)
            let bulk = try await engine.createBulkSend(principal, spec: spec)
            return try HTTP.json(BulkSendResource(bulk), status: .created, headers: [.location: "/v1/bulk-sends/\(bulk.id)"])
        }
        group.get("bulk-sends/:id") { _, context in
            try HTTP.json(BulkSendResource(try await engine.bulkSend(try context.requirePrincipal(), id: try HTTP.parameter(context, "id"))))
        }
        group.post("bulk-sends/:id/rows") { request, context in
            let principal = try context.requirePrincipal()
            let id = try HTTP.parameter(context, "id")
            _ = try await engine.bulkSend(principal, id: id)
            let mediaType = request.headers[.contentType]?.lowercased() ?? ""
            let format: WorkflowEngine.BulkFormat
            if mediaType.hasPrefix("text/csv") {
                format = .csv
            } else if mediaType.hasPrefix("application/x-ndjson") || mediaType.hasPrefix("application/jsonl") {
                format = .jsonLines
            } else {
                throw ServiceError(.unsupportedMediaType, "rows come as text/csv or application/x-ndjson, not '\(mediaType)'")
            }
            let file = try await Self.spool(request.body, limit: configuration.maxBulkBytes)
            defer { try? FileManager.default.removeItem(at: file) }
            let upload = try await engine.addBulkRows(principal, bulk: id, file: file, format: format)
            return try HTTP.json(upload)
        }
        group.get("bulk-sends/:id/rows") { request, context in
            let principal = try context.requirePrincipal()
            let state = try HTTP.query(request, "state").map { text in
                guard let state = BulkRow.State(rawValue: text) else {
                    throw ServiceError(.badRequest, "state '\(text)' is not pending, created or failed")
                }
                return state
            }
            var after = 0
            if let key = try Cursor.after(request) {
                guard let value = Int(key) else {
                    throw ServiceError(.badRequest, "cursor '\(HTTP.query(request, "cursor") ?? "")' is not one this API gave; pass a page's nextCursor unchanged")
                }
                after = value
            }
            let limit = try HTTP.limit(request)
            let rows = try await engine.bulkRows(principal, bulk: try HTTP.parameter(context, "id"), state: state, after: after, limit: limit + 1)
            let items = Array(rows.prefix(limit))
            return try HTTP.json(Page(items: items.map {
                RowResource(sequence: $0.sequence, key: $0.key, state: $0.state.rawValue, envelopeId: $0.envelope, error: $0.error)
            }, nextCursor: rows.count > limit ? items.last.map { Cursor.encode(String($0.sequence), request: request) } : nil))
        }
    }

    /// Writes a body to a temporary file as it arrives, refusing more than `limit` bytes.
    static func spool(_ body: RequestBody, limit: Int) async throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("countersign-bulk-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: file.path, contents: nil), let handle = FileHandle(forWritingAtPath: file.path) else {
            throw ServiceError(.internal, "cannot create a spool file in \(FileManager.default.temporaryDirectory.path)")
        }
        defer { try? handle.close() }
        var total = 0
        do {
            for try await buffer in body {
                total += buffer.readableBytes
                guard total <= limit else {
                    throw ServiceError(.payloadTooLarge, "the upload is larger than \(limit) bytes; split it into several uploads to the same bulk send")
                }
                try handle.write(contentsOf: Data(buffer.readableBytesView))
            }
        } catch {
            try? FileManager.default.removeItem(at: file)
            throw error
        }
        return file
    }
}
