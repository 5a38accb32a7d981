import Foundation
import Hummingbird
import Mustache
import Workflow

/// Times as the pages show them: ISO 8601 in UTC, whole seconds.
enum DisplayTime {
    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func day(_ date: Date) -> String { String(iso(date).prefix(10)) }
}

/// Renders pages: a named template's content inside the layout, with the strings of the page's
/// language as `t`, and the security headers.
struct Views: Sendable {
    let library: MustacheLibrary

    init(templates: [String: String]) throws {
        var library = MustacheLibrary()
        for (name, text) in templates { try library.register(text, named: name) }
        self.library = library
    }

    /// An HTML response: `template` rendered with `values` inside `layout`.
    func page(_ template: String, _ values: [String: Any], language: Language, title: String, organisation: String,
              status: HTTPResponse.Status = .ok, frameAncestors: [String] = [], layout: String = "layout") -> Response {
        var context = values
        context["t"] = language.strings
        context["lang"] = language.rawValue
        context["title"] = title
        context["organisation"] = organisation
        context["content"] = library.render(context, withTemplate: template) ?? ""
        context["script"] = "pages.js"
        let html = library.render(context, withTemplate: layout) ?? ""
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        SecurityHeaders.apply(to: &headers, frameAncestors: frameAncestors)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// A 303 redirect (after a form), with the security headers and any cookie.
    static func redirect(_ location: String, cookie: Cookie? = nil, frameAncestors: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        SecurityHeaders.apply(to: &headers, frameAncestors: frameAncestors)
        var response = Response(status: .seeOther, headers: headers)
        if let cookie { response.setCookie(cookie) }
        return response
    }

    /// Bytes with a content type and the security headers (`no-store` included).
    static func bytes(_ bytes: [UInt8], type: String, download: String? = nil) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        if let download { headers[.contentDisposition] = HeaderEncoding.attachment(named: download) }
        SecurityHeaders.apply(to: &headers, frameAncestors: [])
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
