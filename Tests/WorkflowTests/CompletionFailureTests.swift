import Foundation
import Testing
import TestSupport
import Workflow

/// A completion that cannot succeed must be heard of: each failed attempt is an
/// `envelope.completion_failed` event (and webhook) with the reason and the next try, and the
/// last one says there is none.
@Suite struct CompletionFailureTests {
    @Test func eachFailedAttemptIsAnEventAndTheLastSaysNoRetry() async throws {
        let fixture = try await WorkflowFixture.make()
        let pdf = UploadFixtures.pdf([UploadFixtures.Page(texts: [.init(string: "Order form", x: 72, y: 700)])])
        let request = UploadPlacementTests.request([], pdf: pdf)
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, request)
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        let token = try await fixture.token(for: "c@example.com")
        let context = RequestContext(ip: "203.0.113.9", userAgent: "Failure test")
        let view = try await fixture.engine.open(token: token, context: context)
        try await fixture.engine.consent(token: token, disclosureVersion: view.disclosureVersion,
                                         disclosureSHA256: fixture.engine.configuration.disclosure.sha256, context: context)
        try await fixture.engine.adopt(token: token, mark: .typed("Casey Customer"), context: context)
        try await fixture.engine.sign(token: token, context: context)
        // The document as sent is lost from the store (a disk restored without it): every
        // completion attempt fails the same way.
        let files = fixture.store.files
        try FileManager.default.removeItem(at: try files.url(for: try #require(envelope.documents.first?.sentSHA256)))

        let worker = WorkflowWorker(engine: fixture.engine, smtp: nil)
        var failures: [WorkflowEvent] = []
        for attempt in 1...8 {
            let pass = try await worker.runDue()
            #expect(pass.failed.contains { $0.hasPrefix("completion ") }, "attempt \(attempt): \(pass.failed)")
            failures = try await fixture.engine.events(fixture.agent, envelope: envelope.id).filter { $0.type == "envelope.completion_failed" }
            #expect(failures.count == attempt)
            fixture.clock.advance(by: 3_601)
        }
        let first = try #require(failures.first), last = try #require(failures.last)
        #expect(first.data["attempt"] == "1" && first.data["attempts"] == "8" && first.data["retryAt"]?.hasPrefix("20") == true, "\(first.data)")
        #expect(first.data["error"] == nil && first.personal?["error"]?.isEmpty == false, "the reason is personal data: \(first.data)")
        #expect(last.data["attempt"] == "8" && last.data["retryAt"]?.hasPrefix("never") == true, "\(last.data)")
        // Nothing more is tried, and the envelope still waits, saying why.
        #expect(try await worker.runDue().failed.isEmpty)
        let after = try await fixture.engine.envelope(fixture.agent, id: envelope.id)
        #expect(after.state == .sent && after.completionQueued)
        #expect(WebhookEventTypes.delivered("envelope.completion_failed"))
    }
}
