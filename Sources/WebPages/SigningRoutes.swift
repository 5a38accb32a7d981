import Foundation
import Hummingbird
import Workflow

/// A recipient's envelope as the pages read it, with the page language and framing policy.
struct SignerState: Sendable {
    var token: String
    var envelope: Envelope
    var recipient: Recipient
    var language: Language
    var frameAncestors: [String]
    var base: String { "/s/\(token)" }
}

extension WebPages {
    func addSigningRoutes(to routes: RouteCollection<Context>) {
        routes.get("s/:token") { request, context in try await landing(request, context) }
        routes.post("s/:token/consent") { request, context in
            try await action(request, context, requiresAuthentication: false) { state, form in
                // The box is required in the browser; a post without it is no consent.
                guard form["agree"] == "yes" else {
                    throw WebPagesError(.badForm, state.language.text("consent_agree") + " — " + state.language.text("required"))
                }
                try await engine.consent(token: state.token, disclosureVersion: form["version"] ?? "",
                                         disclosureSHA256: form["sha256"] ?? "", context: requestContext(request, context))
                return state.recipient.authentication != .link ? "/auth" : "/review"
            }
        }
        routes.get("s/:token/auth") { request, context in
            try await page(request, context, requiresAuthentication: false) { state, session in authPage(state, session) }
        }
        routes.post("s/:token/code/send") { request, context in
            try await action(request, context, requiresAuthentication: false) { state, _ in
                try codeLimiter.take(Hex.sha256(state.token))
                try await engine.requestCode(token: state.token, context: requestContext(request, context))
                return "/auth"
            }
        }
        routes.post("s/:token/code") { request, context in
            var response = try await action(request, context, requiresAuthentication: false) { state, form in
                try codeLimiter.take(Hex.sha256(state.token))
                try await engine.authenticate(token: state.token, code: (form["code"] ?? "").trimmingCharacters(in: .whitespaces),
                                              context: requestContext(request, context))
                return "/review"
            }
            // The right code: this session (and only this one) is now authenticated.
            if response.status == .seeOther, response.headers[.location]?.hasSuffix("/review") == true,
               let state = try await load(request, context),
               let session = SignerSession.resume(cookie: request.cookies[SignerSession.cookieName]?.value, token: state.token,
                                                  key: configuration.sessionKey) {
                response.setCookie(sessionCookie(session.authenticatedCookieValue(token: state.token, key: configuration.sessionKey),
                                                 path: state.base, framed: !state.frameAncestors.isEmpty))
            }
            return response
        }
        routes.get("s/:token/review") { request, context in
            let zoom = request.uri.queryParameters.get("zoom", as: Int.self).flatMap { [75, 100, 150, 200].contains($0) ? $0 : nil }
            let saved = request.uri.queryParameters.get("saved")
            return try await page(request, context) { state, session in try await reviewPage(state, session, zoom: zoom ?? 100, saved: saved) }
        }
        routes.get("s/:token/pages/:document/:page") { request, context in try await pageImage(request, context) }
        routes.post("s/:token/fill") { request, context in
            try await action(request, context) { state, form in
                // The page's form sends csrf, confirm, next and field.NAME only; anything else
                // (another signer's field name, a misspelled key) is refused, not ignored.
                if let stray = form.fields.keys.sorted().first(where: { !["csrf", "confirm", "next"].contains($0) && !$0.hasPrefix("field.") }) {
                    throw WebPagesError(.badForm, "the form sent '\(stray.prefix(60))', which this page does not have; reload the page and fill it again")
                }
                try await saveFields(form, state, request, context)
                // "Adopt" on the review page goes through here, so what was typed is kept.
                return form["next"] == "adopt" ? "/adopt" : "/review?saved=fields"
            }
        }
        routes.get("s/:token/adopt") { request, context in try await page(request, context) { state, session in adoptPage(state, session) } }
        routes.post("s/:token/adopt") { request, context in
            try await action(request, context) { state, form in
                let mark = try adoptedMark(form)
                let evidence = requestContext(request, context)
                try await engine.adopt(token: state.token, mark: mark, context: evidence)
                // The same mark serves for initials: empty initials fields get the name's initials.
                let name: String
                if case .typed(let typed, _) = mark { name = typed } else { name = state.recipient.name }
                let initials = state.recipient.fields.filter { $0.kind == .initials && $0.value == nil }
                if !initials.isEmpty {
                    let letters = String(name.split(separator: " ").compactMap(\.first).prefix(4)).uppercased()
                    try await engine.fill(token: state.token, values: Dictionary(uniqueKeysWithValues: initials.map { ($0.name, letters) }),
                                          context: evidence)
                }
                return "/review?saved=signature"
            }
        }
        routes.post("s/:token/sign") { request, context in
            try await action(request, context) { state, form in
                // The fields are in the same form. Unconfirmed, what was typed is saved, not
                // lost; confirmed, it is filled and signed in one transaction, so what is signed
                // is this form even if another tab saved other values meanwhile.
                let changed = changedFields(form, state)
                guard form["confirm"] == "yes" else {
                    if !changed.isEmpty { try await engine.fill(token: state.token, values: changed, context: requestContext(request, context)) }
                    throw WebPagesError(.badForm, state.language.text("confirm_check") + " — " + state.language.text("required"))
                }
                let evidence = requestContext(request, context)
                do {
                    if state.recipient.role == .approver {
                        try await engine.approve(token: state.token, filling: changed, context: evidence)
                    } else {
                        try await engine.sign(token: state.token, filling: changed, context: evidence)
                    }
                } catch let refusal as WorkflowError where !changed.isEmpty && refusal.code == .invalidRequest {
                    // Refused (a required field still empty): what was typed is kept, then the
                    // page says why signing was refused.
                    try await engine.fill(token: state.token, values: changed, context: evidence)
                    throw refusal
                }
                return "/done"
            }
        }
        routes.get("s/:token/decline") { request, context in
            try await page(request, context) { state, session in declinePage(state, session) }
        }
        routes.post("s/:token/decline") { request, context in
            try await action(request, context) { state, form in
                try await engine.decline(token: state.token, reason: form["reason"] ?? "", context: requestContext(request, context))
                return ""
            }
        }
        routes.get("s/:token/later") { request, context in
            try await page(request, context, requiresAuthentication: false) { state, _ in
                message(state, heading: state.language.text("later_title"),
                        [state.language.text("later_text", state.envelope.expiresAt.map(DisplayTime.day) ?? "—")],
                        link: (state.base + "/review", state.language.text("back")))
            }
        }
        routes.get("s/:token/done") { request, context in
            try await page(request, context) { state, _ in finalPage(state, request) ?? Views.redirect(state.base + "/review") }
        }
        routes.get("s/:token/download/:document") { request, context in
            guard let state = try await load(request, context) else { return invalidLink(request) }
            // Not (or no longer) downloadable by this browser: the link's page says why.
            guard state.envelope.state == .completed, mayDownload(state, request),
                  let document = state.envelope.documents.first(where: { $0.id == context.parameters.get("document") && !$0.purged }) else {
                return Views.redirect(state.base, frameAncestors: state.frameAncestors)
            }
            return Views.bytes(try await engine.document(token: state.token, id: document.id), type: "application/pdf",
                               download: document.name)
        }
    }

