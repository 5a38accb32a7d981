import Foundation
import PDFSyntax
import Testing
import TestSupport

/// Runs the example of docs/ltv.md against a loopback PKI: each `countersign` line, with the
/// documented file names and TSA URL replaced, must exit with the status its comment states.
@Suite(.serialized) struct LongTermValidationDocTests {
    @Test func documentedExampleRunsAsStated() throws {
        let text = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/ltv.md"), encoding: .utf8)
        let start = try #require(text.range(of: "```sh\n"))
        let end = try #require(text.range(of: "\n```", range: start.upperBound..<text.endIndex))
        let lines = text[start.upperBound..<end.lowerBound].split(separator: "\n").map(String.init)
        #expect(lines.count == 4)

        let pki = try TestPKI()
        let tsa = try TestTSA()
        let identity = try pki.issue("Documented Signer")
        try pki.startResponder()
        defer { pki.stopResponder() }
        let directory = try TestEnvironment.scratchDirectory("ltv-doc")
        let contract = directory.appendingPathComponent("contract.pdf")
        try Data(contentsOf: SignCommandTests.material.contract).write(to: contract)
        let replacements = ["contract.pdf": contract.path, "signed.pdf": directory.appendingPathComponent("signed.pdf").path,
                            "signer.key": identity.key.path, "signer-chain.pem": identity.chain.path,
                            "tsa-root.pem": tsa.rootCertificate.path, "root.pem": pki.rootCertificate.path,
                            "http://127.0.0.1:8080/tsa": tsa.url.absoluteString]
        for line in lines {
            let parts = line.components(separatedBy: "#")
            let expected = try #require(Int(parts[1].trimmingCharacters(in: .whitespaces).dropFirst("exit ".count).prefix { $0.isNumber }))
            let words = parts[0].split(separator: " ").map(String.init)
            #expect(words.first == "countersign")
            let arguments = words.dropFirst().map { replacements[$0] ?? $0 }
            let result = try runCommand(TestEnvironment.countersignExecutable.path, Array(arguments))
            #expect(result.status == Int32(expected), "\(line)\n\(result.stdout)\n\(result.stderr)")
            if line.contains("TRY_LATER") { #expect(result.stdout.contains("TRY_LATER"), "\(result.stdout)") }
            if line.contains("--online") { #expect(result.stdout.contains("good by OCSP (online"), "\(result.stdout)") }
            if line.contains("unavailable offline") { #expect(result.stdout.contains("signer") && result.stdout.contains("unavailable"), "\(result.stdout)") }
        }
    }

    /// The B-LTA example: sign, renew, then verify with the responder and the CRL server gone.
    @Test func documentedLongTermExampleRunsAsStated() throws {
        let text = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/ltv.md"), encoding: .utf8)
        let blocks = text.components(separatedBy: "```sh\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
        try #require(blocks.count == 2)
        let lines = blocks[1].split(separator: "\n").map(String.init)
        #expect(lines.count == 5)

        let pki = try TestPKI()
        let tsa = try TestTSA(issuedBy: pki)
        let identity = try pki.issue("Documented LTA Signer")
        try pki.startResponder()
        defer { pki.stopResponder() }
        let directory = try TestEnvironment.scratchDirectory("ltv-lta-doc")
        let contract = directory.appendingPathComponent("contract.pdf")
        try Data(contentsOf: SignCommandTests.material.contract).write(to: contract)
        let signed = directory.appendingPathComponent("lta.pdf")
        let replacements = ["contract.pdf": contract.path, "lta.pdf": signed.path,
                            "signer.key": identity.key.path, "signer-chain.pem": identity.chain.path,
                            "root.pem": pki.rootCertificate.path, "http://127.0.0.1:8080/tsa": tsa.url.absoluteString]
        for line in lines {
            let parts = line.components(separatedBy: "#")
            let expected = try #require(Int(parts[1].trimmingCharacters(in: .whitespaces).dropFirst("exit ".count).prefix { $0.isNumber }))
            let words = parts[0].split(separator: " ").map(String.init)
            #expect(words.first == "countersign")
            if words.dropFirst().first == "verify" {
                pki.stopResponder()
                pki.crlServer.stop()
            }
            let result = try runCommand(TestEnvironment.countersignExecutable.path, words.dropFirst().map { replacements[$0] ?? $0 })
            #expect(result.status == Int32(expected), "\(line)\n\(result.stdout)\n\(result.stderr)")
            if line.contains("a second document timestamp") {
                let fields = try PDFDocument(path: signed.path).formFields().filter(\.isSigned).map(\.name)
                #expect(fields.filter { $0.hasPrefix("Timestamp") }.count == 2, "\(fields)")
            }
            if line.contains("from the DSS") { #expect(result.stdout.contains("PASSED") && result.stdout.contains("(dss"), "\(result.stdout)") }
            if line.contains("etsi-xml") {
                #expect(result.stdout.contains("<ValidationReport xmlns=\"http://uri.etsi.org/19102/v1.2.1#\"")
                        && result.stdout.contains("urn:etsi:019102:mainindication:total-passed"), "\(result.stdout)")
                let schemaProblem = try ETSIReportJudge.problem(in: result.stdout)
                #expect(schemaProblem == nil)
            }
            if line.contains("no signature") { #expect(result.stderr.contains("no signature to extend"), "\(result.stderr)") }
        }
    }
}
