import ArgumentParser
import Countersign
import Foundation

/// `countersign render TEMPLATE [--data ROW.json | --csv FILE --row N [--encoding E]] --out FILE.pdf [--date ISO8601] [--json]`
/// (no data for a template without fields)
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render", abstract: "Render one document from a template and one data row.")

    @Argument(help: "The XML template.")
    var template: String

    @Option(help: "A JSON object with the row's values ('-': standard input).")
    var data: String?

    @Option(help: "A CSV file (with --row; '-': standard input).")
    var csv: String?

    @Option(help: "The data row of --csv, counting from 1 (the header is not a row).")
    var row: Int?

    @Option(help: "The --csv file's text encoding: utf-8 (default) or windows-1252.")
    var encoding: String = "utf-8"

    @Option(help: "The clause library (default: clauses/ beside the template).")
    var clauses: String?

    @Option(help: "The PDF to write ('-': standard output).")
    var out: String

    @Option(help: "Date for the document's metadata (ISO 8601); fixes the output bytes.")
    var date: String?

    @Flag(help: "Characters no shipped font has are warnings (printed without them) instead of errors.")
    var allowMissingGlyphs = false

    @Flag(help: "Print a JSON object (output, pages, bytes, sha256) instead of the text line.")
    var json = false

    func validate() throws {
        if data != nil, csv != nil { throw ValidationError("Give --data ROW.json or --csv FILE --row N, not both.") }
        if csv != nil, row == nil { throw ValidationError("--csv needs --row N (data rows count from 1).") }
        if let row, row < 1 { throw ValidationError("--row counts data rows from 1.") }
        if CSVEncoding(rawValue: encoding.lowercased()) == nil {
            throw ValidationError("--encoding must be utf-8 or windows-1252, not '\(encoding)'.")
        }
        if json, out == StandardStreams.name {
            throw ValidationError("--json and --out - both write to standard output; write the PDF to a file.")
        }
        try validateDocumentDate(date)
    }

    func run() throws {
        try reportingErrors(json: json, file: template) {
            let compiled = try compileTemplate(template, clauses: clauses)
            let values: [String: TemplateValue]
            // A CSV row is read, mapped and checked as `generate` reads it: the same problems.
            var csvRow: SingleRow?
            if let data {
                values = try loadJSON(data)
            } else if csv == nil {
                // A template without fields needs no data.
                guard compiled.fields.isEmpty else {
                    throw CLIError(ExitStatus.usage, file: nil, "the template has fields (\(compiled.fields.map(\.name).joined(separator: ", "))): "
                                   + "give --data ROW.json or --csv FILE --row N", todo: "see countersign render --help")
                }
                values = [:]
            } else {
                let source = StandardStreams.display(csv!)
                let (url, cleanup) = try StandardStreams.spool(csv!, suffix: ".csv", what: "the --csv file")
                defer { cleanup() }
                let single = try SingleRow(csv: url, row: row!, template: compiled,
                                           encoding: CSVEncoding(rawValue: encoding.lowercased()) ?? .utf8)
                if !single.problems.isEmpty {
                    throw CLIError(ExitStatus.dataError, file: nil, "",
                                   details: single.problems.map { "countersign: \(source): \($0)" })
                }
                values = single.values
                csvRow = single
                for warning in single.headerWarnings { printError("\(source): warning: \(warning)") }
            }
            let generated: DocumentGenerator.Output
            do {
                generated = try DocumentGenerator(template: compiled, allowMissingGlyphs: allowMissingGlyphs)
                    .generate(values, date: date)
            } catch let error as TemplateError where csvRow != nil && !error.diagnostics.contains(where: { $0.code == .systemLibrary }) {
                let source = StandardStreams.display(csv!)
                throw CLIError(ExitStatus.dataError, file: nil, "",
                               details: csvRow!.problems(for: error).map { "countersign: \(source): \($0)" })
            } catch let error as TemplateError where data != nil && error.diagnostics.allSatisfy({ $0.file == nil }) {
                // Data errors name the --data file, as every error line names its file; a character
                // of the template's own text no font has is the template's.
                let source = StandardStreams.display(data!)
                throw CLIError(ExitStatus.dataError, file: nil, "", details: error.diagnostics.map { diagnostic in
                    let ofTemplate = diagnostic.code == .missingGlyphs && diagnostic.field == nil
                    return "countersign: \(ofTemplate ? template : source): \(diagnostic)"
                })
            }
            let source = data.map(StandardStreams.display) ?? csv.map { "\(StandardStreams.display($0)): row \(row ?? 0)" } ?? template
            for warning in generated.warnings {
                printError("\(source): warning: \(warning.field.map { "field '\($0)': " } ?? "")\(warning.message)")
            }
            try StandardStreams.write([generated.pdf], to: out)
            if json {
                printJSON(.object(["output": .string(out), "pages": .int(generated.pages), "bytes": .int(generated.pdf.count),
                                   "sha256": .string(DigestAlgorithm.sha256.hash(generated.pdf).hexString),
                                   "warnings": .array((csvRow?.headerWarnings ?? []).map(JSONValue.string)
                                                      + generated.warnings.map { .string($0.message) })]))
            } else {
                FileHandle.standardError.write(Data("rendered \(generated.pages) page(s) → \(out == "-" ? "standard output" : out)\n".utf8))
            }
        }
    }

    private func loadJSON(_ path: String) throws -> [String: TemplateValue] {
        let contents = try StandardStreams.read(path, what: "the --data JSON")
        let source = StandardStreams.display(path)
        let value: TemplateValue
        do {
            value = try TemplateValue.fromJSON(contents)
        } catch {
            throw CLIError(ExitStatus.dataError, file: source, error.diagnostics.map(\.message).joined(separator: "; "),
                           todo: "fix the JSON (one object of field values)")
        }
        guard case .object(let object) = value else {
            throw CLIError(ExitStatus.dataError, file: source, "must hold a JSON object of field values",
                           todo: "wrap the values in { … }")
        }
        return object
    }
}

