import Foundation
import Hummingbird

/// A submitted form: `application/x-www-form-urlencoded` fields, or `multipart/form-data` fields
/// and files (for the uploaded signature image).
struct SubmittedForm: Sendable {
    var fields: [String: String] = [:]
    var files: [String: [UInt8]] = [:]

    subscript(_ name: String) -> String? { fields[name] }

    /// Largest body read: an uploaded signature (1 MB) with room for its multipart framing.
    static let maximumBody = 1_200_000

    /// Reads the request body as a form; `badForm` if it is neither kind or too large.
    static func read(_ request: Request) async throws -> SubmittedForm {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBody)
        } catch {
            throw WebPagesError(.badForm, "the form is larger than \(maximumBody / 1000) kB; upload a smaller image")
        }
        let bytes = Array(buffer.readableBytesView)
        let type = request.headers[.contentType] ?? ""
        if type.hasPrefix("multipart/form-data") {
            guard let boundary = type.components(separatedBy: "boundary=").last?.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")),
                  !boundary.isEmpty else {
                throw WebPagesError(.badForm, "the multipart form names no boundary")
            }
            return try multipart(bytes, boundary: boundary)
        }
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw WebPagesError(.badForm, "expected a form (application/x-www-form-urlencoded or multipart/form-data), not '\(type)'")
        }
        return SubmittedForm(fields: try urlEncoded(bytes))
    }

    /// The fields of an `application/x-www-form-urlencoded` body. A name or value that is not
    /// percent-encoded UTF-8 is refused, not read as empty: an empty value clears a field, so a
    /// garbled one must not pass for it.
    static func urlEncoded(_ bytes: [UInt8]) throws(WebPagesError) -> [String: String] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw WebPagesError(.badForm, "the form is not UTF-8 text; reload the page and send it again")
        }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) throws(WebPagesError) -> String {
                guard let decoded = part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                    throw WebPagesError(.badForm, "the form's '\(parts[0].prefix(40))' is not properly encoded; reload the page and send it again")
                }
                return decoded
            }
            fields[try decode(parts[0])] = parts.count > 1 ? try decode(parts[1]) : ""
        }
        return fields
    }

    /// RFC 7578: parts separated by `--boundary`, each with headers, a blank line and content.
    static func multipart(_ body: [UInt8], boundary: String) throws(WebPagesError) -> SubmittedForm {
        let delimiter = Array(("--" + boundary).utf8)
        var form = SubmittedForm()
        var starts: [Int] = []
        var index = 0
        while let found = find(delimiter, in: body, from: index) {
            starts.append(found)
            index = found + delimiter.count
        }
        guard starts.count >= 2 else { throw WebPagesError(.badForm, "the multipart form has no parts") }
        for (start, end) in zip(starts, starts.dropFirst()) {
            var part = Array(body[(start + delimiter.count)..<end])
            if part.starts(with: [13, 10]) { part.removeFirst(2) }
            if part.suffix(2) == [13, 10] { part.removeLast(2) }
            guard let split = find([13, 10, 13, 10], in: part, from: 0) else {
                throw WebPagesError(.badForm, "a part of the multipart form has no headers")
            }
            let headers = String(decoding: part[..<split], as: UTF8.self)
            let content = Array(part[(split + 4)...])
            guard let disposition = headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-disposition") }),
                  let name = parameter("name", in: String(disposition)) else {
                throw WebPagesError(.badForm, "a part of the multipart form has no name")
            }
            if parameter("filename", in: String(disposition)) != nil {
                form.files[name] = content
            } else {
                form.fields[name] = String(decoding: content, as: UTF8.self)
            }
        }
        return form
    }

    static func parameter(_ name: String, in header: String) -> String? {
        for item in header.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where item.hasPrefix(name + "=") {
            return String(item.dropFirst(name.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], Array(haystack[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }
}
