import ArgumentParser

/// `countersign envelope create|send|status|list|remind|void|export|document` (role agent; reads any role).
struct EnvelopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "envelope", abstract: "Create, send and track envelopes.",
        subcommands: [EnvelopeCreateCommand.self, EnvelopeSendCommand.self, EnvelopeStatusCommand.self, EnvelopeListCommand.self,
                      EnvelopeRemindCommand.self, EnvelopeVoidCommand.self, EnvelopeExportCommand.self, EnvelopeDocumentCommand.self])
}
