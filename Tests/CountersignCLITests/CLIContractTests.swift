import Foundation
import TestSupport
import Testing

/// The CLI contract of docs/cli.md applied by every command: one exit-code table, error lines that
/// name the file and what to do, `-` for standard input and output, `--json` everywhere,
/// did-you-mean for commands and flags.
@Suite(.serialized) struct CLIContractTests {
    static let fixture = try! CLIFixture("cli-contract")
    var template: String { TestEnvironment.root.appendingPathComponent("Templates/service-agreement.xml").path }
    var leads: String { TestEnvironment.fixtures.appendingPathComponent("leads.csv").path }

    @Test func usageErrorsAreExit64WithADidYouMean() throws {
        let bare = try countersign([])
        #expect(bare.status == 64)
        #expect(bare.stderr.contains("no command given"))
        let typo = try countersign(["sgin", "a.pdf"])
        #expect(typo.status == 64)
        #expect(typo.stderr.contains("did you mean 'countersign sign'?"), "\(typo.stderr)")
        let nested = try countersign(["keys", "devca", "--out", "x"])
        #expect(nested.status == 64 && nested.stderr.contains("'countersign keys dev-ca'"), "\(nested.stderr)")
        let flag = try countersign(["sign", "a.pdf", "--outt", "b.pdf", "--invisible"])
        #expect(flag.status == 64 && flag.stderr.contains("did you mean '--out'?"), "\(flag.stderr)")
        let password = try countersign(["sign", "a.pdf", "--out", "b.pdf", "--invisible", "--p12", "k.p12", "--password", "hunter2"])
        #expect(password.status == 64)
        #expect(password.stderr.contains("command line") && password.stderr.contains("--password-file"), "\(password.stderr)")
        // The same bad --date is the same kind of error in render and generate.
        let render = try countersign(["render", template, "--csv", leads, "--row", "1", "--out", "/tmp/x.pdf", "--date", "yesterday"])
        let generate = try countersign(["generate", template, "--csv", leads, "--out", "/tmp/x", "--date", "yesterday"])
        #expect(render.status == 64 && generate.status == 64, "\(render.status) \(generate.status)")
    }

    @Test func errorLinesNameTheFileAndWhatToDo() throws {
        let f = Self.fixture
        let wrong = f.directory.appendingPathComponent("wrong.pass")
        try Data("not-the-password\n".utf8).write(to: wrong)
        let p12 = f.devCA.appendingPathComponent("signer.p12").path
        let result = try countersign(["sign", f.contract.path, "--out", f.directory.appendingPathComponent("w.pdf").path,
                                      "--invisible", "--p12", p12, "--password-file", wrong.path])
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("countersign: \(p12): ") && result.stderr.contains(" — check the password"), "\(result.stderr)")

        let early = try countersign(["sign", f.contract.path, "--out", f.directory.appendingPathComponent("e.pdf").path,
                                     "--invisible", "--date", "2001-01-01T00:00:00Z"] + f.keyArguments)
        #expect(early.status == 65)
        #expect(early.stderr.contains(p12) && early.stderr.contains("is not valid before") && early.stderr.contains(" — "), "\(early.stderr)")

        let data = f.directory.appendingPathComponent("row.json")
        try Data("{\"company_name\": \"Acme\",}".utf8).write(to: data)
        let json = try countersign(["render", template, "--data", data.path, "--out", f.directory.appendingPathComponent("r.pdf").path])
        #expect(json.status == 65)
        #expect(json.stderr.hasPrefix("countersign: \(data.path): ") && json.stderr.contains("invalid JSON"), "\(json.stderr)")

