import Batch
import Foundation
import Templates
import TestSupport
import Testing

/// The customer-service case: a CSV row with a Japanese company and its representative's name
/// goes through `generate` and the names appear in the body, the header and the signature label;
/// a row with a character no shipped font has fails naming the row, the field and the character,
/// or — allowed — is generated with a warning that still names them.
@Suite struct ScriptsBatchTests {
    static let source = """
    <template xmlns="urn:countersign:template:1" id="jp" version="1" page="a4" margin="20mm">
      <fields>
        <field name="order_id" type="text" required="true"/>
        <field name="company_name" type="text" required="true"/>
        <field name="representative" type="text" required="true"/>
      </fields>
      <header><p>{{company_name}} — 注文 {{order_id}}</p></header>
      <body>
        <h1>ご契約書</h1>
        <p>{{company_name}}(代表者 {{representative}})との契約です。</p>
        <signature role="customer" label="{{representative}}, {{company_name}}"/>
      </body>
    </template>
    """

    static func template() throws -> CompiledTemplate {
        try TemplateCompiler(clauseLibrary: TestEnvironment.root.appendingPathComponent("Templates/clauses"))
            .compile(source: Array(source.utf8), path: "jp.xml")
    }

    static func run(_ rows: [String], allow: Bool = false, name: String = #function) throws -> (BatchSummary, URL) {
        let directory = try TestEnvironment.scratchDirectory(name)
        let csv = directory.appendingPathComponent("in.csv")
        try Data((["order_id,company_name,representative"] + rows).joined(separator: "\r\n").utf8).write(to: csv)
        var configuration = BatchConfiguration(csv: csv, output: directory.appendingPathComponent("out"),
                                               namePattern: "{{order_id}}.pdf", workers: 2, date: "2026-01-15")
        configuration.allowMissingGlyphs = allow
        let summary = try BatchGenerator(template: try template(), configuration: configuration).run()
        return (summary, directory.appendingPathComponent("out"))
    }

    @Test func japaneseNamesAppearInBodyHeaderAndSignatureLabel() throws {
        try #require(toolAvailable("pdftotext"))
        let (summary, out) = try Self.run(["JP-1,株式会社さくらテクノロジー,山田太郎"])
        #expect(summary.generated == 1 && summary.failed == 0 && summary.warnedRows == 0)
        let text = try runCommand("pdftotext", [out.appendingPathComponent("JP-1.pdf").path, "-"]).stdout
        // Header, body and signature label each carry both names.
        #expect(text.components(separatedBy: "株式会社さくらテクノロジー").count - 1 == 3, "\(text)")
        #expect(text.components(separatedBy: "山田太郎").count - 1 == 2, "\(text)")
        #expect(text.contains("ご契約書"))
        #expect(text.contains("山田太郎, 株式会社さくらテクノロジー"), "the signature label")
    }

    @Test func aCharacterNoFontHasFailsTheRowNamingFieldAndCharacter() throws {
        // 𠮷 (U+20BB7, CJK extension B) is a real surname character outside the shipped coverage.
        let (summary, out) = try Self.run(["JP-1,株式会社さくらテクノロジー,山田太郎", "JP-2,𠮷野家,𠮷田花子"])
        #expect(summary.generated == 1 && summary.failed == 1)
        let errors = try String(contentsOf: out.appendingPathComponent("errors.csv"), encoding: .utf8)
        let lines = errors.split(separator: "\n").dropFirst()
        #expect(lines.count == 2, "one record per field: \(errors)")
        #expect(lines.allSatisfy { $0.hasPrefix("2,") && $0.contains("U+20BB7") })
        #expect(lines.contains { $0.contains("company_name") } && lines.contains { $0.contains("representative") })
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("JP-2.pdf").path))
    }

    @Test func allowedMissingGlyphsAreWarningsThatStillNameThem() throws {
        let (summary, out) = try Self.run(["JP-2,𠮷野家,山田太郎"], allow: true)
        #expect(summary.generated == 1 && summary.failed == 0)
        #expect(summary.warnedRows == 1)
        let warning = try #require(summary.firstWarnings.first)
        #expect(warning.row == 1 && warning.field == "company_name" && warning.message.contains("U+20BB7"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("JP-2.pdf").path))
    }
}

/// `render --csv --row N` reads a row through `SingleRow`, the same mapping and checks as
/// `generate`: the same problems for the same row.
@Suite struct SingleRowTests {
    @Test func aRowHasTheSameProblemsAloneAsInABatch() throws {
        let bad = "OR-3,Bad Ltd,not-an-email,2025-02-30,-4,abc,,\"[not json\""
        let csv = try BatchFixtures.csv(BatchFixtures.rows(2) + [bad] + BatchFixtures.rows(1, from: 4))
        let summary = try BatchFixtures.run(csv, out: csv.deletingLastPathComponent().appendingPathComponent("out"))
        #expect(summary.failed == 1)
        let single = try SingleRow(csv: csv, row: 3, template: BatchFixtures.template)
        #expect(single.problems.count >= 4, "\(single.problems)")
        #expect(single.problems == summary.firstProblems)
        #expect(try SingleRow(csv: csv, row: 1, template: BatchFixtures.template).problems.isEmpty)
        #expect(throws: BatchError.self) { try SingleRow(csv: csv, row: 9, template: BatchFixtures.template) }
    }

    @Test func bindProblemsAreRecordedAsGenerateRecordsThem() throws {
        let csv = try BatchFixtures.csv(BatchFixtures.rows(1))
        let single = try SingleRow(csv: csv, row: 1, template: BatchFixtures.template)
        let error = TemplateError([Diagnostic(.missingGlyphs, "no shipped font has '\u{E000}' (U+E000)", field: "company_name")])
        #expect(single.problems(for: error) == [RowProblem(row: 1, line: nil, column: "company_name", field: "company_name",
                                                           message: "no shipped font has '\u{E000}' (U+E000)")])
    }
}

/// An unclosed quote takes the rest of the file into one failed row; the summary says how many
/// lines went with it, so its counts add up to the file's records.
@Suite struct UnclosedQuoteSummaryTests {
    @Test func theSummaryCountsTheLinesAnOpenQuoteAbsorbed() throws {
        var rows = BatchFixtures.rows(3) + BatchFixtures.rows(2, from: 5)  // no quoted cells (row 4 has one)
        rows[2] = "OR-3,\"Acme, Inc,a@b.co,2025-01-01,1,,,"
        let csv = try BatchFixtures.csv(rows)
        let summary = try BatchFixtures.run(csv, out: csv.deletingLastPathComponent().appendingPathComponent("out"))
        #expect(summary.generated == 2 && summary.failed == 1)
        #expect(summary.absorbedLines == 2)
        #expect(summary.generated + summary.failed + summary.absorbedLines == rows.count)
        #expect(summary.description.contains("failed 1 (and 2 lines read into a failed row by an unclosed quote)"))
        let problem = try #require(summary.firstProblems.first)
        #expect(problem.row == 3 && problem.line == 4)
        #expect(problem.message.contains("the quote that opens field 2 on line 4 is never closed; lines 5–6 after it"))
    }
}
