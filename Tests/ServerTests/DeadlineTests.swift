import Foundation
import HTTPTypes
@testable import Server
import Testing

/// Answers during a store outage: the readiness probe's deadline holds even when the work it
/// waits on ignores being cancelled, as a query waiting for a connection during a database
/// restart does; a 503 says when to come back.
@Suite struct DeadlineTests {
    @Test func aServiceUnavailableAnswerSaysWhenToRetry() {
        let (problem, headers) = Problem.from(ServiceError(.unavailable, "the store failed"), instance: "/v1/envelopes", requestID: nil)
        let response = ProblemResponse.response(problem, headers: headers)
        #expect(response.status.code == 503 && response.headers[.retryAfter] == "5")
    }

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
