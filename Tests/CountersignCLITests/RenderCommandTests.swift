import Foundation
import TestSupport
import Testing

/// `countersign render` and `check` on the shipped templates, judged by poppler's tools.
@Suite struct RenderCommandTests {
    static let templates = TestEnvironment.root.appendingPathComponent("Templates")
    static let leads = TestEnvironment.fixtures.appendingPathComponent("leads.csv")

    private func countersign(_ arguments: [String]) throws -> CommandResult {
        try runCommand(TestEnvironment.countersignExecutable.path, arguments)
    }

    private func render(_ template: String, json: String? = nil, row: Int? = nil,
                        date: String = "2026-03-01") throws -> (URL, CommandResult) {
        let directory = try TestEnvironment.scratchDirectory()
        let out = directory.appendingPathComponent("out.pdf")
        var arguments = ["render", Self.templates.appendingPathComponent(template).path, "--out", out.path, "--date", date]
        if let json {
            let data = directory.appendingPathComponent("row.json")
            try Data(json.utf8).write(to: data)
            arguments += ["--data", data.path]
        } else {
            arguments += ["--csv", Self.leads.path, "--row", String(row ?? 1)]
        }
        return (out, try countersign(arguments))
    }

    private func text(_ file: URL) throws -> String {
        try runCommand("pdftotext", ["-layout", file.path, "-"]).stdout
    }

    static let baseRow = """
    "lead_id": "LD-200001", "company_name": "Brightwater Dental Group", "contact_first_name": "Zoë",
    "contact_last_name": "Martínez", "contact_email": "zoe@brightwater.example", "plan": "Enterprise",
    "seats": 1250, "unit_price": 79, "effective_date": "2026-04-01", "term_months": 24, "country": "United States",
    "owner_email": "ae@northbeam.example"
    """