    // MARK: Loading and guarding

    /// The recipient behind the link, or nil when the token is unknown.
    func load(_ request: Request, _ context: Context) async throws -> SignerState? {
        guard let token = context.parameters.get("token"), token.count == 64, token.allSatisfy(\.isHexDigit),
              let found = try await engine.store.recipient(tokenHash: Hex.sha256(token)),
              let envelope = try await engine.store.envelope(account: found.account, id: found.envelope),
              let recipient = envelope.recipients.first(where: { $0.id == found.recipient }) else { return nil }
        return SignerState(token: token, envelope: envelope, recipient: recipient,
                           language: Language.choose(envelope: envelope.metadata["language"],
                                                     acceptLanguage: request.headers[.acceptLanguage]),
                           frameAncestors: configuration.frameAncestors[envelope.account] ?? [])
    }

    /// The page for an unknown link.
    func invalidLink(_ request: Request) -> Response {
        let language = Language.choose(envelope: nil, acceptLanguage: request.headers[.acceptLanguage])
        return views.page("message", ["heading": language.text("invalid_title"), "paragraphs": [language.text("invalid_text")]],
                          language: language, title: language.text("invalid_title"), organisation: engine.configuration.organisation,
                          status: .notFound)
    }

    /// The landing page: opens the envelope (recorded once), starts the session bound to the link.
    func landing(_ request: Request, _ context: Context) async throws -> Response {
        guard let state = try await load(request, context) else { return invalidLink(request) }
        if let final = finalPage(state, request) { return final }
        // A HEAD (a mail scanner's, a link checker's) is not the recipient opening the envelope.
        if request.method == .head {
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            SecurityHeaders.apply(to: &headers, frameAncestors: state.frameAncestors)
            return Response(status: .ok, headers: headers)
        }
        let view: RecipientView
        do {
            view = try await engine.open(token: state.token, context: requestContext(request, context))
        } catch let error as WorkflowError {
            return failure(state, error.reason, status: .conflict)
        }
        let existing = SignerSession.resume(cookie: request.cookies[SignerSession.cookieName]?.value, token: state.token,
                                            key: configuration.sessionKey)
        var cookie: Cookie?
        let session: SignerSession
        if let existing {
            session = existing
        } else {
            let started = SignerSession.start(token: state.token, key: configuration.sessionKey)
            session = started.0
            cookie = sessionCookie(started.cookieValue, path: state.base, framed: !state.frameAncestors.isEmpty)
        }
        let language = state.language
        let disclosure = engine.configuration.disclosure
        let next = state.base + (state.recipient.authentication != .link ? "/auth" : "/review")
        var response = views.page("landing", [
            "subject": view.subject, "message": view.message.flatMap { $0.isEmpty ? nil : $0 as Any } ?? false,
            "sender": engine.configuration.organisation,
            "documents": view.documents.map { ["name": $0.name, "pages": $0.pages,
                                               "pagesLabel": state.language.text($0.pages == 1 ? "page" : "pages")] },
            "deadline": state.envelope.expiresAt.map { DisplayTime.day($0) as Any } ?? false,
            "needsConsent": view.needsConsent, "consentIntro": language.text("consent_intro", disclosure.version),
            "disclosure": disclosure.text.components(separatedBy: "\n\n"), "disclosureVersion": disclosure.version,
            "disclosureSHA256": disclosure.sha256, "csrf": session.csrf, "base": state.base, "next": next,
        ], language: language, title: view.subject, organisation: engine.configuration.organisation, frameAncestors: state.frameAncestors)
        if let cookie { response.setCookie(cookie) }
        return response
    }

