import ArgumentParser
import Countersign
import Foundation

/// `countersign envelope create --request FILE`: FILE (or `-`) is an envelope request as JSON
/// (docs/workflow.md, "Creating an envelope").
struct EnvelopeCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a draft envelope from a request file.")
    @OptionGroup var options: WorkflowOptions
    @Option(help: "The envelope request as JSON (`-` for stdin).") var request: String
    @Flag(help: "Send it at once.") var send = false

    func run() throws {
        let data = request == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: request)
        guard let data else {
            printError("\(request): cannot read the request file")
            throw ExitCode(ExitStatus.noInput)
        }
        let parsed: EnvelopeRequest
        do {
            parsed = try JSONDecoder().decode(EnvelopeRequest.self, from: data)
        } catch {
            printError("\(request): not an envelope request: \(error) — see docs/workflow.md, \"Creating an envelope\"")
            throw ExitCode(ExitStatus.dataError)
        }
        let home = try options.open()
        let principal = try options.principal(home)
        let send = self.send
        let envelope = try options.run {
            let created = try await home.engine.createEnvelope(principal, parsed)
            return send ? try await home.engine.send(principal, envelope: created.id) : created
        }
        options.output(statusJSON(envelope), text: statusText(envelope))
    }
}
