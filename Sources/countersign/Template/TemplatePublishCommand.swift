import ArgumentParser
import Countersign

/// `countersign template publish ID VERSION`: compile against approved clauses, record the hash.
struct TemplatePublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "publish", abstract: "Publish a draft template version.")
    @OptionGroup var options: WorkflowOptions
    @Argument(help: "The template id.") var id: String
    @Argument(help: "The version.") var version: String

    func run() throws {
        let (home, principal) = try options.openWithKey()
        let (id, version) = (self.id, self.version)
        let template = try options.run { try await home.engine.publishTemplate(principal, templateID: id, version: version) }
        options.output(CanonicalJSON.object(["id": .string(id), "version": .string(version), "state": .string(template.state.rawValue),
                                             "sha256": .string(template.sha256 ?? "")]).text,
                       text: "template \(template.reference) published, sha256 \(template.sha256 ?? "")")
    }
}
