import ArgumentParser
import Countersign

/// `countersign template retire ID VERSION`: no new envelope may use it.
struct TemplateRetireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retire", abstract: "Retire a published template version.")
    @OptionGroup var options: WorkflowOptions
    @Argument(help: "The template id.") var id: String
    @Argument(help: "The version.") var version: String

    func run() throws {
        let (home, principal) = try options.openWithKey()
        let (id, version) = (self.id, self.version)
        let template = try options.run { try await home.engine.retireTemplate(principal, templateID: id, version: version) }
        options.output(CanonicalJSON.object(["id": .string(id), "version": .string(version), "state": .string(template.state.rawValue)]).text,
                       text: "template \(template.reference) retired")
    }
}
