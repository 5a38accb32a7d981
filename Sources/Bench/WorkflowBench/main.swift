import Countersign
import Foundation

/// `WorkflowBench` (scripts/bench workflow): one measurement per run, printed as one
/// JSON line, so the script measures each run's peak memory separately (`/usr/bin/time`).
///
///     WorkflowBench workflow --envelopes N --workers W [--clients C] --dir DIR [--store URL-or-folder]
///     WorkflowBench limit --envelopes N --workers W --dir DIR [--limit seal|signature]
///
/// It reads Templates/ and Fixtures/leads.csv in the repository root: `--root DIR`, or the current folder.
func usage(_ message: String) -> Never {
    FileHandle.standardError.write(Data("WorkflowBench: \(message)\n".utf8))
    FileHandle.standardError.write(Data("usage: WorkflowBench workflow|limit --envelopes N --workers W [--clients C] --dir DIR [--store URL] [--limit seal|signature] [--root DIR]\n".utf8))
    exit(64)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let mode = arguments.first, mode == "workflow" || mode == "limit" else { usage("say workflow or limit") }
arguments.removeFirst()
var options: [String: String] = [:]
while !arguments.isEmpty {
    let name = arguments.removeFirst()
    guard name.hasPrefix("--"), ["--envelopes", "--workers", "--clients", "--dir", "--store", "--limit", "--root"].contains(name), !arguments.isEmpty else {
        usage("unknown option or missing value: \(name)")
    }
    options[name] = arguments.removeFirst()
}
guard let envelopes = options["--envelopes"].flatMap(Int.init), envelopes > 0 else { usage("--envelopes takes a positive number") }
guard let workers = options["--workers"].flatMap(Int.init), workers > 0 else { usage("--workers takes a positive number") }
guard let directory = options["--dir"].map({ URL(fileURLWithPath: $0) }) else { usage("--dir is required") }
let clients = options["--clients"].map { Int($0) ?? 0 } ?? 4
guard clients > 0 else { usage("--clients takes a positive number") }
let root = URL(fileURLWithPath: options["--root"] ?? FileManager.default.currentDirectoryPath)
let benchmark = WorkflowBenchmark(templates: root.appendingPathComponent("Templates"),
                                  leads: root.appendingPathComponent("Fixtures/leads.csv"))
let store = options["--store"]
guard let limit = WorkflowBenchmark.Limit(rawValue: options["--limit"] ?? "seal") else { usage("--limit takes seal or signature") }
do {
    let measurement = try waitFor {
        if mode == "limit" { return try await benchmark.runLimit(directory: directory, envelopes: envelopes, workers: workers, limit: limit) }
        return try await benchmark.runWorkflow(directory: directory, store: try store.map(WorkflowStoreLocation.init),
                                               envelopes: envelopes, workers: workers, clients: clients)
    }
    let kind = mode == "limit" ? #","limit":"\#(limit.rawValue)""# : ""
    print(#"{"mode":"\#(mode)"\#(kind),"envelopes":\#(measurement.envelopes),"workers":\#(workers),"clients":\#(mode == "limit" ? 0 : clients),"seconds":\#(measurement.seconds),"rate":\#(measurement.rate)}"#)
} catch {
    FileHandle.standardError.write(Data("WorkflowBench: \(error)\n".utf8))
    exit(1)
}
