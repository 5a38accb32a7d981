import ArgumentParser
import Countersign

/// `countersign account create --name NAME`: a new account and its first (admin) key, shown once.
struct AccountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "account", abstract: "Create workflow accounts.",
                                                     subcommands: [AccountCreateCommand.self])
}

struct AccountCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create",
                                                     abstract: "Create an account; prints its admin API key once.")
    @OptionGroup var options: WorkflowOptions
    @Option(help: "The account's name.") var name: String

    func run() throws {
        let home = try options.open(creating: true)
        let name = self.name
        let (account, key) = try options.run { try await home.engine.createAccount(name: name) }
        options.output(CanonicalJSON.object(["account": .string(account.id), "key": .string(key.secret),
                                             "role": .string(key.record.role.rawValue)]).text,
                       text: "account \(account.id)\nadmin API key (shown once; store it now): \(key.secret)")
    }
}
