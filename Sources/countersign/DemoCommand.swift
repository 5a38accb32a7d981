import ArgumentParser
import Countersign
import Foundation

/// `countersign demo [--out DIR] [--rows N] [--jobs N]`
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the workflow on the sample leads: envelopes, two signers in order, sealed and verified contracts.")

    @Option(help: "Where to write (a development CA is made there on first run).")
    var out: String = "out/demo"

    @Option(help: "How many leads to send envelopes to (from the shipped Fixtures/leads.csv).")
    var rows: Int = 10

    @Option(help: "Workers completing envelopes in parallel (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "Print the summary as a JSON object.")
    var json = false

    func validate() throws {
        if rows < 1 { throw ValidationError("--rows must be at least 1.") }
        try JobsOption.check(jobs)
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
                                   "events": .int(summary.events), "evidenceIntact": .bool(summary.evidenceIntact),
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
        print("  workflow store (SQLite): \(output.appendingPathComponent("store").path)")
        print("  generated \(summary.generated) contracts from Fixtures/leads.csv → \(output.appendingPathComponent("contracts").path)")
        print("  two signers each in routing order (consent, e-mailed code, typed signature, sign)")
        print("  sealed \(summary.sealed) with the signers' marks and a Certificate of Completion → \(output.appendingPathComponent("sealed").path)")
        print("  verified \(summary.passed) of \(summary.sealed): PASSED against the development CA")
        print("  evidence: \(summary.events) hash-chained events, \(summary.evidenceIntact ? "intact" : "NOT intact") (audit verify)")
        for failure in summary.failures { print("  failed: \(failure)") }
        // A real file to paste (quoted: lead names hold spaces).
        let sealed = output.appendingPathComponent("sealed")
        let first = ((try? FileManager.default.contentsOfDirectory(atPath: sealed.path)) ?? []).filter { $0.hasSuffix(".pdf") }.sorted().first
        let example = "'" + sealed.appendingPathComponent(first ?? "LEAD.pdf").path.replacingOccurrences(of: "'", with: "'\\''") + "'"
        print("Check one yourself:")
        print("  countersign verify --trust \(summary.caCertificate.path) \(example)")
        print("  pdfsig \(example)")
        print("  countersign audit verify --all-accounts --home \(output.path)   # the store's evidence, no key needed")
    }
}
