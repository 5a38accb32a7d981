import ArgumentParser
import Countersign

/// `countersign envelope export ID… [--csv]`: the CRM write-back (JSON, or CSV with one row per recipient).
struct EnvelopeExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export envelopes for the CRM (JSON or CSV).")
    @OptionGroup var options: WorkflowOptions
    @Argument(help: "Envelope ids.") var ids: [String]
    @Flag(help: "CSV, one row per recipient.") var csv = false

    func validate() throws {
        if ids.isEmpty { throw ValidationError("give at least one envelope id") }
    }

    func run() throws {
        let (home, principal) = try options.openWithKey()
        let ids = self.ids
        let exports = try options.run { try await ids.asyncMap { try await home.engine.export(principal, envelope: $0) } }
        if csv {
            print(CRMExport.csv(exports.map(\.envelope)), terminator: "")
        } else {
            print(exports.count == 1 ? exports[0].json : "[" + exports.map(\.json).joined(separator: ",") + "]")
        }
    }
}
