import Foundation
import HTTPTypes
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization
import UnixSignals
import WebhookHTTP
import WebPages
public import Workflow

/// What every route needs: the engine, the service's records and the configuration.
struct APIDependencies: Sendable {
    let engine: WorkflowEngine
    let records: any ServiceRecordStore
    let configuration: ServerConfiguration
    /// Signing links: `publicURL/s/` + token (the signing page).
    var signingPage: String {
        (configuration.publicURL.hasSuffix("/") ? String(configuration.publicURL.dropLast()) : configuration.publicURL) + "/s/"
    }
}

/// `countersign serve`: the HTTP API over one workflow engine and store (DESIGN.md §14),
/// optionally running the worker loop in the same process. Any number of servers and workers
/// may share one store.
///
/// ```swift
/// let server = try CountersignServer(configuration: configuration, engine: engine, records: store, logger: logger)
/// try await server.run()   // until SIGTERM/SIGINT or `shutdown()`; in-flight requests finish
/// ```
public final class CountersignServer: Sendable {
    public let configuration: ServerConfiguration
    public let engine: WorkflowEngine
    public let metrics: ServiceMetrics
    let records: any ServiceRecordStore
    let logger: Logger
    let smtp: (any MailTransport)?
    let webhooks: (any WebhookTransport)?
    let pages: WebPages<ServiceContext>?
    private let state = Mutex<(group: ServiceGroup?, port: Int?, shuttingDown: Bool)>((nil, nil, false))
    private let extraRoutes: @Sendable (Router<ServiceContext>) -> Void

    /// - Parameters:
    ///   - records: where idempotency records and embedded links are kept (the same store as the engine's).
    ///   - routes: more routes to mount (the signing pages), called once when the router is built.
    public init(configuration: ServerConfiguration, engine: WorkflowEngine, records: any ServiceRecordStore, logger: Logger,
                metrics: ServiceMetrics = ServiceMetrics(),
                routes: @escaping @Sendable (Router<ServiceContext>) -> Void = { _ in }) throws {
        self.configuration = configuration
        self.engine = engine
        self.records = records
        self.logger = logger
        self.metrics = metrics
        extraRoutes = routes
        smtp = try Self.mailTransport(configuration)
        webhooks = configuration.worker.webhooks ? HTTPWebhookTransport(policy: try configuration.webhookPolicy()) : nil
        pages = try configuration.pages.enabled ? WebPages<ServiceContext>(engine: engine, configuration: configuration.webPages()) : nil
    }

    /// Checks what the server would refuse in its configuration alone — the relay's form, the
    /// webhook allow list, the pages' session key and fonts, the TLS certificate and key — so
    /// that `serve` refuses a bad configuration before it makes anything (a home, its
    /// development CA) and `serve --check` finds the same problems.
    public static func preflight(_ configuration: ServerConfiguration) throws {
        _ = try mailTransport(configuration)
        if configuration.worker.webhooks { _ = try configuration.webhookPolicy() }
        if configuration.pages.enabled { _ = try configuration.webPages() }
        if let tls = configuration.tls { _ = try tlsConfiguration(tls) }
    }

    /// Where the worker's e-mail goes: a mail folder, a relay, or nowhere.
    static func mailTransport(_ configuration: ServerConfiguration) throws -> (any MailTransport)? {
        if let folder = configuration.worker.mailDirectory { return MailDirectory(directory: URL(fileURLWithPath: folder)) }
        return try configuration.worker.smtp.map { relay in
            do { return try SMTPClient(relay: relay) } catch let error as WorkflowError {
                throw ServiceError(.configuration, "worker.smtp: \(error.reason)")
            }
        }
    }