        let missing = try countersign(["inspect", "/nonexistent/file.pdf"])
        #expect(missing.status == 66)
        let readOnly = try countersign(["render", template, "--csv", leads, "--row", "1", "--out", "/proc/x.pdf"])
        #expect(readOnly.status == 73, "\(readOnly.stderr)")
    }

    @Test func dashIsStandardInputAndOutput() throws {
        let f = Self.fixture
        let contract = try Data(contentsOf: f.contract)
        let row = Data(#"{"lead_id":"LD-000001","company_name":"Acme","contact_first_name":"Ada","contact_last_name":"Lovelace","contact_email":"ada@acme.example","plan":"Business","seats":10,"unit_price":"12.50","discount_pct":0,"effective_date":"2026-03-01","term_months":12,"industry":"Software","region":"EMEA","country":"GB","owner_email":"o@countersign.example"}"#.utf8)
        let rendered = try countersign(["render", template, "--data", "-", "--out", "-", "--date", "2026-03-01"], input: row)
        #expect(rendered.status == 0, "\(rendered.stderr)")
        #expect(rendered.stdoutData.starts(with: Data("%PDF-".utf8)))
        #expect(!FileManager.default.fileExists(atPath: FileManager.default.currentDirectoryPath + "/-"))
        // A pipe given as a file (`<(…)` in a shell) is read to its end, as standard input is.
        let rowFile = try TestEnvironment.scratchDirectory().appendingPathComponent("row.json")
        try row.write(to: rowFile)
        let piped = try runCommand("bash", ["-c", "\"$0\" render \"$1\" --data <(cat \"$2\") --out - --date 2026-03-01",
                                            TestEnvironment.countersignExecutable.path, template, rowFile.path])
        #expect(piped.status == 0 && piped.stdoutData.starts(with: Data("%PDF-".utf8)), "\(piped.stderr)")

        let signed = try countersign(["sign", "-", "--out", "-", "--invisible", "--quiet"] + f.keyArguments, input: contract)
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(signed.stdoutData.count > contract.count && signed.stdoutData.prefix(contract.count) == contract)

        let verified = try countersign(["verify", "--trust", f.caCertificate, "-"], input: signed.stdoutData)
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
        #expect(verified.stdout.contains("PASSED"))

        let csv = try Data(contentsOf: URL(fileURLWithPath: leads))
        let out = f.directory.appendingPathComponent("from-stdin")
        let generated = try countersign(["generate", template, "--csv", "-", "--out", out.path, "--quiet", "--json"], input: csv)
        #expect(generated.status <= 1, "\(generated.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: generated.stdoutData) as? [String: Any])
        #expect((summary["generated"] as? Int ?? 0) > 10)
    }

    @Test func everyCommandSpeaksJSON() throws {
        let f = Self.fixture
        func object(_ result: CommandResult) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any], "\(result.stdout) \(result.stderr)")
        }
        let check = try object(try countersign(["check", template, "--json"]))
        #expect(check["id"] as? String == "service-agreement")
        #expect((check["signatureRoles"] as? [String]) == ["customer", "company"])
        let render = try object(try countersign(["render", template, "--csv", leads, "--row", "2", "--json",
                                                 "--out", f.directory.appendingPathComponent("j.pdf").path]))
        #expect((render["sha256"] as? String)?.count == 64 && (render["pages"] as? Int ?? 0) > 0)
        let sign = try object(try countersign(["sign", f.contract.path, "--out", f.directory.appendingPathComponent("js.pdf").path,
                                               "--invisible", "--json"] + f.keyArguments))
        let signedBytes = try Data(contentsOf: f.directory.appendingPathComponent("js.pdf"))
        #expect(sign["bytes"] as? Int == signedBytes.count)
        let keys = try object(try countersign(["keys", "dev-ca", "--out", f.directory.appendingPathComponent("ca2").path, "--json"]))
        #expect((keys["caCertificate"] as? String)?.hasSuffix("ca.pem") == true)
        // An error under --json is an error object on stdout too.
        let failure = try object(try countersign(["check", "/nonexistent.xml", "--json"]))
        let error = try #require(failure["error"] as? [String: Any])
        #expect(error["status"] as? Int == 66 && error["file"] as? String == "/nonexistent.xml")
        // verify --json: an unreadable file gets its own object, in input order.
        let verify = try countersign(["verify", "--json", "--trust", f.caCertificate, f.contract.path, "/nonexistent.pdf"])
        let lines = verify.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count == 2)
        #expect((lines.last??["error"] as? [String: Any])?["status"] as? Int == 66)
        #expect(verify.status == 66)
    }

    @Test func devCAOptionsSetKeyTypeValidityAndNames() throws {
        let f = Self.fixture
        let out = f.directory.appendingPathComponent("ca-options")
        let made = try countersign(["keys", "dev-ca", "--out", out.path, "--key-type", "ec-p256", "--days", "30",
                                    "--not-before", "2020-01-01", "--signer-name", "Test Signer", "--ca-name", "Test Root"])
        #expect(made.status == 0, "\(made.stderr)")
        let pass = try String(contentsOf: out.appendingPathComponent("signer.pass"), encoding: .utf8).trimmingCharacters(in: .newlines)
        let text = try runCommand("openssl", ["pkcs12", "-in", out.appendingPathComponent("signer.p12").path, "-nokeys", "-clcerts",
                                              "-passin", "pass:\(pass)"]).stdout
        let details = try runCommand("openssl", ["x509", "-noout", "-text"], input: Data(text.utf8)).stdout
        #expect(details.contains("Test Signer") && details.contains("Test Root"), "\(details)")
        #expect(details.contains("Not Before: Jan  1 00:00:00 2020 GMT") && details.contains("Not After : Jan 31 00:00:00 2020 GMT"))
        #expect(details.contains("id-ecPublicKey") && details.contains("P-256"))
        // A signature dated inside that window is accepted.
        let signed = try countersign(["sign", f.contract.path, "--out", f.directory.appendingPathComponent("2020.pdf").path,
                                      "--invisible", "--date", "2020-01-15T12:00:00Z",
                                      "--p12", out.appendingPathComponent("signer.p12").path,
                                      "--password-file", out.appendingPathComponent("signer.pass").path])
        #expect(signed.status == 0, "\(signed.stderr)")
    }

    @Test func inspectNumbersRevisionsFromOneListsAttachmentsAndRoundsCoordinates() throws {
        let f = Self.fixture
        let sealed = f.directory.appendingPathComponent("inspect-sealed.pdf")
        let audit = TestEnvironment.fixtures.appendingPathComponent("audit-events.json").path
        let sign = try countersign(["sign", f.contract.path, "--out", sealed.path, "--field", "sig_company", "--audit", audit,
                                    "--quiet"] + f.keyArguments)
        #expect(sign.status == 0, "\(sign.stderr)")
        let text = try countersign(["inspect", sealed.path])
        #expect(text.stdout.contains("  #1  bytes 0–") && text.stdout.contains("  #2  bytes "), "\(text.stdout)")
        #expect(!text.stdout.contains("#0 "))
        #expect(text.stdout.contains("covers whole file") || text.stdout.contains("revision 2 of 2"))
        #expect(text.stdout.contains("Embedded files:\n  audit.json"), "\(text.stdout)")
        let json = try #require(try JSONSerialization.jsonObject(with: try countersign(["inspect", "--json", sealed.path]).stdoutData)
                                as? [String: Any])
        let revisions = try #require(json["revisions"] as? [[String: Any]])
        #expect(revisions.map { $0["index"] as? Int } == [1, 2])
        let files = try #require(json["embeddedFiles"] as? [[String: Any]])
        #expect(files.first?["name"] as? String == "audit.json" && files.first?["relationship"] as? String == "Supplement")
        for field in json["fields"] as? [[String: Any]] ?? [] {
            for value in field["rect"] as? [Double] ?? [] {
                #expect((value * 100).rounded() / 100 == value, "\(value) has float noise")
            }
        }
    }

    @Test func verifyTextSaysIndeterminateListsUnsignedFieldsAndSurvivesTruncation() throws {
        let f = Self.fixture
        let once = f.directory.appendingPathComponent("verify-once.pdf")
        let twice = f.directory.appendingPathComponent("verify-twice.pdf")
        #expect(try countersign(["sign", f.contract.path, "--out", once.path, "--field", "sig_customer", "--quiet"] + f.keyArguments).status == 0)
        #expect(try countersign(["sign", once.path, "--out", twice.path, "--field", "sig_company", "--quiet"] + f.keyArguments).status == 0)

        let untrusted = try countersign(["verify", once.path])
        #expect(untrusted.status == 2)
        #expect(untrusted.stdout.contains("why:         INDETERMINATE: no trust anchors"), "\(untrusted.stdout)")
        #expect(!untrusted.stdout.contains(" ? "))
        #expect(untrusted.stdout.contains("unsigned signature fields: sig_company"))

        // Cut inside the second signature's revision: the file fails, says so, and the first
        // signature's complete revisions are still shown.
        let bytes = try Data(contentsOf: twice)
        let cut = f.directory.appendingPathComponent("verify-cut.pdf")
        try bytes.prefix(bytes.count - 200).write(to: cut)
        let truncated = try countersign(["verify", "--trust", f.caCertificate, cut.path, once.path])
        #expect(truncated.status == 1)
        #expect(truncated.stdout.contains("looks truncated"), "\(truncated.stdout)")
        #expect(truncated.stdout.contains("FAILED — its structure could not be read, so no signature was judged"), "\(truncated.stdout)")
        #expect(truncated.stdout.contains("| Signature 1: field 'sig_customer' — PASSED"), "\(truncated.stdout)")
        #expect(truncated.stdout.hasSuffix("Summary: 2 files: 1 PASSED, 1 FAILED, 0 INDETERMINATE\n"), "\(truncated.stdout)")
        // The JSON says the same: the complete part and its report, null for a whole file.
        let lines = try countersign(["verify", "--json", "--trust", f.caCertificate, cut.path, once.path]).stdout.split(separator: "\n")
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let part = try #require(objects[0]["completeRevisions"] as? [String: Any])
        let partReport = try #require(part["report"] as? [String: Any])
        #expect(objects[0]["verdict"] as? String == "FAILED" && partReport["verdict"] as? String == "PASSED")
        #expect(part["trailingBytes"] as? Int != nil && (partReport["signatures"] as? [Any])?.count == 1)
        #expect(objects[1]["completeRevisions"] is NSNull)
    }

    /// The examples of docs/cli.md, run as written: the did-you-mean lines print what their
    /// comments say, and the pipe signs standard input to standard output.
    @Test func theExamplesInCLIDocumentationRun() throws {
        let f = Self.fixture
        let page = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/cli.md"), encoding: .utf8)
        let blocks = page.components(separatedBy: "```sh\n").dropFirst().compactMap { $0.components(separatedBy: "\n```").first }
        let commented = blocks.flatMap { $0.split(separator: "\n") }.filter { $0.contains("  # countersign: ") }
        #expect(commented.count >= 2)
        for line in commented {
            let parts = line.components(separatedBy: "  # ")
            let words = parts[0].split(separator: " ").map(String.init).dropFirst()
            let result = try countersign(Array(words))
            #expect(result.status == 64)
            #expect(result.stderr.trimmingCharacters(in: .newlines) == parts[1].trimmingCharacters(in: .whitespaces), "\(line)")
        }
        let pipe = try #require(blocks.flatMap { $0.split(separator: "\n") }.first { $0.contains("< in.pdf > out.pdf") })
        let work = f.directory.appendingPathComponent("doc-pipe")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        for (name, target) in [("signer.p12", f.devCA.appendingPathComponent("signer.p12")),
                               ("signer.pass", f.devCA.appendingPathComponent("signer.pass")), ("in.pdf", f.contract)] {
            try FileManager.default.createSymbolicLink(at: work.appendingPathComponent(name), withDestinationURL: target)
        }
        let command = pipe.replacingOccurrences(of: "countersign ", with: "\"$1\" ", options: .anchored)
        let run = try runCommand("/bin/sh", ["-c", "cd \"$2\" && " + command, "sh", TestEnvironment.countersignExecutable.path, work.path])
        #expect(run.status == 0, "\(run.stderr)")
        let verified = try countersign(["verify", "--trust", f.caCertificate, work.appendingPathComponent("out.pdf").path])
        #expect(verified.status == 0, "\(verified.stdout)")
    }
}