    func sessionCookie(_ value: String, path: String, framed: Bool) -> Cookie {
        Cookie(name: SignerSession.cookieName, value: value, maxAge: 12 * 3600, path: path,
               secure: configuration.secureCookies || framed, httpOnly: true, sameSite: framed ? .none : .strict)
    }

    /// A GET page of the link: its session checked (the envelope's end states are shown
    /// instead), and (`requiresAuthentication`) the code entered in this session when the
    /// recipient has one — otherwise the code page.
    func page(_ request: Request, _ context: Context, requiresAuthentication: Bool = true,
              _ body: (SignerState, SignerSession) async throws -> Response) async throws -> Response {
        guard let state = try await load(request, context) else { return invalidLink(request) }
        guard let session = SignerSession.resume(cookie: request.cookies[SignerSession.cookieName]?.value, token: state.token,
                                                 key: configuration.sessionKey) else {
            return message(state, heading: state.language.text("error_title"), [state.language.text("session_text")],
                           link: (state.base, state.language.text("continue")), status: .forbidden)
        }
        if let final = finalPage(state, request) { return final }
        if requiresAuthentication, state.recipient.consent != nil, !session.mayProceed(state.recipient) {
            return Views.redirect(state.base + "/auth", frameAncestors: state.frameAncestors)
        }
        return try await body(state, session)
    }