    /// The TLS settings from the configured certificate chain and key.
    static func tlsConfiguration(_ tls: ServerConfiguration.TLS) throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            return .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        } catch {
            throw ServiceError(.configuration, "cannot load the TLS certificate \(tls.certificate) and key \(tls.key): \(error)")
        }
    }

    /// The port the server listens on once running (useful with port 0).
    public var port: Int? { state.withLock { $0.port } }

    /// Builds the router: health, metrics, `/v1` with its middleware.
    func router() -> Router<ServiceContext> {
        let api = APIDependencies(engine: engine, records: records, configuration: configuration)
        // HEAD is answered wherever GET is, with GET's status and headers and no body (RFC 9110
        // §9.3.2): link checkers and proxies ask HEAD first. The routes that record an opening
        // do not record one for a HEAD (`WorkflowEngine.open` is not called).
        let router = Router(context: ServiceContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: RequestMiddleware(metrics: metrics))
        let engine = engine, metrics = metrics
        router.get("healthz") { _, _ in try HTTP.json(["status": "ok"]) }
        router.get("readyz") { [self] _, _ in
            guard !state.withLock({ $0.shuttingDown }), !Task.isShuttingDownGracefully else {
                throw ServiceError(.unavailable, "this node is shutting down")
            }
            // Within 3 s: during a database outage a read waits about a minute for a connection.
            guard await Deadline.succeeds(within: .seconds(3), { _ = try await engine.store.account(id: "readiness-probe") }) else {
                throw ServiceError(.unavailable, "the store is not reachable (or did not answer within 3 s); see the logs")
            }
            return try HTTP.json(["status": "ready"])
        }
        router.get("metrics") { _, _ in
            HTTP.bytes(metrics.render(), type: "text/plain; version=0.0.4; charset=utf-8")
        }
        let limiter = RateLimiter(quota: configuration.rateLimit.requests, window: configuration.rateLimit.window)
        let clock: @Sendable () -> Date = { engine.clock.now() }
        let abandonAfter = max(120, 2 * configuration.requestTimeout)
        let keyed = router.group("v1")
            .add(middleware: APIKeyMiddleware(engine: engine))
            .add(middleware: RateLimitMiddleware(limiter: limiter) { _, context in "key:" + (context.principal?.keyID ?? "-") })
            .add(middleware: IdempotencyMiddleware(records: records, maxBodyBytes: configuration.maxBodyBytes, clock: clock,
                                                   abandonAfter: abandonAfter) { _, context in
                // The key itself: an answer is replayed only to the key (and so the role) it was made for.
                context.principal.map { IdempotencyRecord.scope(account: $0.account, keyID: $0.keyID) }
            })
        LibraryRoutes(api: api).register(on: keyed)
        EnvelopeRoutes(api: api).register(on: keyed)
        BulkRoutes(api: api).register(on: keyed)
        WebhookRoutes(api: api).register(on: keyed)
        let signing = router.group("v1/signing")
            .add(middleware: RateLimitMiddleware(limiter: limiter) { _, context in
                "token:" + DigestHex.sha256(Array((context.parameters.get("token") ?? context.remoteIP ?? "-").utf8))
            })
            .add(middleware: IdempotencyMiddleware(records: records, maxBodyBytes: configuration.maxBodyBytes, clock: clock,
                                                   abandonAfter: abandonAfter) { request, _ in
                let segments = request.uri.path.split(separator: "/")
                return segments.count > 2 ? "token:" + DigestHex.sha256(Array(segments[2].utf8)) : nil
            })
        let embedded = router.group("v1/embedded")
            .add(middleware: RateLimitMiddleware(limiter: limiter) { _, context in "ip:" + (context.remoteIP ?? "-") })
        RecipientRoutes(api: api).register(on: signing, embedded: embedded)
        if let pages { router.addRoutes(pages.routes()) }
        extraRoutes(router)
        return router
    }

    /// The HTTP channel: plain HTTP/1.1, or TLS when configured; idle connections are closed
    /// after `requestTimeout` seconds, and so is one whose request head takes longer to arrive.
    func serverBuilder() throws -> HTTPServerBuilder {
        let timeout = TimeAmount.milliseconds(Int64(configuration.requestTimeout * 1000))
        let http = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: [RequestHeadDeadline(deadline: timeout)],
                                                                idleTimeout: timeout))
        guard let tls = configuration.tls else { return http }
        return try .tls(http, tlsConfiguration: Self.tlsConfiguration(tls))
    }

    /// What a person can act on when `run()` failed because the server could not listen (the
    /// port taken, an address not this machine's), or nil for any other failure.
    public static func listenFailure(_ error: any Error, host: String, port: Int) -> String? {
        guard let failure = error as? IOError else { return nil }
        return "cannot listen on \(host):\(port): \(String(cString: strerror(failure.errnoCode)))"
    }

    /// Runs until a graceful shutdown (SIGTERM or SIGINT when `signals`, or `shutdown()`): the
    /// listener closes, in-flight requests finish, the worker finishes the jobs it holds.
    public func run(signals: Bool = true, onRunning: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        var services: [any Service] = []
        if configuration.worker.enabled {
            let worker = WorkflowWorker(engine: engine, smtp: smtp, webhooks: webhooks, lease: configuration.worker.lease,
                                        claimBatch: WorkerService.claimBatch(concurrency: configuration.worker.concurrency))
            services.append(WorkerService(worker: worker, interval: configuration.worker.interval,
                                          concurrency: configuration.worker.concurrency, metrics: metrics, logger: logger))
        }
        let application = Application(
            router: router(), server: try serverBuilder(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "countersign"),
            services: services,
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? configuration.port
                state.withLock { $0.port = port }
                logger.info("listening", metadata: ["host": .string(configuration.host), "port": .stringConvertible(port),
                                                    "tls": .stringConvertible(configuration.tls != nil),
                                                    "worker": .stringConvertible(configuration.worker.enabled)])
                onRunning(port)
            },
            logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(services: [.init(service: application)], logger: logger)
        if signals { groupConfiguration.gracefulShutdownSignals = [UnixSignal.sigterm, UnixSignal.sigint] }
        groupConfiguration.maximumGracefulShutdownDuration = .milliseconds(Int64(configuration.shutdownGracePeriod * 1000))
        let group = ServiceGroup(configuration: groupConfiguration)
        let early = state.withLock { state -> Bool in
            state.group = group
            return state.shuttingDown
        }
        if early { return }
        try await withGracefulShutdownHandler {
            try await group.run()
        } onGracefulShutdown: { [self] in
            state.withLock { $0.shuttingDown = true }
        }
        logger.info("stopped")
    }

    /// Starts a graceful shutdown: `/readyz` answers 503, new connections are refused, in-flight
    /// requests finish, then `run()` returns.
    public func shutdown() async {
        let group = state.withLock { state -> ServiceGroup? in
            state.shuttingDown = true
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }
}

