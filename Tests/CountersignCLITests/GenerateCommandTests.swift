import Foundation
import TestSupport
import Testing

/// `countersign generate` as users run it: a hostile export against the service agreement, a
/// batch killed mid-way and resumed, shards, the worked example of docs/batch.md, exit codes.
@Suite(.serialized) struct GenerateCommandTests {
    static let templates = TestEnvironment.root.appendingPathComponent("Templates")
    static let serviceAgreement = templates.appendingPathComponent("service-agreement.xml").path

    private func countersign(_ arguments: [String], timeout: TimeInterval = 180) throws -> CommandResult {
        try runCommand(TestEnvironment.countersignExecutable.path, arguments, timeout: timeout)
    }

    /// Files of a directory by name → SHA-256 (hex), hidden files included.
    private func hashes(_ directory: URL) throws -> [String: String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        guard !names.isEmpty else { return [:] }
        let output = try runCommand("sha256sum", ["--"] + names.map { directory.appendingPathComponent($0).path }).stdout
        var result: [String: String] = [:]
        for line in output.split(separator: "\n") {
            result[URL(fileURLWithPath: String(line.dropFirst(66))).lastPathComponent] = String(line.prefix(64))
        }
        return result
    }

    private func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    private func manifestRows(_ lines: [String]) -> [Int] {
        lines.compactMap { $0.firstMatch(of: /^\{"row":(\d+),/).flatMap { Int($0.1) } }
    }

    private func errorRows(_ lines: [String]) -> [Int] {
        lines.dropFirst().compactMap { $0.split(separator: ",").first.flatMap { Int($0) } }
    }

    // MARK: - A hostile export

    /// Rows of the service agreement's columns (Fixtures/leads.csv's header), each a test case.
    private static let header = "lead_id,company_name,contact_first_name,contact_last_name,contact_email,contact_phone,"
        + "plan,seats,unit_price,discount_pct,effective_date,term_months,industry,region,country,owner_email,line_items"

    private static func row(_ id: String, _ company: String, first: String = "Ana", last: String = "Silva",
                            email: String = "ana@example.com", plan: String = "Business", seats: String = "12",
                            date: String = "2025-04-01") -> [UInt8] {
        let quoted = company.contains(",") || company.contains("\"") || company.contains("\n")
            ? "\"" + company.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : company
        return Array("\(id),\(quoted),\(first),\(last),\(email),+1 555 0100,\(plan),\(seats),49.00,10,\(date),12,Retail,NA,United States,owner@northbeam.example,".utf8)
    }

    @Test func aHostileExportEndsAsPDFsAndErrorsThatAddUp() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let longWords = (0..<1700).map { _ in "Lorem" }.joined(separator: " ")  // ~10 000 characters
        var rows: [[UInt8]] = [
            Self.row("LD-000001", "Good Plain Co"),                                                       // 1 ok
            Self.row("LD-000002", "Acme\nHoldings, \"East\""),                                            // 2 ok: quoted newline, comma, quotes
            Array("LD-000003,Ragged Ltd,Ana".utf8),                                                       // 3 ragged
            Self.row("LD-000004", "Bad Email GmbH", email: "ana(at)example"),                              // 4 email
            Self.row("LD-000005", "Bad Date SA", date: "2025-13-45"),                                      // 5 date
            Self.row("LD-000006", "Bad Number BV", seats: "twelve"),                                       // 6 integer
            Self.row("LD-000007", ""),                                                                      // 7 required
            Self.row("LD-000008", String(repeating: "W", count: 10_000)),                                   // 8 max=200
            Self.row("LD-000009", "Long Name Ltd", last: longWords),                                       // 9 layout: a 10 000-character signature label
            Self.row("LD-000010", "شركة النور للتجارة", first: "ليلى", last: "حداد"),                      // 10 ok: Arabic
            Self.row("LD-000011", "חברת אור בע״מ", first: "נועה", last: "כהן"),                            // 11 ok: Hebrew
            Self.row("LD-000012", "株式会社 山田製作所", first: "太郎", last: "山田"),                          // 12 ok: CJK
            Self.row("LD-000013", "Rocket 🚀 Labs", first: "Zoë", last: "Ng 👩🏽‍💻"),                        // 13 ok: emoji
            Self.row("LD-000001", "Good Plain Co", first: "Second"),                                        // 14 duplicate → same file
            Self.row("LD-000015", "Plan Typo Inc", plan: "Enterprize"),                                    // 15 enum
            Self.row("LD-15", "Short Id Inc"),                                                              // 16 pattern
        ]
        var nul = Self.row("LD-000017", "Nul Byte Ltd")                                                    // 17 NUL byte
        nul.insert(0, at: 14)
        rows.append(nul)
        var latin1 = Self.row("LD-000018", "M\u{FC}ller AG")                                               // 18 not UTF-8
        if let index = latin1.firstIndex(of: 0xC3) { latin1.replaceSubrange(index...(index + 1), with: [0xFC]) }
        rows.append(latin1)
        rows.append(Self.row("LD-000019", "Smith, Jones & Co."))                                           // 19 ok
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(Self.header.utf8)
        for row in rows { bytes += [0x0D, 0x0A] + row }
        bytes += [0x0D, 0x0A]
        let csv = directory.appendingPathComponent("hostile.csv")
        try Data(bytes).write(to: csv)
        let out = directory.appendingPathComponent("out")

        let result = try countersign(["generate", Self.serviceAgreement, "--csv", csv.path, "--out", out.path,
                                      "--name", "{{lead_id}} {{company_name}}.pdf", "--jobs", "2", "--date", "2025-03-01"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("12 rows failed"), "\(result.stderr)")
        #expect(result.stderr.contains("ok 7, failed 12"), "\(result.stderr)")

        let manifest = try lines(out.appendingPathComponent("manifest.jsonl"))
        let errors = try lines(out.appendingPathComponent("errors.csv"))
        let ok = manifestRows(manifest), failed = errorRows(errors)
        #expect(ok == [1, 2, 10, 11, 12, 13, 19])  // every good row, in order…
        #expect(Set(ok).isDisjoint(with: failed))
        #expect(Set(ok).union(failed) == Set(1...19), "…and every row in exactly one of the two files")
        #expect(errors.first == "row,line,column,field,message")
        func errorLine(_ row: Int) -> String { errors.first { $0.hasPrefix("\(row),") } ?? "" }
        #expect(errorLine(3).contains("the row has 3 fields but the header has 17"))
        #expect(errorLine(4).contains(",contact_email,contact_email,'ana(at)example' is not an email address"))
        #expect(errorLine(5).contains(",effective_date,effective_date,'2025-13-45' is not a date"))
        #expect(errorLine(6).contains(",seats,seats,\"'twelve' is not an integer"))
        #expect(errorLine(7).contains(",company_name,company_name,\"required, but the data has no value"))
        #expect(errorLine(8).contains(",company_name,company_name,\"length 10000 is above the maximum"))
        #expect(errorLine(8).count < 600, "long values are clipped in messages")
        #expect(errorLine(14).contains("which row 1 already writes"))
        // The label under the signature line would run 2 400 pt past the page: refused, not printed off the paper.
        // The row's line, then the template element the layout error is about.
        #expect(errorLine(9).hasPrefix("9,11,,,\""), "\(errorLine(9))")
        #expect(errorLine(9).contains("service-agreement.xml:130:7: <signature>: the signature field 'Ana Lorem Lorem Lorem Lorem Lorem Lorem Lorem…' (50.4 pt and "),
                "\(errorLine(9))")
        #expect(errorLine(15).contains(",plan,plan,\"'Enterprize' is not allowed"))
        #expect(errorLine(16).contains(",lead_id,lead_id,\"'LD-15' does not match the pattern"))
        #expect(errorLine(17).contains(",company_name,company_name,the value contains a NUL byte"))
        #expect(errorLine(18).contains(",company_name,company_name,the value is not valid utf-8"))
        // Every bad row's record names its row and line, and its field (a ragged row has none).
        for line in errors.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(Int(cells[0]) != nil && Int(cells[1]) != nil, "\(line)")
            if !line.hasPrefix("3,") && !line.hasPrefix("9,") { #expect(!cells[3].isEmpty, "\(line)") }
        }
        #expect(result.stderr.contains("row 4 (line 6), field 'contact_email': 'ana(at)example' is not an email address"))

        // The files: named safely, one per good row, nothing else left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(names.filter { !$0.hasSuffix(".pdf") } == ["errors.csv", "manifest.jsonl"])
        #expect(names.contains("LD-000002 Acme Holdings, _East_.pdf"))
        #expect(names.contains("LD-000010 شركة النور للتجارة.pdf"))
        #expect(names.contains("LD-000012 株式会社 山田製作所.pdf"))
        #expect(names.contains("LD-000013 Rocket 🚀 Labs.pdf"))
        #expect(names.filter { $0.hasSuffix(".pdf") }.count == 7)

        // Good rows are correct documents.
        for (name, text) in [("LD-000001 Good Plain Co.pdf", "Good Plain Co"), ("LD-000019 Smith, Jones & Co.pdf", "Smith, Jones & Co.")] {
            let path = out.appendingPathComponent(name).path
            let extracted = try runCommand("pdftotext", [path, "-"]).stdout
            #expect(extracted.contains(text), "\(name)")
            let inspected = try countersign(["inspect", "--json", path]).stdout
            #expect(inspected.contains("\"sig_customer\"") && inspected.contains("\"sig_company\""), "\(name)")
        }
        let arabic = try runCommand("pdftotext", [out.appendingPathComponent("LD-000010 شركة النور للتجارة.pdf").path, "-"]).stdout
        #expect(["النور", "روّنلا", "رونلا"].contains { arabic.contains($0) }, "Arabic text is in the PDF")
        let hebrew = try runCommand("pdftotext", [out.appendingPathComponent("LD-000011 חברת אור בע״מ.pdf").path, "-"]).stdout
        #expect(hebrew.contains("כהן") || hebrew.contains("ןהכ"), "Hebrew text is in the PDF")
        #expect(manifest.contains { $0.contains(#""company_name":"株式会社 山田製作所""#) })
    }

