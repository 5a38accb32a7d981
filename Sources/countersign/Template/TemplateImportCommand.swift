import ArgumentParser
import Countersign
import Foundation

/// `countersign template import PATH [--publish]`: a template file, or a library folder (clauses/ too).
struct TemplateImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import",
                                                     abstract: "Import a template file or a library folder as drafts.")
    @OptionGroup var options: WorkflowOptions
    @Argument(help: "A template .xml, or a folder of templates with clauses/.") var path: String
    @Flag(help: "Publish every imported template version.") var publish = false

    func run() throws {
        let (home, principal) = try options.openWithKey()
        let url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            printError("\(path): no such file or folder")
            throw ExitCode(ExitStatus.noInput)
        }
        let publish = self.publish
        let folder = isFolder.boolValue
        let (templates, clauses) = try options.run {
            let imported = folder ? try await home.engine.importLibrary(principal, directory: url)
                : ([try await home.engine.importTemplate(principal, file: url)], [])
            var templates = imported.0
            if publish {
                // Versions already published (a library imported again) stay as they are.
                templates = try await templates.asyncMap {
                    $0.state != .draft ? $0 : try await home.engine.publishTemplate(principal, templateID: $0.templateID, version: $0.version)
                }
            }
            return (templates, imported.1)
        }
        options.output(CanonicalJSON.object([
            "templates": .array(templates.map { .object(["id": .string($0.templateID), "version": .string($0.version),
                                                         "state": .string($0.state.rawValue), "sha256": $0.sha256.map { .string($0) } ?? .null]) }),
            "clauses": .array(clauses.map { .object(["id": .string($0.clauseID), "version": .string($0.version), "state": .string($0.state.rawValue)]) }),
        ]).text, text: (templates.map { "template \($0.reference) \($0.state.rawValue)" }
                        + clauses.map { "clause \($0.reference) \($0.state.rawValue)" }).joined(separator: "\n"))
    }
}

extension Array where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
