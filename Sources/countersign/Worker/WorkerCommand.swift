import ArgumentParser
import Countersign
import Foundation
import Synchronization

/// `countersign worker [--store URL] [--smtp HOST:PORT | --mail-dir DIR] [--webhooks [--webhook-allow CIDR]…] [--seal-p12 FILE …] [--tsa URL] [--once]`:
/// runs due jobs (e-mail, webhooks, reminders, expiry, completion, purges); without `--once` it keeps
/// polling, and on PostgreSQL wakes at once when any process queues a job due now. Any number of
/// workers may share one store; a worker without `--smtp` never takes e-mail
/// jobs, one without `--webhooks` never takes webhook deliveries.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "worker", abstract: "Run the workflow's due jobs.")
    @OptionGroup var options: WorkflowOptions
    @OptionGroup(title: "Organisation seal") var seal: SealOptions
    @Option(help: "The SMTP relay for the outbox (HOST:PORT); without it (or --mail-dir) e-mails stay queued.") var smtp: String?
    @Option(name: .customLong("mail-dir"),
            help: "For trying things out: write each e-mail into this folder as an .eml file instead of sending it.")
    var mailDirectory: String?
    @Flag(help: "Deliver webhooks (signed HTTP POSTs); without it they stay queued.") var webhooks = false
    @Option(name: .customLong("webhook-allow"),
            help: "A network (CIDR) webhooks may reach although it is internal (loopback, private…); repeatable.")
    var webhookAllow: [String] = []
    @Flag(help: "Run what is due now, then exit.") var once = false
    @Option(help: "Seconds between polls (on PostgreSQL a job queued due now wakes the worker at once).") var interval: Double = 5
    @Option(help: "Seconds a claimed job stays leased to this worker; if it dies, another worker takes the job after this.")
    var lease: Double = 300
    @Option(help: "This worker's name in the job leases (default: worker-HOST-PID).") var name: String?

    func validate() throws {
        if let smtp {
            do { _ = try SMTPClient(relay: smtp) } catch let error as WorkflowError { throw ValidationError("--smtp: \(error.reason)") }
        }
        if smtp != nil && mailDirectory != nil { throw ValidationError("give --smtp or --mail-dir, not both") }
        if interval <= 0 { throw ValidationError("--interval must be positive") }
        if lease < 1 { throw ValidationError("--lease must be at least 1 second") }
        if !webhookAllow.isEmpty && !webhooks { throw ValidationError("--webhook-allow needs --webhooks") }
        do {
            _ = try WebhookAddressPolicy(allowList: webhookAllow)
        } catch {
            throw ValidationError(error.reason)
        }
    }

    func run() throws {
        let sealSource = seal.seal()
        let home = try options.open(seal: sealSource)
        // Which certificate seals, on stderr at start: a worker that quietly fell back to the
        // development CA would otherwise be found out only by a relying party.
        if let configuration = home.engine.configuration.seal {
            printError("worker: " + OrganisationSeal.describe(configuration, development: sealSource.identity == nil))
        }
        // Reminders and resent invitations carry links made here: with the placeholder they
        // would reach no signing page, and nothing else would say so.
        if home.engine.configuration.signingURL == WorkflowHome.placeholderSigningURL {
            printError("worker: signing links in the e-mails this worker queues (reminders) point to the placeholder "
                       + "\(WorkflowHome.placeholderSigningURL); set COUNTERSIGN_PUBLIC_URL as for `serve` (or COUNTERSIGN_SIGNING_URL)")
        }
        let relay: (any MailTransport)? = try mailDirectory.map { MailDirectory(directory: URL(fileURLWithPath: $0)) }
            ?? smtp.map { try SMTPClient(relay: $0) }
        let transport = webhooks ? HTTPWebhookTransport(policy: try WebhookAddressPolicy(allowList: webhookAllow)) : nil
        let info = ProcessInfo.processInfo
        let worker = WorkflowWorker(engine: home.engine, smtp: relay, webhooks: transport, name: name ?? "worker-\(info.hostName)-\(info.processIdentifier)",
                                    lease: lease)
        let doorbell = home.engine.jobsDue
        // On PostgreSQL a job any process queues due now wakes this worker (LISTEN/NOTIFY); the
        // poll remains for stores that cannot notify and for a lost connection.
        let listener = once ? nil : Task { [engine = home.engine] in
            await engine.relayQueuedJobNotifications { error in printError("worker: not listening for queued jobs (polling meanwhile): \(error)") }
        }
        defer { listener?.cancel() }
        let pause = Duration.milliseconds(Int64(interval * 1000))
        // SIGTERM or SIGINT: the pass under way finishes (a seal is not cut off half-way), then
        // the worker exits 0; a second signal stops it at once. A job it claimed and did not run
        // returns to the queue when its lease ends, as after a crash.
        let stop = once ? nil : StopRequest()
        repeat {
            if let stop, stop.isRequested {
                printError("worker: stopped on request")
                return
            }
            let seen = doorbell.rings
            let pass = try options.run { try await worker.runDue() }
            // Polling: quiet passes print nothing, so the log holds only work done.
            if !once && pass.total == 0 && pass.failed.isEmpty {
                _ = try options.run { await doorbell.wait(after: seen, upTo: pause) }
                continue
            }
            let ran = pass.ran.sorted { $0.key.rawValue < $1.key.rawValue }
            options.output(CanonicalJSON.object([
                "ran": .object(Dictionary(uniqueKeysWithValues: ran.map { ($0.key.rawValue, CanonicalJSON.int($0.value)) })),
                "failed": .array(pass.failed.map { .string($0) }),
            ]).text, text: "ran \(pass.total) job(s)" + ran.filter { $0.value > 0 }.map { " \($0.key.rawValue)=\($0.value)" }.joined()
                + (pass.failed.isEmpty ? "" : "; \(pass.failed.count) failed and queued again"))
            // In text mode a failed job is a diagnostic, so it goes where errors go; with
            // `--json` it is part of the pass's report.
            if !options.json {
                for failure in pass.failed { printError("worker: job failed (queued again): \(failure)") }
            }
            fflush(nil)  // a log file sees each pass as it ends
            if once {
                // The failed jobs are queued again with a backoff; the pass itself did not do
                // its work (an SMTP relay that is down, a webhook that fails), so it says so.
                if !pass.failed.isEmpty { throw ExitCode(ExitStatus.ioError) }
                return
            }
            _ = try options.run { await doorbell.wait(after: seen, upTo: pause) }
        } while true
    }
}

/// A stop asked for by SIGTERM or SIGINT, read between passes; the second signal ends the
/// process at once (128 + its number).
final class StopRequest: @unchecked Sendable {
    private let requested = Atomic<Bool>(false)
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for number in [SIGINT, SIGTERM] {
            let previous = signal(number, SIG_IGN)
            guard unsafeBitCast(previous, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self) else { continue }
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                if requested.exchange(true, ordering: .sequentiallyConsistent) { _exit(128 + number) }
                FileHandle.standardError.write(Data("worker: stopping after the pass under way (signal again to stop at once)\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }

    var isRequested: Bool { requested.load(ordering: .sequentiallyConsistent) }
}
