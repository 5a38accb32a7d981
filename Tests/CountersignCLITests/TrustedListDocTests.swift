import Foundation
import Testing
import TestSupport

/// Runs the trusted-list example of docs/ltv.md: a LOTL and a Belgian list made and signed here
/// (openssl, xmlsec1), a contract signed with a qualified certificate; each `countersign` line,
/// with the documented file names replaced, must exit with the status its comment states.
@Suite struct TrustedListDocTests {
    @Test func documentedTrustedListExampleRunsAsStated() throws {
        let text = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/ltv.md"), encoding: .utf8)
        let start = try #require(text.range(of: "```shell\n"))
        let end = try #require(text.range(of: "\n```", range: start.upperBound..<text.endIndex))
        let lines = text[start.upperBound..<end.lowerBound].split(separator: "\n").map(String.init)
        #expect(lines.count == 3)

        let factory = try TrustedListFactory()
        let lotlSigner = try factory.selfSigned("Documented LOTL Signer")
        let listSigner = try factory.selfSigned("Documented BE TL Signer")
        let ca = try factory.selfSigned("Documented Qualified CA", ca: true)
        let signer = try factory.issue("Documented Qualified Signer", by: ca, statements: [.compliance, .sscd, .typeSignature])
        let service = TrustedListFactory.Service(name: "Documented Qualified CA", certificate: ca,
                                                 statuses: [.init(TrustedListFactory.Status.granted, since: Date().addingTimeInterval(-60 * 86_400))])
        let national = try factory.sign(factory.nationalList(territory: "BE", services: [service]), with: listSigner, as: "tl-be.xml")
        let lotl = try factory.sign(factory.listOfLists(pointers: [("BE", "https://tl.example.test/tl-be.xml", listSigner)]),
                                    with: lotlSigner, as: "lotl.xml")
        var tampered = try Data(contentsOf: national)
        let marker = Data("Documented Qualified CA".utf8)
        let at = try #require(tampered.range(of: marker))
        tampered[at.lowerBound + 1] = UInt8(ascii: "0")
        let tamperedFile = factory.directory.appendingPathComponent("tl-be-tampered.xml")
        try tampered.write(to: tamperedFile)

        let contract = factory.directory.appendingPathComponent("contract.pdf")
        try Data(contentsOf: SignCommandTests.material.contract).write(to: contract)
        let signed = factory.directory.appendingPathComponent("signed.pdf")
        let signing = try runCommand(TestEnvironment.countersignExecutable.path,
                                     ["sign", contract.path, "--out", signed.path, "--key", signer.key.path, "--cert", signer.chain.path,
                                      "--invisible", "--date", ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3600))])
        try #require(signing.status == 0, "\(signing.stderr)")

        let replacements = ["signed.pdf": signed.path, "lotl.xml": lotl.path, "tl-be.xml": national.path,
                            "tl-be-tampered.xml": tamperedFile.path, "lotl-signer.pem": lotlSigner.certificate.path]
        for line in lines {
            let parts = line.components(separatedBy: "#")
            let expected = try #require(Int(parts[1].trimmingCharacters(in: .whitespaces).dropFirst("exit ".count).prefix { $0.isNumber }))
            let words = parts[0].split(separator: " ").map(String.init)
            #expect(words.first == "countersign")
            let result = try runCommand(TestEnvironment.countersignExecutable.path, words.dropFirst().map { replacements[$0] ?? $0 })
            #expect(result.status == Int32(expected), "\(line)\n\(result.stdout)\n\(result.stderr)")
            if line.contains("QESig") { #expect(result.stdout.contains("qualified:   QESig"), "\(result.stdout)") }
            if line.contains("refused") {
                #expect(result.stderr.contains("trusted list refused") && result.stdout.contains("trusted list REFUSED"), "\(result.stdout)\n\(result.stderr)")
            }
            if expected == 64 { #expect(result.stderr.contains("--trust-list-signer"), "\(result.stderr)") }
        }
    }

    /// Without libxmlsec1 a trusted list cannot be checked: the command says which library is
    /// missing and exits 71, instead of verifying without the lists it was given.
    @Test func aMissingXMLSecurityLibraryIsNamed() throws {
        let factory = try TrustedListFactory()
        let signer = try factory.selfSigned("Any LOTL Signer")
        let lotl = try factory.sign(factory.listOfLists(pointers: []), with: signer, as: "lotl.xml")
        let contract = factory.directory.appendingPathComponent("contract.pdf")
        try Data(contentsOf: SignCommandTests.material.contract).write(to: contract)
        let result = try runCommand(TestEnvironment.countersignExecutable.path,
                                    ["verify", contract.path, "--trust-list", lotl.path, "--trust-list-signer", signer.certificate.path],
                                    environment: ProcessInfo.processInfo.environment.merging(
                                        ["COUNTERSIGN_UNLOADABLE_LIBRARIES": "libxmlsec1-openssl.so.1"]) { $1 })
        #expect(result.status == 71, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("libxmlsec1-openssl.so.1"), "\(result.stderr)")
    }
}
