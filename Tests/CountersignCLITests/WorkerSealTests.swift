import Countersign
import Foundation
import Testing
import TestSupport

/// docs/workflow.md, "The organisation seal": workers seal with the organisation's certificate
/// and a time-stamp authority given on the command line or in the environment, `audit verify`
/// checks against the given roots, and a seal that cannot be loaded stops the worker before it
/// claims anything.
@Suite(.serialized) struct WorkerSealTests {
    static func block() throws -> String {
        let text = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/workflow.md"), encoding: .utf8)
        guard let section = text.components(separatedBy: "### The organisation seal").dropFirst().first,
              let block = section.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "\n```").first else {
            throw HarnessError("docs/workflow.md has no sh block under \"### The organisation seal\"")
        }
        return block
    }

    /// The environment the documented commands run in: the harness's home and key, the
    /// `countersign` under test first on the PATH.
    func environment(_ harness: WorkerHarness) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["COUNTERSIGN_WORKFLOW_HOME"] = harness.home.path
        environment["COUNTERSIGN_API_KEY"] = harness.key
        for name in ["COUNTERSIGN_STORE", "COUNTERSIGN_SEAL_P12", "COUNTERSIGN_SEAL_KEY", "COUNTERSIGN_SEAL_CERT",
                     "COUNTERSIGN_SEAL_PASSWORD_FILE", "COUNTERSIGN_SEAL_PASSWORD", "COUNTERSIGN_SEAL_TRUST", "COUNTERSIGN_TSA"] {
            environment[name] = nil
        }
        environment["PATH"] = TestEnvironment.countersignExecutable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        return environment
    }

    @Test func theDocumentedSealCompletesEnvelopesAsPAdESBTUnderTheOrganisationsCertificate() async throws {
        let harness = try await WorkerHarness.make(store: nil)
        let ids = try await harness.signedEnvelopes(2)
        let tsa = try TestTSA()
        defer { tsa.stop() }
        let work = try TestEnvironment.scratchDirectory("organisation-seal")
        try FileManager.default.copyItem(at: tsa.rootCertificate, to: work.appendingPathComponent("tsa-root.pem"))
        let block = try Self.block()
        #expect(block.contains("http://127.0.0.1:3180/tsa"))
        let script = work.appendingPathComponent("seal.sh")
        try Data(("set -e\ncd '\(work.path)'\n" + block.replacingOccurrences(of: "http://127.0.0.1:3180/tsa", with: tsa.url.absoluteString)
                  + "\n").utf8).write(to: script)
        let run = try runCommand("/bin/sh", [script.path], environment: environment(harness), timeout: 600)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("INTACT"), "\(run.stdout)")
        #expect(tsa.requestCount >= ids.count, "each seal was time-stamped")

        // Sealed by the organisation's certificate, not the home's development CA, as B-T.
        let seal = work.appendingPathComponent("seal")
        let password = try String(contentsOf: seal.appendingPathComponent("signer.pass"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let organisation = try SigningIdentity.load(pkcs12: Data(contentsOf: seal.appendingPathComponent("signer.p12")), password: password)
        let store = harness.workflow.store, account = harness.principal.account
        for id in ids {
            let completed = try #require(try await store.events(account: account, stream: id).last { $0.type == "envelope.completed" })
            #expect(completed.data["sealCertificateSHA256"] == organisation.certificate.sha256Fingerprint)
            #expect(completed.data["profile"] == "pades-b-t")
        }
        let envelope = try #require(try await store.envelope(account: account, id: ids[0]))
        let file = work.appendingPathComponent("sealed.pdf")
        let sealed = try #require(envelope.documents.first?.sealedSHA256)
        try Data(try #require(try await store.documents.get(sealed))).write(to: file)
        let verified = try runCommand(TestEnvironment.countersignExecutable.path, [
            "verify", "--trust", seal.appendingPathComponent("ca.pem").path, "--trust", tsa.rootCertificate.path, file.path])
        #expect(verified.status == 0 && verified.stdout.contains("PASSED"), "\(verified.stdout) \(verified.stderr)")
        let pdfsig = try runCommand("pdfsig", [file.path]).stdout
        #expect(pdfsig.contains("Signature is Valid") && pdfsig.contains("Northbeam Contracts Seal"), "\(pdfsig)")

        // Against the development CA (no --seal-trust), the organisation's seals do not verify:
        // said as an untrusted seal, not as tampering.
        let audit = try runCommand(TestEnvironment.countersignExecutable.path, ["audit", "verify", "--json"],
                                   environment: environment(harness), timeout: 300)
        #expect(audit.status == 1 && audit.stdout.contains("\"intact\":false") && audit.stdout.contains("sealUntrusted")
                && !audit.stdout.contains("\"sealedPDF\""), "\(audit.stdout) \(audit.stderr)")
        let text = try runCommand(TestEnvironment.countersignExecutable.path, ["audit", "verify"], environment: environment(harness), timeout: 300)
        #expect(text.status == 1 && text.stdout.hasPrefix("UNTRUSTED SEAL:") && text.stdout.contains("--seal-trust"), "\(text.stdout)")
        await harness.workflow.close()
    }

    @Test func aSealThatCannotBeLoadedStopsTheWorkerBeforeItClaimsAnything() async throws {
        let harness = try await WorkerHarness.make(store: nil)
        let ids = try await harness.signedEnvelopes(1)
        let work = try TestEnvironment.scratchDirectory("broken-seal")
        let seal = work.appendingPathComponent("seal")
        let made = try runCommand(TestEnvironment.countersignExecutable.path, ["keys", "dev-ca", "--out", seal.path])
        #expect(made.status == 0, "\(made.stderr)")
        let p12 = seal.appendingPathComponent("signer.p12").path, pass = seal.appendingPathComponent("signer.pass").path
        let wrong = work.appendingPathComponent("wrong.pass")
        try Data("not the password\n".utf8).write(to: wrong)
        // The leaf alone, without the root its chain ends in.
        let leaf = work.appendingPathComponent("leaf.pem").path, key = work.appendingPathComponent("key.pem").path
        #expect(try runCommand("openssl", ["pkcs12", "-in", p12, "-passin", "file:\(pass)", "-clcerts", "-nokeys", "-out", leaf]).status == 0)
        #expect(try runCommand("openssl", ["pkcs12", "-in", p12, "-passin", "file:\(pass)", "-nocerts", "-nodes", "-out", key]).status == 0)

        let other = work.appendingPathComponent("other")
        #expect(try runCommand(TestEnvironment.countersignExecutable.path, ["keys", "dev-ca", "--out", other.path]).status == 0)
        let cases: [(arguments: [String], status: Int32, message: String)] = [
            (["--seal-p12", p12, "--seal-password-file", pass, "--seal-trust", other.appendingPathComponent("ca.pem").path], 65,
             "does not chain to the trust anchors"),
            (["--seal-password-file", pass], 64, "but no seal key"),
            (["--seal-p12", leaf, "--seal-password-file", pass], 65, "is a PEM file, not a PKCS#12"),
            (["--seal-p12", p12, "--seal-password", "hunter2"], 64, "--seal-password is refused"),
            (["--seal-p12", p12, "--seal-password-file", wrong.path], 65, "--seal-password-file"),
            (["--seal-key", key, "--seal-cert", leaf], 65, "does not end in a root certificate"),
            (["--seal-p12", work.appendingPathComponent("missing.p12").path, "--seal-password-file", pass], 66, "missing.p12"),
            (["--seal-p12", p12, "--seal-password-file", pass, "--seal-trust", wrong.path], 65, "wrong.pass"),
            (["--seal-p12", p12, "--seal-password-file", pass, "--tsa", "https://tsa.example"], 64, "http:// URL"),
            (["--seal-key", key], 64, "--seal-key and --seal-cert ($COUNTERSIGN_SEAL_KEY and $COUNTERSIGN_SEAL_CERT) go together"),
            (["--seal-cert", leaf], 64, "--seal-key and --seal-cert ($COUNTERSIGN_SEAL_KEY and $COUNTERSIGN_SEAL_CERT) go together"),
        ]
        for (arguments, status, message) in cases {
            let result = try WorkerHarness.countersign(["worker", "--once"] + arguments, home: harness.home, store: nil)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect((result.stderr + result.stdout).contains(message), "\(arguments): \(result.stderr)")
            #expect(try await harness.jobs(.completion).allSatisfy { $0.state == .pending && $0.attempts == 0 },
                    "\(arguments): no completion was claimed")
            #expect(try await harness.completed() == 0)
        }
        // No password source and no terminal to ask on (a worker under a supervisor): the error
        // names the file and where the password can come from.
        var environment = ProcessInfo.processInfo.environment
        environment["COUNTERSIGN_SEAL_PASSWORD"] = nil
        environment["COUNTERSIGN_SEAL_PASSWORD_FILE"] = nil
        let detached = try runCommand("setsid", ["-w", TestEnvironment.countersignExecutable.path, "worker", "--once", "--home", harness.home.path,
                                                 "--seal-p12", p12], environment: environment, timeout: 120)
        #expect(detached.status == 66 && detached.stderr.contains(p12) && detached.stderr.contains("no terminal")
                && detached.stderr.contains("--seal-password-file"), "\(detached.stderr)")
        #expect(try await harness.completed() == 0)

        // The same seal with its password completes the envelope.
        let good = try WorkerHarness.countersign(["worker", "--once", "--seal-p12", p12, "--seal-password-file", pass],
                                                 home: harness.home, store: nil)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stderr.contains("sealing with") && good.stderr.contains("Countersign Development Signer")
                && !good.stderr.contains("the home's development CA"), "the worker says which certificate seals: \(good.stderr)")
        #expect(try await harness.completed() == ids.count)
        let audit = try WorkerHarness.countersign(["audit", "verify", "--seal-trust", seal.appendingPathComponent("ca.pem").path],
                                                  home: harness.home, store: nil, key: harness.key)
        #expect(audit.status == 0 && audit.stdout.contains("\"intact\":true"), "\(audit.stdout) \(audit.stderr)")
        // A trust file that cannot be read is an error about that file, not a finding (exit 1).
        let missing = try WorkerHarness.countersign(["audit", "verify", "--seal-trust", work.appendingPathComponent("nope.pem").path],
                                                    home: harness.home, store: nil, key: harness.key)
        #expect(missing.status == 66 && missing.stdout.contains("\"error\"") && missing.stdout.contains("nope.pem"),
                "\(missing.stdout) \(missing.stderr)")
        let notPEM = try WorkerHarness.countersign(["audit", "verify", "--seal-trust", wrong.path], home: harness.home, store: nil, key: harness.key)
        #expect(notPEM.status == 65 && notPEM.stdout.contains("wrong.pass"), "\(notPEM.stdout) \(notPEM.stderr)")
        await harness.workflow.close()
    }
}
