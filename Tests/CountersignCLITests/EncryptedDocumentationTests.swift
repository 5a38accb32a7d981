import Foundation
import Testing
import TestSupport

/// Runs the example of docs/signing.md's "Encrypted PDFs": each `countersign` line, with the
/// documented file names replaced, must exit with the status its comment states.
@Suite(.serialized, .enabled(if: toolAvailable("qpdf"), "needs qpdf to encrypt the input"))
struct EncryptedDocumentationTests {
    @Test func documentedExampleRunsAsStated() throws {
        let text = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/signing.md"), encoding: .utf8)
        let section = try #require(text.range(of: "## Encrypted PDFs"))
        let start = try #require(text.range(of: "```sh\n", range: section.upperBound..<text.endIndex))
        let end = try #require(text.range(of: "\n```", range: start.upperBound..<text.endIndex))
        let lines = text[start.upperBound..<end.lowerBound].split(separator: "\n").map(String.init)
        #expect(lines.count == 4)

        let m = SignCommandTests.material
        let directory = try TestEnvironment.scratchDirectory("encrypted-doc")
        let locked = directory.appendingPathComponent("locked.pdf")
        let encrypt = try runCommand("qpdf", ["--encrypt", "user-pw", "owner-pw", "256", "--", m.contract.path, locked.path])
        #expect(encrypt.status == 0, "\(encrypt.stderr)")
        let ownerFile = directory.appendingPathComponent("owner.pass")
        try Data("owner-pw\n".utf8).write(to: ownerFile)
        let signed = directory.appendingPathComponent("signed.pdf")
        let replacements = ["locked.pdf": locked.path, "signed.pdf": signed.path, "owner.pass": ownerFile.path,
                            "keys/signer.p12": m.devCA.appendingPathComponent("signer.p12").path,
                            "keys/signer.pass": m.devCA.appendingPathComponent("signer.pass").path,
                            "keys/ca.pem": m.devCA.appendingPathComponent("ca.pem").path]
        for line in lines {
            let parts = line.components(separatedBy: "#")
            let expected = try #require(Int(parts[1].trimmingCharacters(in: .whitespaces).dropFirst("exit ".count).prefix { $0.isNumber }))
            let words = parts[0].split(separator: " ").map(String.init)
            #expect(words.first == "countersign")
            let arguments = words.dropFirst().map { replacements[$0] ?? $0 }
            let result = try runCommand(TestEnvironment.countersignExecutable.path, Array(arguments),
                                        environment: ["PDF_PASSWORD": "user-pw"])
            #expect(result.status == Int32(expected), "\(line)\n\(result.stdout)\n\(result.stderr)")
            if line.contains("needs a password") { #expect(result.stderr.contains("needs a password"), "\(result.stderr)") }
            if line.contains("INDETERMINATE") { #expect(result.stdout.contains("needs a password"), "\(result.stdout)") }
        }
        // The signed file is still encrypted with the same password, and qpdf accepts it.
        let check = try runCommand("qpdf", ["--check", "--password=owner-pw", signed.path])
        #expect(check.status == 0 && check.stdout.contains("R = 6"), "\(check.stdout) \(check.stderr)")
    }
}
