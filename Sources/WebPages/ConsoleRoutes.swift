import Foundation
import Hummingbird
import Synchronization
import Templates
import Workflow

/// Console sessions: a random id in an `HttpOnly; Secure; SameSite=Strict` cookie names the
/// principal an API key authenticated, until it expires or the agent signs out. Kept in memory:
/// a restart signs everyone out.
final class ConsoleSessions: Sendable {
    struct Session: Sendable {
        var principal: Principal
        var csrf: String
        var expires: Date
    }

    static let cookieName = "cs_console"
    let lifetime: TimeInterval
    private let sessions = Mutex<[String: Session]>([:])

    init(lifetime: TimeInterval) { self.lifetime = lifetime }

    func start(_ principal: Principal) -> (id: String, Session) {
        let id = Hex.random(bytes: 32)
        let session = Session(principal: principal, csrf: Hex.random(bytes: 32), expires: Date().addingTimeInterval(lifetime))
        sessions.withLock { table in
            table = table.filter { $0.value.expires > Date() }
            table[Hex.sha256(id)] = session
        }
        return (id, session)
    }

    func session(_ id: String?) -> Session? {
        guard let id else { return nil }
        return sessions.withLock { table in
            guard let session = table[Hex.sha256(id)], session.expires > Date() else { return nil }
            return session
        }
    }

    func end(_ id: String?) {
        guard let id else { return }
        _ = sessions.withLock { $0.removeValue(forKey: Hex.sha256(id)) }
    }
}

extension WebPages {
    /// The console's envelope actions and the notice each leaves on the page.
    static var notices: [String: String] { ["send": "sent", "remind": "reminded", "void": "voided", "correct": "corrected", "resend": "resent"] }

    func addConsoleRoutes(to routes: RouteCollection<Context>) {
        routes.get("console/login") { request, _ in
            // The login form's CSRF token is bound to a pre-session cookie.
            let id = Hex.random(bytes: 16)
            var values: [String: Any] = ["csrf": HMAC.hex(key: configuration.sessionKey, "login|" + id)]
            if request.uri.queryParameters.get("ended") != nil {
                // An action posted with a session that had ended was not done: say so.
                values["error"] = "Your session ended (it timed out, you signed out, or the key was revoked), so the last action was not done. Sign in and do it again."
            }
            var response = consolePage("console-login", values, title: "Sign in", session: nil)
            response.setCookie(consoleCookie("cs_login", id, path: "/console/login"))
            return response
        }
        routes.post("console/login") { request, context in
            guard let form = try? await SubmittedForm.read(request) else {
                return consolePage("console-login", ["error": "The sign-in form could not be read; reload the page and sign in again.", "csrf": ""],
                                   title: "Sign in", session: nil, status: .badRequest)
            }
            guard let id = request.cookies["cs_login"]?.value,
                  let given = form["csrf"], Hex.constantTimeEqual(given, HMAC.hex(key: configuration.sessionKey, "login|" + id)) else {
                return consolePage("console-login", ["error": "The form's security token is missing or stale; reload the page and sign in again.",
                                                     "csrf": ""], title: "Sign in", session: nil, status: .forbidden)
            }
            let csrf = form["csrf"] ?? ""
            do {
                try loginLimiter.take("login|" + (requestContext(request, context).ip ?? "unknown"))
                let principal = try await engine.authenticate(apiKey: (form["key"] ?? "").trimmingCharacters(in: .whitespaces))
                guard principal.role == .agent || principal.role == .admin else {
                    throw WorkflowError(.forbidden, "a key with role '\(principal.role.rawValue)' cannot use the console; it needs role agent or admin")
                }
                let (sessionID, _) = consoleSessions.start(principal)
                var response = Views.redirect("/console")
                response.setCookie(consoleCookie(ConsoleSessions.cookieName, sessionID, path: "/console"))
                return response
            } catch let error as WorkflowError {
                // A known key of the wrong role is forbidden (403); an unknown or revoked one unauthorised (401).
                return consolePage("console-login", ["error": error.reason, "csrf": csrf], title: "Sign in", session: nil,
                                   status: error.code == .forbidden ? .forbidden : .unauthorized)
            } catch let error as WebPagesError {
                return consolePage("console-login", ["error": error.reason, "csrf": csrf], title: "Sign in", session: nil,
                                   status: .tooManyRequests)
            }
        }
        routes.post("console/logout") { request, _ in
            try await consoleAction(request) { _, _ in
                consoleSessions.end(request.cookies[ConsoleSessions.cookieName]?.value)
                return "/console/login"
            }
        }
        routes.get("console") { request, _ in try await consoleGet(request) { session in try await envelopeList(request, session) } }
        routes.get("console/envelopes/:id") { request, context in
            try await consoleGet(request) { session in
                try await envelopePage(session, id: context.parameters.get("id") ?? "", notice: request.uri.queryParameters.get("notice"))
            }
        }
        routes.get("console/envelopes/:id/documents/:document") { request, context in
            try await consoleGet(request) { session in
                let (document, bytes) = try await consoleDocument(session, envelope: context.parameters.get("id") ?? "",
                                                                  document: context.parameters.get("document") ?? "")
                return Views.bytes(bytes, type: "application/pdf", download: document.name)
            }
        }
        routes.get("console/envelopes/:id/documents/:document/pages/:page") { request, context in
            try await consoleGet(request) { session in
                let (_, bytes) = try await consoleDocument(session, envelope: context.parameters.get("id") ?? "",
                                                           document: context.parameters.get("document") ?? "")
                return Views.bytes(try images.png(bytes, page: context.parameters.get("page", as: Int.self) ?? 0), type: "image/png")
            }
        }
        for verb in Self.notices.keys.sorted() {
            routes.post(RouterPath("console/envelopes/:id/\(verb)")) { request, context in
                let id = context.parameters.get("id") ?? ""
                return try await consoleAction(request) { session, form in
                    let principal = session.principal
                    switch verb {
                    case "send": _ = try await engine.send(principal, envelope: id)
                    case "remind": _ = try await engine.remind(principal, envelope: id)
                    case "void": _ = try await engine.void(principal, envelope: id, reason: form["reason"] ?? "")
                    case "resend": _ = try await engine.resend(principal, envelope: id, recipient: form["recipient"] ?? "")
                    default: _ = try await engine.correct(principal, envelope: id, recipient: form["recipient"] ?? "", email: form["email"])
                    }
                    return "/console/envelopes/\(id)?notice=" + (Self.notices[verb] ?? verb)
                }
            }
        }
        routes.get("console/new") { request, _ in
            try await consoleGet(request) { session in
                let published = try await engine.store.templateVersions(account: session.principal.account, templateID: nil)
                    .filter { $0.state == .published }.map { ["id": $0.templateID, "version": $0.version] }
                return consolePage("console-templates", ["templates": published], title: "New envelope", session: session)
            }
        }
        routes.get("console/new/:template/:version") { request, context in
            try await consoleGet(request) { session in
                try await newEnvelopeForm(session, templateID: context.parameters.get("template") ?? "",
                                          version: context.parameters.get("version") ?? "")
            }
        }
        routes.post("console/new/:template/:version") { request, context in
            let templateID = context.parameters.get("template") ?? "", version = context.parameters.get("version") ?? ""
            return try await consoleAction(request, refused: { session, form, reason in
                // The form again, as typed, with the reason: nothing the agent typed is lost.
                try await newEnvelopeForm(session, templateID: templateID, version: version, typed: form, error: reason)
            }) { session, form in
                let envelope = try await engine.createEnvelope(session.principal,
                                                               try await envelopeRequest(session, form, templateID: templateID, version: version))
                return "/console/envelopes/\(envelope.id)?notice=created"
            }
        }
    }

