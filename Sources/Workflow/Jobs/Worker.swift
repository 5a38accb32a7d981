public import Foundation

/// Runs due jobs from the store's queue: e-mail delivery, reminders, expiry, completion and
/// purges. Any number of workers (threads, processes, machines) may share one store: each job
/// is leased to one worker at a time, and every job is safe to run again after a crash.
public struct WorkflowWorker: Sendable {
    public let engine: WorkflowEngine
    /// Where e-mail goes; nil leaves e-mail jobs pending (they are delivered by a worker that has one).
    /// Where e-mail goes (an SMTP relay, or a folder); nil: e-mail jobs stay queued.
    public let smtp: (any MailTransport)?
    /// Where webhooks go; nil leaves webhook jobs pending, like e-mails without SMTP.
    public let webhooks: (any WebhookTransport)?
    public let name: String
    /// How long a claimed job is leased before another worker may take it.
    public let lease: TimeInterval
    /// How many due jobs one claim leases (run one after another; its e-mails together, over one
    /// connection, and its webhook jobs together).
    public let claimBatch: Int

    public init(engine: WorkflowEngine, smtp: (any MailTransport)?, webhooks: (any WebhookTransport)? = nil,
                name: String = "worker-\(ProcessInfo.processInfo.processIdentifier)", lease: TimeInterval = 300,
                claimBatch: Int = 16) {
        self.engine = engine
        self.smtp = smtp
        self.webhooks = webhooks
        self.name = name
        self.lease = lease
        self.claimBatch = max(1, claimBatch)
    }

    /// What one pass did.
    public struct Pass: Sendable, Hashable {
        public var ran: [Job.Kind: Int] = [:]
        public var failed: [String] = []
        public var total: Int { ran.values.reduce(0, +) }
    }

    /// The kinds of job this worker runs: all of them, but e-mail only with an SMTP relay and
    /// webhooks only with a transport (without one, those stay pending for a worker that has one,
    /// never leased by this one).
    public var kinds: Set<Job.Kind> {
        var kinds = Set(Job.Kind.allCases)
        if smtp == nil { kinds.remove(.email) }
        if webhooks == nil { kinds.remove(.webhook) }
        return kinds
    }

    /// Claims and runs jobs due now until none is left (or `limit` jobs ran).
    public func runDue(limit: Int = 10_000) async throws -> Pass {
        var pass = Pass()
        var count = 0
        while count < limit {
            let now = engine.clock.now()
            let jobs = try await engine.store.claimJobs(now: now, limit: min(claimBatch, limit - count), lease: lease, worker: name, kinds: kinds)
            if jobs.isEmpty { break }
            // E-mails go out over one SMTP connection, their jobs finished in one statement.
            let mailJobs = smtp == nil ? [] : jobs.filter { $0.kind == .email }
            if let smtp, !mailJobs.isEmpty {
                count += mailJobs.count
                let failures = await deliver(mailJobs, smtp: smtp)
                pass.ran[.email, default: 0] += mailJobs.count - failures.count
                for (job, error) in failures { try await fail(job, error, now: now, pass: &pass) }
            }
            // Webhook jobs are attempted together, their results stored in one transaction.
            let webhookJobs = webhooks == nil ? [] : jobs.filter { $0.kind == .webhook }
            if let webhooks, !webhookJobs.isEmpty {
                count += webhookJobs.count
                let failures = await engine.runWebhooks(webhookJobs, transport: webhooks)
                pass.ran[.webhook, default: 0] += webhookJobs.count - failures.count
                for (job, error) in failures { try await fail(job, error, now: now, pass: &pass) }
            }
            var completions: [Job] = []
            for job in jobs where !(smtp != nil && job.kind == .email) && !(webhooks != nil && job.kind == .webhook) {
                if job.kind == .completion {
                    completions.append(job)
                    continue
                }
                // The batch's lease ran out: the rest may be another worker's now; claim again.
                if engine.clock.now() >= now.addingTimeInterval(lease) { break }
                count += 1
                do {
                    try await run(job)
                    pass.ran[job.kind, default: 0] += 1
                } catch {
                    try await fail(job, error, now: now, pass: &pass)
                }
            }
            // Completions last, one seal at a time with their reads and commits overlapped; the
            // pipeline claims further completion jobs itself while its budget lasts.
            if !completions.isEmpty {
                count += try await CompletionPipeline(worker: self).run(
                    completions, claimedAt: now, budget: limit - count,
                    fail: { job, error, claimedAt in try await fail(job, error, now: claimedAt, pass: &pass) },
                    ran: { job in pass.ran[job.kind, default: 0] += 1 })
            }
        }
        return pass
    }

