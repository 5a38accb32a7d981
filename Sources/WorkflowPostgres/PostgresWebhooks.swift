public import Foundation
import PostgresNIO
public import Workflow

/// The webhook tables: endpoints (a `jsonb` body, secrets included — HMAC needs them),
/// deliveries (the outbox, written in the transaction of the change that caused them) and the
/// attempt log. Every node reads and writes the same rows; a delivery two workers both tried to
/// update is settled by its revision.
extension PostgresWorkflowStore {
    // MARK: Writes (inside `commit`)

    static func writeWebhooks(_ change: StoreChange, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let account = change.account
        if let endpoint = change.webhookEndpoint {
            try await write(endpoint: endpoint, account: account, connection, logger)
        }
        for delivery in change.webhookDeliveries where delivery.account != account {
            throw WorkflowError(.invalidRequest, "webhook delivery \(delivery.id) belongs to another account")
        }
        for attempt in change.webhookAttempts where attempt.account != account {
            throw WorkflowError(.invalidRequest, "an attempt of webhook delivery \(attempt.delivery) belongs to another account")
        }
        for delivery in change.webhookDeliveries where delivery.revision == 0 {
            try await insert(delivery: delivery, account: account, connection, logger)
        }
        try await update(deliveries: change.webhookDeliveries.filter { $0.revision > 0 }, account: account, connection, logger)
        try await insert(attempts: change.webhookAttempts, account: account, connection, logger)
    }

    private static func write(endpoint: WebhookEndpoint, account: String, _ connection: PostgresConnection,
                              _ logger: Logger) async throws {
        guard endpoint.account == account else {
            throw WorkflowError(.invalidRequest, "webhook endpoint \(endpoint.id) belongs to another account")
        }
        let body = try encode(endpoint)
        if endpoint.revision == 0 {
            try await connection.query("""
                INSERT INTO webhook_endpoints (account, id, enabled, revision, body)
                VALUES (\(account), \(endpoint.id), \(endpoint.enabled), 0, \(body)::jsonb)
                """, logger: logger)
            return
        }
        let updated = try await count(connection, """
            UPDATE webhook_endpoints SET enabled = \(endpoint.enabled), revision = \(endpoint.revision), body = \(body)::jsonb
            WHERE account = \(account) AND id = \(endpoint.id) AND revision = \(endpoint.revision - 1) RETURNING 1
            """, logger: logger)
        guard updated == 1 else {
            throw WorkflowError(.conflict, "webhook endpoint \(endpoint.id) changed since it was read (expected revision \(endpoint.revision - 1)); read it again and retry")
        }
    }

