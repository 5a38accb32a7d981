import Foundation

/// A `{{field:…}}` text tag in an uploaded PDF: a field written into the document's own text.
///
/// ```
/// tag     = "{{" "field:" kind *( ";" key "=" value ) "}}"
/// kind    = signature | initials | date-signed | text | checkbox | dropdown
/// key     = role | name | required | size | width | height | units | options | maxlength | pattern | label
/// ```
///
/// `role` is required (the signer's `signatureRole`); `required` is `true|false|yes|no`; `size`
/// is `WIDTHxHEIGHT`; `options` separates a dropdown's choices with `|`; `units` is `pt`, `in`,
/// `mm` or `cm`. Spaces around kinds, keys and values are ignored; values cannot contain `;` or
/// `}`. The field's top-left corner goes at the tag's top-left corner, and at completion the
/// tag is painted over.
struct TextTag: Sendable, Hashable {
    /// The tag as it appears in the text.
    var source: String
    var request: FieldPlacementRequest

    /// Tags in `text`, with an error message for each malformed one (`{{field:` that does not
    /// parse, or is never closed).
    static func scan(_ text: String) -> (tags: [String], malformed: [String]) {
        var tags: [String] = [], malformed: [String] = []
        var rest = text[...]
        while let start = rest.range(of: "{{field:") ?? rest.range(of: "{{ field:") {
            let after = rest[start.upperBound...]
            guard let end = after.range(of: "}}"), !after[..<end.lowerBound].contains("{{") else {
                malformed.append("'\(String(rest[start.lowerBound...].prefix(60)))' is not closed with '}}' on the same page")
                rest = after
                continue
            }
            tags.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = after[end.upperBound...]
        }
        // Near misses ('{{Field:', '{{field :') would otherwise stay printed and place nothing.
        let text = text as NSString
        for match in nearMiss.matches(in: text as String, range: NSRange(location: 0, length: text.length)) {
            let written = text.substring(with: match.range)
            guard written != "{{field:", written != "{{ field:" else { continue }
            // The tag as written: up to its `}}` or the end of its line, at most 60 characters.
            var shown = text.substring(with: NSRange(location: match.range.location, length: min(60, text.length - match.range.location)))
            if let end = shown.range(of: "}}") { shown = String(shown[..<end.upperBound]) }
            if let line = shown.firstIndex(where: \.isNewline) { shown = String(shown[..<line]) }
            malformed.append("'\(shown)' looks like a text tag but starts '\(written)'; write '{{field:' (lower case, no space before the colon)")
        }
        return (tags, malformed)
    }

    /// `{{`, then `field` in any case, then `:`, with any spaces between.
    private static let nearMiss = try! NSRegularExpression(pattern: #"\{\{\s*field\s*:"#, options: [.caseInsensitive])

    /// Parses one tag (`{{field:…}}`), or says what is wrong with it.
    init(_ source: String) throws(WorkflowError) {
        self.source = source
        var body = source.dropFirst(2).dropLast(2).trimmingCharacters(in: .whitespaces)
        guard body.hasPrefix("field:") else { throw Self.error(source, "it must start with '{{field:'") }
        body.removeFirst("field:".count)
        let parts = body.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let kind = Field.Kind(rawValue: parts[0]) else {
            throw Self.error(source, "'\(parts[0])' is not a field kind; use one of " + Field.Kind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var values: [String: String] = [:]
        for part in parts.dropFirst() where !part.isEmpty {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, !pair[1].isEmpty else { throw Self.error(source, "'\(part)' is not key=value") }
            let key = pair[0].lowercased()
            guard Self.keys.contains(key) else {
                throw Self.error(source, "unknown key '\(pair[0])'; the keys are " + Self.keys.sorted().joined(separator: ", "))
            }
            guard values[key] == nil else { throw Self.error(source, "'\(key)' is given twice") }
            values[key] = pair[1]
        }
        guard let role = values["role"] else { throw Self.error(source, "it names no role (role=…, the signer's signatureRole)") }
        var request = FieldPlacementRequest(name: values["name"], kind: kind, role: role)
        if let required = values["required"] {
            switch required.lowercased() {
            case "true", "yes": request.required = true
            case "false", "no": request.required = false
            default: throw Self.error(source, "required='\(required)' is not true, false, yes or no")
            }
        }
        if let size = values["size"] {
            let sides = size.lowercased().split(separator: "x").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard sides.count == 2, let width = sides[0], let height = sides[1] else {
                throw Self.error(source, "size='\(size)' is not WIDTHxHEIGHT (e.g. 180x40)")
            }
            request.width = width
            request.height = height
        }
        for key in ["width", "height", "maxlength"] {
            guard let text = values[key] else { continue }
            guard let number = Double(text) else { throw Self.error(source, "\(key)='\(text)' is not a number") }
            switch key {
            case "width": request.width = number
            case "height": request.height = number
            default:
                guard number >= 1, number == number.rounded() else { throw Self.error(source, "maxlength='\(text)' is not a whole number ≥ 1") }
                request.maxLength = Int(number)
            }
        }
        request.units = values["units"]
        request.options = values["options"].map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        request.pattern = values["pattern"]
        request.label = values["label"]
        self.request = request
    }

    static let keys: Set<String> = ["role", "name", "required", "size", "width", "height", "units", "options", "maxlength", "pattern", "label"]

    private static func error(_ source: String, _ problem: String) -> WorkflowError {
        WorkflowError(.invalidRequest, "text tag \(source): \(problem)")
    }
}
