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

    @Option(help: "The CSV export (header row first; '-': standard input).")
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

    @Flag(help: "Print the summary as a JSON object on stdout (docs/cli.md).")
    var json = false

    func validate() throws {
        if CSVEncoding(rawValue: encoding.lowercased()) == nil {
            throw ValidationError("--encoding must be utf-8 or windows-1252, not '\(encoding)'.")
        }
        try JobsOption.check(jobs)
        if let shard, BatchShard(shard) == nil {
            throw ValidationError("--shard must be I/N with 1 ≤ I ≤ N, e.g. 2/8; got '\(shard)'.")
        }
        try validateDocumentDate(date)
        // An empty --out would write the documents, the manifest and errors.csv into the current folder.
        if out.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--out names the output folder and cannot be empty; give one, e.g. --out contracts")
        }
    }

    func run() throws {
        try reportingErrors(json: json, file: template) {
            let compiled = try compileTemplate(template, clauses: clauses)
            let (csvURL, cleanup) = try StandardStreams.spool(csv, suffix: ".csv", what: "the --csv export")
            defer { cleanup() }
            let mapping = try map.map { try BatchMapping.load(URL(fileURLWithPath: $0)) }
            var configuration = BatchConfiguration(
                csv: csvURL, encoding: CSVEncoding(rawValue: encoding.lowercased()) ?? .utf8, mapping: mapping, mappingPath: map ?? "mapping",
                output: URL(fileURLWithPath: out), namePattern: name,
                workers: jobs ?? ProcessInfo.processInfo.activeProcessorCount, resume: resume,
                shard: shard.flatMap(BatchShard.init), date: date)
            configuration.allowMissingGlyphs = allowMissingGlyphs
            let generator = try BatchGenerator(template: compiled, configuration: configuration)
            for warning in generator.headerWarnings { printError("\(StandardStreams.display(csv)): warning: \(warning)") }
            let interruption = InterruptionNotice(message: "interrupted — every row committed so far is in the journal; "
                                                  + "run the same command with --resume to finish the batch")
            defer { interruption.cancel() }
            let summary = try generator.run(progress: quiet || json ? nil : ProgressReporter(label: "generated"))
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
            if json {
                FileHandle.standardError.write(Data(report.utf8))
                printJSON(.object([
                    "generated": .int(summary.generated), "kept": .int(summary.kept), "failed": .int(summary.failed),
                    "warnedRows": .int(summary.warnedRows), "headerWarnings": .array(generator.headerWarnings.map(JSONValue.string)),
                    "otherShards": .int(summary.otherShards), "elapsed": .double(summary.elapsed),
                    "manifest": .string(summary.files.manifest.path), "errors": .string(summary.files.errors.path),
                ]))
            } else {
                FileHandle.standardError.write(Data((report + "\(summary)\n").utf8))
            }
            if summary.failed > 0 { throw ExitCode(ExitStatus.failed) }
        }
    }
}
