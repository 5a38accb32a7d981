public import Foundation
import InputChecks

/// A JSON request that does not fit its type, said the way a person fixes it: the path of the
/// bad value (`recipients.0.email is missing`) instead of Swift's `DecodingError` dump, and for
/// JSON that does not parse, the line and column.
public enum DecodingProblem {
    /// `json`: the bytes that were decoded, to place a syntax error by line and column.
    /// `what`: the JSON's name in a syntax error (`the request`, `the configuration`).
    public static func describe(_ error: DecodingError, json: Data? = nil, what: String = "the request") -> String {
        // `recipients[0].role`, as unknown keys are named (StrictJSONDecoder).
        func path(_ context: DecodingError.Context) -> String { JSONPath.text(context.codingPath) }
        func at(_ context: DecodingError.Context, _ text: String) -> String {
            let where_ = path(context)
            return where_.isEmpty ? text : "\(where_): \(text)"
        }
        switch error {
        case .typeMismatch(_, let context) where context.codingPath.last?.stringValue == "authentication":
            return at(context, "expected " + authenticationForms)
        case .typeMismatch(let type, let context):
            let found = context.debugDescription.range(of: "but found ").map {
                " but found " + context.debugDescription[$0.upperBound...].replacingOccurrences(of: " instead.", with: "")
            } ?? ""
            return at(context, "expected \(expected(type))\(found)")
        case .valueNotFound(let type, let context):
            return at(context, "expected \(expected(type)) but found null")
        case .dataCorrupted(let context):
            if let syntax = syntaxError(context, json: json, what: what) { return syntax }
            if context.debugDescription.hasPrefix("Invalid number of keys found") {
                var text = "expected an object with exactly one key, the name of the choice"
                if context.codingPath.last?.stringValue == "authentication" { text = authenticationForms }
                return at(context, text)
            }
            // A string that is not one of an enumeration's values ("Cannot initialize Role from
            // invalid String value signr"): say which value, and for a recipient's role which are allowed.
            if let range = context.debugDescription.range(of: "from invalid String value ") {
                let value = context.debugDescription[range.upperBound...]
                var allowed = ""
                var choices: [String] = []
                if context.codingPath.last?.stringValue == "role" {
                    // A recipient's role, or an API key's.
                    choices = context.codingPath.contains { $0.stringValue == "recipients" }
                        ? Recipient.Role.allCases.map(\.rawValue) : Role.allCases.map(\.rawValue)
                } else if context.codingPath.last?.stringValue == "kind", context.codingPath.contains(where: { $0.stringValue == "fields" }) {
                    // A field's kind, in an upload or a recipient's fields.
                    choices = Field.Kind.allCases.map(\.rawValue)
                }
                if !choices.isEmpty {
                    allowed = "; expected " + choices.map { "\"\($0)\"" }.joined(separator: ", ")
                    if let near = Suggestions.closest(to: String(value), in: choices) { allowed += " (did you mean \"\(near)\"?)" }
                }
                return at(context, "\"\(value)\" is not an allowed value\(allowed)")
            }
            if context.debugDescription.hasPrefix("Encountered Data is not valid Base64") {
                return at(context, "is not valid base64 (a file's bytes go in JSON base64-encoded, as `base64 -w0 FILE` prints them)")
            }
            return at(context, context.debugDescription)
        case .keyNotFound(let key, let context):
            return "\(JSONPath.appending(key.stringValue, to: path(context))) is missing"
        @unknown default:
            return "\(error)"
        }
    }

    static let authenticationForms = #"one of "link", "emailOTP" or "accessCode" (with "accessCode": "CODE" beside it)"#

    private static func expected(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "text (a JSON string in quotes)"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type, is UInt.Type: "a whole number"
        case is Double.Type, is Float.Type, is Decimal.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "a list [ … ]"
                : String(describing: type).hasPrefix("Dictionary") ? "an object { … }" : "another kind of value"
        }
    }

    /// Where the JSON's syntax is broken: from the decoder's underlying error when it has one;
    /// else (`JSONDecoder` says only "The given data was not valid JSON", with no place) from
    /// `JSONSerialization`'s error on the same bytes.
    private static func syntaxError(_ context: DecodingError.Context, json: Data?, what: String) -> String? {
        if let described = (context.underlyingError as NSError?).flatMap({ describeSyntax($0, json: json, what: what) }) { return described }
        guard context.codingPath.isEmpty, let json else { return nil }
        do {
            _ = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])
            return nil
        } catch {
            return describeSyntax(error as NSError, json: json, what: what)
        }
    }

    /// "the request is not valid JSON at line L, column C: …" for Foundation's JSON syntax error
    /// (code 3840); nil for any other error. The place comes from the error's character index
    /// (its user info, or "around character N" in its description); an early end of the input
    /// is placed at its last line.
    public static func describeSyntax(_ error: NSError, json: Data?, what: String = "the request") -> String? {
        guard error.code == 3840 else { return nil }
        let detail = (error.userInfo[NSDebugDescriptionErrorKey] as? String) ?? "not valid JSON"
        var index = error.userInfo["NSJSONSerializationErrorIndex"] as? Int
        if index == nil, let range = detail.range(of: "around character ") {
            index = Int(detail[range.upperBound...].prefix { $0.isNumber })
        }
        if index == nil, detail.hasPrefix("Unexpected end of file"), let json { index = json.count }
        guard let json, let index, index <= json.count else { return "\(what) is not valid JSON: \(detail)" }
        var line = 1, column = 1
        for byte in json.prefix(index) {
            if byte == 0x0A { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return "\(what) is not valid JSON at line \(line), column \(column): \(detail)"
    }
}
