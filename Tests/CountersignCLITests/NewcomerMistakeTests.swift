import Foundation
import TestSupport
import Testing

/// Mistakes a newcomer made in a trial of the CLI (a folder for a file, a clause library that is
/// not there, `help` of a command that does not exist, a windows-1252 export given to `render`,
/// a broken quote in a CSV): each gets one clear line, the documented exit code, and no output.
@Suite struct NewcomerMistakeTests {
    static let template = TestEnvironment.root.appendingPathComponent("Templates/service-agreement.xml").path
    static let leads = TestEnvironment.fixtures.appendingPathComponent("leads.csv")

    private func countersign(_ arguments: [String]) throws -> CommandResult {
        try runCommand(TestEnvironment.countersignExecutable.path, arguments)
    }

    /// A folder given where a PDF goes: inspect said "not a regular file — `inspect --repair`
    /// rebuilds a broken cross-reference"; verify did not point at --in.
    @Test func aFolderGivenAsThePDFIsSaidSo() throws {
        let folder = TestEnvironment.fixtures.path
        let inspect = try countersign(["inspect", folder])
        #expect(inspect.status != 0 && inspect.stderr.contains("is a folder, not a PDF file") && !inspect.stderr.contains("--repair"),
                "\(inspect.stderr)")
        let verify = try countersign(["verify", folder])
        #expect(verify.status == 64 && verify.stderr.contains("verify the PDFs in it with --in \(folder)"), "\(verify.stderr)")
    }

    @Test func aFolderGivenAsTheCSVCannotBeOpened() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let folder = TestEnvironment.fixtures.path
        let render = try countersign(["render", Self.template, "--csv", folder, "--row", "1",
                                      "--out", directory.appendingPathComponent("one.pdf").path])
        let out = directory.appendingPathComponent("batch")
        let generate = try countersign(["generate", Self.template, "--csv", folder, "--out", out.path])
        for result in [render, generate] {
            #expect(result.status == 66, "\(result.stderr)")
            #expect(result.stderr.contains("is a folder, not a CSV file"), "\(result.stderr)")
            #expect(!result.stderr.contains("NSCocoaErrorDomain"), "\(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "nothing written")
    }

    /// An output folder that cannot be made is exit 73 (cannot create), as docs/cli.md says.
    /// A folder of someone's own PDFs and no manifest: a row named like one of them overwrote it
    /// without a word (a hostile-input trial). It is refused before anything is written.
    @Test func aFolderOfOtherPDFsIsNotOverwritten() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let mine = directory.appendingPathComponent("LD-100000.pdf")
        try Data("IMPORTANT USER FILE".utf8).write(to: mine)
        let result = try countersign(["generate", Self.template, "--csv", Self.leads.path, "--out", directory.path, "--quiet"])
        #expect(result.status == 64 && result.stderr.contains("already holds 1 PDF file(s) (LD-100000.pdf) but no batch manifest"),
                "\(result.stderr)")
        #expect(try String(contentsOf: mine, encoding: .utf8) == "IMPORTANT USER FILE")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["LD-100000.pdf"])
    }

    @Test func anOutputFolderThatCannotBeMadeIs73() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let file = directory.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        for out in [file, file.appendingPathComponent("batch")] {
            let result = try countersign(["generate", Self.template, "--csv", Self.leads.path, "--out", out.path, "--quiet"])
            #expect(result.status == 73, "\(result.stderr)")
            #expect(result.stderr.contains("a-file is a file, not a"), "\(result.stderr)")
        }
    }

    /// `--jobs 100000` for a 20-row CSV ran for minutes at 6.8 GB in a trial; it is a usage error.
    @Test func absurdJobCountsAreUsageErrors() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let out = directory.appendingPathComponent("batch")
        for jobs in ["0", "100000"] {
            let result = try countersign(["generate", Self.template, "--csv", Self.leads.path, "--out", out.path, "--jobs", jobs])
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains("--jobs must be between 1 and 256"), "\(result.stderr)")
        }
        let verify = try countersign(["verify", Self.leads.path, "--jobs", "5000"])
        #expect(verify.status == 64 && verify.stderr.contains("--jobs must be between 1 and 256"), "\(verify.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "nothing written")
    }

    /// From a hostile-input trial: an empty --out wrote everything into the current folder, a
    /// --date of 25:00 failed every row instead of the command, and a refused account left a
    /// store and a development CA behind that later commands took for a home.
    @Test func emptyOutBadClockTimesAndRefusedAccountsLeaveNothing() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let empty = try countersign(["generate", Self.template, "--csv", Self.leads.path, "--out", ""])
        #expect(empty.status == 64 && empty.stderr.contains("--out names the output folder"), "\(empty.stderr)")
        for date in ["2025-01-01T25:00:00Z", "2025-01-01T23:60Z", "2025-01-01T10:00:00+99:00"] {
            let out = directory.appendingPathComponent("dated")
            let result = try countersign(["generate", Self.template, "--csv", Self.leads.path, "--out", out.path, "--date", date])
            #expect(result.status == 64 && result.stderr.contains("out of range"), "\(date): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
        let home = directory.appendingPathComponent("home")
        for name in ["", String(repeating: "n", count: 600)] {
            let refused = try countersign(["account", "create", "--name", name, "--home", home.path])
            #expect(refused.status == 65, "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: home.path), "a refused account leaves no home")
        }
        // A folder the user made stays, emptied of only what the refused command added.
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: home.appendingPathComponent("notes.txt"))
        #expect(try countersign(["account", "create", "--name", "", "--home", home.path]).status == 65)
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.path) == ["notes.txt"])
        // A home that cannot be made is "cannot create the output" (73), naming it.
        let unwritable = try countersign(["account", "create", "--name", "N", "--home", "/proc/countersign-test/home"])
        #expect(unwritable.status == 73 && unwritable.stderr.contains("/proc/countersign-test/home: cannot create the workflow home"),
                "\(unwritable.stderr)")
    }

    /// `inspect` opened no encrypted file, not even one with the usual empty user password that
    /// `verify` opens; and a broken cross-reference did not point to `--repair`.
    @Test func inspectOpensEncryptedFilesAndPointsToRepair() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let plain = directory.appendingPathComponent("plain.pdf")
        #expect(try countersign(["render", Self.template, "--csv", Self.leads.path, "--row", "1", "--out", plain.path]).status == 0)
        let encrypted = directory.appendingPathComponent("encrypted.pdf")
        #expect(try runCommand("qpdf", ["--encrypt", "", "owner", "256", "--", plain.path, encrypted.path]).status == 0)
        let opened = try countersign(["inspect", encrypted.path])
        #expect(opened.status == 0 && opened.stdout.contains("3 pages"), "\(opened.stderr)")
        let locked = directory.appendingPathComponent("locked.pdf")
        #expect(try runCommand("qpdf", ["--encrypt", "user", "owner", "256", "--", plain.path, locked.path]).status == 0)
        let password = directory.appendingPathComponent("password.txt")
        try Data("user\n".utf8).write(to: password)
        let withPassword = try countersign(["inspect", locked.path, "--document-password-file", password.path])
        #expect(withPassword.status == 0 && withPassword.stdout.contains("3 pages"), "\(withPassword.stderr)")

        var bytes = [UInt8](try Data(contentsOf: plain))
        let keyword = Array("startxref".utf8)
        var digit = try #require((0...(bytes.count - keyword.count)).last { Array(bytes[$0..<($0 + keyword.count)]) == keyword })
            + keyword.count
        while digit < bytes.count, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[digit]) { digit += 1 }
        try #require(digit < bytes.count)
        bytes[digit] = bytes[digit] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        let broken = directory.appendingPathComponent("broken.pdf")
        try Data(bytes).write(to: broken)
        let refused = try countersign(["inspect", broken.path])
        #expect(refused.status == 65 && refused.stderr.contains("`inspect --repair` rebuilds"), "\(refused.stderr)")
        #expect(try countersign(["inspect", broken.path, "--repair"]).status == 0)
    }

    /// Envelope requests that do not decode said Swift's words ("Invalid number of keys found",
    /// "NSCocoaErrorDomain Code=3840"); they now say where and what is expected.
    @Test func envelopeRequestMistakesSayWhereAndWhat() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let docs = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/workflow.md"), encoding: .utf8)
        let request = try #require(docs.components(separatedBy: "```json\n").dropFirst().first?.components(separatedBy: "\n```").first)
        let cases: [(String, String)] = [
            (String(request.prefix(request.count / 2)), "the request is not valid JSON at line "),
            (request.replacingOccurrences(of: #""authentication": "emailOTP""#, with: #""authentication": "sms""#),
             "recipients[0].authentication 'sms' is not link, emailOTP or accessCode"),
            (request.replacingOccurrences(of: #""authentication": "emailOTP""#, with: #""authentication": {"emailOTP": {}}"#),
             #"recipients[0].authentication: expected one of "link", "emailOTP" or "accessCode""#),
            (request.replacingOccurrences(of: #""role": "approver""#, with: #""role": "aprover""#),
             #"recipients[1].role: "aprover" is not an allowed value; expected "signer", "approver", "cc", "viewer""#),
            (request.replacingOccurrences(of: #""templateId""#, with: #""templateID""#),
             "templateID is not a field of an envelope request; did you mean 'templateId'?"),
            (request.replacingOccurrences(of: #""metadata": {"#, with: #""crm": {"#),
             "crm is not a field of an envelope request; its fields are templateId, templateVersion, documents, subject"),
            (request.replacingOccurrences(of: #""signatureRole": "customer""#, with: #""signatureRol": "customer""#),
             "recipients[0].signatureRol is not a field of an envelope request; did you mean 'signatureRole'?"),
            (request.replacingOccurrences(of: #""templateVersion": "3""#, with: #""templateVersion": 3"#),
             "templateVersion: expected text (a JSON string in quotes) but found number"),
        ]
        for (index, (text, expected)) in cases.enumerated() {
            let file = directory.appendingPathComponent("request-\(index).json")
            try Data(text.utf8).write(to: file)
            let result = try countersign(["envelope", "create", "--request", file.path, "--home", directory.appendingPathComponent("home").path])
            #expect(result.status == 65 && result.stderr.contains(expected), "\(result.stderr)")
            #expect(!result.stderr.contains("NSCocoaErrorDomain") && !result.stderr.contains("Invalid number of keys"), "\(result.stderr)")
        }
        // A request file that is not there is said so, as other commands say it.
        let absent = try countersign(["envelope", "create", "--request", directory.appendingPathComponent("reqest.json").path,
                                      "--home", directory.appendingPathComponent("home").path])
        #expect(absent.status == 66 && absent.stderr.contains("no such file (the envelope request); check the path"), "\(absent.stderr)")
        // With --json the refusal is also an error object on stdout, as for every command.
        let file = directory.appendingPathComponent("request-0.json")
        let json = try countersign(["envelope", "create", "--request", file.path, "--json", "--home", directory.appendingPathComponent("home").path])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(json.status == 65 && ((object?["error"] as? [String: Any])?["message"] as? String)?.contains("not an envelope request") == true, "\(json.stdout)")
    }

    /// A template's diagnostics came as `"message": ""` with `--json`.
    @Test func aJSONErrorMadeOfDiagnosticsHasAMessage() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let template = directory.appendingPathComponent("t.xml")
        try Data(#"<template xmlns="urn:countersign:template:1" id="x" version="1"><body><p>{{nope}} {{nada}}</p></body></template>"#.utf8)
            .write(to: template)
        let result = try countersign(["check", template.path, "--json"])
        #expect(result.status == 65)
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        let details = try #require(error["details"] as? [String])
        #expect(details.count == 2 && details.allSatisfy { !$0.hasPrefix("countersign: ") }, "\(details)")
        #expect(error["message"] as? String == "2 problems; the first: \(details[0])", "\(error)")
    }

    /// A semicolon-separated export gave nine "required field has no column" errors with the
    /// whole header as the suggestion; a UTF-16 one said only "not valid utf-8".
    @Test func otherCSVDialectsAreNamed() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let text = try String(contentsOf: Self.leads, encoding: .utf8)
        let semicolons = directory.appendingPathComponent("semicolons.csv")
        try Data(text.split(separator: "\n").prefix(3).map { $0.replacingOccurrences(of: ",", with: ";") }.joined(separator: "\n").utf8)
            .write(to: semicolons)
        let utf16 = directory.appendingPathComponent("utf16.csv")
        try #require(text.data(using: .utf16)).write(to: utf16)
        for (file, expected) in [(semicolons, "semicolons.csv: the header row is one column holding ';' characters: the file looks "
                                  + "';'-separated, and countersign reads comma-separated CSV"),
                                 (utf16, "the file is UTF-16 (little-endian) (it starts with its byte-order mark); save or export it as UTF-8")] {
            let out = directory.appendingPathComponent("out-\(file.lastPathComponent)")
            let result = try countersign(["generate", Self.template, "--csv", file.path, "--out", out.path])
            #expect(result.status == 65 || result.status == 66, "\(result.stderr)")
            #expect(result.stderr.contains(expected) && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
    }

    /// Ctrl-C in a batch exited 130 without a word; it now says how to finish, and `--resume`
    /// does (the lock it held is released by the kernel, its file taken over).
    @Test func anInterruptedBatchSaysHowToFinish() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let out = directory.appendingPathComponent("batch")
        let errors = directory.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = TestEnvironment.countersignExecutable
        process.arguments = ["generate", Self.template, "--csv", Self.leads.path, "--out", out.path, "--jobs", "1", "--quiet",
                             "--date", "2026-01-01"]
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let journal = out.appendingPathComponent("manifest.jsonl.partial")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, ((try? Data(contentsOf: journal))?.count ?? 0) == 0, process.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
        }
        try #require(process.isRunning, "the batch ended before it could be interrupted")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let said = try String(contentsOf: errors, encoding: .utf8)
        #expect(said.contains("interrupted — every row committed so far is in the journal; run the same command with --resume"), "\(said)")
        let resumed = try countersign(["generate", Self.template, "--csv", Self.leads.path, "--out", out.path, "--jobs", "1", "--quiet",
                                       "--date", "2026-01-01", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let manifest = try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
        #expect(manifest.split(separator: "\n").count == 240)
    }

    /// A 100-character signer name gave OpenSSL's "string too long" and left an empty folder.
    @Test func aNameTooLongForACertificateIsAUsageError() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let out = directory.appendingPathComponent("keys")
        let result = try countersign(["keys", "dev-ca", "--out", out.path, "--signer-name", String(repeating: "x", count: 100)])
        #expect(result.status == 64 && result.stderr.contains("--signer-name is at most 64 characters"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "nothing made")
    }

    @Test func aClauseLibraryThatIsNotThereIsSaidOnce() throws {
        let result = try countersign(["check", Self.template, "--clauses", "/nonexistent/clauses"])
        #expect(result.status == 66, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("no such folder (the --clauses library)"), "\(result.stderr)")
    }

    @Test func helpOfACommandThatDoesNotExistIsAUsageError() throws {
        let unknown = try countersign(["help", "nosuch"])
        #expect(unknown.status == 64 && unknown.stderr.contains("unknown command 'nosuch'"), "\(unknown.stderr)")
        let typo = try countersign(["help", "sgin"])
        #expect(typo.status == 64 && typo.stderr.contains("did you mean 'countersign sign'"), "\(typo.stderr)")
        let known = try countersign(["help", "envelope", "create"])
        #expect(known.status == 0 && known.stdout.contains("USAGE"), "\(known.stderr)")
    }

    /// With `--json`, a usage error is the documented error object on stdout too.
    @Test func usageErrorsAreJSONObjectsWithJSON() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let cases: [[String]] = [
            ["sign", Self.template, "--out", directory.appendingPathComponent("x.pdf").path, "--json"],
            ["render", Self.template, "--csv", Self.leads.path, "--row", "1", "--out", "-", "--json"],
            ["sgin", "--json"],
        ]
        for arguments in cases {
            let result = try countersign(arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            let error = try #require(object?["error"] as? [String: Any], "\(arguments): \(result.stdout)")
            #expect(error["status"] as? Int == 64 && (error["message"] as? String)?.isEmpty == false, "\(error)")
            #expect(result.stderr.hasPrefix("countersign: "), "\(result.stderr)")
        }
        // Without --json the same usage error is one error line, as every error is.
        let plain = try countersign(["sign", Self.template, "--out", directory.appendingPathComponent("x.pdf").path])
        #expect(plain.status == 64 && plain.stdout.isEmpty, "\(plain.stdout)")
        #expect(plain.stderr.hasPrefix("countersign: ") && plain.stderr.contains("see countersign sign --help")
                && !plain.stderr.contains("Usage:"), "\(plain.stderr)")
        let help = try countersign(["sign", "--help", "--json"])
        #expect(help.status == 0 && help.stdout.contains("USAGE"), "help stays help")
    }

    /// A windows-1252 export: `render` says to use `--encoding`, and `--encoding` reads it.
    @Test func renderReadsAWindows1252Export() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let text = try String(contentsOf: Self.leads, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let row = try #require(lines.firstIndex { $0.contains("Côté") || $0.contains("é") })
        let csv = directory.appendingPathComponent("export.csv")
        let rows = "\(lines[0])\n\(lines[row])\n"
        let exported = try #require(rows.data(using: .windowsCP1252))
        try exported.write(to: csv)
        let out = directory.appendingPathComponent("one.pdf")
        let plain = try countersign(["render", Self.template, "--csv", csv.path, "--row", "1", "--out", out.path])
        #expect(plain.status == 65 && plain.stderr.contains("try --encoding windows-1252"), "\(plain.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let decoded = try countersign(["render", Self.template, "--csv", csv.path, "--row", "1", "--encoding", "windows-1252",
                                       "--out", out.path])
        #expect(decoded.status == 0, "\(decoded.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.path))
    }

    /// A typo in an optional field's column name: said once, before the run, not silently blank.
    @Test func aColumnAFewLettersFromAnOptionalFieldIsAWarning() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let lines = try String(contentsOf: Self.leads, encoding: .utf8).split(separator: "\n")
        #expect(lines[0].contains("contact_phone"))
        let csv = directory.appendingPathComponent("typo.csv")
        let header = lines[0].replacingOccurrences(of: "contact_phone", with: "contact_phnoe")
        try Data("\(header)\n\(lines[1])\n".utf8).write(to: csv)
        let result = try countersign(["generate", Self.template, "--csv", csv.path, "--out",
                                      directory.appendingPathComponent("batch").path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: field 'contact_phone' has no column") && result.stderr.contains("'contact_phnoe'"),
                "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((object?["headerWarnings"] as? [String])?.count == 1, "\(result.stdout)")
        // The export as shipped, with columns no field reads (industry, region…), warns of nothing.
        let clean = try countersign(["render", Self.template, "--csv", Self.leads.path, "--row", "1",
                                     "--out", directory.appendingPathComponent("one.pdf").path])
        #expect(clean.status == 0 && !clean.stderr.contains("warning"), "\(clean.stderr)")
    }

    /// A request that does not fit names the bad value's path, not Swift's dump.
    @Test func jsonThatDoesNotFitNamesThePath() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let request = directory.appendingPathComponent("request.json")
        try Data(#"{"recipients": []}"#.utf8).write(to: request)
        let created = try countersign(["envelope", "create", "--request", request.path])
        #expect(created.status == 65, "\(created.stderr)")
        #expect(created.stderr.contains("is missing") && !created.stderr.contains("CodingKeys"), "\(created.stderr)")
    }

    /// Text after a closing quote is reported in the field it follows, not the row's last.
    @Test func aBrokenQuoteNamesItsOwnColumn() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let lines = try String(contentsOf: Self.leads, encoding: .utf8).split(separator: "\n")
        var fields = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[2] = "\"\(fields[2])\"x"  // contact_first_name, the third column
        let csv = directory.appendingPathComponent("broken.csv")
        try Data("\(lines[0])\n\(fields.joined(separator: ","))\n\(lines[2])\n".utf8).write(to: csv)
        let out = directory.appendingPathComponent("batch")
        let result = try countersign(["generate", Self.template, "--csv", csv.path, "--out", out.path, "--quiet"])
        #expect(result.status == 1, "\(result.stderr)")  // some rows failed (docs/cli.md)
        let errors = try String(contentsOf: out.appendingPathComponent("errors.csv"), encoding: .utf8)
        #expect(errors.contains("contact_first_name") && errors.contains("closing quote of field 3"), "\(errors)")
        #expect(!errors.contains("line_items"), "\(errors)")
    }

    @Test func aCharacterNoFontHasInTheTemplatesOwnTextNamesTheTemplate() throws {
        // Not the --data file: the data holds nothing wrong.
        let directory = try TestEnvironment.scratchDirectory()
        let template = directory.appendingPathComponent("t.xml")
        try Data("""
            <template xmlns="urn:countersign:template:1" id="g" version="1">
              <fields><field name="name" type="text"/></fields>
              <body><p>Hello {{name}} \u{1230}</p></body>
            </template>
            """.utf8).write(to: template)
        let data = directory.appendingPathComponent("d.json")
        try Data(#"{"name": "Ada"}"#.utf8).write(to: data)
        let result = try countersign(["render", template.path, "--data", data.path, "--out", directory.appendingPathComponent("o.pdf").path])
        #expect(result.status == 65 && result.stderr.contains("\(template.path): error: template text: no shipped font has 'ሰ' (U+1230)"),
                "\(result.stderr)")
    }

    @Test func aTemplateWithoutFieldsRendersWithoutData() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let template = directory.appendingPathComponent("notice.xml")
        try Data(#"<template xmlns="urn:countersign:template:1" id="notice" version="1"><body><p>Office closed Friday.</p></body></template>"#.utf8)
            .write(to: template)
        let out = directory.appendingPathComponent("notice.pdf")
        let rendered = try countersign(["render", template.path, "--out", out.path])
        #expect(rendered.status == 0 && FileManager.default.fileExists(atPath: out.path), "\(rendered.stderr)")
        // With fields, the data is still required, and the fields are named.
        let withFields = try countersign(["render", Self.template, "--out", directory.appendingPathComponent("x.pdf").path])
        #expect(withFields.status == 64 && withFields.stderr.contains("the template has fields (") && withFields.stderr.contains("give --data ROW.json"),
                "\(withFields.stderr)")
    }

    @Test func aDocumentWithAnEmptyBodyIsAWarning() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let template = directory.appendingPathComponent("t.xml")
        try Data("""
            <template xmlns="urn:countersign:template:1" id="c" version="1">
              <fields><field name="plan" type="text"/></fields>
              <body><if test="plan == 'Gold'"><p>Gold terms.</p></if></body>
            </template>
            """.utf8).write(to: template)
        let data = directory.appendingPathComponent("d.json")
        try Data(#"{"plan": "Silver"}"#.utf8).write(to: data)
        let result = try countersign(["render", template.path, "--data", data.path, "--out", directory.appendingPathComponent("o.pdf").path])
        #expect(result.status == 0 && result.stderr.contains("warning: the document's body is empty"), "\(result.stderr)")
        try Data(#"{"plan": "Gold"}"#.utf8).write(to: data)
        let gold = try countersign(["render", template.path, "--data", data.path, "--out", directory.appendingPathComponent("g.pdf").path])
        #expect(gold.status == 0 && !gold.stderr.contains("warning"), "\(gold.stderr)")
    }
}
