import Foundation

extension WorkflowEngine {
    /// Attempts the deliveries of claimed webhook jobs: each signed with its endpoint's current
    /// secrets and POSTed (at most `concurrentAttempts` at once), its attempt logged, and the
    /// delivery finished, scheduled again (exponential backoff with jitter) or given up when its
    /// retry window has passed. The results of one account's jobs are committed in one
    /// transaction; if that conflicts (another worker finished one of the jobs), each job's result
    /// is committed on its own. Safe to run again after a crash (at-least-once).
    ///
    /// Returns the jobs whose result could not be stored, with the error (the worker retries them).
    func runWebhooks(_ jobs: [Job], transport: any WebhookTransport) async -> [(job: Job, error: any Error)] {
        var accounts: [String] = []
        var byAccount: [String: [Job]] = [:]
        for job in jobs {
            if byAccount[job.account] == nil { accounts.append(job.account) }
            byAccount[job.account, default: []].append(job)
        }
        var failures: [(job: Job, error: any Error)] = []
        for account in accounts {
            let group = byAccount[account] ?? []
            do {
                failures += try await runWebhooks(group, account: account, transport: transport)
            } catch {
                failures += group.map { ($0, error) }
            }
        }
        return failures
    }

    /// How many attempts one worker makes at once.
    static let concurrentAttempts = 8

    private func runWebhooks(_ jobs: [Job], account: String, transport: any WebhookTransport) async throws
        -> [(job: Job, error: any Error)] {
        let found = try await store.webhookDeliveriesAndEndpoints(account: account, ids: jobs.map(Self.deliveryID))
        var failures: [(job: Job, error: any Error)] = []
        var attempts: [(job: Job, request: WebhookRequest, at: Date)] = []
        for job in jobs {
            guard let target = found[Self.deliveryID(job)], target.delivery.state == .pending,
                  let endpoint = target.endpoint, endpoint.enabled else { continue }
            do {
                let now = clock.now()
                attempts.append((job, try request(target.delivery, to: endpoint, at: now), now))
            } catch {
                failures.append((job, error))
            }
        }
        var responses: [String: (response: WebhookResponse, at: Date)] = [:]
        for start in stride(from: 0, to: attempts.count, by: Self.concurrentAttempts) {
            let chunk = attempts[start..<min(attempts.count, start + Self.concurrentAttempts)]
            await withTaskGroup(of: (String, WebhookResponse, Date).self) { group in
                for (job, request, at) in chunk {
                    group.addTask { (job.id, await transport.send(request), at) }
                }
                for await (id, response, at) in group { responses[id] = (response, at) }
            }
        }
        var results: [(job: Job, change: StoreChange, failingEndpoint: WebhookEndpoint?)] = []
        for job in jobs where !failures.contains(where: { $0.job.id == job.id }) {
            let result = outcome(of: job, found[Self.deliveryID(job)], responses[job.id])
            results.append((job, result.change, result.failingEndpoint))
        }
        guard let first = results.first else { return failures }
        do {
            try await commitAndWakeWorkers(results.dropFirst().reduce(into: first.change) { merged, next in
                merged.jobs += next.change.jobs
                merged.finishedJobs += next.change.finishedJobs
                merged.webhookDeliveries += next.change.webhookDeliveries
                merged.webhookAttempts += next.change.webhookAttempts
            })
        } catch let error as WorkflowError where error.code == .conflict && results.count > 1 {
            for result in results {
                do { try await commitAndWakeWorkers(result.change) } catch { failures.append((result.job, error)) }
            }
        }
        var checked: Set<String> = []
        for result in results {
            guard let endpoint = result.failingEndpoint, checked.insert(endpoint.id).inserted,
                  !failures.contains(where: { $0.job.id == result.job.id }) else { continue }
            do { try await disableIfOnlyFailing(endpoint, now: clock.now()) } catch { failures.append((result.job, error)) }
        }
        return failures
    }

