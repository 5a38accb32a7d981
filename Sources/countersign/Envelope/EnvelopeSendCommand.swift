import ArgumentParser
import Countersign
import Foundation

/// `countersign envelope send ID`.
struct EnvelopeSendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "send", abstract: "Send a draft envelope to its first routing order.")
    @OptionGroup var options: WorkflowOptions
    @Argument(help: "The envelope id.") var id: String

    func run() throws {
        let (home, principal) = try options.openWithKey()
        let id = self.id
        let envelope = try options.run { try await home.engine.send(principal, envelope: id) }
        warnIfLinksArePlaceholders(home)
        options.output(statusJSON(envelope), text: statusText(envelope))
    }
}

/// The e-mails just queued carry signing links; with no `$COUNTERSIGN_SIGNING_URL` they point
/// at a placeholder host, which a recipient cannot open: say so where the sender sees it.
func warnIfLinksArePlaceholders(_ home: WorkflowHome) {
    guard home.engine.configuration.signingURL == WorkflowHome.placeholderSigningURL else { return }
    printError("warning: the e-mails' signing links start \(WorkflowHome.placeholderSigningURL), a placeholder; set "
               + "COUNTERSIGN_SIGNING_URL to the address `countersign serve` answers on followed by /s/ "
               + "(docs/workflow.md, \"From the command line\")")
}