/// The worker loops as a service: `concurrency` loops, each running one batch of due jobs
/// at a time (the queue's leases keep their jobs apart, as between nodes); on shutdown each
/// finishes the batch it holds (so no claimed job waits for its lease to run out) and stops.
/// An idle loop polls every `interval` seconds, and wakes at once when this node's engine
/// queues work due now (`WorkflowEngine.jobsDue`) or, on PostgreSQL, when any process does.
struct WorkerService: Service {
    /// Jobs one loop claims at a time: 16 for a single loop (one claim per batch), 4 when there
    /// are more, so that a node holds few jobs another node could run.
    static func claimBatch(concurrency: Int) -> Int { concurrency > 1 ? 4 : 16 }
    let worker: WorkflowWorker
    let interval: Double
    let concurrency: Int
    let metrics: ServiceMetrics
    let logger: Logger

    func run() async throws {
        await withDiscardingTaskGroup { group in
            for _ in 0..<max(1, concurrency) { group.addTask { await loop() } }
            // Jobs other processes queue (PostgreSQL's NOTIFY) wake the loops too.
            group.addTask {
                await cancelWhenGracefulShutdown {
                    await worker.engine.relayQueuedJobNotifications { [logger] error in
                        logger.warning("not listening for queued jobs; polling meanwhile", metadata: ["error": .string(String(describing: error))])
                    }
                }
            }
        }
    }

    private func loop() async {
        let doorbell = worker.engine.jobsDue
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // Read before the pass: a job queued during it rings past this count, and the wait
            // below then returns at once.
            let seen = doorbell.rings
            do {
                let pass = try await worker.runDue(limit: worker.claimBatch)
                metrics.recordJobs(ran: Dictionary(uniqueKeysWithValues: pass.ran.map { ($0.key.rawValue, $0.value) }), failed: pass.failed.count)
                for failure in pass.failed { logger.warning("job failed", metadata: ["job": .string(failure)]) }
                if pass.total > 0 { continue }
            } catch {
                metrics.recordFailedPass()
                logger.error("worker pass failed", metadata: ["error": .string(String(describing: error))])
            }
            // Until this node queues work due now (the bell), or the next poll for work queued
            // elsewhere.
            await cancelWhenGracefulShutdown {
                await doorbell.wait(after: seen, upTo: .milliseconds(Int64(interval * 1000)))
            }
        }
    }
}