    /// A form POST: session and CSRF token checked, then `body` acts and names where to go next
    /// (relative to the link; "" for the link itself). A refusal shows the reason and changes nothing.
    func action(_ request: Request, _ context: Context, requiresAuthentication: Bool = true,
                _ body: (SignerState, SubmittedForm) async throws -> String) async throws -> Response {
        guard let state = try await load(request, context) else { return invalidLink(request) }
        let form: SubmittedForm
        do {
            guard let session = SignerSession.resume(cookie: request.cookies[SignerSession.cookieName]?.value, token: state.token,
                                                     key: configuration.sessionKey) else {
                throw WebPagesError(.session, state.language.text("session_text"))
            }
            form = try await SubmittedForm.read(request)
            try session.check(csrf: form["csrf"])
            // Filling, adopting, signing and declining need the code entered in this session.
            if requiresAuthentication, !session.mayProceed(state.recipient) {
                return Views.redirect(state.base + "/auth", frameAncestors: state.frameAncestors)
            }
        } catch let error as WebPagesError {
            // An unreadable form is the request's fault (400); no session or a forged token, 403.
            return failure(state, error.reason, status: error.code == .badForm ? .badRequest : .forbidden)
        }
        do {
            let next = try await body(state, form)
            return Views.redirect(state.base + next, frameAncestors: state.frameAncestors)
        } catch let error as WebPagesError {
            return try await refused(request, context, error.reason, status: error.code == .rateLimited ? .tooManyRequests : .badRequest, form: form)
        } catch let error as WorkflowError {
            let status: HTTPResponse.Status = error.code == .authenticationFailed ? .unauthorized
                : error.code == .illegalTransition ? .conflict : .badRequest
            return try await refused(request, context, error.reason, status: status, form: form)
        }
    }

    /// Saves the form's field values that differ from the stored ones (an empty one leaves its
    /// field as it is).
    func saveFields(_ form: SubmittedForm, _ state: SignerState, _ request: Request, _ context: Context) async throws {
        let values = changedFields(form, state)
        if !values.isEmpty { try await engine.fill(token: state.token, values: values, context: requestContext(request, context)) }
    }

