import ArgumentParser
import Countersign
import Foundation
import Logging
import Server

/// `countersign serve [--config FILE] [--check]`: the HTTP API (docs/api.md). The
/// configuration is one JSON file plus `COUNTERSIGN_*` environment overrides.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the HTTP API (and, unless configured off, the worker loop).",
        discussion: "Stops gracefully on SIGTERM or SIGINT: in-flight requests finish. See docs/api.md.")

    @Option(help: "The JSON configuration file (default: $COUNTERSIGN_CONFIG; without one, defaults and the environment).")
    var config: String?

    @Flag(help: "Check the configuration (and load the organisation seal, when one is configured), print it as JSON and exit.")
    var check = false

    func run() throws {
        try reportingErrors(json: false, file: config ?? ProcessInfo.processInfo.environment["COUNTERSIGN_CONFIG"]) { try serve() }
    }

    func serve() throws {
        // The server stops gracefully on SIGTERM and SIGINT; a parent that started us with them
        // blocked (as some supervisors and test runners do) would make that impossible.
        var handled = sigset_t()
        sigemptyset(&handled)
        sigaddset(&handled, SIGTERM)
        sigaddset(&handled, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
        let environment = ProcessInfo.processInfo.environment
        let file = config ?? environment["COUNTERSIGN_CONFIG"]
        let configuration: ServerConfiguration
        if let file, !FileManager.default.fileExists(atPath: file) {
            throw CLIError(ExitStatus.noInput, file: file, "no such configuration file",
                           todo: "check the path (--config or $COUNTERSIGN_CONFIG); docs/api.md, \"Configuration\", lists the keys")
        }
        do {
            configuration = try ServerConfiguration.load(file: file, environment: environment)
        } catch let error as ServiceError {
            throw CLIError(ExitStatus.usage, file: file, error.reason, todo: "see docs/api.md, \"Configuration\"")
        }
        // Before anything is made: a bad session key, TLS file or relay is refused here, not
        // after the home and its development CA exist.
        do {
            try CountersignServer.preflight(configuration)
        } catch let error as ServiceError {
            throw CLIError(ExitStatus.usage, file: file, error.reason, todo: "see docs/api.md, \"Configuration\"")
        }
        do {
            _ = try configuration.store.map { try WorkflowStoreLocation($0) }
        } catch let error as WorkflowError {
            throw CLIError(ExitStatus.usage, file: file, "store: \(error.reason)", todo: "see docs/api.md, \"Configuration\"")
        }
        // With the store in the home (SQLite), a home without it is a mistyped `home`: serving
        // would make an empty one (a store, a development CA) and then refuse every key.
        let homeDirectory = URL(fileURLWithPath: configuration.home)
        let missingHome = configuration.store == nil
            && !FileManager.default.fileExists(atPath: WorkflowHome.defaultStore(homeDirectory).appendingPathComponent("workflow.sqlite").path)
        let noHome = CLIError(ExitStatus.noInput, file: homeDirectory.path, "no workflow home here (it has no store/workflow.sqlite)",
                              todo: "set home (in \(file ?? "the configuration") or COUNTERSIGN_WORKFLOW_HOME) to where `countersign account "
                                  + "create` made it, or make one with `countersign account create --home \(homeDirectory.path)`")
        let settings = configuration.seal
        let seal = settings.organisationSeal
        if check {
            // The organisation's own seal is loaded too: a wrong password or a chain with nothing
            // to verify it against shows now, not at the first completion.
            do {
                if settings.hasKey {
                    _ = try seal.configuration(home: URL(fileURLWithPath: configuration.home))
                } else {
                    _ = try seal.trustAnchors()  // the development CA is made only when the server runs
                }
            } catch {
                // Name the setting and where it came from, not only the file it points at.
                let problem = CLIError.from(error)
                throw CLIError(problem.status, file: file ?? "the environment",
                               "seal (\(!settings.hasKey ? "seal.trust" : settings.p12 != nil ? "seal.p12" : "seal.key / seal.cert")): \(problem.description)",
                               todo: "fix the seal settings (docs/api.md, \"Configuration\")")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            // What --check shows goes to terminals and CI logs: the store's password is not in it.
            var shown = configuration
            shown.store = shown.store.map(String.withoutPassword)
            print(String(decoding: try encoder.encode(shown), as: UTF8.self))
            // A configuration may be checked before its home is made, so this is a warning here
            // and a refusal when serving.
            if missingHome { printError("warning: serve will refuse to start: \(noHome.description)") }
            return
        }
        if missingHome { throw noHome }
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        let logger = Logger(label: "countersign.serve")
        let home: WorkflowHome
        do {
            let location = try configuration.store.map { try WorkflowStoreLocation($0) }
            let policy = try configuration.webhookPolicy()
            let directory = URL(fileURLWithPath: configuration.home), signingURL = configuration.publicURL.trimmingSuffix("/") + "/s/"
            home = try waitFor {
                try await WorkflowHome.open(directory: directory, store: location, signingURL: signingURL, seal: seal,
                                            webhooks: WebhookConfiguration(addressPolicy: policy))
            }
        } catch let error as ServiceError {
            throw CLIError(ExitStatus.usage, file: file, error.reason)
        } catch {
            throw workflowExit(error)
        }
        defer { try? waitFor { await home.close() } }
        if let sealConfiguration = home.engine.configuration.seal {
            logger.info("\(OrganisationSeal.describe(sealConfiguration, development: !settings.hasKey))")
        }
        guard let records = home.store as? any ServiceRecordStore else {
            throw CLIError(ExitStatus.usage, file: file, "the store \(configuration.store ?? home.directory.path) cannot serve the API",
                           todo: "use the SQLite or PostgreSQL store")
        }
        let server: CountersignServer
        do {
            server = try CountersignServer(configuration: configuration, engine: home.engine, records: records, logger: logger)
        } catch let error as ServiceError {
            throw CLIError(ExitStatus.usage, file: file, error.reason)
        }
        do {
            try waitFor { try await server.run() }
        } catch let error as ServiceError {
            throw CLIError(ExitStatus.usage, file: file, error.reason)
        } catch {
            if let reason = CountersignServer.listenFailure(error, host: configuration.host, port: configuration.port) {
                throw CLIError(ExitStatus.ioError, file: nil, reason,
                               todo: "stop what listens there, or give another port (`port` in the configuration, $COUNTERSIGN_PORT)")
            }
            throw CLIError(ExitStatus.ioError, file: nil, "the server stopped: \(error)")
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }

    /// A store URL with its password replaced by `***` (an SQLite folder as it is).
    static func withoutPassword(_ store: String) -> String {
        guard var components = URLComponents(string: store), components.password != nil else { return store }
        components.password = "***"
        return components.string ?? "(a URL with a password)"
    }
}
