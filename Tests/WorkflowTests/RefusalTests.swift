import Batch
import Foundation
import TestSupport
import Testing
import Workflow

/// Every bad request is a typed error and changes nothing; one account cannot reach another's.
@Suite(.serialized) struct RefusalTests {
    @Test func badRequestsAreTypedErrorsThatChangeNothing() async throws {
        let fixture = try await WorkflowFixture.make()
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        let token = try await fixture.token(for: "gabriel.cote@crescentcapital.ca")
        let engine = fixture.engine
        let context = RequestContext(ip: "192.0.2.1")
        let attempts: [(String, WorkflowError.Code, () async throws -> Void)] = [
            ("send twice", .illegalTransition, { try await engine.send(fixture.agent, envelope: envelope.id) }),
            ("void without a reason", .invalidRequest, { try await engine.void(fixture.agent, envelope: envelope.id, reason: " ") }),
            ("legal may not send", .forbidden, { try await engine.send(fixture.legal, envelope: envelope.id) }),
            ("agent may not publish", .forbidden, { _ = try await engine.publishTemplate(fixture.agent, templateID: "mutual-nda", version: "2") }),
            ("sign before consent", .notAuthenticated, { try await engine.sign(token: token, context: context) }),
            ("consent to another disclosure", .invalidRequest, {
                try await engine.consent(token: token, disclosureVersion: "1999", disclosureSHA256: "00", context: context) }),
            ("a forged token", .unauthenticated, { _ = try await engine.open(token: String(repeating: "a", count: 64), context: context) }),
            ("fill another's field", .notAuthenticated, { try await engine.fill(token: token, values: ["x": "y"], context: context) }),
            ("correct a recipient who does not exist", .notFound, {
                try await engine.correct(fixture.agent, envelope: envelope.id, recipient: "rcp_9", name: "X") }),
            ("resend to the waiting order", .illegalTransition, { try await engine.resend(fixture.agent, envelope: envelope.id, recipient: "rcp_2") }),
            ("decline without a reason", .invalidRequest, { try await engine.decline(token: token, reason: "", context: context) }),
        ]
        for (what, code, attempt) in attempts {
            let before = try await fixture.snapshot(envelope.id)
            do {
                try await attempt()
                Issue.record("\(what): nothing was thrown")
            } catch let error as WorkflowError {
                #expect(error.code == code, "\(what): \(error)")
            }
            let after = try await fixture.snapshot(envelope.id)
            #expect(after.0 == before.0 && after.1 == before.1 && after.2 == before.2, "\(what) changed something")
        }
        // Consented but not authenticated: the refusal says how this recipient authenticates
        // (it said "authenticate first (E-mail code)", and for a link recipient "(Link)").
        _ = try await engine.open(token: token, context: context)
        try await engine.consent(token: token, disclosureVersion: engine.configuration.disclosure.version,
                                 disclosureSHA256: engine.configuration.disclosure.sha256, context: context)
        do {
            try await engine.sign(token: token, context: context)
            Issue.record("signed without authenticating")
        } catch let error as WorkflowError {
            #expect(error.code == .notAuthenticated && error.reason.contains("one-time code e-mailed"), "\(error.reason)")
        }
    }

