import Foundation
import HTTPTypes
@testable import Server
import Synchronization
import Testing
import TestSupport
import Workflow

/// Answers during a store outage: the readiness probe's deadline holds even when the work it
/// waits on ignores being cancelled, as a query waiting for a connection during a database
/// restart does; a 503 says when to come back.
@Suite struct DeadlineTests {
    @Test func aServiceUnavailableAnswerSaysWhenToRetry() {
        let (problem, headers) = Problem.from(ServiceError(.unavailable, "the store failed"), instance: "/v1/envelopes", requestID: nil)
        let response = ProblemResponse.response(problem, headers: headers)
        #expect(response.status.code == 503 && response.headers[.retryAfter] == "5")
    }

    /// Work that cannot finish until the test lets it, and does not hear cancellation.
    final class Gate: Sendable {
        private let state = Mutex<(open: Bool, waiting: CheckedContinuation<Void, Never>?)>((false, nil))
        func wait() async {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.open { return true }
                    state.waiting = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        func open() { state.withLock { state in state.open = true; return state.waiting.take() }?.resume() }
    }

    @Test(.timeLimit(.minutes(10))) func aProbeThatOverrunsIsNotReadyAtTheDeadline() async {
        // The work cannot end before the answer (the gate opens after it), however late a
        // loaded machine runs the deadline's timer: the order is the point, not the time.
        let gate = Gate()
        let ready = await Deadline.succeeds(within: .milliseconds(200)) { await gate.wait() }
        gate.open()
        #expect(!ready)
        #expect(await Deadline.succeeds(within: .seconds(5)) {})
        #expect(await !Deadline.succeeds(within: .seconds(5)) { throw CancellationError() })
    }

    /// A session key file that is not there may be made; one that cannot be read must not be
    /// replaced (every node shares it); a short one is named with its length.
    @Test func aSessionKeyFileProblemSaysWhichAndWhatToDo() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let short = directory.appendingPathComponent("short.key")
        try Data((0..<12).map { UInt8($0) }).write(to: short)
        let large = directory.appendingPathComponent("large.key")
        try Data(count: 5000).write(to: large)
        let zeros = directory.appendingPathComponent("zeros.key")
        try Data(count: 32).write(to: zeros)
        for (file, says) in [(directory.appendingPathComponent("absent.key").path, "does not exist; make it once"),
                             (directory.path, "is not a regular file (a directory, a device or a pipe)"),
                             ("/dev/zero", "is not a regular file"),
                             (large.path, "is larger than 4 KB, so it is not a session key file"),
                             (zeros.path, "holds one byte repeated, not a random key"),
                             (short.path, "holds 12 bytes; a session key needs at least 32")] {
            var configuration = ServerConfiguration()
            configuration.pages.sessionKeyFile = file
            #expect { _ = try configuration.webPages() } throws: { ($0 as? ServiceError)?.reason.contains(says) == true }
        }
    }
}

/// What an integrator building its own signing screen needs of each field: the label, the limit,
/// the pattern and where the field sits (docs/openapi.yaml, `Recipient.fields`).
@Suite struct FieldResourceTests {
    @Test func aRecipientsFieldsCarryLabelLimitPatternAndPlacement() throws {
        var recipient = Recipient(id: "rcp_1", name: "Casey", email: "casey@example.com", role: .signer, routingOrder: 1)
        recipient.fields = [
            Field(name: "po_number", kind: .text, required: true, placement: FieldPlacement(document: "doc_1", page: 2, x: 72, y: 100,
                                                                                          width: 150, height: 20),
                  maxLength: 12, pattern: "PO-[0-9]{4}"),
            Field(name: "terms", kind: .checkbox, required: true, label: "I accept the terms"),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = try #require(try JSONSerialization.jsonObject(with: encoder.encode(EnvelopeResource.recipient(recipient))) as? [String: Any])
        let fields = try #require(json["fields"] as? [[String: Any]])
        #expect(fields[0]["label"] as? String == "Po Number" && fields[0]["maxLength"] as? Int == 12 && fields[0]["pattern"] as? String == "PO-[0-9]{4}")
        let placement = try #require(fields[0]["placement"] as? [String: Any])
        #expect(placement["document"] as? String == "doc_1" && placement["page"] as? Int == 2 && placement["width"] as? Double == 150)
        #expect(fields[1]["label"] as? String == "I accept the terms" && fields[1]["maxLength"] == nil && fields[1]["placement"] == nil)
    }
}
