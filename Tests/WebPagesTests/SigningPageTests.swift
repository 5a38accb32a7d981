import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport
import Typesetting
import WebPages
import Workflow

/// The signing pages over HTTP (Hummingbird's router test client, no browser): the flow by
/// forms, and the security rules tried the way an attacker would.
@Suite(.serialized) struct SigningPageTests {
    func withPages<Value>(_ fixture: PagesFixture, _ body: @Sendable @escaping (PageClient) async throws -> Value) async throws -> Value {
        let router = Router(context: PagesTestContext.self)
        router.addRoutes(fixture.pages.routes())
        return try await Application(router: router).test(.router) { client in try await body(PageClient(client)) }
    }

    @Test func theLandingPageStartsASessionBoundToTheLinkAndSendsStrictHeaders() async throws {
        let fixture = try await PagesFixture.make()
        let envelope = try await fixture.sentEnvelope()
        let token = try await fixture.token(for: "gabriel.cote@crescentcapital.ca")
        try await withPages(fixture) { browser in
            let landing = try await browser.get("/s/\(token)")
            #expect(landing.status == .ok)
            #expect(landing.body.contains("Service Agreement — Crescent Capital") && landing.body.contains("Please sign by Friday."))
            #expect(landing.body.contains(fixture.engine.configuration.disclosure.sha256))
            let csp = landing.headers[HTTPFields.Element.Name("Content-Security-Policy")!] ?? ""
            #expect(csp.contains("script-src 'self'") && csp.contains("style-src 'self'") && !csp.contains("unsafe-inline"))
            #expect(csp.contains("frame-ancestors 'none'"))
            #expect(landing.headers[HTTPFields.Element.Name("Referrer-Policy")!] == "no-referrer")
            #expect(landing.headers[.cacheControl] == "no-store")
            let cookie = try #require(landing.setCookie.first { $0.hasPrefix("cs_signer=") })
            for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/s/\(token)"] {
                #expect(cookie.contains(attribute), "\(cookie) lacks \(attribute)")
            }
            #expect(!landing.body.contains("style=\"") && !landing.body.contains("<script>") && !landing.body.contains("onclick"))
        }
        let opened = try await fixture.engine.envelope(fixture.agent, id: envelope.id)
        #expect(opened.recipients[0].state == .delivered)
    }

    @Test func aSignerCompletesByFormsAndTheSecondSignerIsInvited() async throws {
        let fixture = try await PagesFixture.make()
        let envelope = try await fixture.sentEnvelope()
        let customer = "gabriel.cote@crescentcapital.ca"
        let token = try await fixture.token(for: customer)
        try await withPages(fixture) { browser in
            let base = "/s/\(token)"
            let landing = try await browser.get(base)
            let csrf = try #require(landing.csrf)
            let disclosure = fixture.engine.configuration.disclosure
            // A post without the box ticked (the browser requires it; a script need not) is no consent.
            let unticked = try await browser.post(base + "/consent", ["csrf": csrf, "version": disclosure.version, "sha256": disclosure.sha256])
            #expect(unticked.status == .badRequest)
            #expect(try await fixture.engine.envelope(fixture.agent, id: envelope.id).recipients[0].consent == nil)
            // Nor are the documents readable before consent and authentication.
            await #expect(throws: WorkflowError(.notAuthenticated, "")) {
                _ = try await fixture.engine.document(token: token, id: envelope.documents[0].id)
            }
            let consented = try await browser.post(base + "/consent", ["csrf": csrf, "version": disclosure.version, "sha256": disclosure.sha256, "agree": "yes"])
            #expect(consented.status == .seeOther && consented.location == base + "/auth")
            await #expect(throws: WorkflowError(.notAuthenticated, "")) {
                _ = try await fixture.engine.document(token: token, id: envelope.documents[0].id)
            }
            let auth = try await browser.get(base + "/auth")
            #expect(auth.body.contains("E-mail me a code"))
            #expect(try await browser.post(base + "/code/send", ["csrf": csrf]).status == .seeOther)
            let code = try await fixture.code(for: customer)
            #expect(code.count == 6)
            let wrong = try await browser.post(base + "/code", ["csrf": csrf, "code": code == "000000" ? "111111" : "000000"])
            #expect(wrong.status == .unauthorized && wrong.body.contains("Attempts left: 4"), "\(wrong.body)")
            let right = try await browser.post(base + "/code", ["csrf": csrf, "code": code])
            #expect(right.location == base + "/review")
            // The code authenticates this session only: the link forwarded and opened in another
            // browser must enter a code of its own before it sees or signs anything.
            let forwarded = PageClient(browser.client)
            _ = try await forwarded.get(base)
            #expect(try await forwarded.get(base + "/review").location == base + "/auth")
            let otherAuth = try await forwarded.get(base + "/auth")
            let otherCSRF = try #require(otherAuth.csrf, "\(otherAuth.status) \(otherAuth.body.prefix(400))")
            #expect(try await forwarded.get(base + "/pages/doc_1/1").status == .notFound)
            let otherSign = try await forwarded.post(base + "/sign", ["csrf": otherCSRF, "confirm": "yes"])
            #expect(otherSign.location == base + "/auth")
            let otherAdopt = try await forwarded.post(base + "/adopt", ["csrf": otherCSRF, "method": "typed", "name": "Mallory"])
            #expect(otherAdopt.location == base + "/auth")
            #expect(otherAuth.body.contains("E-mail me a code"))
            let review = try await browser.get(base + "/review")
            #expect(review.status == .ok && review.body.contains("<svg viewBox=") && review.body.contains("Text of page 1"))
            #expect(review.body.contains("class=\"box mine\""), "the customer's signature box is drawn over the page")
            let image = try await browser.get(base + "/pages/doc_1/1")
            #expect(image.status == .ok && image.headers[.contentType] == "image/png" && image.headers[.cacheControl] == "no-store")
            #expect(image.bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            let again = try await browser.get(base + "/pages/doc_1/1")
            #expect(again.bytes == image.bytes, "a cached page image is the same image")
            // A key the fill form does not have (another signer's field, unprefixed) is refused, as
            // is a field.NAME the recipient does not have; neither changes anything.
            let stray = try await browser.post(base + "/fill", ["csrf": csrf, "company_reference": "PO-1"])
            #expect(stray.status == .badRequest && stray.body.contains("company_reference"), "\(stray.body.prefix(300))")
            let foreign = try await browser.post(base + "/fill", ["csrf": csrf, "field.company_reference": "PO-1"])
            #expect(foreign.status == .badRequest, "\(foreign.status)")
            #expect(try await fixture.engine.events(fixture.agent, envelope: envelope.id).allSatisfy { $0.type != "recipient.filled" })
            let unsigned = try await browser.post(base + "/sign", ["csrf": csrf, "confirm": "yes"])
            #expect(unsigned.status == .badRequest && unsigned.body.contains("adopt a signature"))
            #expect(try await browser.post(base + "/adopt", ["csrf": csrf, "method": "typed", "name": "Gabriel Côté"]).status == .seeOther)
            let unconfirmed = try await browser.post(base + "/sign", ["csrf": csrf])
            #expect(unconfirmed.status == .badRequest)
            let signed = try await browser.post(base + "/sign", ["csrf": csrf, "confirm": "yes"])
            #expect(signed.location == base + "/done")
            #expect(try await browser.get(base + "/done").body.contains("You have finished"))
        }
        let after = try await fixture.engine.envelope(fixture.agent, id: envelope.id)
        #expect(after.recipients[0].state == .completed && after.recipients[1].state == .sent)
        let types = try await fixture.engine.events(fixture.agent, envelope: envelope.id).map(\.type)
        #expect(types.contains("recipient.consented") && types.contains("authentication.failed") && types.contains("recipient.signed"))
    }

    /// Once everyone has signed, the link offers the sealed documents to a browser that may have
    /// them — the one that entered the code, or any for a recipient whose link is their
    /// credential — and tells another where they went instead of offering links that fail.
    @Test func theCompletedPageOffersDownloadsOnlyWhereTheyWork() async throws {
        let fixture = try await PagesFixture.make()
        let envelope = try await fixture.sentEnvelope()
        let customer = "gabriel.cote@crescentcapital.ca", company = "jamie.chen@northbeam.example"
        let token = try await fixture.token(for: customer)
        let context = RequestContext(ip: "203.0.113.7", userAgent: "Tests/1.0")
        try await withPages(fixture) { browser in
            let base = "/s/\(token)"
            let csrf = try #require(try await browser.get(base).csrf)
            let disclosure = fixture.engine.configuration.disclosure
            _ = try await browser.post(base + "/consent", ["csrf": csrf, "version": disclosure.version, "sha256": disclosure.sha256, "agree": "yes"])
            _ = try await browser.post(base + "/code/send", ["csrf": csrf])
            #expect(try await browser.post(base + "/code", ["csrf": csrf, "code": try await fixture.code(for: customer)]).location == base + "/review")
            _ = try await browser.post(base + "/adopt", ["csrf": csrf, "method": "typed", "name": "Gabriel Côté"])
            #expect(try await browser.post(base + "/sign", ["csrf": csrf, "confirm": "yes"]).location == base + "/done")
            let second = try await fixture.token(for: company)
            let view = try await fixture.engine.open(token: second, context: context)
            try await fixture.engine.consent(token: second, disclosureVersion: view.disclosureVersion, disclosureSHA256: disclosure.sha256, context: context)
            try await fixture.engine.adopt(token: second, mark: .typed("Jamie Chen"), context: context)
            try await fixture.engine.sign(token: second, context: context)
            #expect(try await WorkflowWorker(engine: fixture.engine, smtp: nil).runDue().failed.isEmpty)
            #expect(try await fixture.engine.envelope(fixture.agent, id: envelope.id).state == .completed)

            // The browser that entered the code downloads the sealed contract.
            let done = try await browser.get(base)
            #expect(done.body.contains("\(base)/download/doc_1"), "\(done.body)")
            let sealed = try await browser.get(base + "/download/doc_1")
            #expect(sealed.status == .ok && sealed.bytes.starts(with: Array("%PDF-".utf8)))
            #expect(sealed.headers[.contentDisposition] == #"attachment; filename="service-agreement.pdf""#)
            // Another browser (later, another device) holding the same link has no code entered:
            // no link that fails, and a download asked for directly leads back to the link's page.
            let elsewhere = PageClient(browser.client)
            let page = try await elsewhere.get(base)
            #expect(page.status == .ok && !page.body.contains("/download/") && page.body.contains("e-mailed to the signers"), "\(page.body)")
            #expect(try await elsewhere.get(base + "/download/doc_1").location == base)
            // The company's link is their credential: any browser with it downloads.
            let companyPage = try await PageClient(browser.client).get("/s/\(second)")
            #expect(companyPage.body.contains("/s/\(second)/download/doc_1"))
            #expect(try await PageClient(browser.client).get("/s/\(second)/download/doc_1").status == .ok)
        }
    }

    /// An uploaded PDF has no signature boxes of its own before completion: the review draws
    /// its fields' places, the signer's own marked as theirs, at the page as displayed.
    @Test func anUploadedDocumentsFieldsAreDrawnOverItsPages() async throws {
        let fixture = try await PagesFixture.make()
        let pdf = HandWrittenPDF.assemble([
            "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            HandWrittenPDF.stream("BT /F1 12 Tf 72 700 Td (Order form) Tj ET"),
        ])
        let customer = "casey@crescent.example"
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, EnvelopeRequest(
            documents: [DocumentUpload(name: "order.pdf", pdf: pdf, fields: [
                FieldPlacementRequest(name: "customer_signature", kind: .signature, role: "customer", width: 180, height: 40,
                                      position: .init(page: 1, x: 72, y: 600)),
                FieldPlacementRequest(name: "order_reference", kind: .text, role: "customer", maxLength: 12, width: 150, height: 20,
                                      position: .init(page: 1, x: 300, y: 100), label: "Your order reference"),
                FieldPlacementRequest(name: "cost_centre", kind: .text, role: "customer", width: 150, height: 20,
                                      position: .init(page: 1, x: 300, y: 200)),
                FieldPlacementRequest(name: "terms", kind: .checkbox, role: "customer", required: true,
                                      position: .init(page: 1, x: 300, y: 300), label: "I accept the terms"),
            ])], subject: "Order", recipients: [RecipientRequest(name: "Casey Customer", email: customer, role: .signer, routingOrder: 1,
                                                                 authentication: .link, signatureRole: "customer")]))
        _ = try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        let token = try await fixture.token(for: customer)
        try await withPages(fixture) { browser in
            let base = "/s/\(token)"
            let landing = try await browser.get(base)
            #expect(landing.body.contains("<bdi>order.pdf</bdi> (1 page)"), "\(landing.body)")
            let csrf = try #require(landing.csrf)
            let disclosure = fixture.engine.configuration.disclosure
            _ = try await browser.post(base + "/consent", ["csrf": csrf, "version": disclosure.version, "sha256": disclosure.sha256, "agree": "yes"])
            let review = try await browser.get(base + "/review")
            #expect(review.status == .ok, "\(review.body.prefix(300))")
            // The signature 600 pt from the top of a 792 pt page, 40 tall; the text field 100 from the top.
            #expect(review.body.contains(#"<rect class="box mine" x="72.0" y="600.0" width="180.0" height="40.0""#), "\(review.body)")
            #expect(review.body.contains(#"<rect class="box mine" x="300.0" y="100.0" width="150.0" height="20.0""#), "\(review.body)")
            #expect(review.body.contains("Signature of Casey Customer") && review.body.contains("Your order reference for Casey Customer"))
            // The form asks for the field by its label, limited to its own length; without a label, by its name.
            #expect(review.body.contains(#"<label for="f-order_reference">Your order reference"#), "\(review.body)")
            #expect(review.body.contains(#"name="field.order_reference" value="" maxlength="12""#), "\(review.body)")
            #expect(review.body.contains(#"<label for="f-cost_centre">Cost Centre"#) && review.body.contains(#"name="field.cost_centre" value="" maxlength="500""#))
            // A required checkbox is marked so; the fields, the signature and the confirmation are one form.
            #expect(review.body.contains(#"value="true" data-required="true" required aria-required="true">"#), "\(review.body)")
            #expect(review.body.contains(#"formaction="\#(base)/fill" name="next" value="adopt" id="adopt-link""#), "\(review.body)")
            // "Adopt" keeps what was typed before it leaves for the adopt page.
            let toAdopt = try await browser.post(base + "/fill", ["csrf": csrf, "field.order_reference": "PO-77", "field.cost_centre": "",
                                                                  "field.terms": "false", "next": "adopt"])
            #expect(toAdopt.location == base + "/adopt", "\(toAdopt.status) \(toAdopt.body.prefix(300))")
            let adopted = try await browser.post(base + "/adopt", ["csrf": csrf, "method": "typed", "name": "Casey Customer"])
            #expect(adopted.location == base + "/review?saved=signature")
            // What was saved is said as a status message.
            let saved = try await browser.get(base + "/review?saved=signature")
            #expect(saved.body.contains(#"<p class="notice" role="status">Your signature is adopted"#), "\(saved.body.prefix(2000))")
            // "Sign" saves what changed first; an unticked required checkbox is then refused by its label.
            let unticked = try await browser.post(base + "/sign", ["csrf": csrf, "confirm": "yes", "field.order_reference": "PO-77",
                                                                   "field.cost_centre": "CC-9", "field.terms": "false"])
            #expect(unticked.status == .badRequest && unticked.body.contains("I accept the terms (terms)"), "\(unticked.body)")
            #expect(unticked.body.contains("<title>Something needs your attention — "), "the title says the page came back refused")
            #expect(unticked.body.contains(#"value="CC-9""#), "the value typed with Sign was saved: \(unticked.body)")
            // An emptied field is cleared, not left holding the value the page no longer shows:
            // signing then asks for it.
            let cleared = try await browser.post(base + "/fill", ["csrf": csrf, "field.order_reference": "", "field.cost_centre": "CC-9",
                                                                  "field.terms": "true"])
            #expect(cleared.location == base + "/review?saved=fields", "\(cleared.status) \(cleared.body.prefix(300))")
            let stored = try await fixture.engine.envelope(fixture.agent, id: envelope.id).recipients[0].fields
            #expect(stored.first { $0.name == "order_reference" }?.value == nil && stored.first { $0.name == "terms" }?.value == "true")
            let emptied = try await browser.post(base + "/sign", ["csrf": csrf, "confirm": "yes", "field.order_reference": "",
                                                                  "field.cost_centre": "CC-9", "field.terms": "true"])
            #expect(emptied.status == .badRequest && emptied.body.contains("Your order reference"), "\(emptied.body.prefix(3000))")
            // A garbled form is refused, not read as empty values.
            let garbled = try await browser.send(base + "/fill", .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                 body: ByteBuffer(string: "csrf=\(csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&field.order_reference=%E2%28"))
            #expect(garbled.status == .badRequest && garbled.body.contains("is not properly encoded"), "\(garbled.status) \(garbled.body.prefix(500))")
            let signed = try await browser.post(base + "/sign", ["csrf": csrf, "confirm": "yes", "field.order_reference": "PO-77",
                                                                 "field.cost_centre": "CC-9", "field.terms": "true"])
            #expect(signed.location == base + "/done", "\(signed.status) \(signed.body.prefix(300))")
            // The fill and the signature went in together: one filled event, then the signature.
            let events = try await fixture.store.events(account: fixture.admin.account, stream: envelope.id).map(\.type)
            #expect(events.suffix(3).prefix(2) == ["recipient.filled", "recipient.signed"], "\(events)")
        }
        let values = try await fixture.engine.envelope(fixture.agent, id: envelope.id).recipients[0].fields
            .reduce(into: [String: String]()) { $0[$1.name] = $1.value }
        #expect(values["order_reference"] == "PO-77" && values["cost_centre"] == "CC-9" && values["terms"] == "true", "\(values)")
    }

    /// A decline the engine refuses (an empty reason) shows the form again with what was wrong
    /// beside it and the text as typed, not a page that loses both.
    @Test func aRefusedDeclineKeepsItsFormAndSaysWhy() async throws {
        let fixture = try await PagesFixture.make()
        let envelope = try await fixture.sentEnvelope(authentication: .link)
        let token = try await fixture.token(for: "gabriel.cote@crescentcapital.ca")
        try await withPages(fixture) { browser in
            let base = "/s/\(token)"
            let csrf = try #require(try await browser.get(base).csrf)
            let disclosure = fixture.engine.configuration.disclosure
            _ = try await browser.post(base + "/consent", ["csrf": csrf, "version": disclosure.version, "sha256": disclosure.sha256, "agree": "yes"])
            let refused = try await browser.post(base + "/decline", ["csrf": csrf, "reason": "   "])
            #expect(refused.status == .badRequest)
            #expect(refused.body.contains(#"id="reason-error" role="alert""#) && refused.body.contains(#"aria-invalid="true""#), "\(refused.body)")
            #expect(refused.body.contains(#"<textarea id="reason" name="reason""#) && refused.body.contains("decline-confirm"))
            // Focus goes to what was wrong: the summary at the top, and the reason's box.
            #expect(refused.body.contains(#"id="error" tabindex="-1" autofocus"#) && refused.body.contains(#"aria-describedby="reason-error" autofocus"#))
            #expect(try await fixture.engine.envelope(fixture.agent, id: envelope.id).state == .sent)
            // Declined, the link shows its own reason again.
            let declined = try await browser.post(base + "/decline", ["csrf": csrf, "reason": "The seat count is wrong."])
            #expect(declined.status == .seeOther || declined.status == .found || declined.status == .gone, "\(declined.status)")
            let after = try await browser.get(base)
            #expect(after.status == .gone)
            #expect(after.body.contains("Your reason, sent to the sender: The seat count is wrong."), "\(after.body)")
        }
        #expect(try await fixture.engine.envelope(fixture.agent, id: envelope.id).state == .declined)
    }

    @Test func theTypedSignatureIsPreviewedInEveryScriptAndTheChoiceIsKept() async throws {
        let fixture = try await PagesFixture.make()
        let envelope = try await fixture.sentEnvelope(authentication: .link, language: "es")
        let token = try await fixture.token(for: "gabriel.cote@crescentcapital.ca")
        let disclosure = fixture.engine.configuration.disclosure
        let fonts = TestEnvironment.root.appendingPathComponent("Fonts")
        try await withPages(fixture) { browser in
            let base = "/s/\(token)"
            let csrf = try #require(try await browser.get(base).csrf)
            _ = try await browser.post(base + "/consent", ["csrf": csrf, "version": disclosure.version, "sha256": disclosure.sha256, "agree": "yes"])
            // Without script: the name is already drawn in each script, one radio each, the default checked.
            let adopt = try await browser.get(base + "/adopt")
            #expect(adopt.body.contains("<fieldset class=\"fonts\"><legend>Estilo"), "\(adopt.body)")
            for font in SignatureFont.allCases {
                let radio = "<input type=\"radio\" name=\"font\" id=\"font-\(font.rawValue)\" value=\"\(font.rawValue)\""
                #expect(adopt.body.contains(radio + (font == .standard ? " checked>" : ">")), "\(font.rawValue)")
                #expect(adopt.body.contains("<label for=\"font-\(font.rawValue)\"><span class=\"script font-preview font-\(font.rawValue)\">Gabriel Côté</span>"))
                #expect(adopt.body.contains(font.family + " — "))
            }
            #expect(adopt.body.contains("trazo de pincel"), "the styles are described in the signer's language")
            // The stylesheet declares each script from our own origin, and serves the files.
            let css = try await browser.get("/assets/pages.css").body
            for font in SignatureFont.allCases {
                let path = "/assets/fonts/\(font.rawValue).otf"
                #expect(css.contains("@font-face { font-family: \"\(font.family)\"; src: url(\"\(path)\")"), "\(font.rawValue)")
                #expect(css.contains(".font-\(font.rawValue) { font-family: \"\(font.family)\""))
                let file = try await browser.get(path)
                #expect(file.status == .ok && file.headers[.contentType] == "font/otf")
                #expect(file.bytes == Array(try Data(contentsOf: fonts.appendingPathComponent(font.file))))
            }
            // An unknown script is refused, naming the field, and nothing changes.
            let before = try await fixture.engine.envelope(fixture.agent, id: envelope.id)
            let refused = try await browser.post(base + "/adopt", ["csrf": csrf, "method": "typed", "name": "Gabriel Côté", "font": "comic-sans"])
            #expect(refused.status == .badRequest)
            #expect(["'", "&#39;", "&#x27;"].contains { refused.body.contains("font: \($0)comic-sans\($0) is not a signature font") }, "\(refused.body)")
            #expect(try await fixture.engine.envelope(fixture.agent, id: envelope.id) == before)
            // The chosen script is adopted, shown on the review page and checked when the page comes back.
            let adopted = try await browser.post(base + "/adopt", ["csrf": csrf, "method": "typed", "name": "Gabriel Côté", "font": "kaushan-script"])
            #expect(adopted.status == .seeOther)
            #expect(try await browser.get(base + "/review").body.contains("<p class=\"mark script font-kaushan-script\">Gabriel Côté</p>"))
            #expect(try await browser.get(base + "/adopt").body.contains("value=\"kaushan-script\" checked>"))
        }
        let after = try await fixture.engine.envelope(fixture.agent, id: envelope.id)
        #expect(after.recipients[0].mark == .typed("Gabriel Côté", font: .kaushanScript))
        let events = try await fixture.engine.events(fixture.agent, envelope: envelope.id).filter { $0.type == "recipient.adopted_signature" }
        #expect(events.map { $0.data["font"] } == ["kaushan-script"])
    }

    @Test func formsWithoutTheSessionsCSRFTokenOrWithAnotherRecipientsCookieChangeNothing() async throws {
        let fixture = try await PagesFixture.make()
        let envelope = try await fixture.sentEnvelope(authentication: .link)
        let other = try await fixture.sentEnvelope(customer: "other@example.com", authentication: .link, lead: "LD-000002")
        let token = try await fixture.token(for: "gabriel.cote@crescentcapital.ca")
        let otherToken = try await fixture.token(for: "other@example.com")
        let disclosure = fixture.engine.configuration.disclosure
        try await withPages(fixture) { browser in
            let csrf = try #require(try await browser.get("/s/\(token)").csrf)
            let form = ["version": disclosure.version, "sha256": disclosure.sha256, "agree": "yes"]
            let missing = try await browser.post("/s/\(token)/consent", form)
            #expect(missing.status == .forbidden && missing.body.contains("security token"))
            let forged = try await browser.post("/s/\(token)/consent", form.merging(["csrf": String(repeating: "0", count: 64)]) { $1 })
            #expect(forged.status == .forbidden)
            // Another recipient's page gives its own session and token: neither works on this link.
            let otherCSRF = try #require(try await browser.get("/s/\(otherToken)").csrf)
            #expect(otherCSRF != csrf)
            #expect(try await browser.post("/s/\(token)/consent", form.merging(["csrf": otherCSRF]) { $1 }).status == .forbidden)
            let otherCookie = try #require(browser.cookies.first { $0.path == "/s/\(otherToken)" })
            let replayed = try await browser.post("/s/\(token)/consent", form.merging(["csrf": otherCSRF]) { $1 },
                                                  headers: [.cookie: "cs_signer=\(otherCookie.value)"])
            #expect(replayed.status == .forbidden)
            let unknown = try await browser.get("/s/" + String(repeating: "a", count: 64))
            #expect(unknown.status == .notFound)
        }
        for id in [envelope.id, other.id] {
            let after = try await fixture.engine.envelope(fixture.agent, id: id)
            #expect(after.recipients[0].consent == nil)
        }
    }

    @Test func wrongCodesLockOutAndFastEntriesAreRateLimited() async throws {
        let fixture = try await PagesFixture.make()
        _ = try await fixture.sentEnvelope(authentication: .accessCode("Blue-Heron-42"))
        let token = try await fixture.token(for: "gabriel.cote@crescentcapital.ca")
        let disclosure = fixture.engine.configuration.disclosure
        try await withPages(fixture) { browser in
            let base = "/s/\(token)"
            let csrf = try #require(try await browser.get(base).csrf)
            _ = try await browser.post(base + "/consent", ["csrf": csrf, "version": disclosure.version, "sha256": disclosure.sha256, "agree": "yes"])
            for attempt in 1...5 {
                let wrong = try await browser.post(base + "/code", ["csrf": csrf, "code": "guess-\(attempt)"])
                #expect(wrong.status == .unauthorized)
            }
            let locked = try await browser.get(base + "/auth")
            #expect(locked.body.contains("Too many wrong access codes") && !locked.body.contains("id=\"code\""))
            let refused = try await browser.post(base + "/code", ["csrf": csrf, "code": "Blue-Heron-42"])
            #expect(refused.status == .unauthorized, "the right code after the lock-out is refused too")
            var limited = false
            for _ in 0..<10 where !limited {
                limited = try await browser.post(base + "/code", ["csrf": csrf, "code": "x"]).status == .tooManyRequests
            }
            #expect(limited, "more than ten entries a minute are refused before reaching the engine")
        }
    }

    @Test func voidedEnvelopesShowTheirPageAndLanguageFollowsTheEnvelope() async throws {
        let fixture = try await PagesFixture.make()
        let envelope = try await fixture.sentEnvelope(authentication: .link, language: "fr")
        let token = try await fixture.token(for: "gabriel.cote@crescentcapital.ca")
        try await withPages(fixture) { browser in
            let landing = try await browser.get("/s/\(token)", headers: [.acceptLanguage: "es-ES,es;q=0.9"])
            #expect(landing.body.contains("<html lang=\"fr\"") && landing.body.contains("Documents et signatures électroniques"))
            let disclosure = fixture.engine.configuration.disclosure
            try await fixture.engine.consent(token: token, disclosureVersion: disclosure.version, disclosureSHA256: disclosure.sha256,
                                             context: RequestContext(ip: nil, userAgent: nil))
            #expect(try await fixture.engine.document(token: token, id: envelope.documents[0].id).starts(with: Array("%PDF-".utf8)))
            _ = try await fixture.engine.void(fixture.agent, envelope: envelope.id, reason: "Wrong plan")
            let voided = try await browser.get("/s/\(token)/review")
            #expect(voided.status == .gone && voided.body.contains("Wrong plan"))
            // A voided envelope's documents are no longer shown to its recipients.
            await #expect(throws: WorkflowError(.illegalTransition, "")) {
                _ = try await fixture.engine.document(token: token, id: envelope.documents[0].id)
            }
        }
        let spanish = try await fixture.sentEnvelope(customer: "ana@example.es", authentication: .link, lead: "LD-000003")
        let spanishToken = try await fixture.token(for: "ana@example.es")
        try await withPages(fixture) { browser in
            let landing = try await browser.get("/s/\(spanishToken)", headers: [.acceptLanguage: "de;q=0.9, es;q=0.8"])
            #expect(landing.body.contains("<html lang=\"es\"") && landing.body.contains("Registros y firmas electrónicos"))
        }
        _ = spanish
    }

    @Test func framingIsAllowedOnlyForTheAccountsOrigins() async throws {
        let fixture = try await PagesFixture.make(frameAncestors: ["https://partner.example"])
        _ = try await fixture.sentEnvelope(authentication: .link)
        let token = try await fixture.token(for: "gabriel.cote@crescentcapital.ca")
        try await withPages(fixture) { browser in
            let landing = try await browser.get("/s/\(token)")
            let csp = landing.headers[HTTPFields.Element.Name("Content-Security-Policy")!] ?? ""
            #expect(csp.contains("frame-ancestors https://partner.example") && !csp.contains("frame-ancestors 'none'"))
            #expect(landing.headers[HTTPFields.Element.Name("X-Frame-Options")!] == nil)
            #expect(landing.setCookie.first { $0.hasPrefix("cs_signer=") }?.contains("SameSite=None") == true)
        }
    }
}
