import ArgumentParser
import Countersign
import Foundation

/// `countersign generate TEMPLATE --csv FILE [--map MAP.json] --out DIR [--name PATTERN] [--jobs N]
/// [--resume] [--shard I/N] [--encoding utf-8|windows-1252] [--date ISO8601] [--quiet]`
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate one PDF per CSV row, in parallel, with a manifest and an error report (docs/batch.md).")

    @Argument(help: "The XML template.")
    var template: String

    @Option(help: "The CSV export (header row first).")
    var csv: String

    @Option(help: "A mapping file (JSON) from the CSV's columns to the template's fields.")
    var map: String?

    @Option(help: "The output directory (created if missing).")
    var out: String

    @Option(help: "File name pattern, e.g. '{{lead_id}}-{{company_name}}.pdf' (default: {{lead_id}}.pdf when the template has lead_id, else {{row}}.pdf).")
    var name: String?

    @Option(help: "Parallel workers (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "Continue or update an earlier batch in --out: keep PDFs that still match the manifest, redo the rest.")
    var resume = false

    @Option(help: "Process only shard I of N: the rows with (row - 1) % N == I - 1.")
    var shard: String?

    @Option(help: "The CSV's text encoding: utf-8 (default) or windows-1252.")
    var encoding: String = "utf-8"

    @Option(help: "The document date (ISO 8601); fixes the output bytes.")
    var date: String?

    @Option(help: "The clause library (default: clauses/ beside the template).")
    var clauses: String?

    @Flag(help: "Characters no shipped font has are warnings (printed without them) instead of errors.")
    var allowMissingGlyphs = false

    @Flag(help: "No progress output (the summary is still printed).")
    var quiet = false

    func validate() throws {
        if CSVEncoding(rawValue: encoding.lowercased()) == nil {
            throw ValidationError("--encoding must be utf-8 or windows-1252, not '\(encoding)'.")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if let shard, BatchShard(shard) == nil {
            throw ValidationError("--shard must be I/N with 1 ≤ I ≤ N, e.g. 2/8; got '\(shard)'.")
        }
        if let date, date.wholeMatch(of: /\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/) == nil
            || CalendarDate(iso: date.prefix(10)) == nil {
            throw ValidationError("--date must be ISO 8601, e.g. 2025-03-01 or 2025-03-01T09:00:00Z; got '\(date)'.")
        }
    }

    func run() throws {
        let compiled = try compileTemplate(template, clauses: clauses)
        let generator: BatchGenerator
        do {
            let mapping = try map.map { try BatchMapping.load(URL(fileURLWithPath: $0)) }
            var configuration = BatchConfiguration(
                csv: URL(fileURLWithPath: csv), encoding: CSVEncoding(rawValue: encoding.lowercased()) ?? .utf8, mapping: mapping, mappingPath: map ?? "mapping",
                output: URL(fileURLWithPath: out), namePattern: name,
                workers: jobs ?? ProcessInfo.processInfo.activeProcessorCount, resume: resume,
                shard: shard.flatMap(BatchShard.init), date: date)
            configuration.allowMissingGlyphs = allowMissingGlyphs
            generator = try BatchGenerator(template: compiled, configuration: configuration)
        } catch let error as BatchError {
            throw exit(for: error)
        }
        let summary: BatchSummary
        do {
            summary = try generator.run(progress: quiet ? nil : ProgressReporter(label: "generated"))
        } catch {
            throw exit(for: error)
        }
        var report = ""
        for problem in summary.firstProblems { report += "countersign: \(problem)\n" }
        for warning in summary.firstWarnings { report += "countersign: warning: \(warning)\n" }
        if summary.warnedRows > 0 {
            report += "countersign: \(summary.warnedRows) row\(summary.warnedRows == 1 ? "" : "s") generated with warnings\n"
        }
        if summary.failed > 0 {
            report += "countersign: \(summary.failed) row\(summary.failed == 1 ? "" : "s") failed; "
                + "every problem is in \(summary.files.errors.path)\n"
        }
        report += "\(summary)\n"
        FileHandle.standardError.write(Data(report.utf8))
        if summary.failed > 0 { throw ExitCode(ExitStatus.failed) }
    }

    /// Prints a batch error and maps it to its exit status.
    private func exit(for error: BatchError) -> ExitCode {
        for line in error.reason.split(separator: "\n") { printError(String(line)) }
        switch error.code {
        case .missingInput: return ExitCode(ExitStatus.noInput)
        case .mapping, .invalidInput: return ExitCode(ExitStatus.dataError)
        case .namePattern, .existingBatch: return ExitCode(ExitStatus.usage)
        case .systemLibrary: return ExitCode(ExitStatus.osError)
        default: return ExitCode(ExitStatus.ioError)
        }
    }
}