    /// The fields the form changes, emptied ones included: an emptied field is cleared (and,
    /// if it is required, signing then asks for it), never left holding the value the page no
    /// longer shows.
    func changedFields(_ form: SubmittedForm, _ state: SignerState) -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in form.fields where key.hasPrefix("field.") {
            let name = String(key.dropFirst(6))
            let stored = state.recipient.fields.first(where: { $0.name == name })?.value
            let empty = value.trimmingCharacters(in: .whitespaces).isEmpty
            if empty ? stored != nil : stored != value { values[name] = empty ? "" : value }
        }
        return values
    }

    /// Shows the page the form came from again, with the reason it was refused, from a fresh read.
    func refused(_ request: Request, _ context: Context, _ reason: String, status: HTTPResponse.Status,
                 form: SubmittedForm? = nil) async throws -> Response {
        guard let state = try await load(request, context),
              let session = SignerSession.resume(cookie: request.cookies[SignerSession.cookieName]?.value, token: state.token,
                                                 key: configuration.sessionKey) else { return invalidLink(request) }
        if let final = finalPage(state, request) { return final }
        let path = request.uri.path
        var response: Response
        if path.hasSuffix("/code") || path.hasSuffix("/code/send") {
            response = authPage(state, session, error: reason)
        } else if path.hasSuffix("/adopt") {
            response = adoptPage(state, session, error: reason)
        } else if path.hasSuffix("/decline") {
            // The form again, with the reason as typed and what was wrong beside it.
            response = declinePage(state, session, error: reason, typed: form?["reason"])
        } else if path.hasSuffix("/consent") {
            response = failure(state, reason, status: status)
        } else {
            response = try await reviewPage(state, session, zoom: 100, error: reason)
        }
        response.status = status
        return response
    }

    /// The decline form (with a refusal's reason and the text the recipient typed, when refused).
    func declinePage(_ state: SignerState, _ session: SignerSession, error: String? = nil, typed: String? = nil) -> Response {
        var values: [String: Any] = ["csrf": session.csrf, "base": state.base, "back": state.base + "/review", "subject": state.envelope.subject,
                                     "reason": typed ?? ""]
        if let error { values["error"] = error }
        return views.page("decline", values, language: state.language, title: state.language.text("decline_title"),
                          organisation: engine.configuration.organisation, frameAncestors: state.frameAncestors)
    }

    /// A page with a heading and paragraphs.
    func message(_ state: SignerState, heading: String, _ paragraphs: [String], downloads: [[String: String]] = [],
                 link: (String, String)? = nil, status: HTTPResponse.Status = .ok) -> Response {
        var values: [String: Any] = ["heading": heading, "paragraphs": paragraphs, "subject": state.envelope.subject]
        if !downloads.isEmpty { values["downloads"] = ["items": downloads] }
        if let link { values["link"] = ["href": link.0, "label": link.1] }
        return views.page("message", values, language: state.language, title: heading, organisation: engine.configuration.organisation,
                          status: status, frameAncestors: state.frameAncestors)
    }

    func failure(_ state: SignerState, _ reason: String, status: HTTPResponse.Status) -> Response {
        var values: [String: Any] = ["heading": state.language.text("error_title"), "error": reason, "subject": state.envelope.subject]
        values["link"] = ["href": state.base, "label": state.language.text("back")]
        return views.page("message", values, language: state.language, title: state.language.text("error_title"),
                          organisation: engine.configuration.organisation, status: status, frameAncestors: state.frameAncestors)
    }

    /// The page for an envelope or recipient that is finished (or expired), nil while there is work to do.
    /// Whether this browser may download the sealed documents: the recipient consented and was
    /// authenticated, and either the link is their credential or this session entered the code
    /// (the engine checks the first part again).
    func mayDownload(_ state: SignerState, _ request: Request) -> Bool {
        guard state.recipient.consent != nil, state.recipient.authenticatedAt != nil else { return false }
        return state.recipient.authentication == .link
            || SignerSession.resume(cookie: request.cookies[SignerSession.cookieName]?.value, token: state.token,
                                    key: configuration.sessionKey)?.mayProceed(state.recipient) == true
    }

    func finalPage(_ state: SignerState, _ request: Request) -> Response? {
        let language = state.language, envelope = state.envelope
        switch envelope.state {
        case .voided:
            return message(state, heading: language.text("voided_title"), [language.text("voided_text", envelope.finishReason ?? "")],
                           status: .gone)
        case .expired:
            return message(state, heading: language.text("expired_title"), [language.text("expired_text")], status: .gone)
        case .declined:
            // The one who declined sees their reason again (it went to the sender); the others
            // only that it was declined.
            let own = state.recipient.declineReason.map { [language.text("declined_own_reason", $0)] } ?? []
            return message(state, heading: language.text("declined_title"), [language.text("declined_text")] + own, status: .gone)
        case .completed:
            // Coming back later, or on another device, a recipient who entered a code has no
            // session that may download: the page says where the documents went instead of
            // offering links that lead nowhere.
            guard mayDownload(state, request) else {
                return message(state, heading: language.text("completed_title"), [language.text("done_complete_elsewhere")])
            }
            let downloads = envelope.documents.filter { !$0.purged }.map {
                ["href": "\(state.base)/download/\($0.id)", "label": language.text("download", $0.name)]
            }
            return message(state, heading: language.text("completed_title"), [language.text("done_complete")], downloads: downloads)
        case .draft, .sent:
            if let expiresAt = envelope.expiresAt, engine.clock.now() >= expiresAt {
                return message(state, heading: language.text("expired_title"), [language.text("expired_text")], status: .gone)
            }
            if state.recipient.state == .completed {
                return message(state, heading: language.text("done_title"), [language.text("done_signed")])
            }
            if state.recipient.state == .created {
                return message(state, heading: language.text("review_title"), [language.text("waiting_text")])
            }
            return nil
        }
    }

    func adoptedMark(_ form: SubmittedForm) throws -> AdoptedMark {
        switch form["method"] {
        case "typed":
            return try .typed((form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines), fontIdentifier: form["font"])
        case "drawn":
            let value = form["png"] ?? ""
            guard value.hasPrefix("data:image/png;base64,"), let png = Data(base64Encoded: String(value.dropFirst(22))) else {
                throw WebPagesError(.badForm, "the drawing did not arrive as a PNG; draw again, or type your signature")
            }
            return .drawn(png: png)
        case "uploaded":
            guard let image = form.files["image"], !image.isEmpty else {
                throw WebPagesError(.badForm, "choose a PNG image of your signature to upload")
            }
            return .uploaded(png: Data(image))
        default:
            throw WebPagesError(.badForm, "the form does not say how the signature was made (typed, drawn or uploaded)")
        }
    }
}

extension Response {
    func with(status: HTTPResponse.Status) -> Response {
        var copy = self
        copy.status = status
        return copy
    }
}
