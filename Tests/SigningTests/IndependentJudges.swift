import Foundation
import TestSupport
import Testing

/// What tools we did not write say about a signed file.
enum Judges {
    /// pdfsig: every signature "Signature is Valid", and the last "Total document signed".
    static func pdfsig(_ file: URL, signatures: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try runCommand("pdfsig", [file.path])
        let valid = result.stdout.components(separatedBy: "Signature is Valid").count - 1
        #expect(valid == signatures, "pdfsig: \(result.stdout)", sourceLocation: sourceLocation)
        #expect(result.stdout.contains("Total document signed"), "pdfsig: \(result.stdout)", sourceLocation: sourceLocation)
    }

    static func qpdf(_ file: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try runCommand("qpdf", ["--check", file.path])
        #expect(result.status == 0, "qpdf: \(result.stdout) \(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stdout.contains("WARNING"), "qpdf: \(result.stdout)", sourceLocation: sourceLocation)
    }

    static var pyhankoAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: TestEnvironment.venv.appendingPathComponent("bin/pyhanko").path)
    }

    /// pyHanko: INTACT and TRUSTED for every signature, modifications no worse than form filling.
    /// Returns pyHanko's status line per signature (`field:fingerprint:INTACT:TRUSTED,UNTOUCHED`).
    @discardableResult
    static func pyhanko(_ file: URL, trust: URL, extraTrust: [URL] = [], signatures: Int = 1, timestamped: Bool = false,
                        sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let pyhanko = TestEnvironment.venv.appendingPathComponent("bin/pyhanko").path
        let trustArguments = ([trust] + extraTrust).flatMap { ["--trust", $0.path] }
        let result = try runCommand(pyhanko, ["sign", "validate"] + trustArguments + ["--trust-replace",
                                              "--no-revocation-check", file.path], timeout: 120)
        #expect(result.status == 0, "pyhanko: \(result.stdout) \(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stdout.split(separator: "\n").map(String.init).filter { $0.contains(":") }
        #expect(lines.count == signatures, "pyhanko: \(result.stdout)", sourceLocation: sourceLocation)
        for line in lines {
            let parts = line.split(separator: ":").map(String.init)
            let flags = Set(parts.dropFirst(2).flatMap { $0.split(separator: ",").map(String.init) })
            #expect(flags.contains("INTACT"), "pyhanko: \(line)", sourceLocation: sourceLocation)
            #expect(flags.contains("TRUSTED"), "pyhanko: \(line)", sourceLocation: sourceLocation)
            // The newest signature is UNTOUCHED; earlier ones may only be extended with form filling.
            #expect(flags.contains("UNTOUCHED") || flags.contains("EXTENDED_WITH_FORM_FILLING"), "pyhanko: \(line)",
                    sourceLocation: sourceLocation)
            if timestamped {
                #expect(line.contains("TIMESTAMP_TOKEN<INTACT:TRUSTED>"), "pyhanko: \(line)", sourceLocation: sourceLocation)
            }
        }
        return lines
    }
}
