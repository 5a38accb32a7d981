import ArgumentParser
import Countersign

/// `countersign clause approve ID VERSION` (role legal).
struct ClauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clause", abstract: "Approve clause versions.",
                                                     subcommands: [ClauseApproveCommand.self])
}

struct ClauseApproveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve a proposed clause version.")
    @OptionGroup var options: WorkflowOptions
    @Argument(help: "The clause id.") var id: String
    @Argument(help: "The version.") var version: String

    func run() throws {
        let (home, principal) = try options.openWithKey()
        let (id, version) = (self.id, self.version)
        let clause = try options.run { try await home.engine.approveClause(principal, clauseID: id, version: version) }
        options.output(CanonicalJSON.object(["id": .string(id), "version": .string(version), "state": .string(clause.state.rawValue),
                                             "approvedBy": .string(clause.approvedBy ?? ""), "approvedOn": .string(clause.approvedOn ?? "")]).text,
                       text: "clause \(clause.reference) approved by \(clause.approvedBy ?? "") on \(clause.approvedOn ?? "")")
    }
}
