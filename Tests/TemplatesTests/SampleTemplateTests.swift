import Foundation
import Templates
import Testing
import Typesetting

/// Binds a lead (CSV strings) with overrides, after the same coercion the batch uses.
private func bind(_ template: CompiledTemplate, _ lead: [String: String], _ overrides: [String: String] = [:],
                  date: String = "2025-06-01") throws -> DocumentSpec {
    let (values, problems) = template.coerce(row: lead.merging(overrides) { $1 })
    #expect(problems.isEmpty, "\(problems)")
    return try template.bind(values, date: date)
}

private func lead(_ predicate: ([String: String]) -> Bool) throws -> [String: String] {
    let found = Samples.lead(where: predicate)
    return try #require(found)
}

/// Sentences that identify each clause in rendered text.
private enum Marker {
    static let dedicated = "named Technical Account Manager"
    static let priority = "Provider offers priority support"
    static let standard = "Provider offers support by email and through the help centre"
    static let sla = "Provider will make the service available at least"
    static let discount = "applies to subscription fees for the initial term"
    static let hipaa = "HIPAA Business Associate Terms"
}

@Suite struct SampleTemplateTests {
    @Test(arguments: Samples.names)
    func compilesWithoutDiagnostics(name: String) throws {
        let template = try Samples.compile(name)
        #expect(template.id == name)
        #expect(!template.fields.isEmpty)
        #expect(template.sha256Hex.count == 64)
        #expect(template.clauses.allSatisfy { !$0.approvedBy.isEmpty })
    }

