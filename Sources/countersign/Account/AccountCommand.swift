import ArgumentParser
import Countersign
import Foundation

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
        // What the home folder held before: a refused account (an empty or overlong name) must
        // not leave a store and a development CA behind, which later commands take for a home.
        let directory = options.homeURL
        let files = FileManager.default
        let existed = files.fileExists(atPath: directory.path)
        let before = Set((try? files.contentsOfDirectory(atPath: directory.path)) ?? [])
        let home: WorkflowHome
        let made: (Account, IssuedKey)
        do {
            home = try options.open(creating: true)
            let name = self.name
            made = try options.run { try await home.engine.createAccount(name: name) }
        } catch {
            if !existed {
                try? files.removeItem(at: directory)
            } else {
                for entry in Set((try? files.contentsOfDirectory(atPath: directory.path)) ?? []).subtracting(before) {
                    try? files.removeItem(at: directory.appendingPathComponent(entry))
                }
            }
            throw error
        }
        let (account, key) = made
        options.output(CanonicalJSON.object(["account": .string(account.id), "key": .string(key.secret),
                                             "role": .string(key.record.role.rawValue)]).text,
                       text: "account \(account.id)\nadmin API key (shown once; store it now): \(key.secret)")
    }
}
