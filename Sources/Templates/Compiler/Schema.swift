/// Which elements exist, where they go and which attributes they take.
enum Schema {
    struct Element {
        var attributes: [String]
        var required: [String] = []
    }

    static let elements: [String: Element] = [
        "template": Element(attributes: ["id", "version", "page", "margin", "orientation", "lang", "title", "author",
                                         "subject", "keywords", "numbering"], required: ["id", "version"]),
        "fields": Element(attributes: []),
        "field": Element(attributes: ["name", "type", "required", "min", "max", "pattern", "values", "default",
                                      "format", "label"], required: ["name", "type"]),
        "styles": Element(attributes: []),
        "style": Element(attributes: ["name", "base", "font", "size", "weight", "italic", "color", "leading", "align",
                                      "space-before", "space-after", "indent", "keep-with-next", "hyphenate"],
                         required: ["name"]),
        "header": Element(attributes: []),
        "footer": Element(attributes: []),
        "body": Element(attributes: []),
        "p": Element(attributes: ["style", "align"]),
        "h1": Element(attributes: ["style", "align"]),
        "h2": Element(attributes: ["style", "align"]),
        "h3": Element(attributes: ["style", "align"]),
        "ul": Element(attributes: ["indent"]),
        "ol": Element(attributes: ["start", "indent"]),
        "li": Element(attributes: []),
        "table": Element(attributes: ["columns", "repeat-header", "border", "border-color", "padding",
                                      "header-background"], required: ["columns"]),
        "row": Element(attributes: ["header"]),
        "cell": Element(attributes: ["span", "align", "background", "style"]),
        "image": Element(attributes: ["src", "width", "height", "align"], required: ["src"]),
        "keep-together": Element(attributes: []),
        "page-break": Element(attributes: []),
        "signature": Element(attributes: ["role", "label", "width", "height", "required", "align"], required: ["role"]),
        "initials": Element(attributes: ["role", "name", "label", "width", "height", "required", "align"], required: ["role"]),
        "date-signed": Element(attributes: ["role", "name", "label", "width", "height", "required", "align", "format"], required: ["role"]),
        "text-field": Element(attributes: ["role", "name", "label", "width", "height", "required", "align", "max-length", "pattern"],
                              required: ["role", "name"]),
        "checkbox": Element(attributes: ["role", "name", "label", "width", "height", "required", "align"], required: ["role", "name"]),
        "dropdown": Element(attributes: ["role", "name", "label", "width", "height", "required", "align", "options"],
                            required: ["role", "name", "options"]),
        "spacer": Element(attributes: ["height"], required: ["height"]),
        "hr": Element(attributes: ["thickness", "color"]),
        "b": Element(attributes: []),
        "i": Element(attributes: []),
        "u": Element(attributes: []),
        "s": Element(attributes: []),
        "span": Element(attributes: ["style", "color"]),
        "a": Element(attributes: ["href"], required: ["href"]),
        "br": Element(attributes: []),
        "if": Element(attributes: ["test"], required: ["test"]),
        "elif": Element(attributes: ["test"], required: ["test"]),
        "else": Element(attributes: []),
        "for": Element(attributes: ["each", "in", "index"], required: ["each", "in"]),
        "clause": Element(attributes: ["ref", "version", "when", "heading"], required: ["ref"]),
    ]

    /// The root of a clause file (a different attribute set from `<clause>` in a template).
    static let clauseRoot = Element(attributes: ["id", "version", "approved-by", "approved-on", "title"],
                                    required: ["id", "version"])

    /// Examples shown when a required attribute is missing.
    static let examples: [String: String] = [
        "template.id": "id=\"service-agreement\"", "template.version": "version=\"1\"",
        "field.name": "name=\"company_name\"", "field.type": "type=\"text\"", "style.name": "name=\"note\"",
        "table.columns": "columns=\"3fr 1fr 1fr\"", "image.src": "src=\"assets/logo.png\"",
        "signature.role": "role=\"customer\"", "spacer.height": "height=\"12pt\"", "a.href": "href=\"https://…\"",
        "if.test": "test=\"plan == 'Enterprise'\"", "elif.test": "test=\"plan == 'Business'\"",
        "for.each": "each=\"item\"", "for.in": "in=\"line_items\"", "clause.ref": "ref=\"confidentiality\"",
        "clause.version": "version=\"2\"",
        "initials.role": "role=\"customer\"", "date-signed.role": "role=\"customer\"", "text-field.role": "role=\"customer\"",
        "text-field.name": "name=\"job_title\"", "checkbox.role": "role=\"customer\"", "checkbox.name": "name=\"accept_terms\"",
        "dropdown.role": "role=\"customer\"", "dropdown.name": "name=\"term\"", "dropdown.options": "options=\"12 months|24 months\"",
    ]

    static let blockElements = ["p", "h1", "h2", "h3", "ul", "ol", "table", "image", "keep-together", "page-break",
                                "signature", "initials", "date-signed", "text-field", "checkbox", "dropdown",
                                "spacer", "hr", "clause", "if", "elif", "else", "for"]
    static let inlineElements = ["b", "i", "u", "s", "span", "a", "br", "if", "elif", "else"]

    /// Where an element belongs, for "not allowed here" messages.
    static func home(of name: String) -> String {
        switch name {
        case "li": return "<li> goes inside <ul> or <ol>"
        case "row": return "<row> goes inside <table>"
        case "cell": return "<cell> goes inside <row>"
        case "field": return "<field> goes inside <fields>"
        case "style": return "<style> goes inside <styles>"
        case "fields", "styles", "header", "footer", "body": return "<\(name)> goes directly inside <template>"
        case "template": return "<template> is the root element"
        case "b", "i", "u", "s", "span", "a", "br": return "<\(name)> goes inside text (p, h1–h3, li, cell)"
        default: return "<\(name)> is a block element (body, header, footer, li, cell, keep-together, if, for)"
        }
    }
}