    @Test(arguments: SampleTemplate.allCases)
    func everySampleChecksAndRendersFromLeads(_ sample: SampleTemplate) throws {
        let check = try countersign(["check", Self.templates.appendingPathComponent(sample.rawValue).path])
        #expect(check.status == 0, "\(check.stderr)")
        let (file, result) = try render(sample.rawValue, row: 3)
        #expect(result.status == 0, "\(result.stderr)")
        let fonts = try runCommand("pdffonts", [file.path]).stdout.split(separator: "\n").dropFirst(2)
        #expect(!fonts.isEmpty)
        for font in fonts { #expect(font.contains(" yes yes "), "every font embedded as a subset: \(font)") }
        let inspect = try countersign(["inspect", "--json", "--strict", file.path])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: inspect.stdoutData) as? [String: Any])
        let fields = try #require(json["fields"] as? [[String: Any]])
        #expect(!fields.isEmpty)
        for field in fields {
            #expect((field["name"] as? String)?.hasPrefix("sig_") == true)
            #expect(field["type"] as? String == "signature")
            #expect((field["rect"] as? [Double])?.count == 4)
        }
        let source = try String(contentsOf: Self.templates.appendingPathComponent(sample.rawValue), encoding: .utf8)
        if source.contains("<image") {
            let images = try runCommand("pdfimages", ["-list", file.path]).stdout
            #expect(images.split(separator: "\n").count >= 3, "the logo appears: \(images)")
        }
    }

    @Test func serviceAgreementMergesValuesAndBranches() throws {
        let healthcare = "{" + Self.baseRow + #", "industry": "Healthcare", "discount_pct": 15, "line_items": []}"#
        let (file, result) = try render("service-agreement.xml", json: healthcare)
        #expect(result.status == 0, "\(result.stderr)")
        let content = try text(file)
        #expect(content.contains("Brightwater Dental Group"))
        #expect(content.contains("April 1, 2026"))
        #expect(content.contains("1,250"))
        #expect(content.contains("Business Associate"), "HIPAA BAA clause for Healthcare")
        #expect(content.contains("15%"), "discount clause when discount_pct > 0")
        let pages = try runCommand("pdfinfo", [file.path]).stdout
        let count = Int(pages.split(separator: "\n").first { $0.hasPrefix("Pages:") }!.split(separator: " ").last!)!
        #expect(content.contains("Page 1 of \(count)") && content.contains("Page \(count) of \(count)"))

        let retail = "{" + Self.baseRow + #", "industry": "Retail", "discount_pct": 0, "plan": "Starter", "seats": 5}"#
        let (other, _) = try render("service-agreement.xml", json: retail)
        let otherText = try text(other)
        #expect(!otherText.contains("Business Associate"))
        #expect(!otherText.contains("15%"))
    }

    @Test func aKeyTheTemplateDoesNotDeclareIsAnErrorWithASuggestion() throws {
        let row = "{" + Self.baseRow + #", "industry": "Retail", "discount_pct": 0, "line_items": [], "contact_frist_name": "Zoë"}"#
        let (file, result) = try render("service-agreement.xml", json: row)
        #expect(result.status == 65)
        #expect(result.stderr.contains("'contact_frist_name' is not a field of template service-agreement; "
                                       + "did you mean 'contact_first_name'?"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }

    @Test func consentFormSpeaksTheSignersLanguage() throws {
        for (language, phrase, date) in [("fr-FR", "Consentement à la signature électronique", "1 avril 2026"),
                                         ("es-ES", "Consentimiento para la firma electrónica", "1 de abril de 2026"),
                                         ("en-US", "Consent to Electronic Signature", "April 1, 2026")] {
            // Only the consent form's fields: keys a template does not declare are errors.
            let row = #"{"lead_id": "LD-200001", "company_name": "Brightwater Dental Group", "contact_first_name": "Zoë", "#
                + #""contact_last_name": "Martínez", "contact_email": "zoe@brightwater.example", "#
                + #""effective_date": "2026-04-01", "country": "United States", "language": ""# + language + #""}"#
            let (file, result) = try render("consent-form.xml", json: row)
            #expect(result.status == 0, "\(language): \(result.stderr)")
            let content = try text(file)
            #expect(content.contains(phrase), "\(language)")
            #expect(content.contains(date), "\(language): \(content.prefix(600))")
        }
    }

    @Test func renderingIsDeterministicWithADate() throws {
        let (first, _) = try render("mutual-nda.xml", row: 7)
        let (second, _) = try render("mutual-nda.xml", row: 7)
        #expect(try Data(contentsOf: first) == Data(contentsOf: second))
        let (later, _) = try render("mutual-nda.xml", row: 7, date: "2026-03-02")
        #expect(try Data(contentsOf: first) != Data(contentsOf: later))
    }

    @Test func dataErrorsNameTheFieldAndExit65() throws {
        let bad = #"{"lead_id": "bad", "company_name": "X", "contact_email": "not-an-email", "plan": "Gold"}"#
        let (file, result) = try render("service-agreement.xml", json: bad)
        #expect(result.status == 65)
        #expect(result.stderr.contains("contact_email"))
        #expect(result.stderr.contains("plan"))
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }

    @Test func checkReportsEveryErrorWithLineAndColumn() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let broken = directory.appendingPathComponent("broken.xml")
        try Data("""
        <template xmlns="urn:countersign:template:1" id="t" version="1">
          <body>
            <tabel>hello</tabel>
            <p colour="red">{{ missing_field }}</p>
          </body>
        </template>
        """.utf8).write(to: broken)
        let result = try countersign(["check", broken.path])
        #expect(result.status == 65)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count >= 3, "\(result.stderr)")
        #expect(result.stderr.contains("broken.xml:3:5"), "\(result.stderr)")
        #expect(result.stderr.contains("did you mean"), "\(result.stderr)")
        #expect(result.stderr.contains("broken.xml:4:"), "\(result.stderr)")
    }

    /// A layout error points at the element it is about, as compile errors do, even when the
    /// text sits in a cell of a list item in a loop; the table-wide one at the table.
    @Test func layoutErrorsNameTheElementsLineAndColumn() throws {
        let directory = try TestEnvironment.scratchDirectory()
        func attempt(_ columns: String) throws -> CommandResult {
            let template = directory.appendingPathComponent("narrow.xml")
            try Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <template xmlns="urn:countersign:template:1" id="narrow" version="1" page="a4" margin="20mm">
              <body>
                <p>Hello.</p>
                <ul><for each="n" in="[1, 2]"><li><table columns="\(columns)">
                  <row><cell>aaa</cell><cell><p>Supercalifragilistic</p></cell></row>
                </table></li></for></ul>
              </body>
            </template>
            """.utf8).write(to: template)
            return try countersign(["render", template.path, "--out", directory.appendingPathComponent("narrow.pdf").path])
        }
        let narrow = try attempt("99% 1%")
        #expect(narrow.status == 65)
        #expect(narrow.stderr.contains("narrow.xml:6:34: <p>: the text 'Supercalifragilistic' has"), "\(narrow.stderr)")
        let over = try attempt("90% 20%")
        #expect(over.status == 65)
        #expect(over.stderr.contains("narrow.xml:5:39: <table>: "), "\(over.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("narrow.pdf").path))
    }

    @Test func missingTemplateOrRowAreClearErrors() throws {
        let missing = try countersign(["check", "/nonexistent/template.xml"])
        #expect(missing.status == 66)
        let (_, noRow) = try render("mutual-nda.xml", row: 100_000)
        #expect(noRow.status == 65)
        #expect(noRow.stderr.contains("has no data row 100000"))
    }
}

enum SampleTemplate: String, CaseIterable, Sendable {
    case serviceAgreement = "service-agreement.xml"
    case mutualNDA = "mutual-nda.xml"
    case consentForm = "consent-form.xml"
    case discountApproval = "discount-approval.xml"
}
