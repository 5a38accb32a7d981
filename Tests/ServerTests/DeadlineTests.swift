import Foundation
import HTTPTypes
@testable import Server
import Synchronization
import Testing
import TestSupport

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
        // Finished only after the answer: the work ignores cancellation and takes 6 s, the
        // deadline is 0.2 s. (Not a timing assertion: the order of the two events is the point.)
        final class Flag: Sendable { let value = Mutex(false) }
        let finished = Flag()
        let ready = await Deadline.succeeds(within: .milliseconds(200)) {
            for _ in 0..<3 { try? await Task.sleep(for: .seconds(2)) }   // deaf to cancellation
            finished.value.withLock { $0 = true }
        }
        #expect(!ready)
        #expect(!finished.value.withLock { $0 }, "answered at the deadline, not when the work ended")
        #expect(await Deadline.succeeds(within: .seconds(5)) {})
        #expect(await !Deadline.succeeds(within: .seconds(5)) { throw CancellationError() })
    }

    /// A session key file that is not there may be made; one that cannot be read must not be
    /// replaced (every node shares it); a short one is named with its length.
    @Test func aSessionKeyFileProblemSaysWhichAndWhatToDo() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let short = directory.appendingPathComponent("short.key")
        try Data(repeating: 7, count: 12).write(to: short)
        for (file, says) in [(directory.appendingPathComponent("absent.key").path, "does not exist; make it once"),
                             (directory.path, "cannot be read by this process"),
                             (short.path, "holds 12 bytes; a session key needs at least 32")] {
            var configuration = ServerConfiguration()
            configuration.pages.sessionKeyFile = file
            #expect { _ = try configuration.webPages() } throws: { ($0 as? ServiceError)?.reason.contains(says) == true }
        }
    }
}