    @Test func badEnvelopeRequestsAreRefusedWithTheirReason() async throws {
        let fixture = try await WorkflowFixture.make()
        var data = WorkflowFixture.lead
        data["seats"] = "many"
        await #expect(throws: WorkflowError(.template, "")) { _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(data: data)) }
        let bad: [RecipientRequest] = [RecipientRequest(name: "X", email: "not-an-address", role: .signer, signatureRole: "customer")]
        await #expect(throws: WorkflowError(.invalidRequest, "")) { _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(recipients: bad)) }
        // The agreement has the customer's and the company's signature: with no signer for the
        // company's, the sealed contract would carry a blank line under "completed".
        let customerOnly = [RecipientRequest(name: "Gabriel Côté", email: "gabriel.cote@crescentcapital.ca", role: .signer,
                                             signatureRole: "customer")]
        let unsigned = await refusal("a required signature nobody signs") {
            _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(recipients: customerOnly))
        }
        #expect(unsigned?.code == .invalidRequest && unsigned?.reason.contains("has a required signature for 'company' but no signer "
                                                                              + "has that signatureRole; add a signer with signatureRole 'company'") == true,
                "\(unsigned?.reason ?? "")")
        let wrongRole = [RecipientRequest(name: "X", email: "x@example.com", role: .signer, signatureRole: "witness")]
        await #expect(throws: WorkflowError(.invalidRequest, "")) { _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(recipients: wrongRole)) }
        let badCondition = [RecipientRequest(name: "X", email: "x@example.com", role: .signer, signatureRole: "customer", when: "discount > 2")]
        await #expect(throws: WorkflowError(.invalidRequest, "")) { _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(recipients: badCondition)) }
        var draft = fixture.request()
        draft.templateID = "mutual-nda"
        draft.templateVersion = "2"
        let unpublished = await refusal("a draft template") { _ = try await fixture.engine.createEnvelope(fixture.agent, draft) }
        #expect(unpublished?.code == .illegalTransition && unpublished?.reason.contains("`countersign template publish mutual-nda 2`") == true,
                "\(unpublished?.reason ?? "")")
        var misspelled = fixture.request()
        misspelled.templateID = "service-agrement"
        let unknown = await refusal("a misspelled template id") { _ = try await fixture.engine.createEnvelope(fixture.agent, misspelled) }
        #expect(unknown?.code == .notFound && unknown?.reason.contains("did you mean 'service-agreement'?") == true, "\(unknown?.reason ?? "")")
        // What would show other people something else: an ESC for the operator's terminal, a
        // line break for an e-mail header or a CSV row, a right-to-left override for the PDF;
        // and an address no relay takes.
        for (name, email, says) in [("Gabriel\u{1B}[2J", "x@example.com", "a control character (U+001B) at character 8"),
                                    ("Gabriel\r\nBcc: x@y.z", "x@example.com", "a line break (U+000D)"),
                                    ("Bidi \u{202E}live\u{202C}", "x@example.com", "a directional formatting character (U+202E)"),
                                    ("Lee\u{200E} 12", "x@example.com", "a directional formatting character (U+200E) at character 4"),
                                    // Invisible characters that would make the evidence hold another name than the pages show.
                                    ("Gab\u{200B}riel", "x@example.com", "an invisible character (U+200B) at character 4"),
                                    ("Gabriel\u{2060}", "x@example.com", "an invisible character (U+2060) at character 8"),
                                    ("Gabriel", "ga\u{AD}briel@example.com", "an invisible character (U+00AD) at character 3"),
                                    // At an end as in the middle: refused, not trimmed away.
                                    ("\u{2028}Gabriel", "x@example.com", "(U+2028) at character 1"),
                                    ("Gabriel\u{85}", "x@example.com", "(U+0085) at character 8"),
                                    // What prints as nothing, or sends the mail elsewhere than it shows.
                                    ("\u{3164}\u{3164}", "x@example.com", "has only characters that print as nothing (U+3164 U+3164)"),
                                    ("Gabriel", "ceo@exa\u{200D}mple.com", "the domain has a character that prints as nothing (U+200D)"),
                                    ("Gabriel", "ceo@\u{0430}pple.com", "mixes Cyrillic and Latin letters"),
                                    ("Gabriel", "us..er@example.com", "'us..er' is not a mailbox name"),
                                    ("Gabriel", "\"a b\"@example.com", "is not an e-mail address"),
                                    ("Gabriel", "\"a\\\"b\"@example.com", "is not a mailbox name"),
                                    ("Gabriel", String(repeating: "g", count: 65) + "@example.com", "64 bytes before the @"),
                                    ("Gabriel", "gabriel@[127.0.0.1]", "'[127.0.0.1]' is not a domain name"),
                                    ("Gabriel", "gabriel@127.0.0.1", "its last label is a number"),
                                    // A script no shipped font has: signed, it could never be sealed.
                                    ("முருகன்", "x@example.com", "recipients[0].name: no shipped font has 'ம' (U+0BAE)"),
                                    ("Gabriel", "x\u{13000}@example.com", "recipients[0].email: no shipped font has '\u{13000}' (U+13000)")] {
            let hostile = [RecipientRequest(name: name, email: email, role: .signer, signatureRole: "customer")]
            let error = await refusal("\(name.debugDescription) <\(email)>") {
                _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(recipients: hostile))
            }
            #expect(error?.code == .invalidRequest && error?.reason.contains(says) == true, "\(error?.reason ?? "")")
        }
        // Metadata rides along with every event, webhook and export, so it has limits (a request
        // with 16 000 keys took 22 s), and template data has a key count too.
        var tooMuch = fixture.request()
        tooMuch.metadata = Dictionary(uniqueKeysWithValues: (0...50).map { ("key\($0)", "v") })
        var badKey = fixture.request()
        badKey.metadata = ["lead\nid": "LD-1"]
        var longValue = fixture.request()
        longValue.metadata = ["note": String(repeating: "n", count: 501)]
        var manyData = fixture.request()
        for index in 0..<1_000 { manyData.data["extra_\(index)"] = "x" }
        var crowd = fixture.request()
        crowd.recipients = (0...100).map { RecipientRequest(name: "Signer \($0)", email: "s\($0)@example.com", role: .cc) }
        for (request, says) in [(tooMuch, "metadata has 51 keys"), (badKey, "a line break (U+000A)"), (longValue, "metadata.note is longer than 500"),
                                (manyData, "keys; an envelope takes at most 1000"), (crowd, "recipients: 101 given; an envelope has at most 100")] {
            let error = await refusal(says) { _ = try await fixture.engine.createEnvelope(fixture.agent, request) }
            #expect(error?.code == .invalidRequest && error?.reason.contains(says) == true, "\(error?.reason ?? "")")
        }
        #expect(try await fixture.store.envelopes(account: fixture.admin.account, query: EnvelopeQuery()).isEmpty)
    }

    /// The CRM export's CSV keeps each value one cell, whole, whatever it holds, and defuses what
    /// a spreadsheet would run as a formula.
    @Test func theCSVExportKeepsHostileValuesInTheirCells() async throws {
        let fixture = try await WorkflowFixture.make()
        var request = fixture.request()
        request.metadata = ["note": "ok\r\n@SUM(1+1)*cmd|' /C calc'!A0", "tabbed": "\t=1+1", "plain": "=HYPERLINK(\"x\")", "lead_id": "LD-1"]
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, request)
        let csv = CRMExport.csv([try await fixture.engine.envelope(fixture.agent, id: envelope.id)])
        #expect(csv.contains("\"ok\r\n@SUM(1+1)*cmd|' /C calc'!A0\""), "\(csv)")
        #expect(csv.contains(",'\t=1+1") && csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "\(csv)")
        // Read back by the batch's RFC 4180 reader: one row per recipient, each value whole.
        let file = fixture.directory.appendingPathComponent("export.csv")
        try Data(csv.utf8).write(to: file)
        let reader = try CSVReader(url: file)
        var rows: [[String]] = []
        while let record = try reader.next() { rows.append(try record.get().fields) }
        #expect(rows.count == envelope.recipients.count && rows.allSatisfy { $0.count == reader.header.count }, "\(rows)")
        let note = try #require(reader.header.firstIndex(of: "metadata.note"))
        #expect(rows.first?[note] == "ok\r\n@SUM(1+1)*cmd|' /C calc'!A0")
    }

    /// A misspelled key left its field empty and its clauses out without a word (a newcomer
    /// trial: `industy`, `discont_pct`); a NUL cut the printed name short while the stored data
    /// kept all of it. Both are refused; a key close to no field (a bulk CSV's own column) is not.
    @Test func misspelledKeysAndNULsAreRefusedOtherKeysAreNot() async throws {
        let fixture = try await WorkflowFixture.make()
        var typo = WorkflowFixture.lead
        typo["industy"] = typo.removeValue(forKey: "industry")
        typo["discont_pct"] = "25"
        typo.removeValue(forKey: "discount_pct")
        do {
            _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(data: typo))
            Issue.record("created with misspelled keys")
        } catch let error as WorkflowError {
            #expect(error.code == .template)
            #expect(error.reason.contains("'industy' is not a field of template service-agreement; did you mean 'industry'?"), "\(error.reason)")
            #expect(error.reason.contains("'discont_pct' is not a field of template service-agreement; did you mean 'discount_pct'?"),
                    "\(error.reason)")
        }
        var nul = WorkflowFixture.lead
        nul["company_name"] = "Crescent Capital\u{0} (guarantor: Evil Corp)"
        do {
            _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(data: nul))
            Issue.record("created with a NUL in the data")
        } catch let error as WorkflowError {
            #expect(error.code == .template && error.reason.contains("company_name"), "\(error.reason)")
            #expect(error.reason.contains("NUL character"), "\(error.reason)")
        }
        // What the PDF would show otherwise than the data: a right-to-left override ("\u{202E}03"
        // days prints as "30") and a control character the layout drops. Line breaks and tabs
        // are text.
        for (value, says) in [("\u{202E}03 days", "directional formatting character (U+202E)"),
                              // Marks reorder too: "ref 1<ALM>0<ALM>0<ALM>9" printed as "ref 1900".
                              ("ref 1\u{061C}0\u{061C}0\u{061C}9", "directional formatting character (U+061C)"),
                              ("845\u{200F}-9099", "directional formatting character (U+200F)"),
                              ("Crescent\u{1B}[31m Capital", "control character (U+001B)")] {
            var data = WorkflowFixture.lead
            data["company_name"] = value
            let error = await refusal(value.debugDescription) { _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(data: data)) }
            #expect(error?.code == .template && error?.reason.contains("company_name") == true && error?.reason.contains(says) == true,
                    "\(error?.reason ?? "")")
        }
        #expect(try await fixture.store.envelopes(account: fixture.admin.account, query: EnvelopeQuery()).isEmpty)
        var extra = WorkflowFixture.lead
        extra["signer_email"] = "someone@example.com"
        _ = try await fixture.engine.createEnvelope(fixture.agent, fixture.request(data: extra))
        #expect(try await fixture.store.envelopes(account: fixture.admin.account, query: EnvelopeQuery()).count == 1)
    }

    /// Importing the library again failed as a whole with "someone else wrote the same record
    /// first … retry", which no retry fixes (a newcomer trial). The same files again change
    /// nothing; other content under a stored version is a conflict that names it.
    @Test func reimportingTheLibraryIsIdempotentAndOtherContentIsAConflict() async throws {
        let fixture = try await WorkflowFixture.make()
        let library = TestEnvironment.root.appendingPathComponent("Templates")
        let before = try await fixture.store.events(account: fixture.admin.account, stream: "library").count
        let again = try await fixture.engine.importLibrary(fixture.legal, directory: library)
        let published = again.templates.first { $0.templateID == "service-agreement" && $0.version == "3" }
        #expect(published?.state == .published)
        #expect(try await fixture.store.events(account: fixture.admin.account, stream: "library").count == before)
        let file = library.appendingPathComponent("clauses/termination.xml")
        let changed = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "</clause>", with: "<p>One more line.</p></clause>")
        do {
            _ = try await fixture.engine.importClause(fixture.legal, source: Data(changed.utf8), name: "termination.xml")
            Issue.record("a stored clause version took other text")
        } catch let error as WorkflowError {
            #expect(error.code == .conflict)
            #expect(error.reason.contains("termination.xml: clause termination@1 is already in the library (approved) with other text"),
                    "\(error.reason)")
        }
        #expect(try await fixture.store.events(account: fixture.admin.account, stream: "library").count == before)
    }

    /// A sent envelope whose first signer opened the link and consented, as `userAgent` from 192.0.2.9.
    func consentedEnvelope(_ fixture: WorkflowFixture, userAgent: String) async throws -> (Envelope, token: String, RequestContext) {
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        let token = try await fixture.token(for: "gabriel.cote@crescentcapital.ca")
        let context = RequestContext(ip: "192.0.2.9", userAgent: userAgent)
        let view = try await fixture.engine.open(token: token, context: context)
        try await fixture.engine.consent(token: token, disclosureVersion: view.disclosureVersion,
                                         disclosureSHA256: fixture.engine.configuration.disclosure.sha256, context: context)
        return (envelope, token, context)
    }

    /// The error `body` throws, or nil (recorded as an issue naming `what`) when it succeeds.
    func refusal(_ what: String, _ body: () async throws -> Void) async -> WorkflowError? {
        do {
            try await body()
            Issue.record("accepted: \(what)")
        } catch let error as WorkflowError {
            return error
        } catch {
            Issue.record("\(what): not a WorkflowError: \(error)")
        }
        return nil
    }

    @Test func aWrongOneTimeCodeIsRecordedThenRefusedAndFiveLockItOut() async throws {
        let fixture = try await WorkflowFixture.make()
        let (envelope, token, context) = try await consentedEnvelope(fixture, userAgent: "Guesser")
        try await fixture.engine.requestCode(token: token, context: context)
        let code = try await fixture.code(for: "gabriel.cote@crescentcapital.ca")
        let wrong = code == "000000" ? "111111" : "000000"
        for _ in 0..<5 {
            await #expect(throws: WorkflowError(.authenticationFailed, "")) { try await fixture.engine.authenticate(token: token, code: wrong, context: context) }
        }
        await #expect(throws: WorkflowError(.authenticationFailed, "")) { try await fixture.engine.authenticate(token: token, code: code, context: context) }
        let failures = try await fixture.store.events(account: fixture.admin.account, stream: envelope.id).filter { $0.type == "authentication.failed" }
        #expect(failures.count == 6 && failures[0].personal?["ip"] == "192.0.2.9")
        // Codes come at most one per 30 seconds: no mailbox flood, no fresh codes to guess at faster.
        let mailsBefore = try await fixture.mails(to: "gabriel.cote@crescentcapital.ca").count
        await #expect(throws: WorkflowError(.illegalTransition, "")) { try await fixture.engine.requestCode(token: token, context: context) }
        #expect(try await fixture.mails(to: "gabriel.cote@crescentcapital.ca").count == mailsBefore)
        // The right code entered once this code was locked was not checked, so it is no wrong
        // attempt: a new code, and five more wrong entries make ten in all, which locks the link,
        // however many codes are drawn; even the right code is then refused, and no code is sent.
        #expect(try await fixture.engine.envelope(fixture.agent, id: envelope.id).recipients[0].failedAttempts == 5)
        fixture.clock.advance(by: OneTimeCode.minimumInterval)
        try await fixture.engine.requestCode(token: token, context: context)
        for attempt in 0..<5 {
            let error = await refusal("a wrong code") { try await fixture.engine.authenticate(token: token, code: wrong, context: context) }
            #expect(error?.code == .authenticationFailed)
            if attempt == 4 { #expect(error?.reason.contains("0 attempts left before the link is locked") == true, "\(error?.reason ?? "")") }
        }
        let fresh = try await fixture.code(for: "gabriel.cote@crescentcapital.ca")
        await #expect(throws: WorkflowError(.authenticationFailed, "")) { try await fixture.engine.authenticate(token: token, code: fresh, context: context) }
        fixture.clock.advance(by: OneTimeCode.minimumInterval)
        let locked = await refusal("a code for a locked link") { try await fixture.engine.requestCode(token: token, context: context) }
        #expect(locked?.code == .authenticationFailed && locked?.reason.contains("ask the sender to resend") == true, "\(locked?.reason ?? "")")
        // The sender's resend lifts the lock (and says so in the evidence); its new link works.
        try await fixture.engine.resend(fixture.agent, envelope: envelope.id, recipient: "rcp_1")
        let resent = try await fixture.store.events(account: fixture.admin.account, stream: envelope.id).last { $0.type == "recipient.resent" }
        #expect(resent?.data["failedAttemptsCleared"] == "10", "\(resent?.data ?? [:])")
        try await fixture.engine.requestCode(token: token, context: context)
        try await fixture.engine.authenticate(token: token, code: try await fixture.code(for: "gabriel.cote@crescentcapital.ca"), context: context)
        #expect(try await fixture.engine.envelope(fixture.agent, id: envelope.id).recipients[0].authenticatedAt != nil)
    }

    @Test func aRecipientWhoOpenedAndConsentedCanStillBeCorrectedAndStartsAfresh() async throws {
        let fixture = try await WorkflowFixture.make()
        let (envelope, token, context) = try await consentedEnvelope(fixture, userAgent: "Scanner")
        let corrected = try await fixture.engine.correct(fixture.agent, envelope: envelope.id, recipient: "rcp_1", email: "gabriel@crescentcapital.ca")
        let recipient = corrected.recipients[0]
        #expect(recipient.email == "gabriel@crescentcapital.ca" && recipient.consent == nil && recipient.state == .sent)
        await #expect(throws: WorkflowError(.unauthenticated, "")) { _ = try await fixture.engine.open(token: token, context: context) }
        let newToken = try await fixture.token(for: "gabriel@crescentcapital.ca")
        #expect(try await fixture.engine.open(token: newToken, context: context).needsConsent)
    }

    /// Text the seal prints in a script no shipped font has is refused while it can still be
    /// changed — at correction, adoption and filling as at creation: accepted, the envelope
    /// would be signed by everyone and then never sealed.
    @Test func textTheSealCouldNotPrintIsRefusedWhileItCanStillBeChanged() async throws {
        let fixture = try await WorkflowFixture.make()
        let (envelope, token, context) = try await consentedEnvelope(fixture, userAgent: "Firefox/140")
        let before = try await fixture.store.events(account: fixture.admin.account, stream: envelope.id).count
        let tamil = "முருகன்", says = ": no shipped font has 'ம' (U+0BAE)"
        let corrected = await refusal("a corrected name") {
            _ = try await fixture.engine.correct(fixture.agent, envelope: envelope.id, recipient: "rcp_1", name: tamil)
        }
        #expect(corrected?.reason.hasPrefix("the corrected name" + says) == true, "\(corrected?.reason ?? "")")
        let adopted = await refusal("a typed signature") { try await fixture.engine.adopt(token: token, mark: .typed(tamil), context: context) }
        #expect(adopted?.reason.hasPrefix("the typed signature" + says) == true, "\(adopted?.reason ?? "")")
        let filled = await refusal("a filled value") { try await fixture.engine.fill(token: token, values: ["title": "CFO " + tamil], context: context) }
        #expect(filled?.reason.hasPrefix("field 'title'" + says) == true && filled?.reason.contains("Fonts/README.md") == true,
                "\(filled?.reason ?? "")")
        #expect(try await fixture.store.events(account: fixture.admin.account, stream: envelope.id).count == before)
        // What the fonts cover is taken: Arabic, Devanagari, Han.
        let named = try await fixture.engine.correct(fixture.agent, envelope: envelope.id, recipient: "rcp_1", name: "محمد देव 李")
        #expect(named.recipients[0].name == "محمد देव 李")
    }

    @Test func oneAccountCannotReadListOrActOnAnothers() async throws {
        let fixture = try await WorkflowFixture.make()
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        let (_, otherKey) = try await fixture.engine.createAccount(name: "Globex")
        let other = try await fixture.engine.authenticate(apiKey: otherKey.secret)
        await #expect(throws: WorkflowError(.notFound, "")) { _ = try await fixture.engine.envelope(other, id: envelope.id) }
        await #expect(throws: WorkflowError(.notFound, "")) { _ = try await fixture.engine.events(other, envelope: envelope.id) }
        await #expect(throws: WorkflowError(.notFound, "")) { try await fixture.engine.send(other, envelope: envelope.id) }
        await #expect(throws: WorkflowError(.notFound, "")) { try await fixture.engine.void(other, envelope: envelope.id, reason: "x") }
        await #expect(throws: WorkflowError(.notFound, "")) { _ = try await fixture.engine.export(other, envelope: envelope.id) }
        await #expect(throws: WorkflowError(.notFound, "")) {
            _ = try await fixture.engine.publishTemplate(other, templateID: "mutual-nda", version: "2") }
        #expect(try await fixture.engine.envelopes(other).isEmpty)
        var request = fixture.request()
        request.templateVersion = "3"
        await #expect(throws: WorkflowError(.notFound, "")) { _ = try await fixture.engine.createEnvelope(other, request) }
        #expect(try await fixture.engine.envelope(fixture.agent, id: envelope.id).state == .draft)
    }
}
