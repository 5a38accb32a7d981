import ArgumentParser
import Countersign
import Foundation

/// `countersign render TEMPLATE (--data ROW.json | --csv FILE --row N) --out FILE.pdf [--date ISO8601]`
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render", abstract: "Render one document from a template and one data row.")

    @Argument(help: "The XML template.")
    var template: String

    @Option(help: "A JSON object with the row's values.")
    var data: String?

    @Option(help: "A CSV file (with --row).")
    var csv: String?

    @Option(help: "The data row of --csv, counting from 1 (the header is not a row).")
    var row: Int?

    @Option(help: "The clause library (default: clauses/ beside the template).")
    var clauses: String?

    @Option(help: "The PDF to write.")
    var out: String

    @Option(help: "Date for the document's metadata (ISO 8601); fixes the output bytes.")
    var date: String?

    @Flag(help: "Characters no shipped font has are warnings (printed without them) instead of errors.")
    var allowMissingGlyphs = false

    func validate() throws {
        if (data == nil) == (csv == nil) { throw ValidationError("Give --data ROW.json or --csv FILE --row N.") }
        if csv != nil, row == nil { throw ValidationError("--csv needs --row N (data rows count from 1).") }
        if let row, row < 1 { throw ValidationError("--row counts data rows from 1.") }
    }

    func run() throws {
        let compiled = try compileTemplate(template, clauses: clauses)
        var values: [String: TemplateValue]
        // A CSV row is read, mapped and checked as `generate` reads it: the same problems.
        var csvRow: SingleRow?
        do {
            if let data {
                values = try loadJSON(data)
            } else {
                let single = try SingleRow(csv: URL(fileURLWithPath: csv!), row: row!, template: compiled)
                if !single.problems.isEmpty {
                    for problem in single.problems { printError("\(csv!): \(problem)") }
                    throw ExitCode(ExitStatus.dataError)
                }
                values = single.values
                csvRow = single
            }
        } catch let error as TemplateError {
            throw exitForTemplateError(error)
        } catch let error as BatchError {
            for line in error.reason.split(separator: "\n") { printError(String(line)) }
            throw ExitCode(error.code == .missingInput ? ExitStatus.noInput : ExitStatus.dataError)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw exitForError(error, file: data ?? csv)
        }
        do {
            let generated = try DocumentGenerator(template: compiled, allowMissingGlyphs: allowMissingGlyphs)
                .generate(values, date: date)
            for warning in generated.warnings {
                printError("\(data ?? "\(csv!): row \(row!)"): warning: "
                           + "\(warning.field.map { "field '\($0)': " } ?? "")\(warning.message)")
            }
            try AtomicFile.write(generated.pdf, to: URL(fileURLWithPath: out))
            FileHandle.standardError.write(Data("rendered \(generated.pages) page(s) → \(out)\n".utf8))
        } catch let error as TemplateError {
            guard let csvRow else { throw exitForTemplateError(error) }
            for problem in csvRow.problems(for: error) { printError("\(csv!): \(problem)") }
            throw ExitCode(error.diagnostics.contains { $0.code == .systemLibrary } ? ExitStatus.osError : ExitStatus.dataError)
        } catch {
            throw exitForError(error, file: template)
        }
    }

    private func loadJSON(_ path: String) throws -> [String: TemplateValue] {
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw PDFError(.io, "no such file: \(path)")
        }
        guard case .object(let object) = try TemplateValue.fromJSON(contents) else {
            printError("\(path): must hold a JSON object of field values")
            throw ExitCode(ExitStatus.dataError)
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

    func run() throws {
        let compiled = try compileTemplate(template, clauses: clauses)
        print("\(template): ok — template \(compiled.id) version \(compiled.version), \(compiled.fields.count) fields, "
              + "signature roles: \(compiled.signatureRoles.joined(separator: ", ")), sha256 \(compiled.sha256Hex.prefix(16))…")
    }
}

/// Compiles a template or exits with its diagnostics (65) or a missing-file error (66).
func compileTemplate(_ path: String, clauses: String?) throws -> CompiledTemplate {
    let url = URL(fileURLWithPath: path)
    guard FileManager.default.fileExists(atPath: path) else {
        printError("\(path): no such file")
        throw ExitCode(ExitStatus.noInput)
    }
    let library = clauses.map { URL(fileURLWithPath: $0) } ?? TemplateLocations.clauseLibrary(for: url)
    do {
        return try TemplateCompiler(clauseLibrary: library).compile(file: url)
    } catch {
        throw exitForTemplateError(error)
    }
}

/// Prints a template error's diagnostics, one per line; exits 65 (bad input), or 71 when a
/// system library the template needs cannot be loaded.
func exitForTemplateError(_ error: TemplateError) -> ExitCode {
    for diagnostic in error.diagnostics { FileHandle.standardError.write(Data("\(diagnostic)\n".utf8)) }
    return ExitCode(error.diagnostics.contains { $0.code == .systemLibrary } ? ExitStatus.osError : ExitStatus.dataError)
}
