import Foundation
import TestSupport
import Testing

/// The README's main command: `countersign demo` does the whole job on the embedded defaults.
@Suite struct DemoCommandTests {
    @Test func demoGeneratesSealsAndReportsWhereTheFilesAre() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let result = try runCommand(TestEnvironment.countersignExecutable.path,
                                    ["demo", "--out", directory.path, "--rows", "10", "--jobs", "2"], timeout: 300)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("generated 10 contracts"))
        #expect(result.stdout.contains("sealed 10"))
        #expect(result.stdout.contains("verified 10 of 10: PASSED"))
        let sealed = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("sealed").path)
        #expect(sealed.filter { $0.hasSuffix(".pdf") }.count == 10)
        let file = directory.appendingPathComponent("sealed").appendingPathComponent(sealed.sorted()[0])
        let pdfsig = try runCommand("pdfsig", [file.path]).stdout
        #expect(pdfsig.contains("Signature is Valid") && pdfsig.contains("Total document signed"), "\(pdfsig)")
        let text = try runCommand("pdftotext", [file.path, "-"]).stdout
        #expect(text.contains("Certificate of Completion"))
        // The summary's audit command runs as printed.
        let line = try #require(result.stdout.split(separator: "\n").first { $0.contains("countersign audit verify") })
        let words = line.split(separator: "#")[0].split(separator: " ").map(String.init).dropFirst()
        let audit = try runCommand(TestEnvironment.countersignExecutable.path, Array(words))
        #expect(audit.status == 0 && audit.stdout.hasPrefix("INTACT"), "\(audit.stdout) \(audit.stderr)")
        // A second run reuses the development CA made on the first.
        let ca = try Data(contentsOf: directory.appendingPathComponent("dev-ca/ca.pem"))
        let again = try runCommand(TestEnvironment.countersignExecutable.path,
                                   ["demo", "--out", directory.path, "--rows", "1"], timeout: 300)
        #expect(again.status == 0)
        #expect(try Data(contentsOf: directory.appendingPathComponent("dev-ca/ca.pem")) == ca)
    }
}
