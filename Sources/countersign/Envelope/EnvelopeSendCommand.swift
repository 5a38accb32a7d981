import ArgumentParser
import Countersign

/// `countersign envelope send ID`.
struct EnvelopeSendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "send", abstract: "Send a draft envelope to its first routing order.")
    @OptionGroup var options: WorkflowOptions
    @Argument(help: "The envelope id.") var id: String

    func run() throws {
        let (home, principal) = try options.openWithKey()
        let id = self.id
        let envelope = try options.run { try await home.engine.send(principal, envelope: id) }
        options.output(statusJSON(envelope), text: statusText(envelope))
    }
}