    /// Renders the e-mails of `jobs` (each attachment read once), sends them over one connection
    /// and finishes the delivered ones together. Returns the jobs that failed, with the error. A
    /// crash after sending and before finishing sends again: at-least-once, deduplicated by the
    /// message's `Message-ID`.
    func deliver(_ jobs: [Job], smtp: any MailTransport) async -> [(job: Job, error: any Error)] {
        var failures: [(job: Job, error: any Error)] = []
        var outgoing: [(job: Job, message: SMTPClient.Outgoing, kept: Data)] = []
        var files: [String: [UInt8]] = [:]
        var states: [String: Envelope.State] = [:]
        for job in jobs {
            do {
                let message = try JSONDecoder().decode(MailMessage.self, from: job.payload)
                // A link or a code for an envelope that has since ended unsigned (voided,
                // declined, expired) would tell a signer to act on a contract that is withdrawn:
                // it is not sent, and the job says why. (One completed meanwhile still goes:
                // its link shows the completed envelope.)
                if message.secrets != nil, !job.envelope.isEmpty {
                    if states[job.envelope] == nil {
                        states[job.envelope] = try await engine.store.envelope(account: job.account, id: job.envelope)?.state
                    }
                    if let state = states[job.envelope], [.voided, .declined, .expired].contains(state) {
                        try await engine.store.failJob(id: job.id, error: "not sent: envelope \(job.envelope) is \(state.rawValue), so "
                                                       + "the link or code in this e-mail would lead nowhere", retryAt: nil)
                        continue
                    }
                }
                for attachment in message.attachments where files[attachment.sha256] == nil {
                    files[attachment.sha256] = try await engine.store.documents.get(attachment.sha256) ?? []
                }
                let kept = message.secrets == nil ? job.payload : try JSONEncoder().encode(message.delivered())
                outgoing.append((job, SMTPClient.Outgoing(from: message.from, to: message.to,
                                                          data: message.rendered(attachmentBytes: files)), kept))
            } catch {
                failures.append((job, error))
            }
        }
        guard !outgoing.isEmpty else { return failures }
        let messages = outgoing.map(\.message)
        let results: [WorkflowError?]
        do {
            results = try await BlockingIO.run { smtp.send(messages) }
        } catch {
            return failures + outgoing.map { ($0.job, error) }
        }
        var delivered: [(id: String, payload: Data)] = []
        for (sent, error) in zip(outgoing, results) {
            if let error { failures.append((sent.job, error)) } else { delivered.append((sent.job.id, sent.kept)) }
        }
        do {
            try await engine.store.finishDeliveries(delivered)
        } catch {
            let ids = Set(delivered.map(\.id))
            failures += outgoing.filter { ids.contains($0.job.id) }.map { ($0.job, error) }
        }
        return failures
    }

    /// Puts a job that failed back in the queue, due again after a backoff (30 s, doubling, at most
    /// an hour); a message the relay refused for good is not tried again.
    private func fail(_ job: Job, _ error: any Error, now: Date, pass: inout Pass) async throws {
        let delay = min(3600, 30 * pow(2, Double(max(0, job.attempts - 1))))
        let refused = (error as? WorkflowError)?.code == .mailRefused
        if job.kind == .email, refused || job.attempts >= job.maximumAttempts {
            // The sender must hear of it before the job is given up: a crash in between tries
            // the message again (and may tell twice), never silently drops it.
            do {
                try await engine.recordUndeliverable(job, reason: "\(error)", refused: refused)
            } catch {
                pass.failed.append("recording the undelivered e-mail of \(job.envelope): \(error)")
            }
        }
        try await engine.store.failJob(id: job.id, error: "\(error)", retryAt: refused ? nil : now.addingTimeInterval(delay))
        pass.failed.append("\(job.kind.rawValue) \(job.id) (\(job.envelope)): \(error)")
        if job.kind == .completion {
            // The sender must hear of it: the envelope would otherwise wait in `sent` with its
            // reason in a server log only. (Recording it may fail too; the job's own retry stands.)
            do {
                try await engine.recordCompletionFailure(job, reason: "\(error)", retryAt: job.attempts >= job.maximumAttempts ? nil : now.addingTimeInterval(delay))
            } catch {
                pass.failed.append("recording the failed completion of \(job.envelope): \(error)")
            }
        }
    }

