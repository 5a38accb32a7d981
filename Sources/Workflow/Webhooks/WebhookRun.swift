import Foundation

extension WorkflowEngine {
    /// One attempt of a delivery: sign with the endpoint's current secrets, POST, log the attempt,
    /// and either finish the delivery, schedule its next attempt (exponential backoff with jitter)
    /// or give up when its retry window has passed. Safe to run again after a crash (at-least-once).
    func runWebhook(_ job: Job, transport: any WebhookTransport) async throws {
        let deliveryID = String(decoding: job.payload, as: UTF8.self)
        guard let found = try await store.webhookDeliveryAndEndpoint(account: job.account, id: deliveryID),
              found.delivery.state == .pending else {
            try await store.commit(StoreChange(account: job.account, finishedJobs: [job.id]))
            return
        }
        var delivery = found.delivery
        guard let endpoint = found.endpoint, endpoint.enabled else {
            delivery.state = .failed
            delivery.nextAttemptAt = nil
            delivery.lastError = "endpoint \(delivery.endpoint) is disabled; enable it and replay the delivery"
            delivery.revision += 1
            try await store.commit(StoreChange(account: job.account, finishedJobs: [job.id], webhookDeliveries: [delivery]))
            return
        }
        let now = clock.now()
        let timestamp = Int(now.timeIntervalSince1970)
        let body = Array(delivery.payload)
        let headers = try WebhookSignature.headers(id: delivery.message, timestamp: timestamp, body: body,
                                                   secrets: endpoint.signingSecrets(at: now).map(\.value))
        let response = await transport.send(WebhookRequest(url: endpoint.url, headers: [
            ("content-type", "application/json"), ("user-agent", "Countersign-Webhooks/1"),
        ] + headers, body: body))
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
        try await store.commit(StoreChange(account: job.account, jobs: jobs, finishedJobs: [job.id], webhookDeliveries: [delivery],
                                           webhookAttempts: [attempt]))
        if !attempt.succeeded { try await disableIfOnlyFailing(endpoint, now: now) }
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
