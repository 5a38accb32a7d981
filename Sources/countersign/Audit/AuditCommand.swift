import ArgumentParser
import Countersign
import Foundation

/// `countersign audit verify`: re-checks every event chain, the ledgers and the sealed PDFs.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Check the workflow's evidence.",
                                                     subcommands: [AuditVerifyCommand.self])
}

struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Re-check every event chain, the account ledgers and the sealed PDFs; exit 1 on any finding.")
    @OptionGroup var options: WorkflowOptions
    @Flag(help: "Every account in the store (needs no key; for the operator of the store).") var allAccounts = false
    @Option(name: .customLong("seal-trust"), help: ArgumentHelp("A PEM file of certificates the sealed PDFs must verify against; repeatable (default: $COUNTERSIGN_SEAL_TRUST, ':'-separated; else the home's development CA).", valueName: "file"))
    var sealTrust: [String] = []

    func run() throws {
        try reportingErrors(json: options.json) { try verify() }
    }

    func verify() throws {
        let home = try options.open()
        let account = allAccounts ? nil : try options.principal(home).account
        let anchors = try trustAnchors(home)
        let result = try options.run {
            try await AuditVerifier(store: home.store, trustAnchors: anchors).verify(account: account)
        }
        options.output(CanonicalJSON.object([
            "intact": .bool(result.isIntact), "accounts": .int(result.accounts), "streams": .int(result.streams),
            "events": .int(result.events), "ledgerEntries": .int(result.ledgerEntries), "anchors": .int(result.anchors),
            "sealedDocuments": .int(result.sealedDocuments),
            "findings": .array(result.findings.map { finding in
                .object(["code": .string(finding.code.name), "account": .string(finding.account), "stream": .string(finding.stream),
                         "sequence": finding.sequence.map { .int($0) } ?? .null, "message": .string(finding.message)])
            }),
        ]).text, text: (["\(headline(result)): \(result.events) events in \(result.streams) chains, "
                         + "\(result.ledgerEntries) ledger entries, \(result.anchors) anchors, \(result.sealedDocuments) sealed PDFs checked"]
                        + result.findings.map { "  \($0)" }).joined(separator: "\n"))
        if !result.isIntact { throw ExitCode(ExitStatus.failed) }
    }

    /// INTACT; UNTRUSTED SEAL when the only findings are intact sealed PDFs whose seal does not
    /// chain to the anchors given (a missing `--seal-trust`, not tampering); else TAMPERED.
    func headline(_ result: AuditVerification) -> String {
        if result.isIntact { return "INTACT" }
        return result.findings.allSatisfy { $0.code == .sealUntrusted } ? "UNTRUSTED SEAL" : "TAMPERED"
    }

    /// `--seal-trust` or `$COUNTERSIGN_SEAL_TRUST` (read as the worker reads them), else the
    /// anchors of the home's development seal.
    func trustAnchors(_ home: WorkflowHome) throws -> [Certificate] {
        let files = !sealTrust.isEmpty ? sealTrust
            : ProcessInfo.processInfo.environment["COUNTERSIGN_SEAL_TRUST"]?.split(separator: ":").map(String.init) ?? []
        guard !files.isEmpty else { return home.trustAnchors }
        return try OrganisationSeal(trust: files.map { URL(fileURLWithPath: $0) }).trustAnchors()
    }
}
