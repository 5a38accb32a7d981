import ArgumentParser
import Countersign
import Foundation

/// `countersign keys dev-ca --out DIR [--key-type T] [--signer-key-type T] [--days N] [--not-before ISO8601] [--ca-name N] [--signer-name N] [--json]`
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Make keys and certificates.", subcommands: [DevCA.self])

    struct DevCA: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dev-ca",
            abstract: "Make a development root CA and a signer PKCS#12 (NOT for production: nobody trusts this CA).")

        @Option(help: "Directory to create the files in (ca.pem, ca-key.pem, signer.p12, signer.pass); must not hold them yet.")
        var out: String

        @Option(name: .customLong("key-type"), help: "The signer's key: rsa2048 (default), rsa3072, rsa4096, ec-p256 or ec-p384.")
        var keyType: String = "rsa2048"

        @Option(name: .customLong("ca-key-type"), help: "The root's key: rsa3072 (default), rsa2048, rsa4096, ec-p256 or ec-p384.")
        var caKeyType: String = "rsa3072"

        @Option(help: "Days the signer's certificate is valid (default 365); the root covers at least 10 years.")
        var days: Int = 365

        @Option(name: .customLong("not-before"), help: "Start of validity, ISO 8601 (default: 5 minutes ago) — to sign at earlier dates in tests.")
        var notBefore: String?

        @Option(name: .customLong("ca-name"), help: "The root's common name (default: \"\(DevelopmentCA.rootName)\").")
        var caName: String = DevelopmentCA.rootName

        @Option(name: .customLong("signer-name"), help: "The signer's common name (default: \"\(DevelopmentCA.signerName)\").")
        var signerName: String = DevelopmentCA.signerName

        @Flag(help: "Print the files as a JSON object.")
        var json = false

        static func keySpec(_ text: String) -> PrivateKey.Spec? {
            ["rsa2048": .rsa(2048), "rsa3072": .rsa(3072), "rsa4096": .rsa(4096), "ec-p256": .ecP256,
             "ec-p384": .ecP384][text.lowercased()]
        }

        var start: Date? {
            guard let notBefore else { return nil }
            let formatter = ISO8601DateFormatter()
            if let date = formatter.date(from: notBefore) { return date }
            formatter.formatOptions = [.withFullDate]
            return formatter.date(from: notBefore)
        }

        func validate() throws {
            for (flag, value) in [("--key-type", keyType), ("--ca-key-type", caKeyType)] where Self.keySpec(value) == nil {
                throw ValidationError("\(flag) must be rsa2048, rsa3072, rsa4096, ec-p256 or ec-p384; got '\(value)'.")
            }
            if days < 1 { throw ValidationError("--days must be at least 1.") }
            if notBefore != nil, start == nil {
                throw ValidationError("--not-before must be ISO 8601, e.g. 2025-01-01 or 2025-01-01T00:00:00Z; got '\(notBefore!)'.")
            }
            if caName.isEmpty || signerName.isEmpty { throw ValidationError("--ca-name and --signer-name cannot be empty.") }
            // X.520's upper bound for a common name (RFC 5280 ub-common-name): OpenSSL refuses more.
            for (flag, value) in [("--ca-name", caName), ("--signer-name", signerName)] where value.count > 64 {
                throw ValidationError("\(flag) is at most 64 characters (the limit for a certificate's common name); it has \(value.count).")
            }
        }

        func run() throws {
            try reportingErrors(json: json, file: out) {
                let directory = URL(fileURLWithPath: out)
                let existing = ["ca.pem", "ca-key.pem", "signer.p12", "signer.pass"]
                    .filter { FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path) }
                if !existing.isEmpty {
                    throw CLIError(ExitStatus.cannotCreate, file: out, "already holds \(existing.joined(separator: ", "))",
                                   todo: "choose another --out, or remove the old files first")
                }
                var options = DevelopmentCA.Options()
                options.signerKey = Self.keySpec(keyType)!
                options.rootKey = Self.keySpec(caKeyType)!
                options.validityDays = days
                if let start { options.notBefore = start }
                options.rootName = caName
                options.signerName = signerName
                let files: DevelopmentCA.Files
                do {
                    files = try DevelopmentCA.make(in: directory, options: options)
                } catch let error as CryptoError where error.code == .io {
                    throw CLIError(ExitStatus.cannotCreate, file: out, error.reason, todo: "check that the folder can be written")
                }
                if json {
                    printJSON(.object(["caCertificate": .string(files.caCertificate.path), "caPrivateKey": .string(files.caPrivateKey.path),
                                       "signerPKCS12": .string(files.signerPKCS12.path),
                                       "signerPassword": .string(files.signerPassword.path)]))
                    return
                }
                print("Development CA (untrusted — for tests and demos only):")
                print("  root certificate  \(files.caCertificate.path)   (pass to verify --trust)")
                print("  root key          \(files.caPrivateKey.path)   (0600)")
                print("  signer PKCS#12    \(files.signerPKCS12.path)   (0600)")
                print("  its password      \(files.signerPassword.path)   (0600; use --password-file)")
            }
        }
    }
}
