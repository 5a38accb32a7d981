import ArgumentParser
import Countersign

/// `countersign envelope list [--state S] [--metadata KEY=VALUE] [--after ID] [--limit N]`.
struct EnvelopeListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the account's envelopes.")
    @OptionGroup var options: WorkflowOptions
    @Option(help: "Only envelopes in this state (draft, sent, completed, declined, voided, expired).") var state: [String] = []
    @Option(help: "Only envelopes whose metadata has KEY=VALUE (a CRM id).") var metadata: String?
    @Option(help: "Envelopes after this id (the cursor of the previous page).") var after: String?
    @Option(help: "At most this many.") var limit = 100

    func validate() throws {
        for value in state where Envelope.State(rawValue: value) == nil {
            throw ValidationError("--state \(value) is not one of \(Envelope.State.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let metadata, !metadata.contains("=") { throw ValidationError("--metadata takes KEY=VALUE") }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let (home, principal) = try options.openWithKey()
        let parts = metadata.map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
        let query = EnvelopeQuery(states: state.isEmpty ? nil : Set(state.compactMap(Envelope.State.init(rawValue:))),
                                  metadataKey: parts?.first, metadataValue: parts?.last, after: after, limit: limit)
        let envelopes = try options.run { try await home.engine.envelopes(principal, query: query) }
        options.output("[" + envelopes.map(statusJSON).joined(separator: ",") + "]",
                       text: envelopes.map { "\($0.id)  \($0.state.rawValue)  \($0.subject)" }.joined(separator: "\n"))
    }
}
