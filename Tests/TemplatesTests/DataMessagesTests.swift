import Foundation
import Templates
import Testing
import TestSupport
import Typesetting

/// What a data row can get wrong and how it is told: unknown keys with a suggestion, amounts
/// that read two ways in the document's language, and `today` without a document date.
@Suite struct DataMessagesTests {
    static func template(language: String) throws -> CompiledTemplate {
        let source = """
        <template xmlns="urn:countersign:template:1" id="msg" version="1" lang="\(language)">
          <fields>
            <field name="name" type="text"/>
            <field name="fee" type="money"/>
          </fields>
          <body><p>{{name}} owes {{fee | currency:"EUR"}} as of {{today | date:"iso"}}.</p></body>
        </template>
        """
        return try TemplateCompiler(clauseLibrary: Samples.clauses).compile(source: Array(source.utf8), path: "msg.xml")
    }

    @Test func aKeyThatIsNoFieldIsAnErrorWithTheClosestField() throws {
        let template = try Self.template(language: "en-US")
        let error = #expect(throws: TemplateError.self) {
            try template.bind(["nmae": .string("Zoë"), "fee": .string("12.50"), "colour": .string("red")], date: "2026-01-01")
        }
        let unknown = error?.diagnostics.filter { $0.code == .unknownField } ?? []
        #expect(unknown.map(\.field) == ["colour", "nmae"])
        #expect(unknown.last?.message == "'nmae' is not a field of template msg; did you mean 'name'?")
        #expect(unknown.first?.message == "'colour' is not a field of template msg; its fields are name, fee")
    }

    @Test(arguments: [("de-DE", "1.234", true), ("es-ES", "12.500.000", true), ("it-IT", "-1.234", true),
                      ("en-US", "1.234", false), ("de-DE", "1.23", false), ("de-DE", "1234.00", false),
                      ("fr-FR", "1.234", false)])
    func anAmountThatReadsTwoWaysIsAnError(language: String, text: String, ambiguous: Bool) throws {
        let template = try Self.template(language: language)
        let (_, problems) = template.coerce(row: ["name": "Zoë", "fee": text])
        #expect(problems.isEmpty == !ambiguous, "\(language) \(text): \(problems)")
        if ambiguous {
            #expect(problems.first?.field == "fee")
            #expect(problems.first?.message.contains("is ambiguous as an amount in \(language)") == true)
            // The same from JSON text (render --data) through bind.
            #expect(throws: TemplateError.self) { try template.bind(["fee": .string(text)], date: "2026-01-01") }
        }
    }

    @Test func todayWithoutADateIsTheCurrentDate() throws {
        let template = try Self.template(language: "en-US")
        let zone = TimeZone(identifier: "Pacific/Auckland")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let before = calendar.dateComponents([.year, .month, .day], from: Date())
        let text = try template.bind(["name": .string("Zoë"), "fee": .string("12.50")], timeZone: zone).plainText
        let after = calendar.dateComponents([.year, .month, .day], from: Date())
        let expected = [before, after].map { String(format: "%04d-%02d-%02d", $0.year!, $0.month!, $0.day!) }
        #expect(expected.contains { text.contains("as of \($0).") }, "\(text)")
        // With a date, that date; the metadata carries a date only when one is given.
        let dated = try template.bind(["name": .string("Zoë"), "fee": .string("12.50")], date: "2025-03-07")
        #expect(dated.plainText.contains("as of 2025-03-07."))
        #expect(try template.bind(["name": .string("Zoë")], timeZone: zone).info.date == nil)
    }
}

/// `numbering="headings"` numbers the body's headings, clause headings included, in the text and
/// so in the outline; without it headings stay as written.
@Suite struct HeadingNumberingTests {
    @Test func headingsAndClauseHeadingsAreNumbered() throws {
        let reference = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/templates.md"), encoding: .utf8)
        let example = try #require(reference.firstMatch(of: /```xml\n(<template[^`]*numbering="headings"[^`]*)```/)?.1)
        let template = try TemplateCompiler(clauseLibrary: Samples.clauses).compile(source: Array(example.utf8), path: "n.xml")
        let headings = try template.bind([:], date: "2026-01-01").body.compactMap { block -> String? in
            guard case .heading(_, let paragraph) = block else { return nil }
            return paragraph.runs.compactMap { run -> String? in
                if case .text(let text, _) = run { return text } else { return nil }
            }.joined()
        }
        #expect(headings == ["1. Definitions", "1.1 Services", "1.2 Fees", "2. Term", "2.1 Confidentiality"])

        let plain = try TemplateCompiler(clauseLibrary: Samples.clauses)
            .compile(source: Array(example.replacingOccurrences(of: " numbering=\"headings\"", with: "").utf8), path: "n.xml")
        #expect(try plain.bind([:], date: "2026-01-01").plainText.contains("\nServices\n"))
    }
}
