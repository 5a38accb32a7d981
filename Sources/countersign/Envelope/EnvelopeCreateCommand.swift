import ArgumentParser
import Countersign
import Foundation
import InputChecks

/// `countersign envelope create --request FILE`: FILE (or `-`) is an envelope request as JSON,
/// the body of the API's `POST /v1/envelopes` (`EnvelopeCreateBody`; docs/workflow.md, "Creating
/// an envelope"). An uploaded document may name its PDF by `"file"` (relative to the request
/// file's folder) instead of giving its bytes as base64 `"pdf"`. `--send` sends it at once, as
/// does `"send": true` in the file.
struct EnvelopeCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a draft envelope from a request file.")
    @OptionGroup var options: WorkflowOptions
    @Option(help: "The envelope request as JSON (`-` for stdin).") var request: String
    @Flag(help: "Send it at once.") var send = false

    /// Reports a request file the command cannot use (on stderr; with `--json`, also as an error
    /// object on stdout, as every command does) and gives the exit code to throw.
    static func refusal(_ status: Int32, _ file: String, _ what: String, json: Bool) -> ExitCode {
        let failure = CLIError(status, file: file, what, todo: "see docs/workflow.md, \"Creating an envelope\"")
        failure.report(json: json)
        return ExitCode(failure.status)
    }

    func run() throws {
        let data = request == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: request)
        guard let data else {
            let missing = !FileManager.default.fileExists(atPath: request)
            throw Self.refusal(ExitStatus.noInput, request, missing ? "no such file (the envelope request); check the path"
                               : "cannot read the request file (a folder, or no permission to read it)", json: options.json)
        }
        let parsed: EnvelopeRequest
        let sendInFile: Bool
        do {
            let folder = request == "-" ? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
                : URL(fileURLWithPath: request).deletingLastPathComponent()
            let body = try EnvelopeCreateBody.decode(try Self.readingFiles(data, folder: folder))
            sendInFile = body.send ?? false
            parsed = try body.request()
        } catch {
            let reason = switch error {
            case let error as WorkflowError: error.reason
            case let unknown as StrictJSONDecoder.KeyProblem: unknown.description
            case let error as DecodingError: DecodingProblem.describe(error, json: data)
            default: DecodingProblem.describeSyntax(error as NSError, json: data) ?? "\(error)"
            }
            throw Self.refusal(ExitStatus.dataError, request, "not an envelope request: \(reason)", json: options.json)
        }
        let (home, principal) = try options.openWithKey()
        let send = self.send || sendInFile
        let envelope = try options.run {
            let created = try await home.engine.createEnvelope(principal, parsed)
            return send ? try await home.engine.send(principal, envelope: created.id) : created
        }
        if send { warnIfLinksArePlaceholders(home) }
        options.output(statusJSON(envelope), text: statusText(envelope))
    }

    /// The request with each `documents[].file` read (relative to `folder`) into `pdf` as base64.
    static func readingFiles(_ data: Data, folder: URL) throws -> Data {
        // Re-encoding would keep one of a repeated key's values silently; the decoder refuses it.
        try StrictJSONDecoder(what: "an envelope request").check(data)
        guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let documents = object["documents"] as? [[String: Any]] else { return data }
        object["documents"] = try documents.enumerated().map { index, document in
            guard let file = document["file"] as? String else { return document }
            guard document["pdf"] == nil else {
                throw ValidationError("documents[\(index)]: give \"file\" or \"pdf\", not both")
            }
            let url = file.hasPrefix("/") ? URL(fileURLWithPath: file) : folder.appendingPathComponent(file)
            guard let bytes = FileManager.default.contents(atPath: url.path) else {
                throw ValidationError("documents[\(index)].file: cannot read \(url.path)")
            }
            var resolved = document
            resolved.removeValue(forKey: "file")
            resolved["pdf"] = bytes.base64EncodedString()
            return resolved
        }
        return try JSONSerialization.data(withJSONObject: object)
    }
}
