import ArgumentParser
import Countersign

/// `countersign envelope remind ID`.
struct EnvelopeRemindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remind", abstract: "Remind the recipients whose turn it is.")
    @OptionGroup var options: WorkflowOptions
    @Argument(help: "The envelope id.") var id: String

    func run() throws {
        let (home, principal) = try options.openWithKey()
        let id = self.id
        let envelope = try options.run { try await home.engine.remind(principal, envelope: id) }
        options.output(statusJSON(envelope), text: statusText(envelope))
    }
}