    static func deliveryID(_ job: Job) -> String { String(decoding: job.payload, as: UTF8.self) }

    /// The request of one attempt, signed with the endpoint's secrets valid at `now`.
    private func request(_ delivery: WebhookDelivery, to endpoint: WebhookEndpoint, at now: Date) throws -> WebhookRequest {
        let body = Array(delivery.payload)
        let headers = try WebhookSignature.headers(id: delivery.message, timestamp: Int(now.timeIntervalSince1970), body: body,
                                                   secrets: endpoint.signingSecrets(at: now).map(\.value))
        return WebhookRequest(url: endpoint.url, headers: [
            ("content-type", "application/json"), ("user-agent", "Countersign-Webhooks/1"),
        ] + headers, body: body)
    }

    /// What one job's attempt (or the lack of one) changes: the job finished, the delivery and
    /// its attempt logged, its next attempt queued; and the endpoint, when the attempt failed.
    private func outcome(of job: Job, _ target: (delivery: WebhookDelivery, endpoint: WebhookEndpoint?)?,
                         _ sent: (response: WebhookResponse, at: Date)?) -> (change: StoreChange, failingEndpoint: WebhookEndpoint?) {
        guard let target, target.delivery.state == .pending else {
            return (StoreChange(account: job.account, finishedJobs: [job.id]), nil)
        }
        var delivery = target.delivery
        guard let endpoint = target.endpoint, endpoint.enabled, let (response, now) = sent else {
            delivery.state = .failed
            delivery.nextAttemptAt = nil
            delivery.lastError = "endpoint \(delivery.endpoint) is disabled; enable it and replay the delivery"
            delivery.revision += 1
            return (StoreChange(account: job.account, finishedJobs: [job.id], webhookDeliveries: [delivery]), nil)
        }
        delivery.attempts += 1
        delivery.revision += 1
        let attempt = WebhookAttempt(account: job.account, delivery: delivery.id, endpoint: endpoint.id, number: delivery.attempts,
                                     at: now, status: response.status, durationMilliseconds: response.durationMilliseconds,
                                     responseExcerpt: response.excerpt,
                                     error: response.error ?? (response.status.map { (200..<300).contains($0) } == true
                                                               ? nil : "no answer"))
        var jobs: [Job] = []
        if attempt.succeeded {
            delivery.state = .delivered
            delivery.nextAttemptAt = nil
            delivery.lastError = nil
        } else {
            delivery.lastError = attempt.error
            let next = now.addingTimeInterval(configuration.webhooks.retryDelay(afterAttempt: delivery.attempts))
            if next > delivery.createdAt.addingTimeInterval(configuration.webhooks.retryWindow) {
                delivery.state = .failed
                delivery.nextAttemptAt = nil
            } else {
                delivery.nextAttemptAt = next
                jobs.append(webhookJob(delivery, at: next))
            }
        }
        let change = StoreChange(account: job.account, jobs: jobs, finishedJobs: [job.id], webhookDeliveries: [delivery],
                                 webhookAttempts: [attempt])
        return (change, attempt.succeeded ? nil : endpoint)
    }

    /// Disables an endpoint whose attempts have all failed for `autoDisableAfter`, with an event.
    func disableIfOnlyFailing(_ endpoint: WebhookEndpoint, now: Date) async throws {
        guard let since = try await store.webhookFailingSince(account: endpoint.account, endpoint: endpoint.id),
              now.timeIntervalSince(since) >= configuration.webhooks.autoDisableAfter else { return }
        let hours = Int(now.timeIntervalSince(since) / 3600)
        for attempt in 1...4 {
            do {
                _ = try await setEnabled(endpoint.account, endpoint.id, false,
                                         reason: "every attempt failed for \(hours) h (since \(EventTime.iso(since))); fix the receiver, enable the endpoint and replay what it missed",
                                         actor: .system)
                return
            } catch let error as WorkflowError where error.code == .conflict && attempt < 4 {
                continue
            }
        }
    }
}
