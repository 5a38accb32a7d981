import Foundation
import Testing
@testable import Workflow

/// The doorbell idle workers wait on: a ring wakes them, a ring during their pass is not lost,
/// the wait ends at its timeout or on cancellation, and the engine rings when it queues work
/// due now — and only then. Waits here are an hour long unless the test is about the timeout,
/// so a wake-up that does not happen fails by the time limit instead of passing late.
@Suite struct JobDoorbellTests {
    @Test(.timeLimit(.minutes(2))) func aRingWakesEveryWaiter() async throws {
        let bell = JobDoorbell()
        let seen = bell.rings
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { await bell.wait(after: seen, upTo: .seconds(3600)) } }
            // Rings until every waiter has returned: one may not be waiting yet when a ring comes,
            // and then the changed count lets it through at once.
            group.addTask {
                while !Task.isCancelled {
                    bell.ring()
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
            for _ in 0..<3 { try await group.next() }
            group.cancelAll()
        }
        #expect(bell.rings > seen)
    }

    @Test(.timeLimit(.minutes(2))) func aRingDuringThePassIsNotLost() async {
        let bell = JobDoorbell()
        let seen = bell.rings
        bell.ring()  // while the loop was busy with its pass
        await bell.wait(after: seen, upTo: .seconds(3600))
    }

    @Test(.timeLimit(.minutes(2))) func theWaitEndsAtItsTimeoutOrWhenCancelled() async {
        let bell = JobDoorbell()
        await bell.wait(after: bell.rings, upTo: .milliseconds(20))
        let waiting = Task { await bell.wait(after: bell.rings, upTo: .seconds(3600)) }
        try? await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        await waiting.value
        // Cancelled before it began: it does not wait at all.
        let cancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await bell.wait(after: bell.rings, upTo: .seconds(3600))
        }
        await cancelled.value
    }

    /// No time limit: it makes and completes an envelope, which on a loaded machine takes minutes.
    @Test func theEngineRingsWhenItQueuesWorkDueNow() async throws {
        let fixture = try await WorkflowFixture.make()
        let bell = fixture.engine.jobsDue
        let created = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        var before = bell.rings
        // Sending queues the first signer's e-mail, due now.
        _ = try await fixture.engine.send(fixture.agent, envelope: created.id)
        #expect(bell.rings > before)
        try await fixture.signAll("gabriel.cote@crescentcapital.ca", name: "Gabriel Côté")
        before = bell.rings
        try await fixture.signAll("jamie.chen@northbeam.example", name: "Jamie Chen")
        #expect(bell.rings > before, "the last signature queues the completion")
        // A worker pass that finds nothing due commits nothing and rings nothing.
        let pass = try await WorkflowWorker(engine: fixture.engine, smtp: nil).runDue()
        #expect(pass.ran[.completion] == 1)
        before = bell.rings
        let idle = try await WorkflowWorker(engine: fixture.engine, smtp: nil).runDue()
        #expect(idle.ran[.completion] == nil && bell.rings == before)
    }
}
