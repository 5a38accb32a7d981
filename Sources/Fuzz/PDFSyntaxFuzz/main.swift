import Foundation

// The corpus replayer: `PDFSyntaxFuzz FILE-OR-DIRECTORY…` runs every file through the fuzz
// harness without libFuzzer (the libFuzzer build, made by scripts/fuzz, does not compile this
// file: libFuzzer brings its own `main`). Prints one block per file; exits 1 if an invariant broke.

func inputFiles(_ arguments: [String]) -> [String] {
    var files: [String] = []
    for argument in arguments {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
            FileHandle.standardError.write(Data("no such file: \(argument)\n".utf8))
            exit(2)
        }
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
            files += names.sorted().filter { !$0.hasPrefix(".") && !$0.hasSuffix(".dict") }
                .map { (argument as NSString).appendingPathComponent($0) }
        } else {
            files.append(argument)
        }
    }
    return files
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.count == 2, arguments[0] == "--write-seeds" {
    // Used by scripts/make-fuzz-seeds: the seeds our own writers produce.
    for (name, bytes) in try WriterSeeds.all() {
        let path = (arguments[1] as NSString).appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            FileHandle.standardError.write(Data("cannot write \(path)\n".utf8))
            exit(2)
        }
    }
    exit(0)
}
if arguments.isEmpty || arguments.contains("--help") {
    print("usage: PDFSyntaxFuzz FILE-OR-DIRECTORY…   replays inputs through the fuzz harness")
    print("       PDFSyntaxFuzz --write-seeds DIR      writes the seeds our own writers produce")
    exit(arguments.isEmpty ? 2 : 0)
}
var broken = 0
let files = inputFiles(arguments)
for file in files {
    guard let data = FileManager.default.contents(atPath: file) else {
        print("\(file): unreadable")
        broken += 1
        continue
    }
    let report = FuzzHarness.exercise([UInt8](data))
    print("\(file) (\(data.count) bytes)")
    for line in report.outcomes { print("  \(line)") }
    for violation in report.violations { print("  INVARIANT BROKEN: \(violation)") }
    if !report.violations.isEmpty { broken += 1 }
}
print("replayed \(files.count) file(s): \(files.count - broken) clean, \(broken) with a broken invariant")
exit(broken == 0 ? 0 : 1)