    // MARK: - Crash safety

    /// A one-page order form: the crash test's 2 000 rows take seconds, not minutes, in a debug build.
    static let orderForm = """
    <template xmlns="urn:countersign:template:1" id="order-form" version="1" page="letter" margin="1in"
              title="Order form {{lead_id}}">
      <fields>
        <field name="lead_id" type="text" required="true"/>
        <field name="company_name" type="text" required="true"/>
        <field name="contact_email" type="email" required="true"/>
        <field name="plan" type="enum" values="Starter Business Enterprise" required="true"/>
        <field name="seats" type="integer" min="1" format="number"/>
        <field name="effective_date" type="date" required="true" format='date:"long"'/>
      </fields>
      <styles><style name="body" align="justify"/></styles>
      <body>
        <h1>Order form for {{company_name}}</h1>
        <p>{{company_name}} ({{contact_email}}) orders the {{plan}} plan for {{seats}} seats from {{effective_date}},
           under the master subscription agreement between the parties, which this order form does not change.</p>
        <signature role="customer"/>
      </body>
    </template>
    """

    @Test func aKilledBatchResumesToExactlyTheUninterruptedResult() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let template = directory.appendingPathComponent("order-form.xml")
        try Data(Self.orderForm.utf8).write(to: template)
        let csv = directory.appendingPathComponent("leads.csv")
        let generated = try runCommand("python3", [TestEnvironment.root.appendingPathComponent("scripts/gen-leads").path,
                                                   "2000", "--out", csv.path])
        #expect(generated.status == 0, "\(generated.stderr)")
        // Row 1501 gets a broken email: the batch has one error record to carry through the crash.
        var leads = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").map(String.init)
        leads[1501] = leads[1501].replacingOccurrences(of: "@", with: " at ")
        try Data((leads.joined(separator: "\n") + "\n").utf8).write(to: csv)
        let arguments = ["generate", template.path, "--csv", csv.path, "--jobs", "2", "--date", "2025-03-01"]

