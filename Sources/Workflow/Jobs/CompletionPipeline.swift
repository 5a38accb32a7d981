import Foundation

/// How one worker runs its completion jobs: one seal at a time, as before, but with the waits
/// around each seal overlapped. A completion is three steps — its reads (the envelope, events,
/// document as sent and template), its seal (CPU: draw, certify, sign, verify, store) and its
/// commit. While job N seals, job N + 1's reads run (claiming the next batch of completion jobs
/// first when this one is used up) and job N − 1's commit lands. Commits stay in claim order and
/// never overlap each other, and only one seal runs at a time, so a worker still uses one
/// sealer and at most one core; what it no longer does is sit idle on database round trips.
///
/// Safety is that of `WorkflowEngine.complete`: a commit names the revision its reads found, so
/// an envelope changed between its early read and its commit is not completed from the stale
/// read (the commit fails, the job goes back to the queue, and its next run reads afresh). A
/// job for the envelope whose commit is still landing is read only after that commit.
struct CompletionPipeline {
    let worker: WorkflowWorker

    private struct Claimed: Sendable {
        let job: Job
        let claimedAt: Date
    }

    private typealias Prepared = WorkflowEngine.PreparedCompletion

    /// The job after the current one: its reads (nil: not read yet, because a commit for its
    /// envelope was in flight) and the rest of its batch.
    private struct Ahead: Sendable {
        let item: Claimed
        let prepared: Result<Prepared?, any Error>?
        let rest: [Claimed]
    }

    /// Runs `jobs` (completion jobs claimed at `claimedAt`), then further completion jobs it
    /// claims itself while fewer than `budget` have run in all. Failures go back to the queue
    /// (`fail`); returns how many jobs were run, failed ones included.
    func run(_ jobs: [Job], claimedAt: Date, budget: Int,
             fail: (Job, any Error, Date) async throws -> Void, ran: (Job) -> Void) async throws -> Int {
        let engine = worker.engine
        var started = 0
        var committing: (item: Claimed, task: Task<Void, any Error>)?
        var ahead: Task<Ahead?, any Error>?

        /// Waits for the commit in flight, if any, and records how it ended.
        func land() async throws {
            guard let commit = committing else { return }
            committing = nil
            switch await commit.task.result {
            case .success: ran(commit.item.job)
            case .failure(let error): try await fail(commit.item.job, error, commit.item.claimedAt)
            }
        }

        /// Seals each job whose reads are ready while the next one is claimed and read and the
        /// last one commits.
        func drain() async throws {
            while let next = try await ahead?.value {
                ahead = nil
                started += 1
                let current = next.item
                var prepared = next.prepared
                if prepared == nil {
                    // Its envelope's commit was in flight when the reads would have begun.
                    try await land()
                    prepared = await Self.read(current.job, engine)
                }
                var avoid: Set<String> = [current.job.envelope]
                if let previous = committing { avoid.insert(previous.item.job.envelope) }
                ahead = look(after: next.rest, avoiding: avoid, claimLimit: budget - started)
                var sealed: (Prepared, WorkflowEngine.SealedCompletion)?
                var outcome: (any Error)?
                do {
                    if let completion = try prepared?.get() {
                        sealed = (completion, try await engine.sealCompletion(completion))
                    }
                } catch {
                    outcome = error
                }
                try await land()
                if let (completion, result) = sealed {
                    let job = current.job
                    committing = (current, Task { try await engine.commitCompletion(completion, result, job: job.id) })
                } else if let outcome {
                    try await fail(current.job, outcome, current.claimedAt)
                } else {
                    // Nothing to complete (completed by another worker, voided): the job is finished.
                    do {
                        try await worker.finishIfPending(current.job)
                        ran(current.job)
                    } catch {
                        try await fail(current.job, error, current.claimedAt)
                    }
                }
            }
            try await land()
        }

        do {
            ahead = look(after: jobs.map { Claimed(job: $0, claimedAt: claimedAt) }, avoiding: [], claimLimit: budget)
            try await drain()
        } catch {
            // A claim or a re-queue failed (the store is gone): what is in flight finishes
            // before the error goes up; jobs not run go back to the queue when their lease ends.
            if let previous = committing { _ = await previous.task.result }
            _ = await ahead?.result
            throw error
        }
        return started
    }

    /// Starts finding the next job: the first of `rest`, or of a new claim of up to
    /// `claimLimit` completion jobs when `rest` is empty, read at once unless its envelope is
    /// one of `avoiding` (the one sealing now and the one committing). Nil: none is due, the
    /// budget is spent, or the batch's lease ran out (the rest may be another worker's now).
    private func look(after rest: [Claimed], avoiding: Set<String>, claimLimit: Int) -> Task<Ahead?, any Error> {
        let worker = self.worker
        return Task {
            let engine = worker.engine
            var rest = rest
            if rest.isEmpty {
                guard claimLimit > 0 else { return nil }
                let now = engine.clock.now()
                rest = try await engine.store.claimJobs(now: now, limit: min(worker.claimBatch, claimLimit), lease: worker.lease,
                                                        worker: worker.name, kinds: [.completion])
                    .map { Claimed(job: $0, claimedAt: now) }
            }
            guard let item = rest.first, engine.clock.now() < item.claimedAt.addingTimeInterval(worker.lease) else { return nil }
            rest.removeFirst()
            guard !avoiding.contains(item.job.envelope) else { return Ahead(item: item, prepared: nil, rest: rest) }
            let prepared = await Self.read(item.job, engine)
            return Ahead(item: item, prepared: prepared, rest: rest)
        }
    }

    /// A completion job's reads, their failure kept as the job's.
    private static func read(_ job: Job, _ engine: WorkflowEngine) async -> Result<Prepared?, any Error> {
        do {
            return .success(try await engine.prepareCompletion(account: job.account, envelope: job.envelope))
        } catch {
            return .failure(error)
        }
    }
}
