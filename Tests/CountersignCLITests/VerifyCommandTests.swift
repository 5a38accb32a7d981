import CountersignCrypto
import Foundation
import TestSupport
import Testing

/// `countersign verify` as users run it: the documented JSON, exit codes, and a directory
/// streamed as JSON Lines in input order.
@Suite struct VerifyCommandTests {
    static let material = SignCommandTests.material

    private func countersign(_ arguments: [String]) throws -> CommandResult {
        try runCommand(TestEnvironment.countersignExecutable.path, arguments)
    }

    private var caFile: String { Self.material.devCA.appendingPathComponent("ca.pem").path }

    private var keyArguments: [String] {
        ["--p12", Self.material.devCA.appendingPathComponent("signer.p12").path,
         "--password-file", Self.material.devCA.appendingPathComponent("signer.pass").path, "--quiet"]
    }

    /// Every key path of a JSON value ("signatures[].signer.commonName").
    private func keyPaths(_ value: Any, _ prefix: String = "") -> Set<String> {
        var paths: Set<String> = []
        if let object = value as? [String: Any] {
            for (key, child) in object {
                paths.insert(prefix + "." + key)
                paths.formUnion(keyPaths(child, prefix + "." + key))
            }
        } else if let array = value as? [Any] {
            for child in array { paths.formUnion(keyPaths(child, prefix + "[]")) }
        }
        return paths
    }

