import ArgumentParser
import Countersign

/// `countersign envelope void ID --reason TEXT`.
struct EnvelopeVoidCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "void", abstract: "Void an unfinished envelope.")
    @OptionGroup var options: WorkflowOptions
    @Argument(help: "The envelope id.") var id: String
    @Option(help: "Why (recorded and e-mailed to the recipients).") var reason: String

    func run() throws {
        let (home, principal) = try options.openWithKey()
        let (id, reason) = (self.id, self.reason)
        let envelope = try options.run { try await home.engine.void(principal, envelope: id, reason: reason) }
        options.output(statusJSON(envelope), text: statusText(envelope))
    }
}
