import Foundation
import Hummingbird
import PDFReader
import Typesetting
import Workflow

/// The signer's pages that show the envelope's state: authentication, review, adoption.
extension WebPages {
    /// The colours recipients' boxes are drawn in, by their order among the envelope's signers
    /// (each at least 4.5:1 against white, so the labels pass WCAG AA).
    static var palette: [String] { ["#0b57d0", "#a4161a", "#1e6b34", "#7b1fa2", "#8a4b00"] }

    func authPage(_ state: SignerState, _ session: SignerSession, error: String? = nil) -> Response {
        let language = state.language, recipient = state.recipient
        if recipient.consent == nil { return Views.redirect(state.base, frameAncestors: state.frameAncestors) }
        if session.mayProceed(recipient) {
            return Views.redirect(state.base + "/review", frameAncestors: state.frameAncestors)
        }
        let maximum = OneTimeCode.maximumAttempts
        var values: [String: Any] = ["csrf": session.csrf, "base": state.base, "subject": state.envelope.subject]
        if let error { values["error"] = error }
        let used: Int
        switch recipient.authentication {
        case .emailOTP:
            let sent = recipient.otp != nil
            used = recipient.otp?.attempts ?? 0
            values["otp"] = ["sent": sent]
            values["otpIntro"] = language.text("otp_intro", recipient.email)
            values["otpSent"] = language.text("otp_sent", recipient.email)
            values["codeLabel"] = language.text("otp_label")
            values["canEnter"] = sent && used < maximum
            if sent && used >= maximum { values["locked"] = language.text("locked_otp") }
        case .accessCode:
            used = recipient.failedAttempts
            values["access"] = true
            values["codeLabel"] = language.text("access_label")
            values["canEnter"] = used < maximum
            if used >= maximum { values["locked"] = language.text("locked_access") }
        case .link:
            used = 0
        }
        values["attemptsLeft"] = language.text("attempts_left", String(max(0, maximum - used)))
        return views.page("auth", values, language: language, title: language.text("auth_title"),
                          organisation: engine.configuration.organisation, frameAncestors: state.frameAncestors)
    }

