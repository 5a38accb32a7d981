import Foundation
import Testing
import TestSupport
import Verification
import Workflow

/// A template with signer fields (docs/templates.md, "Fields signers fill") in an envelope: the
/// fields go to the signer of their role with their page and rectangle, what the signer fills
/// is checked against the template's rules, and the completed document shows it in the boxes.
@Suite(.serialized) struct TemplateSignerFieldTests {
    static let source = """
        <template xmlns="urn:countersign:template:1" id="order-form" version="1">
          <fields><field name="company_name" type="text" required="true"/></fields>
          <body>
            <h1>Order form — {{company_name}}</h1>
            <dropdown role="customer" name="term" options="12 months|24 months|36 months" label="Term"/>
            <text-field role="customer" name="purchase_order" label="Purchase order number of {{company_name}}" max-length="20" pattern="PO-[0-9]+"/>
            <checkbox role="customer" name="newsletter" label="Send me product news"/>
            <signature role="customer" label="Customer"/>
            <initials role="customer"/>
            <date-signed role="customer"/>
            <text-field role="company" name="account_manager" label="Account manager"/>
            <signature role="company" label="Northbeam"/>
            <date-signed role="company" format='date:"long"'/>
          </body>
        </template>
        """

    @Test func signerFieldsAreFilledIntoTheirBoxesAtCompletion() async throws {
        let fixture = try await WorkflowFixture.make()
        _ = try await fixture.engine.importTemplate(fixture.legal, source: Data(Self.source.utf8))
        _ = try await fixture.engine.publishTemplate(fixture.legal, templateID: "order-form", version: "1")
        let customer = "gabriel.cote@crescentcapital.ca", company = "jamie.chen@northbeam.example"
        let request = EnvelopeRequest(templateID: "order-form", templateVersion: "1", subject: "Order form", data: ["company_name": "Crescent Capital"],
                                      recipients: [
                                          RecipientRequest(name: "Gabriel Côté", email: customer, role: .signer, routingOrder: 1,
                                                           authentication: .link, signatureRole: "customer"),
                                          RecipientRequest(name: "Jamie Chen", email: company, role: .signer, routingOrder: 2,
                                                           authentication: .link, signatureRole: "company"),
                                      ])
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, request)
        let fields = try #require(envelope.recipients.first).fields
        #expect(fields.map(\.name) == ["customer", "term", "purchase_order", "newsletter", "customer_initials", "customer_date_signed"])
        #expect(fields.dropFirst().allSatisfy { $0.placement?.page == 1 && ($0.placement?.width ?? 0) > 0 })
        #expect(fields.first { $0.name == "term" }?.options == ["12 months", "24 months", "36 months"])
        // The label as printed under the box, bound for this envelope, is what the signing page asks for.
        #expect(fields.first { $0.name == "purchase_order" }?.label == "Purchase order number of Crescent Capital")
        #expect(fields.first { $0.name == "customer_initials" }?.label == "Initials")
        #expect(envelope.recipients.last?.fields.map(\.name) == ["company", "account_manager", "company_date_signed"])
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)

        let engine = fixture.engine, context = RequestContext(ip: "203.0.113.7", userAgent: "Tests/1.0")
        for (address, name, values) in [(customer, "Gabriel Côté", ["term": "24 months", "purchase_order": "PO-4471", "newsletter": "true",
                                                                     "customer_initials": "GC"]),
                                        (company, "Jamie Chen", ["account_manager": "Ana Lima"])] {
            let token = try await fixture.token(for: address)
            let view = try await engine.open(token: token, context: context)
            try await engine.consent(token: token, disclosureVersion: view.disclosureVersion,
                                     disclosureSHA256: engine.configuration.disclosure.sha256, context: context)
            if address == customer {
                for bad in [["purchase_order": "4471"], ["purchase_order": "PO-" + String(repeating: "1", count: 20)], ["term": "5 years"],
                            ["customer_initials": "G\u{0}C"], ["customer_initials": "G\u{202E}C"]] {
                    await #expect(throws: WorkflowError(.invalidRequest, "")) { try await engine.fill(token: token, values: bad, context: context) }
                }
                // A direction override would make the sealed page show another name than the one stored.
                let reversed = await #expect(throws: WorkflowError.self) {
                    try await engine.adopt(token: token, mark: .typed("Gabriel \u{202E}étôC"), context: context)
                }
                #expect(reversed?.reason.contains("a directional formatting character (U+202E)") == true, "\(String(describing: reversed))")
                await #expect(throws: WorkflowError(.invalidRequest, "")) { try await engine.adopt(token: token, mark: .typed(name), context: context)
                    try await engine.sign(token: token, context: context) }
            }
            try await engine.fill(token: token, values: values, context: context)
            try await engine.adopt(token: token, mark: .typed(name, font: address == customer ? .texGyreChorus : .kaushanScript),
                                   context: context)
            try await engine.sign(token: token, context: context)
        }
        let pass = try await WorkflowWorker(engine: engine, smtp: nil).runDue()
        #expect(pass.failed.isEmpty, "\(pass.failed)")
        let completed = try await engine.envelope(fixture.agent, id: envelope.id)
        let hash = try #require(completed.documents.first?.sealedSHA256)
        let sealed = try #require(try await fixture.store.documents.get(hash))
        #expect(PDFVerifier(trustAnchors: fixture.trust).verify(bytes: sealed).verdict == .passed)
        let file = fixture.directory.appendingPathComponent("order.pdf")
        try Data(sealed).write(to: file)
        let text = try runCommand("pdftotext", ["-layout", file.path, "-"]).stdout
        // The customer's date signed as an ISO date; the company's in its format ("December 8, 2026").
        let long = fixture.clock.now().formatted(Date.FormatStyle(date: .long, time: .omitted, locale: Locale(identifier: "en-US"), timeZone: .gmt))
        for expected in ["24 months", "PO-4471", "GC", "Ana Lima", "\u{2713}", String(EventTimeText.today(fixture.clock.now())), long] {
            #expect(text.contains(expected), "'\(expected)' not in the completed document")
        }
        // What is kept (and exported) is the ISO date either way.
        #expect(completed.recipients.last?.fields.last?.value == String(EventTimeText.today(fixture.clock.now())))
        // Each mark in its signer's script, and the customer's initials in theirs: no default face.
        let fonts = try runCommand("pdffonts", [file.path]).stdout
        #expect(fonts.contains("+TeXGyreChorus") && fonts.contains("+KaushanScript") && !fonts.contains("DancingScript"), "\(fonts)")
    }
}
