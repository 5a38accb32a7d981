import PostgresNIO
public import Workflow

/// `LISTEN`/`NOTIFY` for the job queue: migration 9's trigger notifies the channel when a job
/// due now is inserted, by any process, and a listening process rings its workers' doorbell.
extension PostgresWorkflowStore: QueuedJobNotifications {
    /// The channel the trigger notifies.
    static let queuedJobsChannel = "countersign_jobs_queued"

    /// Holds one pooled connection listening on the channel for as long as the task runs.
    public func listenForQueuedJobs(_ notify: @escaping @Sendable () -> Void) async throws {
        do {
            try await client.withConnection { connection in
                try await connection.listen(on: Self.queuedJobsChannel) { notifications in
                    for try await _ in notifications { notify() }
                }
            }
        } catch is CancellationError {
            return
        } catch {
            if Task.isCancelled { return }
            throw Self.mapped(error, what: "listening for queued jobs", place: configuration.place)
        }
    }
}
