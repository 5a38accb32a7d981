import ArgumentParser
import Countersign

/// The `countersign` command: a thin layer over the library, one file per subcommand.
@main
struct CountersignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "countersign",
        abstract: "Generate, seal and verify PDF documents.",
        version: "0.1.0",
        subcommands: [DemoCommand.self, RenderCommand.self, CheckCommand.self, GenerateCommand.self, InspectCommand.self,
                      SignCommand.self, VerifyCommand.self, KeysCommand.self, EnvelopeCommand.self, TemplateCommand.self,
                      ClauseCommand.self, AuditCommand.self, WorkerCommand.self, AccountCommand.self])
}