    func run(_ job: Job) async throws {
        switch job.kind {
        case .email:
            guard let smtp else { return }
            if let (_, error) = await deliver([job], smtp: smtp).first { throw error }
        case .completion:
            // A committed completion finished its job in the same transaction; only a run that
            // found nothing to do (completed by another worker, voided) finishes it here.
            if try await !engine.complete(account: job.account, envelope: job.envelope, job: job.id) {
                try await finishIfPending(job)
            }
        case .reminder:
            try await engine.runReminder(job)
        case .expiry:
            try await engine.runExpiry(job)
        case .purge:
            try await engine.runPurge(job)
        case .bulkSend:
            try await engine.runBulkSend(job)
        case .webhook:
            guard let webhooks else { return }
            if let (_, error) = await engine.runWebhooks([job], transport: webhooks).first { throw error }
        }
    }

    /// A job whose work found nothing to do (already completed, voided…) is finished.
    func finishIfPending(_ job: Job) async throws {
        let current = try await engine.store.jobs(account: job.account, kind: job.kind, envelope: job.envelope)
        if current.first(where: { $0.id == job.id })?.state == .pending { try await engine.store.finishJob(id: job.id) }
    }
}

extension WorkflowEngine {
    /// Reminds the waiting recipients and schedules the next reminder, up to the policy's maximum.
    func runReminder(_ job: Job) async throws {
        try await change(account: job.account, envelope: job.envelope) { envelope, transition, now throws(WorkflowError) in
            transition.finishedJobs = [job.id]
            guard envelope.state == .sent, !envelope.completionQueued, envelope.reminders.sent < envelope.reminders.maximum else { return }
            // A worker that runs late finds the reminder and the expiry both due: a reminder of a
            // link that has run out is not sent (the expiry job ends the envelope).
            if let expiresAt = envelope.expiresAt, now >= expiresAt { return }
            try remindWaiting(&envelope, &transition, actor: .system, now: now)
            envelope.reminders.sent += 1
            if envelope.reminders.sent < envelope.reminders.maximum {
                transition.jobs.append(self.job(.reminder, envelope, at: now.addingTimeInterval(envelope.reminders.interval)))
            }
        }
    }

    /// Records on the envelope that its completion failed (`envelope.completion_failed`: the
    /// attempt, the reason, and when it is tried again, or that it is not), so the sender, the
    /// console and webhook receivers see it. Nothing when the envelope is no longer waiting.
    func recordCompletionFailure(_ job: Job, reason: String, retryAt: Date?) async throws {
        _ = try await change(account: job.account, envelope: job.envelope) { envelope, transition, now throws(WorkflowError) in
            guard envelope.state == .sent, envelope.completionQueued else { return }
            var data = ["attempt": String(job.attempts), "attempts": String(job.maximumAttempts)]
            data["retryAt"] = retryAt.map(EventTime.iso) ?? "never: the attempts are used up; void the envelope and send it again once the cause is fixed"
            // The reason can quote what the documents hold (a name too long for its place): it is
            // personal data, purged with the envelope's, its hash kept in the chain.
            transition.record("envelope.completion_failed", .system, data: data, personal: ["error": String(reason.prefix(1000))])
        }
    }