    // MARK: Sessions and responses

    func consoleCookie(_ name: String, _ value: String, path: String) -> Cookie {
        Cookie(name: name, value: value, maxAge: Int(configuration.consoleSessionLifetime), path: path,
               secure: configuration.secureCookies, httpOnly: true, sameSite: .strict)
    }

    func consolePage(_ template: String, _ values: [String: Any], title: String, session: ConsoleSessions.Session?,
                     status: HTTPResponse.Status = .ok) -> Response {
        var values = values
        if let session {
            values["signedIn"] = true
            values["csrf"] = values["csrf"] ?? session.csrf
        }
        return views.page(template, values, language: .en, title: title, organisation: engine.configuration.organisation,
                          status: status, layout: "console-layout")
    }

    /// The request's console session, its key checked again (a key revoked since sign-in ends
    /// the session at once), or nil: sign in again.
    func consoleSession(_ request: Request) async throws -> ConsoleSessions.Session? {
        let cookie = request.cookies[ConsoleSessions.cookieName]?.value
        guard let session = consoleSessions.session(cookie) else { return nil }
        do {
            _ = try await engine.reauthenticate(session.principal)
        } catch let error as WorkflowError where error.code == .unauthenticated {
            consoleSessions.end(cookie)
            return nil
        }
        return session
    }

    func consoleGet(_ request: Request, _ body: (ConsoleSessions.Session) async throws -> Response) async throws -> Response {
        guard let session = try await consoleSession(request) else {
            return Views.redirect("/console/login")
        }
        do {
            return try await body(session)
        } catch let error as WorkflowError {
            return consolePage("console-list", ["error": error.reason, "envelopes": [Any](), "count": 0, "states": [Any]()],
                               title: "Error", session: session, status: error.code == .notFound ? .notFound : .badRequest)
        }
    }

    /// A console form: session and CSRF checked, then `body` acts and names where to go.
    func consoleAction(_ request: Request,
                       refused: ((ConsoleSessions.Session, SubmittedForm, String) async throws -> Response)? = nil,
                       _ body: (ConsoleSessions.Session, SubmittedForm) async throws -> String) async throws -> Response {
        guard let session = try await consoleSession(request) else {
            return Views.redirect("/console/login?ended=1")
        }
        let form: SubmittedForm
        do {
            form = try await SubmittedForm.read(request)
        } catch let error as WebPagesError {
            return consolePage("console-list", ["error": error.reason, "envelopes": [Any](), "count": 0, "states": [Any]()],
                               title: "Error", session: session, status: .badRequest)
        }
        guard let given = form["csrf"], Hex.constantTimeEqual(given, session.csrf) else {
            return consolePage("console-list", ["error": "The form's security token is missing or belongs to another session; reload the page and try again.",
                                                "envelopes": [Any](), "count": 0, "states": [Any]()],
                               title: "Error", session: session, status: .forbidden)
        }
        do {
            return Views.redirect(try await body(session, form))
        } catch let error as WorkflowError {
            if let refused, error.code != .forbidden { return try await refused(session, form, error.reason) }
            return consolePage("console-list", ["error": error.reason, "envelopes": [Any](), "count": 0, "states": [Any]()],
                               title: "Error", session: session, status: error.code == .forbidden ? .forbidden : .badRequest)
        }
    }
}
