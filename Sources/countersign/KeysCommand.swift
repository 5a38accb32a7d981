import ArgumentParser
import Countersign
import Foundation

/// `countersign keys dev-ca --out DIR`
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Make keys and certificates.", subcommands: [DevCA.self])

    struct DevCA: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dev-ca",
            abstract: "Make a development root CA and a signer PKCS#12 (NOT for production: nobody trusts this CA).")

        @Option(help: "Directory to create the files in (ca.pem, ca-key.pem, signer.p12, signer.pass).")
        var out: String

        func run() throws {
            do {
                let files = try DevelopmentCA.make(in: URL(fileURLWithPath: out))
                print("Development CA (untrusted — for tests and demos only):")
                print("  root certificate  \(files.caCertificate.path)   (pass to verify --trust)")
                print("  root key          \(files.caPrivateKey.path)   (0600)")
                print("  signer PKCS#12    \(files.signerPKCS12.path)   (0600)")
                print("  its password      \(files.signerPassword.path)   (0600; use --password-file)")
            } catch {
                throw exitForError(error, file: out)
            }
        }
    }
}