/// `countersign check TEMPLATE` — compile without data; every error at once.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Compile a template without data and report every error.")

    @Argument(help: "The XML template.")
    var template: String

    @Option(help: "The clause library (default: clauses/ beside the template).")
    var clauses: String?

    @Flag(help: "Print a JSON object (template, id, version, fields, signatureRoles, sha256).")
    var json = false

    func run() throws {
        try reportingErrors(json: json, file: template) {
            let compiled = try compileTemplate(template, clauses: clauses)
            if json {
                printJSON(.object(["template": .string(template), "id": .string(compiled.id), "version": .string(compiled.version),
                                   "fields": .array(compiled.fields.map { .string($0.name) }),
                                   "signatureRoles": .array(compiled.signatureRoles.map(JSONValue.string)),
                                   "sha256": .string(compiled.sha256Hex)]))
                return
            }
            print("\(template): ok — template \(compiled.id) version \(compiled.version), \(compiled.fields.count) fields, "
                  + "signature roles: \(compiled.signatureRoles.isEmpty ? "none" : compiled.signatureRoles.joined(separator: ", ")), sha256 \(compiled.sha256Hex.prefix(16))…")
        }
    }
}

/// Compiles a template; a missing file is exit 66, its diagnostics exit 65.
func compileTemplate(_ path: String, clauses: String?) throws -> CompiledTemplate {
    let url = URL(fileURLWithPath: path)
    guard FileManager.default.fileExists(atPath: path) else {
        throw CLIError(ExitStatus.noInput, file: path, "no such file (the template)", todo: "check the path")
    }
    var isFolder: ObjCBool = false
    guard !FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) || !isFolder.boolValue else {
        throw CLIError(ExitStatus.noInput, file: path, "is a folder, not a template", todo: "name the template's XML file")
    }
    if let clauses {
        // A --clauses folder that is not there would make every <clause> "unknown": say what is wrong once.
        guard FileManager.default.fileExists(atPath: clauses, isDirectory: &isFolder), isFolder.boolValue else {
            throw CLIError(ExitStatus.noInput, file: clauses, "no such folder (the --clauses library)",
                           todo: "name the folder that holds the clause files, or leave --clauses out to use clauses/ beside the template")
        }
    }
    let library = clauses.map { URL(fileURLWithPath: $0) } ?? TemplateLocations.clauseLibrary(for: url)
    return try TemplateCompiler(clauseLibrary: library).compile(file: url)
}
