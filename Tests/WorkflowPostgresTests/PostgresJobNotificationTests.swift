import Foundation
import Synchronization
import Testing
import Workflow
import WorkflowPostgres

/// LISTEN/NOTIFY for the job queue, between two stores on one database as between two
/// processes: a job due now committed through one wakes a listener on the other; a job due
/// later does not; the engine's relay turns notifications into rings of its doorbell.
@Suite(.postgresCluster, .timeLimit(.minutes(5))) struct PostgresJobNotificationTests {
    static let now = Date()

    static func account(_ store: PostgresWorkflowStore) async throws {
        try await store.createAccount(Account(id: "acme", name: "Acme", createdAt: now), firstKey: APIKeyRecord(
            id: "key_1", account: "acme", role: .admin, name: "k", secretHash: String(repeating: "b", count: 64), createdAt: now))
    }

    @Test func aJobDueNowCommittedElsewhereWakesTheListener() async throws {
        let database = try PostgresCluster.newDatabase()
        let notifications = Count()
        try await PostgresCluster.withStore(database: database) { listening in
            try await Self.account(listening)
            let listener = Task { try await listening.listenForQueuedJobs { notifications.add() } }
            defer { listener.cancel() }
            try await PostgresCluster.withStore(database: database) { other in
                // The listener may not be listening yet: commit due jobs until one is heard.
                var sent = 0
                while notifications.value == 0 {
                    sent += 1
                    try await other.commit(StoreChange(account: "acme", jobs: [
                        Job(id: "job_start_\(sent)", account: "acme", kind: .email, envelope: "", runAt: Self.now),
                    ]))
                    try await Task.sleep(for: .milliseconds(50))
                }
                try await Task.sleep(for: .milliseconds(300))
                let listening = notifications.value
                // A job due in an hour (a reminder) notifies nobody.
                try await other.commit(StoreChange(account: "acme", jobs: [
                    Job(id: "job_later", account: "acme", kind: .reminder, envelope: "", runAt: Self.now.addingTimeInterval(3600)),
                ]))
                try await Task.sleep(for: .milliseconds(300))
                #expect(notifications.value == listening, "a job due later woke the listener")
                // Two due jobs in one transaction: one notification.
                try await other.commit(StoreChange(account: "acme", jobs: [
                    Job(id: "job_due_a", account: "acme", kind: .email, envelope: "", runAt: Self.now),
                    Job(id: "job_due_b", account: "acme", kind: .completion, envelope: "", runAt: Self.now),
                ]))
                while notifications.value == listening { try await Task.sleep(for: .milliseconds(20)) }
                try await Task.sleep(for: .milliseconds(300))
                #expect(notifications.value == listening + 1)
            }
            listener.cancel()
            try await listener.value  // a cancelled listener returns instead of throwing
        }
    }

    @Test func theEngineRelaysNotificationsToItsDoorbell() async throws {
        let database = try PostgresCluster.newDatabase()
        try await PostgresCluster.withStore(database: database) { listening in
            try await Self.account(listening)
            let engine = WorkflowEngine(store: listening, configuration: WorkflowConfiguration(
                signingURL: "https://sign.example.test/s/", sender: "contracts@example.test", organisation: "Example"))
            let relay = Task { await engine.relayQueuedJobNotifications() }
            defer { relay.cancel() }
            let seen = engine.jobsDue.rings
            try await PostgresCluster.withStore(database: database) { other in
                var sent = 0
                while engine.jobsDue.rings == seen {
                    sent += 1
                    try await other.commit(StoreChange(account: "acme", jobs: [
                        Job(id: "job_\(sent)", account: "acme", kind: .completion, envelope: "", runAt: Self.now),
                    ]))
                    // Waits on the doorbell as a worker loop does: a ring ends the wait early.
                    await engine.jobsDue.wait(after: seen, upTo: .milliseconds(200))
                }
            }
            relay.cancel()
            await relay.value
        }
    }
}

/// A count shared with a listener's callback.
private final class Count: Sendable {
    private let atomic = Atomic<Int>(0)
    var value: Int { atomic.load(ordering: .relaxed) }
    func add() { atomic.add(1, ordering: .relaxed) }
}