        let reference = directory.appendingPathComponent("reference")
        let whole = try countersign(arguments + ["--out", reference.path, "--quiet"])
        #expect(whole.status == 1, "one row has a broken email: \(whole.stderr)")

        // Start the same batch, kill it with SIGKILL once a few hundred PDFs exist.
        let crashed = directory.appendingPathComponent("crashed")
        let process = Process()
        process.executableURL = TestEnvironment.countersignExecutable
        process.arguments = arguments + ["--out", crashed.path, "--quiet"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline {
            let count = (try? FileManager.default.contentsOfDirectory(atPath: crashed.path))?.count ?? 0
            if count > 400 { break }
            usleep(20_000)
        }
        #expect(process.isRunning, "the batch ended before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitForExit(timeout: 60)
        #expect(process.terminationReason == .uncaughtSignal)
        let before = try FileManager.default.contentsOfDirectory(atPath: crashed.path)
        #expect(before.contains("manifest.jsonl.partial"))
        #expect(!before.contains("manifest.jsonl"))
        #expect(before.filter { $0.hasSuffix(".pdf") }.count < 1990, "killed in the middle")

        let refused = try countersign(arguments + ["--out", crashed.path, "--quiet"])
        #expect(refused.status == 64, "without --resume the interrupted batch is not overwritten")
        let resumed = try countersign(arguments + ["--out", crashed.path, "--resume", "--quiet"])
        #expect(resumed.status == 1, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("kept"), "\(resumed.stderr)")

        let expected = try hashes(reference)
        let actual = try hashes(crashed)
        #expect(actual.count == expected.count && actual.count == 1999 + 2, "every PDF plus manifest and errors, nothing else")
        #expect(actual == expected, "byte-identical PDFs, manifest and error report")
        let manifest = try lines(crashed.appendingPathComponent("manifest.jsonl"))
        let errors = try lines(crashed.appendingPathComponent("errors.csv"))
        #expect(manifestRows(manifest) + errorRows(errors) == Array(1...2000).filter { $0 != 1501 } + [1501])
    }

