import ArgumentParser
import Countersign

/// The password of an encrypted input PDF (ISO 32000-2 §7.6, standard security handler): its
/// user or its owner password. Not needed for the usual encrypted file that opens without one
/// (an empty user password). Never on the command line, like the key's password.
struct DocumentPasswordOptions: ParsableArguments {
    @Option(name: .customLong("document-password-file"),
            help: "Read the encrypted PDF's user or owner password from this file (first line).")
    var file: String?

    @Option(name: .customLong("document-password-env"),
            help: "Read the encrypted PDF's user or owner password from this environment variable.")
    var environment: String?

    @Option(name: .customLong("document-password"),
            help: ArgumentHelp("Refused: passwords never go on the command line.",
                               discussion: "Use --document-password-file or --document-password-env."))
    var commandLine: String?

    func validate() throws {
        if commandLine != nil {
            throw ValidationError.passwordOnCommandLine("--document-password", alternatives: "--document-password-file FILE or --document-password-env NAME")
        }
        if file != nil, environment != nil {
            throw ValidationError("Give --document-password-file or --document-password-env, not both.")
        }
    }

    /// The password, or the empty string (an encrypted file's usual empty user password).
    func read() throws -> String {
        guard let source: PasswordSource = file.map({ .file($0) }) ?? environment.map({ .environment($0) }) else { return "" }
        return try source.read()
    }
}
