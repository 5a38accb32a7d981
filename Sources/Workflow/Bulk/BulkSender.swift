import Foundation

/// What one upload of rows did.
public struct BulkUpload: Sendable, Hashable, Codable {
    /// Rows read from the upload.
    public var received = 0
    /// Rows new to the bulk send (queued to become envelopes).
    public var added = 0
    /// Rows whose key the bulk send already had (a resumed upload).
    public var duplicates = 0
    /// Rows that could not be read (the first 1000 are listed; `rejectedCount` counts all).
    public var rejected: [BulkRejection] = []
    public var rejectedCount = 0

    public init() {}
}

/// A row of an upload that could not be read: its number in the upload and why.
public struct BulkRejection: Error, Sendable, Hashable, Codable {
    public var row: Int
    public var error: String

    public init(row: Int, error: String) {
        self.row = row
        self.error = error
    }
}

extension WorkflowEngine {
    /// Rows are stored and queued in batches of this many.
    static let bulkBatch = 500
    /// A worker leases this many rows at a time,
    static let bulkClaim = 20
    /// for this long (a batch takes seconds; a worker that dies leaves its rows to others after it).
    static let bulkRowLease: TimeInterval = 300


    func bulkStore() throws -> any BulkSendStore {
        guard let store = store as? any BulkSendStore else {
            throw WorkflowError(.store, "this store does not keep bulk sends")
        }
        return store
    }

    /// Starts a bulk send (role agent): the template version must be published and the
    /// specification sound; rows come with `addBulkRows`.
    public func createBulkSend(_ principal: Principal, spec: BulkSpec) async throws -> BulkSend {
        try principal.require(.agent, to: "start bulk sends")
        let bulks = try bulkStore()
        let (version, compiled) = try await publishedTemplate(account: principal.account, templateID: spec.templateID,
                                                              version: spec.templateVersion)
        _ = try Check.nonEmpty(spec.subject, "the subject")
        guard !spec.recipients.isEmpty else { throw WorkflowError(.invalidRequest, "a bulk send needs recipients") }
        // Every row would be refused for it: say so once, before any row is sent.
        let signing = Set(spec.recipients.compactMap(\.signatureRole))
        if let unsigned = compiled.requiredSignatureRoles.first(where: { !signing.contains($0) }) {
            throw WorkflowError(.invalidRequest, "\(version.reference) has a required signature for '\(unsigned)' but no recipient "
                                + "has that signatureRole; add a signer with signatureRole '\(unsigned)'")
        }
        guard RetentionPolicy.categories[spec.retentionCategory] != nil else {
            throw WorkflowError(.invalidRequest, "unknown retention category '\(spec.retentionCategory)'")
        }
        if let column = spec.rowKeyColumn { _ = try Check.nonEmpty(column, "rowKeyColumn") }
        let bulk = BulkSend(id: Secrets.identifier("blk", at: clock.now()), account: principal.account, spec: spec,
                            createdAt: clock.now(), createdBy: principal.keyID)
        try await bulks.insertBulkSend(bulk)
        return bulk
    }

    /// A bulk send of the principal's account with its row counts (every role may read).
    public func bulkSend(_ principal: Principal, id: String) async throws -> BulkSend {
        guard let bulk = try await bulkStore().bulkSend(account: principal.account, id: id) else {
            throw WorkflowError(.notFound, "no bulk send \(id) in this account")
        }
        return bulk
    }

    /// A bulk send's rows in order (every role may read), optionally of one state.
    public func bulkRows(_ principal: Principal, bulk id: String, state: BulkRow.State? = nil, after: Int = 0,
                         limit: Int = 100) async throws -> [BulkRow] {
        _ = try await bulkSend(principal, id: id)
        return try await bulkStore().bulkRows(account: principal.account, bulk: id, state: state, after: after, limit: limit)
    }

