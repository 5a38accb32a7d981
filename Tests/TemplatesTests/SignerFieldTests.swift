import Foundation
@testable import Templates
import TestSupport
import Testing
import Typesetting

/// Signer fields in the template language: what the checker refuses (at the line and column of
/// the problem), and what the typeset document records.
@Suite struct SignerFieldTests {
    /// The broken-template wrapper around `fields` (on line 8 from column 5) and the customer's signature.
    static func wrap(_ fields: String) -> String {
        TemplatesTests.wrap(fields + #"<signature role="customer"/>"#)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var label: String
        var body: String
        /// Where the error is: column of this text's first character on line 8 (nil: anywhere on line 8).
        var at: String?
        var message: String
        var testDescription: String { label }
    }

    static let refusals: [Refusal] = [
        Refusal(label: "a role with no signature", body: #"<initials role="witness"/>"#, at: "witness",
                message: "role: 'witness' has no <signature role=\"witness\"> in the template; its signature roles are customer"),
        Refusal(label: "a text field without a name", body: #"<text-field role="customer"/>"#, at: nil, message: "name"),
        Refusal(label: "a dropdown without options", body: #"<dropdown role="customer" name="term"/>"#, at: nil, message: "options"),
        Refusal(label: "repeated options", body: #"<dropdown role="customer" name="term" options="a|a"/>"#, at: "a|a",
                message: "options: 'a|a' is not a list of distinct choices"),
        Refusal(label: "a max-length out of range", body: #"<text-field role="customer" name="po" max-length="0"/>"#, at: "0\"",
                message: "max-length: '0' is not a whole number from 1 to 500"),
        Refusal(label: "a pattern that is no regular expression", body: #"<text-field role="customer" name="po" pattern="(["/>"#,
                at: "([", message: "pattern: '([' is not a regular expression"),
        Refusal(label: "a name the data fields have", body: #"<checkbox role="customer" name="company_name"/>"#, at: "company_name",
                message: "name: 'company_name' is already a field"),
        Refusal(label: "inside a loop", body: #"<for each="item" in="line_items"><checkbox role="customer" name="x"/></for>"#,
                at: "<checkbox", message: "not allowed inside <for>"),
        Refusal(label: "with content", body: #"<checkbox role="customer" name="x"><p>no</p></checkbox>"#, at: "<p>",
                message: "takes no content"),
        Refusal(label: "an unknown attribute", body: #"<checkbox role="customer" name="x" colour="red"/>"#, at: "colour",
                message: "unknown attribute 'colour'"),
        Refusal(label: "a pattern that backtracks exponentially", body: #"<text-field role="customer" name="po" pattern="(a+)+$"/>"#,
                at: "(a+)", message: "pattern: '(a+)+$' repeats a repetition ((a+)+), which can take exponential time"),
        Refusal(label: "a date format that is not a date formatter", body: #"<date-signed role="customer" format='currency:"USD"'/>"#,
                at: "currency", message: "format: a date signed takes a date formatter"),
        Refusal(label: "an unknown date style", body: #"<date-signed role="customer" format='date:"longest"'/>"#,
                at: nil, message: "format: unknown date style 'longest'"),
        Refusal(label: "two formatters", body: #"<date-signed role="customer" format='date:"long" | upper'/>"#,
                at: nil, message: "format: a date signed takes one date formatter"),
        Refusal(label: "a format on initials", body: #"<initials role="customer" format='date:"long"'/>"#, at: "format",
                message: "unknown attribute 'format'"),
    ]

    /// A date signed prints as its `format` gives it, in the document's language unless the
    /// format names a locale; without one, as the ISO date.
    @Test func aDateSignedPrintsInItsFormat() throws {
        #expect(try SignedDateFormat(#"date:"long""#).text(isoDate: "2026-12-08", language: "en-US") == "December 8, 2026")
        #expect(try SignedDateFormat(#"date:"long""#).text(isoDate: "2026-12-08", language: "fr-FR") == "8 décembre 2026")
        #expect(try SignedDateFormat(#"date:"d MMMM yyyy":"de-DE""#).text(isoDate: "2026-12-08", language: "en-US") == "8 Dezember 2026")
        #expect(try SignedDateFormat(#"date:"short""#).text(isoDate: "not a date", language: "en-US") == nil)
        let template = try Samples.relativeCompiler.compile(source: Array(Self.wrap(#"<date-signed role="customer" format='date:"long"'/>"#).utf8),
                                                            path: TestEnvironment.root.appendingPathComponent("Templates/dated.xml").path)
        #expect(template.signerFields.first?.dateFormat == (try SignedDateFormat(#"date:"long""#)))
    }

    @Test(arguments: refusals) func theCheckerRefusesAtTheLineAndColumn(_ refusal: Refusal) {
        let found = diagnostics(of: Self.wrap(refusal.body))
        let prefix: String
        if let at = refusal.at, let range = refusal.body.range(of: at) {
            prefix = "Templates/broken.xml:8:\(5 + refusal.body.distance(from: refusal.body.startIndex, to: range.lowerBound)):"
        } else {
            prefix = "Templates/broken.xml:8:"
        }
        #expect(found.contains { $0.hasPrefix(prefix) && $0.contains(refusal.message) }, "\(found)")
    }

    @Test func theDocumentedExampleRecordsEachFieldWhereItIsLaidOut() throws {
        let reference = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/templates.md"), encoding: .utf8)
        let example = try #require(reference.components(separatedBy: "```xml\n").first { $0.contains("id=\"order-form\"") }?
            .components(separatedBy: "\n```").first)
        let template = try Samples.compiler.compile(source: Array(example.utf8), path: Samples.templates.appendingPathComponent("order-form.xml").path)
        #expect(template.signerFields.map(\.name) == ["term", "purchase_order", "newsletter", "customer_initials", "customer_date_signed"])
        #expect(template.signerFields.map(\.kind) == [.dropdown, .text, .checkbox, .initials, .dateSigned])
        let term = try #require(template.signerFields.first)
        #expect(term.options == ["12 months", "24 months", "36 months"] && term.required && term.role == "customer")
        let order = try #require(template.signerFields.first { $0.name == "purchase_order" })
        #expect(order.maxLength == 20 && order.pattern == "PO-[0-9]+")
        #expect(template.signerFields.first { $0.name == "newsletter" }?.required == false)

        let (values, problems) = template.coerce(row: ["company_name": "Zoë Labs"])
        #expect(problems.isEmpty)
        let typeset = try Typesetter().typeset(try template.bind(values, date: "2026-12-03"))
        #expect(typeset.signatures.map(\.role) == ["customer"], "only the signature becomes a form field")
        #expect(typeset.fields.map(\.name) == template.signerFields.map(\.name))
        let sizes = typeset.fields.map { (($0.x1 - $0.x0) * 100).rounded() / 100 }
        #expect(sizes == [144, 144, 14, 54, 115])
        for field in typeset.fields {
            #expect(field.page == 1 && field.y1 > field.y0 && field.x0 >= 72 && field.y1 <= 792 - 72 + 0.01, "\(field)")
        }
        // Laid out in document order, top to bottom, and date-signed at the right margin.
        let tops = typeset.fields.map(\.y1)
        #expect(tops == tops.sorted(by: >))
        let dateSigned = try #require(typeset.fields.last)
        #expect(abs(dateSigned.x1 - (612 - 72)) < 0.5, "\(dateSigned)")
    }

    /// Patterns a signer's value is matched against: a group repeated without bound that holds
    /// a repetition of varying length is refused where it is defined; bounded or fixed ones are
    /// fine; and whatever remains, ICU gives up on within a bounded effort.
    @Test(arguments: [
        ("(a+)+$", "(a+)+"), (#"(\w+\s?)*$"#, #"(\w+\s?)*"#), ("((a+)b)+", "((a+)b)+"), ("(x|y*){2,}", "(x|y*){2,}"),
        ("PO-[0-9]+", nil), ("([A-Z]{2}-)?[0-9]+", nil), (#"(\d{3}-){2}\d{4}"#, nil), ("(ab)+c", nil), ("[(a+)]+", nil),
        (#"\(a+\)+"#, nil), ("(a{1,3})?", nil),
    ] as [(String, String?)])
    func repeatedRepetitions(_ pattern: String, _ found: String?) {
        #expect(FieldPattern.repeatedRepetition(in: pattern) == found, "\(pattern)")
    }

    @Test func aPatternThatWouldBacktrackForeverGivesUpInBoundedTime() throws {
        let pattern = try FieldPattern("(a|aa)*b")
        let start = ContinuousClock.now
        #expect(!pattern.matches(String(repeating: "a", count: 60)))
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(try FieldPattern("PO-[0-9]+").matches("PO-4471"))
    }
}
