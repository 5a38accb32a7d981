import Foundation
import TestSupport

/// A development CA and a rendered contract (fields sig_customer and sig_company) made with the
/// CLI itself in a scratch directory, for the contract tests.
final class CLIFixture: @unchecked Sendable {
    let directory: URL
    let devCA: URL
    let contract: URL

    init(_ label: String) throws {
        directory = try TestEnvironment.scratchDirectory(label)
        devCA = directory.appendingPathComponent("dev-ca")
        contract = directory.appendingPathComponent("contract.pdf")
        try Self.check(try countersign(["keys", "dev-ca", "--out", devCA.path]))
        try Self.check(try countersign(["render", TestEnvironment.root.appendingPathComponent("Templates/service-agreement.xml").path,
                                        "--csv", TestEnvironment.fixtures.appendingPathComponent("leads.csv").path, "--row", "1",
                                        "--out", contract.path, "--date", "2026-03-01"]))
    }

    var keyArguments: [String] {
        ["--p12", devCA.appendingPathComponent("signer.p12").path,
         "--password-file", devCA.appendingPathComponent("signer.pass").path]
    }

    var caCertificate: String { devCA.appendingPathComponent("ca.pem").path }

    private static func check(_ result: CommandResult) throws {
        guard result.status == 0 else { throw FixtureError(message: result.stderr) }
    }

    struct FixtureError: Error { var message: String }
}

/// Runs the built `countersign`.
func countersign(_ arguments: [String], input: Data? = nil, environment: [String: String]? = nil) throws -> CommandResult {
    try runCommand(TestEnvironment.countersignExecutable.path, arguments, input: input, environment: environment)
}