    /// Adds rows to a bulk send (role agent), reading them one at a time from `next` (row
    /// number in the upload, and its values or why it could not be read) until it returns nil.
    /// Rows are stored in batches with the jobs that turn them into envelopes, so memory stays
    /// flat whatever the upload's size; a row whose key the bulk send has is skipped.
    public func addBulkRows(_ principal: Principal, bulk id: String,
                            next: () throws -> (row: Int, values: Result<[String: String], BulkRejection>)?) async throws -> BulkUpload {
        try principal.require(.agent, to: "add rows to bulk sends")
        let bulks = try bulkStore()
        let bulk = try await bulkSend(principal, id: id)
        var upload = BulkUpload()
        var batch: [BulkRow] = []
        func flush() async throws {
            guard !batch.isEmpty else { return }
            let drain = Job(id: Secrets.identifier("job", at: clock.now()), account: principal.account, kind: .bulkSend, envelope: id,
                            runAt: clock.now())
            let added = try await bulks.appendBulkRows(account: principal.account, bulk: id, rows: batch, jobs: [drain])
            upload.added += added
            upload.duplicates += batch.count - added
            batch.removeAll(keepingCapacity: true)
        }
        var keys = Set<String>()
        while let item = try next() {
            let (row, result) = item
            upload.received += 1
            switch result {
            case .failure(let rejection):
                upload.rejectedCount += 1
                if upload.rejected.count < 1000 { upload.rejected.append(rejection) }
            case .success(let values):
                let key: String
                if let column = bulk.spec.rowKeyColumn {
                    guard let value = values[column]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                        upload.rejectedCount += 1
                        if upload.rejected.count < 1000 { upload.rejected.append(BulkRejection(row: row, error: "the key column '\(column)' is empty")) }
                        continue
                    }
                    key = value
                } else {
                    key = String(row)
                }
                guard keys.insert(key).inserted else {
                    upload.duplicates += 1
                    continue
                }
                batch.append(BulkRow(key: key, values: values))
                if batch.count >= Self.bulkBatch {
                    try await flush()
                    keys.removeAll(keepingCapacity: true)
                }
            }
        }
        try await flush()
        return upload
    }

    /// The envelope request of one row: `{{column}}` in the texts replaced by the row's values,
    /// the row as the template's data, and the row's marker in the metadata.
    static func request(_ spec: BulkSpec, row: BulkRow, marker: String) -> EnvelopeRequest {
        func fill(_ text: String) -> String {
            var result = text
            for (column, value) in row.values where result.contains("{{") {
                result = result.replacingOccurrences(of: "{{\(column)}}", with: value)
            }
            return result
        }
        let recipients = spec.recipients.map { recipient in
            var filled = recipient
            filled.name = fill(recipient.name)
            filled.email = fill(recipient.email)
            return filled
        }
        var metadata = spec.metadata.mapValues(fill)
        metadata["bulkRow"] = marker
        return EnvelopeRequest(templateID: spec.templateID, templateVersion: spec.templateVersion, subject: fill(spec.subject),
                               message: spec.message.map(fill), data: row.values, recipients: recipients, metadata: metadata,
                               retentionCategory: spec.retentionCategory)
    }

    /// Works off a bulk send's pending rows (a job): each becomes an envelope exactly once — a
    /// row taken again after a crash finds the envelope its marker names instead of making another.
    func runBulkSend(_ job: Job) async throws {
        let bulks = try bulkStore()
        guard let bulk = try await bulks.bulkSend(account: job.account, id: job.envelope) else {
            try await store.finishJob(id: job.id)
            return
        }
        let key = try await store.keys(account: job.account).first { $0.id == bulk.createdBy }
        let principal = Principal(account: bulk.account, keyID: bulk.createdBy, role: key?.role ?? .agent)
        // A slice (`WorkflowConfiguration.bulkSlice`), at least one batch of rows.
        let deadline = ContinuousClock.now + .milliseconds(Int64(max(0, configuration.bulkSlice) * 1000))
        var sliceEnded = false
        while true {
            let now = clock.now()
            let rows = try await bulks.claimBulkRows(account: job.account, bulk: bulk.id, limit: Self.bulkClaim, now: now,
                                                     until: now.addingTimeInterval(Self.bulkRowLease))
            if rows.isEmpty { break }
            for row in rows {
                guard key?.revokedAt == nil else {
                    try await bulks.finishBulkRow(account: job.account, bulk: bulk.id, sequence: row.sequence, envelope: nil,
                                                  error: "the API key that started this bulk send was revoked")
                    continue
                }
                let marker = "\(bulk.id)#\(row.key)"
                do {
                    var envelope = try await store.envelopes(account: job.account, query: EnvelopeQuery(metadataKey: "bulkRow",
                                                                                                       metadataValue: marker, limit: 1)).first
                    if envelope == nil {
                        envelope = try await createEnvelope(principal, Self.request(bulk.spec, row: row, marker: marker))
                    }
                    if bulk.spec.send, let draft = envelope, draft.state == .draft {
                        envelope = try await send(principal, envelope: draft.id)
                    }
                    try await bulks.finishBulkRow(account: job.account, bulk: bulk.id, sequence: row.sequence, envelope: envelope?.id, error: nil)
                } catch let error as WorkflowError where [.invalidRequest, .template, .notFound, .illegalTransition, .forbidden].contains(error.code) {
                    try await bulks.finishBulkRow(account: job.account, bulk: bulk.id, sequence: row.sequence, envelope: nil,
                                                  error: "\(error.code): \(error.reason)")
                }
            }
            if ContinuousClock.now >= deadline {
                sliceEnded = true
                break
            }
        }
        // Rows still pending are held by another worker — alive, or dead with its lease running.
        // The job is not finished without them: a follow-up drains what a dead worker left once its
        // lease has run out (and finds nothing if the other worker finished them).
        let left = try await bulks.bulkSend(account: job.account, id: bulk.id)?.counts[.pending] ?? 0
        var jobs: [Job] = []
        if left > 0 {
            // The slice ended: the rest at once (after what else is due). Otherwise the rows left
            // are another worker's, until its lease runs out.
            jobs.append(Job(id: Secrets.identifier("job", at: clock.now()), account: job.account, kind: .bulkSend, envelope: bulk.id,
                            runAt: sliceEnded ? clock.now() : clock.now().addingTimeInterval(Self.bulkRowLease)))
        }
        try await commitAndWakeWorkers(StoreChange(account: job.account, jobs: jobs, finishedJobs: [job.id]))
    }
}