    private static func insert(delivery: WebhookDelivery, account: String, _ connection: PostgresConnection,
                               _ logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO webhook_deliveries (account, id, endpoint, message, type, stream, sequence, payload, state, attempts,
                                            created_at, next_attempt_at, last_error, replay_of, revision)
            VALUES (\(account), \(delivery.id), \(delivery.endpoint), \(delivery.message), \(delivery.type), \(delivery.stream),
                    \(delivery.sequence), \(delivery.payload), \(delivery.state.rawValue), \(delivery.attempts),
                    \(seconds(delivery.createdAt)), \(delivery.nextAttemptAt.map(seconds)), \(delivery.lastError),
                    \(delivery.replayOf), 0)
            """, logger: logger)
    }

    /// The progress of deliveries (a worker's attempts) in one statement, each row only if its
    /// revision is still the one read: a JSON array of rows, since unnested arrays hold no NULLs.
    /// Only the progress changes; what was signed and sent (payload, message id) never does.
    private static func update(deliveries: [WebhookDelivery], account: String, _ connection: PostgresConnection,
                               _ logger: Logger) async throws {
        guard !deliveries.isEmpty else { return }
        struct Progress: Encodable {
            var id: String, state: String, attempts: Int, next_attempt_at: Double?, last_error: String?, revision: Int
        }
        let rows = try encode(deliveries.map {
            Progress(id: $0.id, state: $0.state.rawValue, attempts: $0.attempts, next_attempt_at: $0.nextAttemptAt.map(seconds),
                     last_error: $0.lastError, revision: $0.revision)
        })
        let updated = Set(try await Self.rows(connection, """
            UPDATE webhook_deliveries AS d
            SET state = r.state, attempts = r.attempts, next_attempt_at = r.next_attempt_at, last_error = r.last_error,
                revision = r.revision
            FROM jsonb_to_recordset(\(rows)::jsonb)
                AS r(id text, state text, attempts bigint, next_attempt_at float8, last_error text, revision bigint)
            WHERE d.account = \(account) AND d.id = r.id AND d.revision = r.revision - 1
            RETURNING d.id
            """, logger: logger).map { try $0.value("id", as: String.self) })
        if let stale = deliveries.first(where: { !updated.contains($0.id) }) {
            throw WorkflowError(.conflict, "webhook delivery \(stale.id) changed since it was read (another worker ran it); read it again")
        }
    }

    /// Attempts in one statement (a JSON array of rows, as for deliveries).
    private static func insert(attempts: [WebhookAttempt], account: String, _ connection: PostgresConnection,
                               _ logger: Logger) async throws {
        guard !attempts.isEmpty else { return }
        struct Row: Encodable {
            var delivery: String, number: Int, endpoint: String, at: Double, status: Int?, duration_ms: Int
            var response_excerpt: String, error: String?
        }
        let rows = try encode(attempts.map {
            Row(delivery: $0.delivery, number: $0.number, endpoint: $0.endpoint, at: seconds($0.at), status: $0.status,
                duration_ms: $0.durationMilliseconds, response_excerpt: $0.responseExcerpt, error: $0.error)
        })
        try await connection.query("""
            INSERT INTO webhook_attempts (account, delivery, number, endpoint, at, status, duration_ms, response_excerpt, error)
            SELECT \(account), delivery, number, endpoint, at, status, duration_ms, response_excerpt, error
            FROM jsonb_to_recordset(\(rows)::jsonb) AS r(delivery text, number bigint, endpoint text, at float8, status integer,
                                                        duration_ms bigint, response_excerpt text, error text)
            """, logger: logger)
    }

    /// A purge empties the bodies of a stream's finished deliveries (they carried field values);
    /// a pending delivery keeps its body until it is delivered or given up.
    static func purgeWebhookPayloads(stream: String, account: String, _ connection: PostgresConnection,
                                     _ logger: Logger) async throws {
        try await connection.query("""
            UPDATE webhook_deliveries SET payload = ''::bytea
            WHERE account = \(account) AND stream = \(stream) AND state <> 'pending'
            """, logger: logger)
    }

    // MARK: WebhookStore

    public func webhookEndpoint(account: String, id: String) async throws -> WebhookEndpoint? {
        try await endpoints("reading webhook endpoint \(id)", """
            SELECT body FROM webhook_endpoints WHERE account = \(account) AND id = \(id)
            """).first
    }

    public func webhookEndpoints(account: String) async throws -> [WebhookEndpoint] {
        try await endpoints("listing the webhook endpoints of \(account)", """
            SELECT body FROM webhook_endpoints WHERE account = \(account) ORDER BY id
            """)
    }

    private func endpoints(_ what: String, _ query: PostgresQuery) async throws -> [WebhookEndpoint] {
        try await run(what) { connection in
            try await Self.column(connection, query, logger: self.logger, as: String.self).map { try Self.decode(WebhookEndpoint.self, $0) }
        }
    }

    public func webhookDelivery(account: String, id: String) async throws -> WebhookDelivery? {
        try await run("reading webhook delivery \(id)") { connection in
            try await Self.rows(connection, """
                SELECT \(unescaped: Self.deliveryColumns) FROM webhook_deliveries WHERE account = \(account) AND id = \(id)
                """, logger: self.logger).first.map(Self.delivery)
        }
    }

    /// One round trip: the deliveries' rows joined with their endpoints' bodies.
    public func webhookDeliveriesAndEndpoints(account: String, ids: [String]) async throws
        -> [String: (delivery: WebhookDelivery, endpoint: WebhookEndpoint?)] {
        try await run("reading webhook deliveries \(ids.prefix(3).joined(separator: ", "))\(ids.count > 3 ? ", …" : "") and their endpoints") { connection in
            var found: [String: (delivery: WebhookDelivery, endpoint: WebhookEndpoint?)] = [:]
            for row in try await Self.rows(connection, """
                SELECT \(unescaped: Self.qualified(Self.deliveryColumns, "d")), e.body AS endpoint_body
                FROM webhook_deliveries d LEFT JOIN webhook_endpoints e ON e.account = d.account AND e.id = d.endpoint
                WHERE d.account = \(account) AND d.id = ANY(\(ids))
                """, logger: self.logger) {
                let delivery = try Self.delivery(row)
                found[delivery.id] = (delivery, try row.value("endpoint_body", as: String?.self).map { try Self.decode(WebhookEndpoint.self, $0) })
            }
            return found
        }
    }

    public func webhookDeliveries(account: String, query: WebhookDeliveryQuery) async throws -> [WebhookDelivery] {
        let state = query.state?.rawValue
        return try await run("listing the webhook deliveries of \(account)") { connection in
            try await Self.rows(connection, """
                SELECT \(unescaped: Self.deliveryColumns) FROM webhook_deliveries
                WHERE account = \(account)
                  AND (\(query.endpoint)::text IS NULL OR endpoint = \(query.endpoint))
                  AND (\(query.stream)::text IS NULL OR stream = \(query.stream))
                  AND (\(state)::text IS NULL OR state = \(state))
                  AND (\(query.after)::text IS NULL OR id > \(query.after))
                ORDER BY id LIMIT \(max(0, query.limit))
                """, logger: self.logger).map(Self.delivery)
        }
    }

    public func webhookAttempts(account: String, delivery: String) async throws -> [WebhookAttempt] {
        try await run("reading the attempts of webhook delivery \(delivery)") { connection in
            try await Self.rows(connection, """
                SELECT account, delivery, endpoint, number, at, status, duration_ms, response_excerpt, error
                FROM webhook_attempts WHERE account = \(account) AND delivery = \(delivery) ORDER BY number
                """, logger: self.logger).map { row in
                WebhookAttempt(account: try row.value("account"), delivery: try row.value("delivery"), endpoint: try row.value("endpoint"),
                               number: try row.value("number"), at: Self.date(try row.value("at")), status: try row.value("status"),
                               durationMilliseconds: try row.value("duration_ms"), responseExcerpt: try row.value("response_excerpt"),
                               error: try row.value("error"))
            }
        }
    }

    public func webhookFailingSince(account: String, endpoint: String) async throws -> Date? {
        try await run("reading the failures of webhook endpoint \(endpoint)") { connection in
            try await Self.column(connection, """
                SELECT MIN(at) FROM webhook_attempts
                WHERE account = \(account) AND endpoint = \(endpoint) AND (status IS NULL OR status NOT BETWEEN 200 AND 299)
                  AND at > COALESCE((SELECT MAX(at) FROM webhook_attempts
                                     WHERE account = \(account) AND endpoint = \(endpoint) AND status BETWEEN 200 AND 299),
                                    '-Infinity'::double precision)
                """, logger: self.logger, as: Double?.self).first.flatMap { $0 }.map(Self.date)
        }
    }

    static let deliveryColumns = """
        account, id, endpoint, message, type, stream, sequence, payload, state, attempts, created_at, next_attempt_at, \
        last_error, replay_of, revision
        """

    static func delivery(_ row: PostgresRandomAccessRow) throws -> WebhookDelivery {
        let id: String = try row.value("id"), stateName: String = try row.value("state")
        guard let state = WebhookDelivery.State(rawValue: stateName) else {
            throw WorkflowError(.store, "webhook delivery \(id) has an unknown state '\(stateName)'")
        }
        var delivery = WebhookDelivery(id: id, account: try row.value("account"), endpoint: try row.value("endpoint"),
                                       message: try row.value("message"), type: try row.value("type"), stream: try row.value("stream"),
                                       sequence: try row.value("sequence"), payload: try row.value("payload"),
                                       createdAt: date(try row.value("created_at")), replayOf: try row.value("replay_of"))
        delivery.state = state
        delivery.attempts = try row.value("attempts")
        delivery.nextAttemptAt = (try row.value("next_attempt_at", as: Double?.self)).map(date)
        delivery.lastError = try row.value("last_error")
        delivery.revision = try row.value("revision")
        return delivery
    }
}