    @Test func jsonHasTheDocumentedKeys() throws {
        let m = Self.material
        let tsa = try TestTSA()
        defer { tsa.stop() }
        let sealed = m.directory.appendingPathComponent("sealed.pdf")
        let audit = TestEnvironment.fixtures.appendingPathComponent("audit-events.json").path
        let seal = try countersign(["sign", m.contract.path, "--out", sealed.path, "--invisible", "--audit", audit,
                                    "--profile", "pades-b-t", "--tsa", tsa.url.absoluteString] + keyArguments)
        #expect(seal.status == 0, "\(seal.stderr)")
        let signed = m.directory.appendingPathComponent("sealed-2.pdf")
        let second = try countersign(["sign", sealed.path, "--out", signed.path, "--field", "sig_customer"] + keyArguments)
        #expect(second.status == 0, "\(second.stderr)")

        let result = try countersign(["verify", signed.path, "--json", "--trust", caFile, "--trust", tsa.rootCertificate.path])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        let actual = try JSONSerialization.jsonObject(with: result.stdoutData)
        let document = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/verify-report.md"), encoding: .utf8)
        let start = try #require(document.range(of: "```json\n"))
        let end = try #require(document.range(of: "\n```", range: start.upperBound..<document.endIndex))
        let example = try JSONSerialization.jsonObject(with: Data(document[start.upperBound..<end.lowerBound].utf8))
        #expect(keyPaths(actual) == keyPaths(example),
                "only in output: \(keyPaths(actual).subtracting(keyPaths(example)).sorted()); only in the doc: \(keyPaths(example).subtracting(keyPaths(actual)).sorted())")
        let report = try #require(actual as? [String: Any])
        #expect(report["verdict"] as? String == "PASSED")
        let signatures = try #require(report["signatures"] as? [[String: Any]])
        #expect(signatures.map { $0["coverage"] as? String } == ["revision 2 of 3", "whole file"])
        #expect((signatures[0]["timestamp"] as? [String: Any])?["trusted"] as? Bool == true)
        #expect((report["audit"] as? [String: Any])?["chainIntact"] as? Bool == true)
        // cmsSHA256 names each signature: the SHA-256 of its CMS, the /Contents padding left out.
        let file = [UInt8](try Data(contentsOf: signed))
        let expected = try Self.contentsDigests(file)
        #expect(signatures.compactMap { $0["cmsSHA256"] as? String }.sorted() == expected.sorted())
    }

    /// SHA-256 (lower-case hex) of every `/Contents <…>` CMS in `bytes`, measured by its DER length.
    static func contentsDigests(_ bytes: [UInt8]) throws -> [String] {
        let marker = Array("/Contents <".utf8)
        var digests: [String] = []
        var at = 0
        while at + marker.count < bytes.count {
            guard bytes[at..<(at + marker.count)].elementsEqual(marker) else { at += 1; continue }
            let start = at + marker.count
            let end = try #require(bytes[start...].firstIndex(of: UInt8(ascii: ">")))
            let hex = Array(String(decoding: bytes[start..<end], as: UTF8.self).utf8)
            let der: [UInt8] = stride(from: 0, to: hex.count - 1, by: 2).map { UInt8(String(decoding: hex[$0...($0 + 1)], as: UTF8.self), radix: 16)! }
            // A definite-length SEQUENCE: 0x30, then the length in short or long form.
            var length = Int(der[1]), header = 2
            if der[1] & 0x80 != 0 {
                let octets = Int(der[1] & 0x7F)
                length = der[2..<(2 + octets)].reduce(0) { $0 << 8 | Int($1) }
                header = 2 + octets
            }
            digests.append(DigestAlgorithm.sha256.hash(Array(der[0..<(header + length)])).map { String(format: "%02x", $0) }.joined())
            at = end
        }
        return digests
    }

    @Test func exitCodesFollowTheWorstVerdict() throws {
        let m = Self.material
        let signed = m.directory.appendingPathComponent("signed.pdf").path
        let passed = try countersign(["verify", signed, "--trust", caFile])
        #expect(passed.status == 0, "\(passed.stdout)")
        #expect(passed.stdout.contains("PASSED") && passed.stdout.contains("whole file"))
        #expect(passed.stdout.contains("Countersign Development Signer"))
        let untrusted = try countersign(["verify", signed])
        #expect(untrusted.status == 2, "\(untrusted.stdout)")
        #expect(untrusted.stdout.contains("no trust anchors"))

        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: signed)))
        let marker = Array("/Contents <".utf8)
        let at = try #require((0..<(bytes.count - marker.count)).last { bytes[$0..<($0 + marker.count)].elementsEqual(marker) })
        bytes[at + marker.count + 40] = bytes[at + marker.count + 40] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let tampered = m.directory.appendingPathComponent("tampered.pdf")
        try Data(bytes).write(to: tampered)
        let failed = try countersign(["verify", tampered.path, signed, "--trust", caFile])
        #expect(failed.status == 1, "\(failed.stdout)")
        #expect(failed.stdout.contains("FAILED"))

        #expect(try countersign(["verify"]).status == 64)
        #expect(try countersign(["verify", signed, "--jobs", "0"]).status == 64)
        let missing = try countersign(["verify", m.directory.appendingPathComponent("nope.pdf").path, signed, "--trust", caFile])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("no such file"))
        #expect(try countersign(["verify", signed, "--trust", "/nonexistent/ca.pem"]).status == 66)
    }

    /// `--report etsi-xml`: the schema-valid report on standard output; for a file with no
    /// signature nothing is written (the schema's report describes at least one) and the
    /// status is INDETERMINATE's.
    @Test func etsiReportIsValidAndAnUnsignedFileGetsNone() throws {
        let m = Self.material
        let signed = m.directory.appendingPathComponent("signed.pdf").path
        let report = try countersign(["verify", signed, "--trust", caFile, "--report", "etsi-xml"])
        #expect(report.status == 0, "\(report.stderr)")
        let schemaProblem = try ETSIReportJudge.problem(in: report.stdout)
        #expect(schemaProblem == nil)
        let unsigned = try countersign(["verify", m.contract.path, "--trust", caFile, "--report", "etsi-xml"])
        #expect(unsigned.status == 2)
        #expect(unsigned.stdout.isEmpty)
        #expect(unsigned.stderr.contains("no signatures, so no ETSI TS 119 102-2 report"), "\(unsigned.stderr)")
    }

    @Test func directoryStreamsJSONLinesInInputOrder() throws {
        let m = Self.material
        let directory = try TestEnvironment.scratchDirectory("verify-dir")
        let signed = try Data(contentsOf: m.directory.appendingPathComponent("signed.pdf"))
        for name in ["a-signed.pdf", "c-signed.pdf", "e-signed.pdf"] { try signed.write(to: directory.appendingPathComponent(name)) }
        try Data(contentsOf: m.contract).write(to: directory.appendingPathComponent("b-unsigned.pdf"))
        try Data("not a PDF at all".utf8).write(to: directory.appendingPathComponent("d-notes.pdf"))
        try Data("ignored".utf8).write(to: directory.appendingPathComponent("readme.txt"))

        let result = try countersign(["verify", "--in", directory.path, "--json", "--jobs", "3", "--trust", caFile])
        #expect(result.status == 1, "the worst file is FAILED: \(result.stdout)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 5)
        let reports = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(reports.map { ($0["file"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } } ==
                ["a-signed.pdf", "b-unsigned.pdf", "c-signed.pdf", "d-notes.pdf", "e-signed.pdf"])
        #expect(reports.map { $0["verdict"] as? String } == ["PASSED", "INDETERMINATE", "PASSED", "FAILED", "PASSED"])
        #expect((reports[1]["fileCodes"] as? [String]) == ["noSignatures"])
    }
}
