public import Foundation
import Synchronization
public import Workflow
import WorkflowSQLite

/// A workflow in one folder: the store (by default SQLite in `store/`; or any store, such as a
/// shared PostgreSQL database) and the organisation seal: unless another is given, a
/// development CA (`dev-ca/`, made on first use).
public struct WorkflowHome: Sendable {
    public let directory: URL
    public let store: any WorkflowStore
    public let engine: WorkflowEngine
    /// The home's development CA certificate (`dev-ca/ca.pem`), whatever seal is in use.
    public let caCertificate: URL

    /// Opens (creating) the home on the embedded SQLite store in `directory/store`. `signingURL`
    /// prefixes signing links in e-mails.
    public init(directory: URL, clock: any WorkflowClock = SystemClock(),
                signingURL: String = WorkflowHome.defaultSigningURL,
                sender: String = ProcessInfo.processInfo.environment["COUNTERSIGN_MAIL_FROM"] ?? "contracts@countersign.invalid",
                organisation: String = "Countersign", seal: OrganisationSeal = .development,
                webhooks: WebhookConfiguration = WebhookConfiguration()) throws {
        try self.init(directory: directory, store: try SQLiteWorkflowStore(directory: Self.defaultStore(directory)), clock: clock,
                      signingURL: signingURL, sender: sender, organisation: organisation, seal: seal, webhooks: webhooks)
    }

    /// Opens (creating) the home on an already opened store.
    public init(directory: URL, store: any WorkflowStore, clock: any WorkflowClock = SystemClock(),
                signingURL: String = WorkflowHome.defaultSigningURL,
                sender: String = ProcessInfo.processInfo.environment["COUNTERSIGN_MAIL_FROM"] ?? "contracts@countersign.invalid",
                organisation: String = "Countersign", seal: OrganisationSeal = .development,
                webhooks: WebhookConfiguration = WebhookConfiguration()) throws {
        self.directory = directory
        self.store = store
        caCertificate = DevelopmentCAFiles(directory: directory.appendingPathComponent("dev-ca")).caCertificate
        engine = WorkflowEngine(store: store, clock: clock, configuration: WorkflowConfiguration(
            signingURL: signingURL, sender: sender, organisation: organisation,
            seal: try seal.configuration(home: directory), webhooks: webhooks))
    }

    /// Opens (creating) the home with its store at `location` (nil: SQLite in `directory/store`).
    /// `signingURL` prefixes signing links (default: `$COUNTERSIGN_SIGNING_URL`).
    public static func open(directory: URL, store location: WorkflowStoreLocation?, clock: any WorkflowClock = SystemClock(),
                            signingURL: String = WorkflowHome.defaultSigningURL, seal: OrganisationSeal = .development,
                            webhooks: WebhookConfiguration = WebhookConfiguration()) async throws -> WorkflowHome {
        let store = try await (location ?? .sqlite(directory: defaultStore(directory))).open()
        do {
            return try WorkflowHome(directory: directory, store: store, clock: clock, signingURL: signingURL,
                                    seal: seal, webhooks: webhooks)
        } catch {
            await closeStore(store)
            throw error
        }
    }

    /// Where signing links point unless told: `$COUNTERSIGN_SIGNING_URL`; else the signing page
    /// of `$COUNTERSIGN_PUBLIC_URL`, the variable `serve` reads, so a `countersign worker` beside
    /// API nodes sends reminders with the links the nodes sent; else a placeholder.
    public static var defaultSigningURL: String {
        signingURL(environment: ProcessInfo.processInfo.environment)
    }

    /// `defaultSigningURL` for the given environment.
    public static func signingURL(environment: [String: String]) -> String {
        if let url = environment["COUNTERSIGN_SIGNING_URL"], !url.isEmpty { return url }
        if let url = environment["COUNTERSIGN_PUBLIC_URL"], !url.isEmpty {
            return (url.hasSuffix("/") ? String(url.dropLast()) : url) + "/s/"
        }
        return placeholderSigningURL
    }

    /// The signing links' prefix when none is given: a host that resolves nowhere (RFC 6761).
    public static let placeholderSigningURL = "https://sign.example.invalid/s/"

    /// The embedded store's folder in a home.
    public static func defaultStore(_ directory: URL) -> URL { directory.appendingPathComponent("store") }

    /// Releases the store's connections (a PostgreSQL store); the home cannot be used afterwards.
    public func close() async { await closeStore(store) }

    /// The trust anchors sealed files verify against.
    public var trustAnchors: [Certificate] { engine.configuration.seal?.trustAnchors ?? [] }
}

/// Runs async library work from synchronous code (the CLI's commands) and waits for it.
public func waitFor<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let result = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            let value = try await body()
            result.withLock { $0 = .success(value) }
        } catch {
            result.withLock { $0 = .failure(error) }
        }
        done.signal()
    }
    done.wait()
    return try result.withLock { $0! }.get()
}