    func reviewPage(_ state: SignerState, _ session: SignerSession, zoom: Int, error: String? = nil,
                    saved: String? = nil) async throws -> Response {
        let language = state.language, recipient = state.recipient, envelope = state.envelope
        if recipient.consent == nil { return Views.redirect(state.base, frameAncestors: state.frameAncestors) }
        if !session.mayProceed(recipient) {
            return Views.redirect(state.base + "/auth", frameAncestors: state.frameAncestors)
        }
        let signers = envelope.recipients.filter { $0.signatureRole != nil }
        var pages: [[String: Any]] = []
        for document in envelope.documents where !document.purged {
            let bytes = try await engine.document(token: state.token, id: document.id)
            let layout = try images.layout(bytes)
            for page in layout {
                var boxes: [[String: Any]] = page.signatureBoxes.map { box in
                    let owner = signers.firstIndex { $0.signatureRole == box.role }
                    let colour = owner.map { Self.palette[$0 % Self.palette.count] } ?? "#4a5260"
                    return ["x": box.x, "y": box.y, "width": box.width, "height": box.height, "colour": colour,
                            "mine": owner.map { signers[$0].id == recipient.id } ?? false,
                            "textX": box.x + 2, "textY": box.y + 10,
                            "label": language.text("signature_box", owner.map { signers[$0].name } ?? box.role)]
                }
                // An uploaded document has no boxes of its own until completion draws them: its
                // fields' places (on the page as displayed, y up) are drawn instead.
                if document.isUploaded {
                    for owner in envelope.recipients {
                        for field in owner.fields {
                            guard let place = field.placement, place.document == document.id, place.page == page.number else { continue }
                            let colour = signers.firstIndex { $0.id == owner.id }.map { Self.palette[$0 % Self.palette.count] } ?? "#4a5260"
                            let y = page.height - place.y - place.height
                            let what = field.kind == .signature ? language.text("signature_box", owner.name)
                                : language.text("field_box", field.displayLabel, owner.name)
                            boxes.append(["x": place.x, "y": y, "width": place.width, "height": place.height, "colour": colour,
                                          "mine": owner.id == recipient.id, "textX": place.x + 2, "textY": y + 10, "label": what])
                        }
                    }
                }
                let number = String(page.number), count = String(layout.count)
                pages.append([
                    "document": document.id, "number": page.number, "width": page.width, "height": page.height,
                    "image": "\(state.base)/pages/\(document.id)/\(page.number)", "boxes": boxes,
                    "caption": language.text("page_of", number, count),
                    "textTitle": language.text("page_text", number), "text": page.text,
                ])
            }
        }
        // Fields the signing action reports missing are marked, as are fields an error names.
        let fillable = recipient.fields.filter { $0.kind != .signature }
        let fields: [[String: Any]] = fillable.map { field in
            var invalid: Any = false
            if let error, error.contains("'\(field.name)'") { invalid = error }
            if let error, error.hasPrefix("fill the required fields first"), error.contains("(\(field.name))") {
                invalid = language.text("required")
            }
            return ["name": field.name, "label": field.displayLabel,
                    "value": field.value ?? "", "required": field.required,
                    "text": field.kind == .text || field.kind == .initials, "checkbox": field.kind == .checkbox,
                    "checked": field.value == "true", "dropdown": field.kind == .dropdown, "date": field.kind == .dateSigned,
                    "maxLength": field.characterLimit,
                    "options": field.options.map { ["value": $0, "selected": $0 == field.value] }, "invalid": invalid]
        }
        let next = fillable.first {
            $0.required && ($0.kind == .checkbox ? $0.value != "true" : $0.value == nil && [.text, .initials, .dropdown].contains($0.kind))
        }
        var mark: Any = false
        switch recipient.mark {
        case .typed(let name, let font): mark = ["typed": name, "font": font.rawValue, "image": false]
        case .drawn(let png), .uploaded(let png): mark = ["typed": false, "image": "data:image/png;base64," + png.base64EncodedString()]
        case nil: break
        }
        var values: [String: Any] = [
            "csrf": session.csrf, "base": state.base, "subject": envelope.subject, "pages": pages, "zoom": zoom,
            "zooms": [75, 100, 150, 200].map { ["value": $0, "current": $0 == zoom] },
            "nextField": next.map { $0.name as Any } ?? false, "fields": fields, "hasFields": !fillable.isEmpty,
            "hasFillable": fillable.contains { $0.kind != .dateSigned },
            "signer": recipient.role == .signer ? ["mark": mark] as Any : false,
            "confirmText": language.text(recipient.role == .signer ? "confirm_text" : "approve_text"),
            "actionLabel": language.text(recipient.role == .signer ? "sign" : "approve"),
        ]
        if let error { values["error"] = error }
        // What a save did is said where a screen reader hears it (a status message, WCAG 4.1.3).
        if error == nil, let saved, ["fields", "signature"].contains(saved) { values["notice"] = language.text("saved_" + saved) }
        // The title says a page came back refused, so it is heard before anything else.
        let title = (error == nil ? "" : language.text("error_title") + " — ") + language.text("review_title")
        return views.page("review", values, language: language, title: title,
                          organisation: engine.configuration.organisation, frameAncestors: state.frameAncestors)
    }

    func adoptPage(_ state: SignerState, _ session: SignerSession, error: String? = nil) -> Response {
        var name = state.recipient.name
        if case .typed(let typed, _) = state.recipient.mark { name = typed }
        let chosen = state.recipient.mark?.scriptFont ?? .standard
        let fonts = SignatureFont.allCases.map { font -> [String: Any] in
            ["id": font.rawValue, "family": font.family, "style": state.language.text("font_" + font.rawValue),
             "name": name, "checked": font == chosen]
        }
        var values: [String: Any] = ["csrf": session.csrf, "base": state.base, "subject": state.envelope.subject, "name": name,
                                     "fonts": fonts, "hasInitials": state.recipient.fields.contains { $0.kind == .initials }]
        if let error { values["error"] = error }
        return views.page("adopt", values, language: state.language, title: state.language.text("adopt"),
                          organisation: engine.configuration.organisation, frameAncestors: state.frameAncestors)
    }

    /// A page image: PNG from poppler at the configured resolution, cached, never stored by the browser.
    func pageImage(_ request: Request, _ context: Context) async throws -> Response {
        guard let state = try await load(request, context),
              SignerSession.resume(cookie: request.cookies[SignerSession.cookieName]?.value, token: state.token,
                                   key: configuration.sessionKey)?.mayProceed(state.recipient) == true,
              state.recipient.consent != nil,
              let documentID = context.parameters.get("document"), let page = context.parameters.get("page", as: Int.self),
              let document = state.envelope.documents.first(where: { $0.id == documentID }), !document.purged,
              page >= 1 else {
            return Views.bytes(Array("not found".utf8), type: "text/plain").with(status: .notFound)
        }
        let bytes = try await engine.document(token: state.token, id: document.id)
        do {
            return Views.bytes(try images.png(bytes, page: page), type: "image/png")
        } catch is PDFReaderError {
            return Views.bytes(Array("no such page".utf8), type: "text/plain").with(status: .notFound)
        }
    }
}
