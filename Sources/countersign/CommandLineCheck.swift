import ArgumentParser
import Foundation

/// The checks ArgumentParser leaves to us: a command name that is not one (`countersign sgin`)
/// gets a did-you-mean, and so does an unknown flag — checked before parsing, because
/// ArgumentParser reports a missing required option first (`sign a.pdf --outt b.pdf` would only
/// say that `--out` is missing).
enum CommandLineCheck {
    /// A one-line problem with `arguments`, or nil to let ArgumentParser parse them.
    static func problem(_ arguments: [String], root: any ParsableCommand.Type) -> String? {
        var command = root
        var path = [root.configuration.commandName ?? "countersign"]
        for (position, argument) in arguments.enumerated() {
            let subcommands = command.configuration.subcommands
            if argument.hasPrefix("-") || subcommands.isEmpty {
                return unknownFlag(Array(arguments[position...]), command: command, path: path)
            }
            let names = subcommands.compactMap { $0.configuration.commandName }
            if argument == "help" {
                // `help COMMAND…`: the words after it must name a command, as they would without it.
                let words = arguments[(position + 1)...].filter { !$0.hasPrefix("-") }
                return words.isEmpty ? nil : problem(Array(words), root: command)
            }
            guard let index = names.firstIndex(of: argument) else {
                let commands = path.joined(separator: " ")
                var line = "unknown command '\(argument)'"
                if let suggestion = closest(to: argument, in: names) {
                    line += " — did you mean '\(commands) \(suggestion)'?"
                } else {
                    line += " — the commands are: \(names.joined(separator: ", ")) (\(commands) --help)"
                }
                return line
            }
            command = subcommands[index]
            path.append(argument)
        }
        return unknownFlag([], command: command, path: path)
    }

    /// The command the arguments name, as typed (`countersign envelope create`).
    static func commandPath(_ arguments: [String], root: any ParsableCommand.Type) -> String {
        var command = root
        var path = [root.configuration.commandName ?? "countersign"]
        for argument in arguments {
            guard let next = command.configuration.subcommands.first(where: { $0.configuration.commandName == argument }) else { break }
            command = next
            path.append(argument)
        }
        return path.joined(separator: " ")
    }

    /// The first `--name` in `arguments` that `command` does not define, with a did-you-mean.
    private static func unknownFlag(_ arguments: [String], command: any ParsableCommand.Type, path: [String]) -> String? {
        let flags = arguments.prefix { $0 != "--" }.filter { $0.hasPrefix("--") && $0.count > 2 }
        guard !flags.isEmpty else { return nil }
        let known = longNames(command).union(["help", "version", "experimental-dump-help", "generate-completion-script"])
        for flag in flags {
            let name = String(flag.dropFirst(2).prefix { $0 != "=" })
            if known.contains(name) { continue }
            var line = "\(path.dropFirst().joined(separator: " ")): unknown option '--\(name)'"
            if let suggestion = closest(to: name, in: known.sorted()) { line += " — did you mean '--\(suggestion)'?" }
            else { line += " — \(path.joined(separator: " ")) --help lists the options" }
            return line
        }
        return nil
    }

    /// The long option and flag names of a command, from ArgumentParser's own description of it.
    private static func longNames(_ command: any ParsableCommand.Type) -> Set<String> {
        guard let data = command._dumpHelp().data(using: .utf8),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let info = root["command"] as? [String: Any],
              let arguments = info["arguments"] as? [[String: Any]] else { return [] }
        var names: Set<String> = []
        for argument in arguments {
            for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                if let text = name["name"] as? String { names.insert(text) }
            }
        }
        return names
    }

    /// The candidate nearest to `word` by edit distance (adjacent swaps count once), when it is
    /// near enough to be a typo.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, best.0.count / 3) ? best.0 : nil
    }

    /// Optimal string alignment distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}

/// `--jobs`: workers in parallel, each with its own fonts and buffers — a few per core at most
/// make sense, and a mistyped `--jobs 100000` must not start 100 000 of them.
enum JobsOption {
    static let maximum = 256

    static func check(_ jobs: Int?) throws {
        guard let jobs, !(1...maximum).contains(jobs) else { return }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        throw ValidationError("--jobs must be between 1 and \(maximum) (one worker per core is fastest; this machine has \(cores)).")
    }
}

extension ValidationError {
    /// The refusal of a password given on the command line (`flag`), saying where to put it
    /// instead (`alternatives`).
    static func passwordOnCommandLine(_ flag: String, alternatives: String) -> ValidationError {
        ValidationError("\(flag) is refused: a password on the command line can be read by every user of the machine (ps, /proc) "
                        + "and stays in the shell's history. Give it in a file readable only by you, an environment variable, "
                        + "or at the prompt where there is one: \(alternatives).")
    }
}