    @Test func leadsFixtureIsRealistic() {
        let leads = Samples.leads
        #expect(leads.count >= 200)
        #expect(Set(leads.map { $0["plan"]! }) == ["Starter", "Business", "Enterprise"])
        #expect(leads.contains { $0["industry"] == "Healthcare" })
        #expect(Set(leads.map { $0["country"]! }).count >= 5)
        #expect(leads.contains { $0["line_items"] == "" } && leads.contains { $0["line_items"]!.hasPrefix("[") })
        let names = leads.map { "\($0["contact_first_name"]!) \($0["contact_last_name"]!) \($0["company_name"]!)" }.joined()
        for accented in ["ë", "é", "ü", "ñ"] { #expect(names.contains(accented), "no \(accented)") }
        #expect(leads.contains { $0["company_name"]!.count > 50 })
    }

    @Test(arguments: Samples.names)
    func bindsEveryLead(name: String) throws {
        let template = try Samples.compile(name)
        for (index, lead) in Samples.leads.enumerated() {
            var row = lead
            if name == "consent-form" { row["language"] = ["en-US", "fr-FR", "es-ES"][index % 3] }
            let document = try bind(template, row)
            #expect(document.info.custom["CountersignTemplateID"] == name)
            #expect(document.signatures.map(\.role) == template.signatureRoles)
            #expect(document.plainText.contains(lead["company_name"]!))
        }
    }

    // MARK: Service agreement

    @Test func serviceAgreementSupportTiers() throws {
        let template = try Samples.compile("service-agreement")
        let enterprise = try lead { $0["plan"] == "Enterprise" }
        let cases: [([String: String], present: [String], absent: [String])] = [
            (["plan": "Enterprise", "seats": "250"], [Marker.dedicated, Marker.sla, "99.95%"], [Marker.priority, Marker.standard]),
            (["plan": "Enterprise", "seats": "60"], [Marker.priority, Marker.sla, "99.95%"], [Marker.dedicated, Marker.standard]),
            (["plan": "Business", "seats": "250"], [Marker.priority, Marker.sla, "99.9%"], [Marker.dedicated, "99.95%"]),
            (["plan": "Starter", "seats": "5"], [Marker.standard], [Marker.sla, Marker.priority, Marker.dedicated]),
        ]
        for (overrides, present, absent) in cases {
            let text = try bind(template, enterprise, overrides).plainText
            for marker in present { #expect(text.contains(marker), "\(overrides) lacks \(marker)") }
            for marker in absent { #expect(!text.contains(marker), "\(overrides) has \(marker)") }
        }
    }

    @Test func serviceAgreementDiscountAndHIPAA() throws {
        let template = try Samples.compile("service-agreement")
        let healthcare = try lead { $0["industry"] == "Healthcare" && $0["discount_pct"] == "15" && !$0["line_items"]!.isEmpty }
        let text = try bind(template, healthcare).plainText
        #expect(text.contains("The discount of 15% " + Marker.discount))
        #expect(text.contains("Discount (15%)"))
        #expect(text.contains(Marker.hipaa))
        #expect(text.contains("Because \(healthcare["company_name"]!) is a covered entity"))

        let plain = try lead { $0["industry"] != "Healthcare" && ($0["discount_pct"] == "" || $0["discount_pct"] == "0") }
        let plainText = try bind(template, plain).plainText
        #expect(!plainText.contains(Marker.discount) && !plainText.contains("Discount ("))
        #expect(!plainText.contains(Marker.hipaa))
        #expect(!plainText.contains("covered entity"))
    }

    @Test func serviceAgreementLineItems() throws {
        let template = try Samples.compile("service-agreement")
        let row: [String: String] = [
            "lead_id": "LD-123456", "company_name": "Müller & Söhne GmbH", "contact_first_name": "Jürgen",
            "contact_last_name": "Müller", "contact_email": "jurgen.muller@mullersohne.de", "plan": "Business",
            "seats": "1200", "unit_price": "45.00", "discount_pct": "12.5", "effective_date": "2025-03-07",
            "line_items": #"[{"sku": "BUS-SEAT", "description": "Business plan — seat licence", "qty": 1200, "unit_price": 45.00, "amount": 54000.00}, {"sku": "SSO-SCIM", "description": "Single sign-on and SCIM provisioning", "qty": 1200, "unit_price": 6.00, "amount": 7200.00}]"#,
        ]
        let document = try bind(template, row)
        let table = try #require(document.body.compactMap { block -> Table? in
            if case .table(let table) = block { return table } else { return nil }
        }.first)
        #expect(table.repeatHeader)
        #expect(table.columns == [.fraction(3), .fraction(0.8), .fraction(1.2), .fraction(1.3)])
        #expect(table.rows.map(\.isHeader) == [true, false, false, false, false])
        #expect(Block.table(table).plainText == """
        Item | Qty | Unit price | Amount
        Business plan — seat licence (BUS-SEAT) | 1,200 | $45.00 | $54,000.00
        Single sign-on and SCIM provisioning (SSO-SCIM) | 1,200 | $6.00 | $7,200.00
        Discount (12.5%) | −$7,650.00
        Monthly total | $53,550.00
        """)
        #expect(table.rows[3].cells[0].columnSpan == 3)
        #expect(document.plainText.contains("for 1,200 seats for an initial term of 12 months"))
        #expect(document.plainText.contains("entered into as of March 7, 2025"))

        // Without line items the table falls back to one line from plan, seats and unit price.
        var bare = row
        bare["line_items"] = ""
        let fallback = try bind(template, bare).body.compactMap { block -> Table? in
            if case .table(let table) = block { return table } else { return nil }
        }.first
        #expect(fallback.map { Block.table($0).plainText } == """
        Item | Qty | Unit price | Amount
        Business plan — seat licence | 1,200 | $45.00 | $54,000.00
        Monthly total | $47,250.00
        """)
    }

    /// A signature every document asks for is required; one marked `required="false"`, or inside
    /// an `<if>` (the row decides), is not — a bulk send is refused only for the first kind.
    @Test func requiredSignatureRolesLeaveOutOptionalAndConditionalOnes() throws {
        let source = """
            <template xmlns="urn:countersign:template:1" id="t" version="1">
              <fields><field name="guaranteed" type="boolean"/></fields>
              <body>
                <if test="guaranteed"><signature role="guarantor"/></if>
                <signature role="customer"/>
                <signature role="witness" required="false"/>
              </body>
            </template>
            """
        let template = try Samples.compiler.compile(source: Array(source.utf8), path: "t.xml")
        #expect(template.signatureRoles == ["guarantor", "customer", "witness"])
        #expect(template.requiredSignatureRoles == ["customer"])
    }

    @Test func serviceAgreementStructureAndProvenance() throws {
        let template = try Samples.compile("service-agreement")
        #expect(template.signatureRoles == ["customer", "company"])
        #expect(template.requiredSignatureRoles == ["customer", "company"])
        let lead = try lead { $0["contact_phone"] != "" }
        let document = try bind(template, lead, date: "2025-06-01T09:00:00Z")
        let footer = try #require(document.footer.first)
        guard case .paragraph(let paragraph) = footer else { Issue.record("footer is not a paragraph"); return }
        #expect(paragraph.runs.contains { if case .pageNumber = $0 { true } else { false } })
        #expect(paragraph.runs.contains { if case .pageCount = $0 { true } else { false } })
        #expect(paragraph.plainText == "Northbeam Software, Inc. — Confidential — Page {page} of {pages}")
        let headings = document.body.compactMap { block -> (Int, Paragraph)? in
            if case .heading(let level, let paragraph) = block { return (level, paragraph) } else { return nil }
        }
        #expect(headings.first?.0 == 1)
        #expect(headings.allSatisfy { $0.1.style.keepWithNext })
        #expect(headings.map { $0.1.plainText }.contains("5. Confidentiality"))
        #expect(document.signatures.first?.label == "\(lead["contact_first_name"]!) \(lead["contact_last_name"]!), \(lead["company_name"]!)")
        #expect(document.info.title == "Service Agreement — \(lead["company_name"]!)")
        #expect(document.info.language == "en-US")
        #expect(document.info.date == "2025-06-01T09:00:00Z")
        #expect(document.info.custom["CountersignTemplateVersion"] == "3")
        #expect(document.info.custom["CountersignTemplateSHA256"] == template.sha256Hex)
        #expect(document.info.custom["CountersignClauses"]?.hasPrefix("dedicated-support@2 sla-uptime@1 priority-support@2") == true)
        #expect(document.page.width == 612 && document.page.marginLeft == 72 && document.page.marginTop == 64.8)
        guard case .table(let header) = try #require(document.header.first), case .image(let logo) = header.rows[0].cells[0].blocks[0]
        else { Issue.record("header has no logo"); return }
        #expect(logo.format == .png && abs((logo.width ?? 0) - 86.4) < 1e-9)
    }

    @Test func serviceAgreementSparseRow() throws {
        let template = try Samples.compile("service-agreement")
        let base = try lead { $0["contact_phone"] != "" && $0["country"] != "" }
        let full = try bind(template, base, ["seats": "2"]).plainText
        #expect(full.contains("(\(base["contact_email"]!), \(base["contact_phone"]!))"))
        #expect(full.contains("for 2 seats") && full.contains(" · \(base["country"]!)"))
        let sparse = try bind(template, base, ["seats": "1", "contact_phone": "", "country": "", "region": "",
                                               "owner_email": "", "discount_pct": "", "term_months": ""]).plainText
        #expect(sparse.contains("(\(base["contact_email"]!))."))
        #expect(sparse.contains("for 1 seat for an initial term of 12 months"))
        #expect(sparse.contains("Account owner: sales@northbeam.example · Region: —\n"))
    }

    // MARK: Other samples

    @Test func mutualNDABranches() throws {
        let template = try Samples.compile("mutual-nda")
        let base = try lead { _ in true }
        let health = try bind(template, base, ["industry": "Healthcare"]).plainText
        #expect(health.contains("will not exchange protected health information"))
        #expect(!health.contains("secure data room"))
        let finance = try bind(template, base, ["industry": "Financial Services"]).plainText
        #expect(finance.contains("secure data room") && !finance.contains("protected health information"))
        let retail = try bind(template, base, ["industry": "Retail"]).plainText
        #expect(!retail.contains("secure data room") && !retail.contains("protected health information"))
        #expect(retail.contains("during 2 years from the date above"))
        #expect(retail.contains("evaluating a potential commercial relationship"))
        let oneYear = try template.bind(template.coerce(row: base).0.merging(["nda_years": .integer(1)]) { $1 }).plainText
        #expect(oneYear.contains("during 1 year from the date above"))
        #expect(retail.contains("Exclusions\nConfidential Information does not include"))
        let noCountry = try bind(template, base, ["country": ""]).plainText
        #expect(noCountry.contains("between Northbeam Software, Inc. and \(base["company_name"]!)\n"))
        let withCountry = try bind(template, base, ["country": "Spain"]).plainText
        #expect(withCountry.contains("between Northbeam Software, Inc. and \(base["company_name"]!) (Spain)\n"))
    }

    @Test(arguments: [
        ("en-US", "Consent to Electronic Signature", "sign documents electronically from March 7, 2025",
         "You may ask for a paper copy", "Recipient's signature"),
        ("fr-FR", "Consentement à la signature électronique", "électroniquement à partir du 7 mars 2025",
         "Vous pouvez demander gratuitement une copie papier", "Signature du destinataire"),
        ("es-ES", "Consentimiento para la firma electrónica", "electrónicamente a partir del 7 de marzo de 2025",
         "Puede solicitar gratuitamente una copia en papel", "Firma del destinatario"),
    ])
    func consentFormLanguages(language: String, heading: String, dated: String, clause: String, label: String) throws {
        let template = try Samples.compile("consent-form")
        let base = try lead { $0["country"] == "France" }
        let document = try bind(template, base, ["language": language, "effective_date": "2025-03-07"])
        let text = document.plainText
        #expect(text.contains(heading) && text.contains(dated) && text.contains(clause) && text.contains(label))
        #expect(document.info.language == language)
        let headings = ["Consent to Electronic Signature", "Consentement à la signature", "Consentimiento para la firma"]
        #expect(headings.filter { text.contains($0) }.count == 1)
        #expect(template.signatureRoles == ["signer"])
    }

    @Test func consentFormRejectsAnUnsupportedLanguage() throws {
        let template = try Samples.compile("consent-form")
        var values = template.coerce(row: try lead { _ in true }).0
        values["language"] = .string("de-DE")
        #expect {
            _ = try template.bind(values)
        } throws: { error in
            (error as? TemplateError)?.diagnostics.map(\.description) == [
                "error: field 'language': 'de-DE' is not allowed; expected one of en-US, fr-FR, es-ES"]
        }
    }

    @Test func discountApprovalBranches() throws {
        let template = try Samples.compile("discount-approval")
        #expect(template.signatureRoles == ["manager"])
        let base = try lead { $0["plan"] == "Business" }
        let big = try bind(template, base, ["discount_pct": "30", "unit_price": "40.00", "seats": "100"]).plainText
        #expect(big.contains("Discount Approval") && big.contains("This discount exceeds 25%"))
        #expect(big.contains("Requested discount | 30%") && big.contains("Net price | $28.00 per seat per month"))
        #expect(big.contains("Monthly impact | $1,200.00"))
        let small = try bind(template, base, ["discount_pct": "10"]).plainText
        #expect(small.contains("within the account owner's authority") && !small.contains("exceeds 25%"))
        let middle = try bind(template, base, ["discount_pct": "20"]).plainText
        #expect(!middle.contains("within the account owner's authority") && !middle.contains("exceeds 25%"))
        let dated = try bind(template, base, ["requested_on": "2025-02-03", "region": "EMEA"]).plainText
        #expect(dated.contains("Requested by \(base["owner_email"]!) on February 3, 2025 for \(base["company_name"]!) (EMEA)."))
        let undated = try bind(template, base, ["region": ""]).plainText
        #expect(undated.contains("Requested by \(base["owner_email"]!) for \(base["company_name"]!)."))
        let escalation = try bind(template, base, ["request_type": "escalation", "case_id": "CS-004211"])
        #expect(escalation.plainText.contains("Support Escalation Approval"))
        #expect(escalation.plainText.contains("Support case | CS-004211"))
        #expect(!escalation.plainText.contains("Requested discount"))
        #expect(escalation.info.title == "Escalation approval — \(base["company_name"]!) (\(base["lead_id"]!))")
        #expect(escalation.plainText.contains("Approval Policy\nDiscounts up to 10%"))
    }

    @Test func dataErrorsNameFieldAndConstraintAllAtOnce() throws {
        let template = try Samples.compile("discount-approval")
        let row: [String: String] = ["lead_id": "LD-1", "company_name": "", "plan": "Gold", "seats": "0",
                                     "unit_price": "12,50", "discount_pct": "75", "owner_email": "sam at example",
                                     "case_id": "4211", "requested_on": "2025-02-30"]
        let (values, typeProblems) = template.coerce(row: row)
        #expect(typeProblems.map(\.description) == [
            "error: field 'unit_price': '12,50' is not a decimal number; expected digits with an optional '.' fraction, e.g. 1250.00",
            "error: field 'owner_email': 'sam at example' is not an email address; expected name@example.com",
            "error: field 'requested_on': '2025-02-30' is not a date; expected YYYY-MM-DD",
        ])
        var raw = values
        raw["unit_price"] = .string("12,50")
        raw["owner_email"] = .string("sam at example")
        #expect(template.validate(raw).map(\.description) == [
            "error: field 'company_name': required, but the data has no value; expected text",
            "error: field 'plan': 'Gold' is not allowed; expected one of Starter, Business, Enterprise",
            "error: field 'seats': 0 is below the minimum (min=\"1\")",
            "error: field 'unit_price': '12,50' is not a decimal number; expected digits with an optional '.' fraction, e.g. 1250.00",
            "error: field 'discount_pct': 75 is above the maximum (max=\"60\")",
            "error: field 'owner_email': 'sam at example' is not an email address; expected name@example.com",
            "error: field 'case_id': '4211' does not match the pattern (pattern=\"CS-[0-9]{5,8}\")",
        ])
        #expect(template.validate(raw).map(\.code) == [.missingField, .valueNotAllowed, .belowMinimum, .wrongType,
                                                        .aboveMaximum, .wrongType, .patternMismatch])
        #expect(throws: TemplateError.self) { _ = try template.bind(raw) }
    }
}
