import ArgumentParser
import Countersign
import Foundation
import Server

/// The organisation seal a worker completes envelopes with (docs/workflow.md, "The organisation
/// seal"). Each option falls back to an environment variable, so every worker of a deployment
/// is configured once; with none, the home's development CA seals.
struct SealOptions: ParsableArguments {
    @Option(name: .customLong("seal-p12"), help: ArgumentHelp("The organisation seal's PKCS#12 (default: $COUNTERSIGN_SEAL_P12; without one, the home's development CA).", valueName: "file"))
    var p12: String?

    @Option(name: .customLong("seal-key"), help: ArgumentHelp("The seal's PEM private key, with --seal-cert (default: $COUNTERSIGN_SEAL_KEY).", valueName: "file"))
    var key: String?

    @Option(name: .customLong("seal-cert"), help: ArgumentHelp("The seal's PEM certificate chain, leaf first (default: $COUNTERSIGN_SEAL_CERT).", valueName: "file"))
    var cert: String?

    @Option(name: .customLong("seal-password-file"), help: ArgumentHelp("A file holding the seal key's password (default: $COUNTERSIGN_SEAL_PASSWORD_FILE, else the variable $COUNTERSIGN_SEAL_PASSWORD, else a prompt).", valueName: "file"))
    var passwordFile: String?

    @Option(name: .customLong("seal-password-env"), help: ArgumentHelp("The environment variable holding the seal key's password.", valueName: "name"))
    var passwordEnv: String?

    @Option(name: .customLong("seal-trust"), help: ArgumentHelp("A PEM file of certificates the sealed files must verify against; repeatable (default: $COUNTERSIGN_SEAL_TRUST, ':'-separated; else the root the seal's chain ends in). With --tsa, add the TSA's root.", valueName: "file"))
    var trust: [String] = []

    @Option(help: ArgumentHelp("An RFC 3161 time-stamp authority (http://…): seals become PAdES B-T and each new ledger head is time-stamped (default: $COUNTERSIGN_TSA).", valueName: "url"))
    var tsa: String?

    @Option(name: .customLong("seal-password"), help: ArgumentHelp("Refused: passwords never go on the command line.", visibility: .hidden))
    var password: String?

    func validate() throws {
        if password != nil {
            throw ValidationError.passwordOnCommandLine("--seal-password", alternatives: "--seal-password-file FILE, --seal-password-env NAME "
                                                        + "or $COUNTERSIGN_SEAL_PASSWORD_FILE")
        }
        let settings = resolved
        if settings.p12 != nil, settings.key != nil || settings.cert != nil {
            throw ValidationError("Give --seal-p12, or --seal-key with --seal-cert, not both (the environment counts: $COUNTERSIGN_SEAL_P12, $COUNTERSIGN_SEAL_KEY).")
        }
        if (settings.key == nil) != (settings.cert == nil) {
            throw ValidationError("--seal-key and --seal-cert ($COUNTERSIGN_SEAL_KEY and $COUNTERSIGN_SEAL_CERT) go together: a PEM private key and its PEM certificate chain.")
        }
        if passwordFile != nil, passwordEnv != nil { throw ValidationError("Give --seal-password-file or --seal-password-env, not both.") }
        // A password with no key to open means the key was forgotten: the development CA would
        // seal while the operator believes the organisation's certificate does.
        if settings.p12 == nil, settings.key == nil, settings.passwordFile != nil || settings.passwordEnv != nil {
            throw ValidationError("A seal password is given (--seal-password-file, --seal-password-env or $COUNTERSIGN_SEAL_PASSWORD_FILE) but no seal key: "
                                  + "give --seal-p12 FILE (or --seal-key with --seal-cert, or $COUNTERSIGN_SEAL_P12); without one the home's development CA seals.")
        }
        if let tsa = settings.tsa, URL(string: tsa)?.scheme?.lowercased() != "http" || URL(string: tsa)?.host == nil {
            throw ValidationError("--tsa (or $COUNTERSIGN_TSA) must be an http:// URL of a time-stamp authority, not '\(tsa)'.")
        }
    }

    /// The options with the environment filled in where they are absent, as the server's
    /// configuration holds the same settings.
    var resolved: ServerConfiguration.Seal {
        let environment = ProcessInfo.processInfo.environment
        func variable(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        // Any key option given on the command line replaces the environment's key settings
        // whole: a `--seal-cert` alone must not pair with a `$COUNTERSIGN_SEAL_KEY` (or vanish).
        let given = p12 != nil || key != nil || cert != nil
        var settings = ServerConfiguration.Seal()
        settings.p12 = given ? p12 : variable("COUNTERSIGN_SEAL_P12")
        settings.key = given ? key : variable("COUNTERSIGN_SEAL_KEY")
        settings.cert = given ? cert : variable("COUNTERSIGN_SEAL_CERT")
        settings.passwordFile = passwordEnv != nil ? nil : passwordFile ?? variable("COUNTERSIGN_SEAL_PASSWORD_FILE")
        settings.passwordEnv = passwordEnv
        settings.trust = trust.isEmpty ? (variable("COUNTERSIGN_SEAL_TRUST")?.split(separator: ":").map(String.init) ?? []) : trust
        settings.tsa = tsa ?? variable("COUNTERSIGN_TSA")
        return settings
    }

    /// The seal these options name.
    func seal() -> OrganisationSeal { resolved.organisationSeal }
}

/// The seal's settings (paths and names, nothing read yet), from the worker's options or the
/// server's configuration, as the library's seal.
extension ServerConfiguration.Seal {
    var organisationSeal: OrganisationSeal {
        var source: IdentityLoader.Source? = nil
        if let p12 {
            source = .pkcs12(URL(fileURLWithPath: p12))
        } else if let key, let cert {
            source = .pem(key: URL(fileURLWithPath: key), certificates: URL(fileURLWithPath: cert))
        }
        let hint = "--seal-password-file or $COUNTERSIGN_SEAL_PASSWORD_FILE, --seal-password-env, $COUNTERSIGN_SEAL_PASSWORD; "
            + "seal.passwordFile in the server configuration"
        let identity = source.map { IdentityLoader(source: $0, password: password, passwordHint: hint, allowExpiredHint: nil) }
        return OrganisationSeal(identity: identity, trust: trust.map { URL(fileURLWithPath: $0) }, timestampURL: tsa.flatMap(URL.init(string:)))
    }

    /// A file, a named variable, else `$COUNTERSIGN_SEAL_PASSWORD` when set, else a prompt.
    private var password: PasswordSource? {
        if let passwordFile { return .file(passwordFile) }
        if let passwordEnv { return .environment(passwordEnv) }
        if ProcessInfo.processInfo.environment["COUNTERSIGN_SEAL_PASSWORD"] != nil { return .environment("COUNTERSIGN_SEAL_PASSWORD") }
        return nil
    }
}
