import ArgumentParser
import Countersign
import Foundation

/// `countersign demo [--out DIR] [--rows N] [--jobs N]`
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Generate contracts from the sample leads, seal them with audit pages, verify them.")

    @Option(help: "Where to write (a development CA is made there on first run).")
    var out: String = "out/demo"

    @Option(help: "How many leads to generate (from the shipped Fixtures/leads.csv).")
    var rows: Int = 50

    @Option(help: "Parallel workers (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "Print the summary as a JSON object.")
    var json = false

    func validate() throws {
        if rows < 1 { throw ValidationError("--rows must be at least 1.") }
    }

    func run() throws {
        let output = URL(fileURLWithPath: out).standardizedFileURL
        let demo = DemoRun(output: output, rows: rows,
                           workers: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        try reportingErrors(json: json) {
            let summary = try demo.run(progress: json ? nil : ProgressReporter(label: "sealed"))
            if json {
                printJSON(.object(["output": .string(output.path), "caCertificate": .string(summary.caCertificate.path),
                                   "generated": .int(summary.generated), "sealed": .int(summary.sealed),
                                   "passed": .int(summary.passed), "failures": .array(summary.failures.map(JSONValue.string)),
                                   "elapsed": .double(summary.elapsed)]))
            } else {
                printSummary(summary, output: output)
            }
            if !summary.failures.isEmpty { throw ExitCode(ExitStatus.failed) }
        }
    }

    private func printSummary(_ summary: DemoRun.Summary, output: URL) {
        print("Countersign demo — \(String(format: "%.1f", summary.elapsed)) s")
        print("  development CA (untrusted): \(summary.caCertificate.path)")
        print("  generated \(summary.generated) contracts from the sample leads → \(output.appendingPathComponent("contracts").path)")
        print("  sealed \(summary.sealed) with a Certificate of Completion → \(output.appendingPathComponent("sealed").path)")
        print("  verified \(summary.passed) of \(summary.sealed): PASSED against the development CA")
        for failure in summary.failures { print("  failed: \(failure)") }
        let example = output.appendingPathComponent("sealed").path + "/<lead>.pdf"
        print("Check one yourself:")
        print("  countersign verify --trust \(summary.caCertificate.path) \(example)")
        print("  pdfsig \(example)")
    }
}
