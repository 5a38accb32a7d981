import Foundation
import TestSupport
import Testing

/// A machine without one of the lazily-loaded system libraries: each command that needs it ends
/// with one line naming the library and exit 71 (EX_OSERR), and writes nothing. The loader's
/// test hook COUNTERSIGN_UNLOADABLE_LIBRARIES makes a library unloadable for one process.
@Suite(.serialized) struct MissingLibraryTests {
    /// A dev CA and a rendered service agreement (it has the `sig_customer` field), made once.
    final class Material: Sendable {
        let directory: URL
        let contract: URL
        let keys: [String]

        init() throws {
            directory = try TestEnvironment.scratchDirectory("missing-library")
            let devCA = directory.appendingPathComponent("dev-ca")
            let made = try runCommand(TestEnvironment.countersignExecutable.path, ["keys", "dev-ca", "--out", devCA.path])
            guard made.status == 0 else { throw TestTSAError("keys dev-ca failed: \(made.stderr)") }
            keys = ["--p12", devCA.appendingPathComponent("signer.p12").path,
                    "--password-file", devCA.appendingPathComponent("signer.pass").path]
            contract = directory.appendingPathComponent("contract.pdf")
            let rendered = try runCommand(TestEnvironment.countersignExecutable.path, [
                "render", Self.template, "--csv", Self.leads, "--row", "1", "--out", contract.path])
            guard rendered.status == 0 else { throw TestTSAError("render failed: \(rendered.stderr)") }
        }

        static let template = TestEnvironment.root.appendingPathComponent("Templates/service-agreement.xml").path
        static let leads = TestEnvironment.root.appendingPathComponent("Fixtures/leads.csv").path
    }

    static let material = try! Material()

    /// A command, the library it cannot have, and where its output would go.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var soname: String
        var arguments: @Sendable (Material, URL) -> [String]
        var testDescription: String { "\(name) without \(soname)" }
    }

    static let cases: [Case] = [
        Case(name: "render", soname: "libpango-1.0.so.0") { _, out in
            ["render", Material.template, "--csv", Material.leads, "--row", "1", "--out", out.appendingPathComponent("a.pdf").path]
        },
        Case(name: "render", soname: "libxml2.so.2") { _, out in
            ["render", Material.template, "--csv", Material.leads, "--row", "1", "--out", out.appendingPathComponent("a.pdf").path]
        },
        Case(name: "generate", soname: "libharfbuzz-subset.so.0") { _, out in
            ["generate", Material.template, "--csv", Material.leads, "--out", out.appendingPathComponent("batch").path, "--quiet"]
        },
        Case(name: "sign", soname: "libpango-1.0.so.0") { m, out in
            ["sign", m.contract.path, "--out", out.appendingPathComponent("s.pdf").path, "--field", "sig_customer"] + m.keys
        },
        Case(name: "sign", soname: "libcrypto.so.3") { m, out in
            ["sign", m.contract.path, "--out", out.appendingPathComponent("s.pdf").path, "--field", "sig_customer"] + m.keys
        },
        Case(name: "sign --anchor", soname: "libpoppler-glib.so.8") { m, out in
            ["sign", m.contract.path, "--out", out.appendingPathComponent("s.pdf").path, "--anchor", "Customer",
             "--anchor-size", "150,40"] + m.keys
        },
        Case(name: "sign --in", soname: "libcairo.so.2") { m, out in
            ["sign", "--in", m.directory.path, "--out", out.appendingPathComponent("signed").path, "--field", "sig_customer",
             "--quiet"] + m.keys
        },
        Case(name: "verify", soname: "libcrypto.so.3") { m, _ in ["verify", m.contract.path] },
        Case(name: "inspect --find-text", soname: "libpoppler-glib.so.8") { m, _ in
            ["inspect", m.contract.path, "--find-text", "Customer"]
        },
        Case(name: "keys dev-ca", soname: "libcrypto.so.3") { _, out in
            ["keys", "dev-ca", "--out", out.appendingPathComponent("keys").path]
        },
    ]

    @Test(arguments: cases)
    func aMissingLibraryIsOneClearErrorAndNoOutput(_ command: Case) throws {
        let material = Self.material
        let out = try TestEnvironment.scratchDirectory("missing-\(command.name)-\(command.soname)")
        let result = try runCommand(TestEnvironment.countersignExecutable.path, command.arguments(material, out),
                                    environment: ["COUNTERSIGN_UNLOADABLE_LIBRARIES": "libfoo.so.1," + command.soname])
        #expect(result.status == 71, "exit \(result.status): \(result.stderr)")
        let lines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("signed ") }
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cannot load \(command.soname)"), "\(result.stderr)")
        #expect(result.stderr.contains("install the package that provides it"), "\(result.stderr)")
        var written: [String] = []
        if let walker = FileManager.default.enumerator(atPath: out.path) {
            while let path = walker.nextObject() as? String {
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: out.appendingPathComponent(path).path, isDirectory: &isDirectory)
                if !isDirectory.boolValue { written.append(path) }
            }
        }
        #expect(written.isEmpty, "left behind: \(written)")
    }
}
