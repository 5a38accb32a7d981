import Foundation
import TestSupport
import Testing

/// Two workers typesetting at once, from the start of a fresh process, give the bytes one worker
/// gives. Each run is a new `countersign` process: what raced was process-wide state filled when
/// a font is first used, so only a cold process can show it.
@Suite(.serialized) struct ParallelTypesettingTests {
    @Test func twoColdWorkersMatchOneWorkerByteForByte() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let csv = directory.appendingPathComponent("leads.csv")
        let generated = try runCommand("python3", [TestEnvironment.root.appendingPathComponent("scripts/gen-leads").path,
                                                   "16", "--out", csv.path])
        #expect(generated.status == 0, "\(generated.stderr)")
        let template = TestEnvironment.root.appendingPathComponent("Templates/service-agreement.xml").path
        func run(jobs: Int, into name: String) throws -> [String: Data] {
            let out = directory.appendingPathComponent(name)
            let result = try runCommand(TestEnvironment.countersignExecutable.path,
                                        ["generate", template, "--csv", csv.path, "--out", out.path, "--jobs", "\(jobs)",
                                         "--date", "2025-03-01", "--quiet"], timeout: 180)
            #expect(result.status == 0, "\(result.stderr)")
            var files: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: out.path) {
                files[name] = try Data(contentsOf: out.appendingPathComponent(name))
            }
            return files
        }
        let reference = try run(jobs: 1, into: "serial")
        #expect(reference.keys.filter { $0.hasSuffix(".pdf") }.count == 16)
        // Without serialized shaping, about one run in three differed when both workers began at once.
        for attempt in 1...6 {
            let parallel = try run(jobs: 2, into: "parallel-\(attempt)")
            let different = reference.keys.filter { parallel[$0] != reference[$0] }.sorted()
            #expect(parallel.count == reference.count && different.isEmpty, "run \(attempt): \(different) differ")
        }
    }
}
