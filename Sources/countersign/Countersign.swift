import ArgumentParser
import Countersign
import Foundation

/// The `countersign` command: a thin layer over the library, one file per subcommand.
@main
struct CountersignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "countersign",
        abstract: "Generate, seal and verify PDF documents.",
        discussion: "Exit codes, error lines and JSON output are the same for every command: see docs/cli.md.",
        version: "0.1.0",
        subcommands: [DemoCommand.self, RenderCommand.self, CheckCommand.self, GenerateCommand.self, InspectCommand.self,
                      SignCommand.self, ExtendCommand.self, VerifyCommand.self, KeysCommand.self, EnvelopeCommand.self, TemplateCommand.self,
                      ClauseCommand.self, AuditCommand.self, WorkerCommand.self, AccountCommand.self, ServeCommand.self])

    /// Checks what ArgumentParser would only call "unexpected" (a missing or misspelled command, an
    /// unknown flag), with a did-you-mean, then runs the command.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let json = arguments.prefix { $0 != "--" }.contains("--json")
        if let problem = CommandLineCheck.problem(arguments, root: Self.self) {
            CLIError(ExitStatus.usage, file: nil, problem).report(json: json)
            Foundation.exit(ExitStatus.usage)
        }
        // A usage error (a missing or conflicting flag, a bad value) is one error line like every
        // other (docs/cli.md, "Error lines"), and with --json also the error object on stdout —
        // not ArgumentParser's own "Error: … Usage: …" report. Help and --version pass through.
        do {
            _ = try parseAsRoot(arguments)
        } catch {
            let status = exitCode(for: error).rawValue
            if status != ExitCode.success.rawValue {
                CLIError(status, file: nil, message(for: error),
                         todo: "see \(CommandLineCheck.commandPath(arguments, root: Self.self)) --help")
                    .report(json: json)
                Foundation.exit(status)
            }
        }
        main(arguments)
    }

    /// `countersign` alone is a usage error (exit 64), not a success.
    func run() throws {
        FileHandle.standardError.write(Data((Self.helpMessage() + "\n").utf8))
        printError("no command given — choose one of the commands above, e.g. countersign demo")
        throw ExitCode(ExitStatus.usage)
    }
}
