import ArgumentParser

/// `countersign template import|publish|retire` (role legal).
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template", abstract: "Manage the template library: import drafts, publish, retire.",
        subcommands: [TemplateImportCommand.self, TemplatePublishCommand.self, TemplateRetireCommand.self])
}
