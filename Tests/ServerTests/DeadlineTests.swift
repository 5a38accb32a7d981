import Foundation
@testable import Server
import Testing

/// The readiness probe's deadline answers in time even when the work it waits on ignores being
/// cancelled, as a query waiting for a connection during a database restart does.
@Suite struct DeadlineTests {
    @Test func aProbeThatOverrunsIsNotReadyAtTheDeadline() async {
        let start = ContinuousClock.now
        let ready = await Deadline.succeeds(within: .milliseconds(200)) {
            for _ in 0..<3 { try? await Task.sleep(for: .seconds(1)) }   // deaf to cancellation
        }
        #expect(!ready)
        #expect(ContinuousClock.now - start < .seconds(1), "answered at the deadline, not when the work ended")
        #expect(await Deadline.succeeds(within: .seconds(5)) {})
        #expect(await !Deadline.succeeds(within: .seconds(5)) { throw CancellationError() })
    }
}