    /// Records on the envelope that an e-mail to its recipients was given up
    /// (`recipient.email_failed`, one event for each recipient it was addressed to: the message's
    /// id, whether the relay refused it for good or the attempts ran out; the address, subject and
    /// reply are personal data), so the sender, the console and webhook receivers see it and can
    /// correct the address. Nothing for an e-mail that is not an envelope's or names no recipient.
    func recordUndeliverable(_ job: Job, reason: String, refused: Bool) async throws {
        guard !job.envelope.isEmpty, let message = try? JSONDecoder().decode(MailMessage.self, from: job.payload) else { return }
        let addressed = Set(message.to.map { $0.lowercased() })
        _ = try await change(account: job.account, envelope: job.envelope) { envelope, transition, _ throws(WorkflowError) in
            guard envelope.retention.purgedAt == nil else { return }
            for recipient in envelope.recipients where addressed.contains(recipient.email.lowercased()) {
                let data = ["recipient": recipient.id, "message": message.messageID, "attempts": String(job.attempts),
                            "cause": refused ? "refused" : "attemptsUsedUp"]
                transition.record("recipient.email_failed", .system, data: data,
                                  personal: ["email": recipient.email, "subject": message.subject, "error": String(reason.prefix(1000))])
            }
        }
    }

    /// Expires a sent envelope whose time ran out.
    func runExpiry(_ job: Job) async throws {
        try await change(account: job.account, envelope: job.envelope) { envelope, transition, now throws(WorkflowError) in
            transition.finishedJobs = [job.id]
            guard envelope.state == .sent, !envelope.completionQueued, let expiresAt = envelope.expiresAt else { return }
            guard now >= expiresAt else {
                transition.jobs.append(self.job(.expiry, envelope, at: expiresAt))
                return
            }
            try Routing.move(&envelope, to: .expired)
            finish(&envelope, &transition, reason: "expired", now: now)
            transition.record("envelope.expired", .system, data: ["expiresAt": EventTime.iso(expiresAt)])
        }
    }

    /// Purges an envelope whose retention has passed and that is not held: its personal data is
    /// deleted, and its documents unless another envelope holds the same bytes; a tombstone
    /// event keeps the hashes, so the chain verifies.
    func runPurge(_ job: Job) async throws {
        guard let read = try await store.envelope(account: job.account, id: job.envelope) else { return }
        let now = clock.now()
        if read.retention.legalHold || read.retention.purgedAt != nil || (read.retention.retainUntil.map { now < $0 } ?? true) {
            var transition = Transition()
            transition.finishedJobs = [job.id]
            if read.retention.legalHold, let until = read.retention.retainUntil, read.retention.purgedAt == nil {
                // Held: look again in 30 days.
                transition.jobs.append(self.job(.purge, read, at: max(until, now).addingTimeInterval(30 * 86_400)))
            }
            try await commitAndWakeWorkers(StoreChange(account: job.account, jobs: transition.jobs, finishedJobs: transition.finishedJobs))
            return
        }
        let hashes = read.heldDocuments
        try await change(account: job.account, envelope: job.envelope) { envelope, transition, now throws(WorkflowError) in
            transition.finishedJobs = [job.id]
            transition.purgePersonalData = true
            envelope.retention.purgedAt = now
            envelope.data = [:]
            envelope.subject = "(purged)"
            envelope.message = nil
            for index in envelope.documents.indices { envelope.documents[index].purged = true }
            for index in envelope.recipients.indices {
                envelope.recipients[index].name = "(purged)"
                envelope.recipients[index].email = "purged@invalid.invalid"
                envelope.recipients[index].mark = nil
                envelope.recipients[index].lastIP = nil
                envelope.recipients[index].lastUserAgent = nil
                envelope.recipients[index].declineReason = nil
                for field in envelope.recipients[index].fields.indices { envelope.recipients[index].fields[field].value = nil }
            }
            transition.record("envelope.purged", .system, data: ["documents": hashes.joined(separator: " "),
                                                                  "retainUntil": envelope.retention.retainUntil.map(EventTime.iso) ?? ""])
        }
        // Only this envelope's hold ends: a copy another envelope holds (the same upload, a
        // contract sent again, an envelope on legal hold) stays.
        let holder = DocumentHolder(account: job.account, envelope: job.envelope)
        for hash in Set(hashes) { try await store.documents.release(hash, heldBy: holder) }
    }
}
