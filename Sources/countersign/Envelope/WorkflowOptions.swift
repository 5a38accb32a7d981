import ArgumentParser
import Countersign
import Foundation

/// Flags every workflow command shares: where the workflow home is, the API key, `--json`.
struct WorkflowOptions: ParsableArguments {
    @Option(help: "The workflow home: the SQLite store and the development seal (default: $COUNTERSIGN_WORKFLOW_HOME or ./countersign-workflow).")
    var home: String?

    @Option(help: ArgumentHelp("Where the store is: a postgres:// URL or an SQLite folder (default: $COUNTERSIGN_STORE, else the home's store/ folder).",
                               valueName: "url-or-folder"))
    var store: String?

    @Option(name: .customLong("key-file"), help: "A file holding the API key (default: $COUNTERSIGN_API_KEY). Never pass a key on the command line.")
    var keyFile: String?

    @Option(name: .customLong("on-behalf-of"), help: "The person the key acts for, recorded in the audit events.")
    var onBehalfOf: String?

    @Flag(help: "Print JSON.")
    var json = false

    var homeURL: URL {
        URL(fileURLWithPath: home ?? ProcessInfo.processInfo.environment["COUNTERSIGN_WORKFLOW_HOME"] ?? "countersign-workflow")
            .standardizedFileURL
    }

    /// The store `--store` or `$COUNTERSIGN_STORE` names; nil for the home's own SQLite store.
    func storeLocation() throws -> WorkflowStoreLocation? {
        guard let text = store ?? ProcessInfo.processInfo.environment["COUNTERSIGN_STORE"], !text.isEmpty else { return nil }
        return try WorkflowStoreLocation(text)
    }

    /// Opens the home, sealing with `seal` (default: the home's development CA). Only `creating`
    /// (`account create`) makes a home whose store is not there yet: for any other command a
    /// home without its SQLite store is a mistyped `--home`, and making one there (a store, a
    /// development CA and its private key) would leave files behind and then blame the key.
    func open(seal: OrganisationSeal = .development, creating: Bool = false) throws -> WorkflowHome {
        do {
            let location = try storeLocation()
            let directory = homeURL
            let store = WorkflowHome.defaultStore(directory).appendingPathComponent("workflow.sqlite")
            if !creating, location == nil, !FileManager.default.fileExists(atPath: store.path) {
                throw CLIError(ExitStatus.noInput, file: directory.path, "no workflow home here (it has no store/workflow.sqlite)",
                               todo: "give the --home (or COUNTERSIGN_WORKFLOW_HOME) where `countersign account create` made it, "
                                   + "or make one here with `countersign account create`")
            }
            if creating {
                do {
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                } catch {
                    throw CLIError(ExitStatus.cannotCreate, file: directory.path,
                                   "cannot create the workflow home: \((error as NSError).localizedFailureReason ?? error.localizedDescription)",
                                   todo: "give a --home (or COUNTERSIGN_WORKFLOW_HOME) in a folder you can write")
                }
            }
            return try waitFor { try await WorkflowHome.open(directory: directory, store: location, seal: seal) }
        } catch {
            throw workflowExit(error, json: json)
        }
    }

    /// The home and the principal of the API key, the key read first: a command without one
    /// stops before it creates a home (a store and a development seal) it cannot use.
    func openWithKey() throws -> (WorkflowHome, Principal) {
        let secret = try apiKey()
        let home = try open()
        let person = onBehalfOf
        return (home, try run { try await home.engine.authenticate(apiKey: secret, onBehalfOf: person) })
    }

    /// The principal of the API key from `--key-file` or `$COUNTERSIGN_API_KEY`.
    func principal(_ home: WorkflowHome) throws -> Principal {
        let secret = try apiKey()
        let person = onBehalfOf
        return try run { try await home.engine.authenticate(apiKey: secret, onBehalfOf: person) }
    }

    /// The API key from `--key-file` or `$COUNTERSIGN_API_KEY`, or a usage error.
    private func apiKey() throws -> String {
        var secret = ProcessInfo.processInfo.environment["COUNTERSIGN_API_KEY"]
        if let keyFile {
            guard let text = try? String(contentsOfFile: keyFile, encoding: .utf8) else {
                printError("\(keyFile): cannot read the key file")
                throw ExitCode(ExitStatus.noInput)
            }
            secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let secret, !secret.isEmpty else {
            printError("no API key: set COUNTERSIGN_API_KEY or give --key-file (make one with `countersign account create`)")
            throw ExitCode(ExitStatus.usage)
        }
        return secret
    }

    /// Runs library work, mapping a `WorkflowError` to the exit code that fits it.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        do {
            return try waitFor(body)
        } catch {
            throw workflowExit(error, json: json)
        }
    }

    /// Prints a value as JSON (`--json`) or as text.
    func output(_ json: @autoclosure () -> String, text: @autoclosure () -> String) {
        print(self.json ? json() : text())
    }
}

/// Reports the error (one line on stderr; an error object on stdout with `--json`) and picks the
/// exit code: 65 for a refused request, 66 not found, 64 no or a wrong key, 74 store or mail.
func workflowExit(_ error: any Error, json: Bool = false) -> ExitCode {
    let failure: CLIError
    if let error = error as? WorkflowError {
        let status: Int32
        switch error.code {
        case .notFound: status = ExitStatus.noInput
        case .store, .mail: status = ExitStatus.ioError
        case .unauthenticated, .forbidden: status = ExitStatus.usage
        case .evidence: status = ExitStatus.failed
        default: status = ExitStatus.dataError
        }
        failure = CLIError(status, file: nil, "\(error.code): \(error.reason)")
    } else if let exit = error as? ExitCode {
        return exit
    } else {
        failure = CLIError.from(error)
    }
    failure.report(json: json)
    return ExitCode(failure.status)
}

/// The JSON of an envelope's status.
func statusJSON(_ envelope: Envelope) -> String {
    var recipients: [CanonicalJSON] = []
    for recipient in envelope.recipients {
        recipients.append(.object([
            "id": .string(recipient.id), "name": .string(recipient.name), "email": .string(recipient.email),
            "role": .string(recipient.role.rawValue), "routingOrder": .int(recipient.routingOrder),
            "state": .string(recipient.state.rawValue),
        ]))
    }
    return CanonicalJSON.object([
        "id": .string(envelope.id), "state": .string(envelope.state.rawValue), "subject": .string(envelope.subject),
        "template": envelope.template.map { .string("\($0.templateID)@\($0.version)") } ?? .null,
        "completionQueued": .bool(envelope.completionQueued), "events": .int(envelope.eventCount),
        "recipients": .array(recipients),
        "documents": .array(envelope.documents.map { document in
            .object(["id": .string(document.id), "sha256": .string(document.sentSHA256),
                     "sealedSHA256": document.sealedSHA256.map { .string($0) } ?? .null])
        }),
    ]).text
}

/// One line per recipient.
func statusText(_ envelope: Envelope) -> String {
    var lines = ["\(envelope.id)  \(envelope.state.rawValue)  \(envelope.subject)"]
    for recipient in envelope.recipients {
        lines.append("  \(recipient.routingOrder)  \(recipient.role.rawValue)  \(recipient.state.rawValue)  \(recipient.name) <\(recipient.email)>")
    }
    return lines.joined(separator: "\n")
}
