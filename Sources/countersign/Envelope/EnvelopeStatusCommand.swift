import ArgumentParser
import Countersign

/// `countersign envelope status ID`.
struct EnvelopeStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show an envelope and its recipients.")
    @OptionGroup var options: WorkflowOptions
    @Argument(help: "The envelope id.") var id: String

    func run() throws {
        let (home, principal) = try options.openWithKey()
        let id = self.id
        let envelope = try options.run { try await home.engine.envelope(principal, id: id) }
        options.output(statusJSON(envelope), text: statusText(envelope))
    }
}
