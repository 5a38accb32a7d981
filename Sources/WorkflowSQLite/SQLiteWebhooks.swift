public import Foundation
import GRDB
public import Workflow

/// The webhook tables: endpoints (JSON body, secrets included — HMAC needs them), deliveries
/// (the outbox, written with the change that caused them) and the append-only attempt log.
extension SQLiteWorkflowStore {
    // MARK: Writes (inside `commit`)

    static func writeWebhooks(_ change: StoreChange, _ db: Database) throws {
        let account = change.account
        if let endpoint = change.webhookEndpoint {
            guard endpoint.account == account else {
                throw WorkflowError(.invalidRequest, "webhook endpoint \(endpoint.id) belongs to another account")
            }
            if endpoint.revision == 0 {
                try db.run(sql: "INSERT INTO webhook_endpoints (account, id, enabled, revision, body) VALUES (?, ?, ?, 0, ?)",
                               arguments: [account, endpoint.id, endpoint.enabled, try encode(endpoint)])
            } else {
                try db.run(sql: """
                    UPDATE webhook_endpoints SET enabled = ?, revision = ?, body = ? WHERE account = ? AND id = ? AND revision = ?
                    """, arguments: [endpoint.enabled, endpoint.revision, try encode(endpoint), account, endpoint.id, endpoint.revision - 1])
                guard db.changesCount == 1 else {
                    throw WorkflowError(.conflict, "webhook endpoint \(endpoint.id) changed since it was read; read it again and retry")
                }
            }
        }
        for delivery in change.webhookDeliveries {
            guard delivery.account == account else {
                throw WorkflowError(.invalidRequest, "webhook delivery \(delivery.id) belongs to another account")
            }
            if delivery.revision == 0 {
                try db.run(sql: """
                    INSERT INTO webhook_deliveries (account, id, endpoint, message, type, stream, sequence, payload, state, attempts,
                                                    created_at, next_attempt_at, last_error, replay_of, revision)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
                    """, arguments: [account, delivery.id, delivery.endpoint, delivery.message, delivery.type, delivery.stream,
                                     delivery.sequence, delivery.payload, delivery.state.rawValue, delivery.attempts,
                                     delivery.createdAt.timeIntervalSince1970, delivery.nextAttemptAt?.timeIntervalSince1970,
                                     delivery.lastError, delivery.replayOf])
            } else {
                try db.run(sql: """
                    UPDATE webhook_deliveries SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, revision = ?
                    WHERE account = ? AND id = ? AND revision = ?
                    """, arguments: [delivery.state.rawValue, delivery.attempts, delivery.nextAttemptAt?.timeIntervalSince1970,
                                     delivery.lastError, delivery.revision, account, delivery.id, delivery.revision - 1])
                guard db.changesCount == 1 else {
                    throw WorkflowError(.conflict, "webhook delivery \(delivery.id) changed since it was read (another worker ran it); read it again")
                }
            }
        }
        for attempt in change.webhookAttempts {
            guard attempt.account == account else {
                throw WorkflowError(.invalidRequest, "a webhook attempt belongs to another account")
            }
            try db.run(sql: """
                INSERT INTO webhook_attempts (account, delivery, number, endpoint, at, status, duration_ms, response_excerpt, error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [account, attempt.delivery, attempt.number, attempt.endpoint, attempt.at.timeIntervalSince1970,
                                 attempt.status, attempt.durationMilliseconds, attempt.responseExcerpt, attempt.error])
        }
    }

    /// A purge empties the bodies of a stream's finished deliveries (they carried field values).
    static func purgeWebhookPayloads(stream: String, account: String, _ db: Database) throws {
        try db.run(sql: "UPDATE webhook_deliveries SET payload = X'' WHERE account = ? AND stream = ? AND state != 'pending'",
                       arguments: [account, stream])
    }

    // MARK: WebhookStore

    public func webhookEndpoint(account: String, id: String) async throws -> WebhookEndpoint? {
        try await read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT body FROM webhook_endpoints WHERE account = ? AND id = ?"), arguments: [account, id])
                .map { try Self.decode(WebhookEndpoint.self, $0) }
        }
    }

    public func webhookEndpoints(account: String) async throws -> [WebhookEndpoint] {
        try await read { db in try Self.webhookEndpoints(account: account, db) }
    }

    static func webhookEndpoints(account: String, _ db: Database) throws -> [WebhookEndpoint] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT body FROM webhook_endpoints WHERE account = ? ORDER BY id"), arguments: [account])
            .map { try Self.decode(WebhookEndpoint.self, $0) }
    }

    public func webhookDelivery(account: String, id: String) async throws -> WebhookDelivery? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM webhook_deliveries WHERE account = ? AND id = ?"), arguments: [account, id])
                .map(Self.delivery)
        }
    }

    public func webhookDeliveries(account: String, query: WebhookDeliveryQuery) async throws -> [WebhookDelivery] {
        try await read { db in
            var sql = "SELECT * FROM webhook_deliveries WHERE account = ?"
            var arguments: StatementArguments = [account]
            if let endpoint = query.endpoint {
                sql += " AND endpoint = ?"
                arguments += [endpoint]
            }
            if let stream = query.stream {
                sql += " AND stream = ?"
                arguments += [stream]
            }
            if let state = query.state {
                sql += " AND state = ?"
                arguments += [state.rawValue]
            }
            if let after = query.after {
                sql += " AND id > ?"
                arguments += [after]
            }
            sql += " ORDER BY id LIMIT ?"
            arguments += [max(0, query.limit)]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.delivery)
        }
    }

    public func webhookAttempts(account: String, delivery: String) async throws -> [WebhookAttempt] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM webhook_attempts WHERE account = ? AND delivery = ? ORDER BY number"),
                             arguments: [account, delivery]).map { row in
                WebhookAttempt(account: row["account"], delivery: row["delivery"], endpoint: row["endpoint"], number: row["number"],
                               at: Date(timeIntervalSince1970: row["at"]), status: row["status"],
                               durationMilliseconds: row["duration_ms"], responseExcerpt: row["response_excerpt"], error: row["error"])
            }
        }
    }

    public func webhookFailingSince(account: String, endpoint: String) async throws -> Date? {
        try await read { db in
            let lastSuccess = try Double.fetchOne(db.cachedStatement(sql: """
                SELECT MAX(at) FROM webhook_attempts WHERE account = ? AND endpoint = ? AND status BETWEEN 200 AND 299
                """), arguments: [account, endpoint])
            return try Double.fetchOne(db.cachedStatement(sql: """
                SELECT MIN(at) FROM webhook_attempts WHERE account = ? AND endpoint = ? AND at > ?
                AND (status IS NULL OR status NOT BETWEEN 200 AND 299)
                """), arguments: [account, endpoint, lastSuccess ?? -Double.greatestFiniteMagnitude]).map(Date.init(timeIntervalSince1970:))
        }
    }

    static func delivery(_ row: Row) throws -> WebhookDelivery {
        guard let state = WebhookDelivery.State(rawValue: row["state"]) else {
            throw WorkflowError(.store, "webhook delivery \(row["id"] as String? ?? "?") has an unknown state")
        }
        var delivery = WebhookDelivery(id: row["id"], account: row["account"], endpoint: row["endpoint"], message: row["message"],
                                       type: row["type"], stream: row["stream"], sequence: row["sequence"], payload: row["payload"],
                                       createdAt: Date(timeIntervalSince1970: row["created_at"]), replayOf: row["replay_of"])
        delivery.state = state
        delivery.attempts = row["attempts"]
        delivery.nextAttemptAt = (row["next_attempt_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        delivery.lastError = row["last_error"]
        delivery.revision = row["revision"]
        return delivery
    }
}