    // MARK: - Shards

    @Test func threeShardsEqualTheUnshardedRun() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let csv = directory.appendingPathComponent("leads.csv")
        var text = try String(contentsOf: TestEnvironment.fixtures.appendingPathComponent("leads.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        text = lines.prefix(61).joined(separator: "\n") + "\n"
        text += lines[5] + "\n"                  // row 61 (shard 1) repeats row 5 (shard 2): a collision across shards
        text += "LD-999999,Broken Row\n"                                        // row 62: ragged
        try Data(text.utf8).write(to: csv)
        let base = ["generate", Self.serviceAgreement, "--csv", csv.path, "--date", "2025-03-01", "--jobs", "2", "--quiet"]
        let whole = directory.appendingPathComponent("whole")
        #expect(try countersign(base + ["--out", whole.path]).status == 1)
        let shards = directory.appendingPathComponent("shards")
        for index in 1...3 {
            let result = try countersign(base + ["--out", shards.path, "--shard", "\(index)/3"])
            #expect([0, 1].contains(result.status), "\(result.stderr)")
        }
        // Merged by row (the documented shell commands), shard outputs equal the whole run.
        let mergedManifest = try runCommand("sh", ["-c", "cd '\(shards.path)' && sort -m -t: -k2,2n manifest-*-of-3.jsonl"]).stdout
        let mergedErrors = try runCommand("sh", ["-c", "cd '\(shards.path)' && head -n 1 errors-1-of-3.csv && "
                                                + "tail -q -n +2 errors-*-of-3.csv | sort -s -t, -k1,1n"]).stdout
        #expect(mergedManifest == (try String(contentsOf: whole.appendingPathComponent("manifest.jsonl"), encoding: .utf8)))
        #expect(mergedErrors == (try String(contentsOf: whole.appendingPathComponent("errors.csv"), encoding: .utf8)))
        #expect(mergedErrors.contains("61,") && mergedErrors.contains("which row 5 already writes"))
        let pdfs = { (url: URL) in try self.hashes(url).filter { $0.key.hasSuffix(".pdf") } }
        #expect(try pdfs(shards) == pdfs(whole))
    }

    // MARK: - docs/batch.md

    /// The fenced blocks of docs/batch.md with an info string, in order.
    private func docBlocks(_ info: String) throws -> [String] {
        let text = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/batch.md"), encoding: .utf8)
        var blocks: [String] = [], current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```\(info)" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n") + "\n")
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func theWorkedExampleRunsAsDocumented() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let template = try #require(try docBlocks("xml").first)
        let export = try #require(try docBlocks("csv").first)
        let mapping = try #require(try docBlocks("json").first)
        let command = try #require(try docBlocks("sh").last)
        let expectedErrors = try #require(try docBlocks("text").first { $0.hasPrefix("row,line,column,field,message") })
        try Data(template.utf8).write(to: directory.appendingPathComponent("renewal-letter.xml"))
        try Data(export.utf8).write(to: directory.appendingPathComponent("crm-export.csv"))
        try Data(mapping.utf8).write(to: directory.appendingPathComponent("crm-map.json"))
        let line = command.replacingOccurrences(of: "\\\n", with: " ")
            .replacingOccurrences(of: "countersign ", with: "'\(TestEnvironment.countersignExecutable.path)' ")
        let result = try runCommand("sh", ["-c", "cd '\(directory.path)' && " + line])
        #expect(result.status == 1, "\(result.stderr)")
        let out = directory.appendingPathComponent("renewals")
        #expect(try String(contentsOf: out.appendingPathComponent("errors.csv"), encoding: .utf8) == expectedErrors)
        let first = try runCommand("pdftotext", [out.appendingPathComponent("AC-0001 Blue Harbor Logistics.pdf").path, "-"]).stdout
        for piece in ["March 15, 2025", "January 31, 2025", "€12,500.00", "Seats: 250", "Enterprise"] {
            #expect(first.contains(piece), "\(piece) in \(first)")
        }
        let second = try runCommand("pdftotext", [out.appendingPathComponent("AC-0002 Zoë Café SARL.pdf").path, "-"]).stdout
        #expect(second.contains("Business") && second.contains("April 1, 2025") && second.contains("€1,200.50"))
    }

    // MARK: - Exit codes and output

    @Test func exitCodes() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let csv = directory.appendingPathComponent("leads.csv")
        let text = try String(contentsOf: TestEnvironment.fixtures.appendingPathComponent("leads.csv"), encoding: .utf8)
        try Data(text.split(separator: "\n").prefix(4).joined(separator: "\n").utf8).write(to: csv)
        let map = directory.appendingPathComponent("map.json")
        func run(_ extra: [String], template: String = Self.serviceAgreement, out: String = "out") throws -> CommandResult {
            try countersign(["generate", template, "--csv", csv.path, "--out", directory.appendingPathComponent(out).path,
                             "--date", "2025-03-01", "--quiet"] + extra)
        }
        let ok = try run([])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stderr.hasPrefix("ok 3, failed 0, ") && ok.stderr.split(separator: "\n").count == 1,
                "--quiet prints only the summary: \(ok.stderr)")
        #expect(try run([]).status == 64, "an earlier batch needs --resume")
        #expect(try run([], template: "/nonexistent.xml", out: "a").status == 66)
        #expect(try countersign(["generate", Self.serviceAgreement, "--csv", "/nonexistent.csv", "--out",
                                 directory.appendingPathComponent("b").path]).status == 66)
        #expect(try run(["--map", "/nonexistent.json"], out: "c").status == 66)
        try Data(#"{"fields": {"lead_idd": "lead_id"}}"#.utf8).write(to: map)
        let unknownField = try run(["--map", map.path], out: "d")
        #expect(unknownField.status == 65)
        #expect(unknownField.stderr.contains("field 'lead_idd' is not declared by template service-agreement"))
        try Data(#"{"fields": {"lead_id": "Lead"}}"#.utf8).write(to: map)
        let unknownColumn = try run(["--map", map.path], out: "e")
        #expect(unknownColumn.status == 65)
        #expect(unknownColumn.stderr.contains("column 'Lead' is not in the CSV header"))
        for (extra, message) in [(["--shard", "4/3"], "--shard"), (["--jobs", "0"], "--jobs"), (["--date", "tomorrow"], "--date"),
                                 (["--encoding", "latin-9"], "--encoding"), (["--name", "{{nope}}.pdf"], "{{nope}}")] {
            let result = try run(extra, out: "f")
            #expect(result.status == 64, "\(extra)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("f/manifest.jsonl").path))
    }

    @Test func progressLinesWhenStderrIsNotATerminal() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let csv = TestEnvironment.fixtures.appendingPathComponent("leads.csv")
        let template = directory.appendingPathComponent("order-form.xml")
        try Data(Self.orderForm.utf8).write(to: template)
        let result = try countersign(["generate", template.path, "--csv", csv.path, "--out",
                                      directory.appendingPathComponent("out").path, "--date", "2025-03-01"])
        #expect(result.status == 0, "\(result.stderr)")
        let progress = result.stderr.split(separator: "\n").filter { $0.hasPrefix("generated ") }
        #expect(!progress.isEmpty, "\(result.stderr)")
        #expect(progress.allSatisfy { $0.contains("% of input") && !$0.contains("\r") })
        #expect(result.stderr.contains("ok 240, failed 0"))
    }
}
