import Foundation
import Templates
import Testing
import Typesetting

/// A template declaring one field of each type (with a few constraints).
private let typed: CompiledTemplate = {
    let source = """
    <template xmlns="urn:countersign:template:1" id="typed" version="1">
      <fields>
        <field name="name" type="text" min="2" max="10"/>
        <field name="email" type="email"/>
        <field name="day" type="date" min="2024-01-01"/>
        <field name="at" type="datetime"/>
        <field name="count" type="integer" max="99"/>
        <field name="price" type="decimal"/>
        <field name="fee" type="money" default="9.90"/>
        <field name="tier" type="enum" values="Gold|Silver Plus"/>
        <field name="active" type="boolean"/>
        <field name="items" type="list" min="1"/>
        <field name="meta" type="object"/>
      </fields>
      <body><p>{{name}}</p></body>
    </template>
    """
    return try! TemplateCompiler(clauseLibrary: Samples.clauses).compile(source: Array(source.utf8), path: "typed.xml")
}()

private func coerced(_ field: String, _ text: String) -> TemplateValue? {
    let (values, problems) = typed.coerce(row: [field: text])
    return problems.isEmpty ? values[field] : nil
}

@Suite struct DataTests {
    @Test(arguments: [
        ("count", "42", TemplateValue.integer(42)), ("count", "-7", .integer(-7)), ("count", "+3", .integer(3)),
        ("count", " 12 ", .integer(12)),
        ("price", "1250.00", .number(Decimal(string: "1250.00")!)), ("price", "0.5", .number(Decimal(string: "0.5")!)),
        ("fee", "19", .integer(19)),
        ("day", "2025-03-07", .date(CalendarDate(iso: "2025-03-07")!)), ("day", "2024-02-29", .date(CalendarDate(iso: "2024-02-29")!)),
        ("at", "2025-03-07T14:30:00+01:00", .datetime(CalendarDate(iso: "2025-03-07")!.date.addingTimeInterval(13.5 * 3600))),
        ("active", "YES", .bool(true)), ("active", "0", .bool(false)), ("active", "false", .bool(false)),
        ("email", "zoe.pena@example.es", .string("zoe.pena@example.es")),
        ("items", "[1, \"two\"]", .list([.integer(1), .string("two")])),
        ("meta", "{\"a\": {\"b\": null}}", .object(["a": .object(["b": .null])])),
        ("name", "  Zoë  ", .string("  Zoë  ")), ("tier", "Silver Plus", .string("Silver Plus")),
        ("count", "", .null), ("day", "   ", .null),
    ] as [(String, String, TemplateValue)])
    func coercesStrictly(field: String, text: String, expected: TemplateValue) {
        #expect(coerced(field, text) == expected)
    }

    @Test(arguments: [
        ("count", "1,250", "'1,250' is not an integer; expected digits with an optional sign, e.g. 42"),
        ("count", "4.0", "'4.0' is not an integer; expected digits with an optional sign, e.g. 42"),
        ("count", "1e3", "'1e3' is not an integer; expected digits with an optional sign, e.g. 42"),
        ("price", "1,250.00", "'1,250.00' is not a decimal number; expected digits with an optional '.' fraction, e.g. 1250.00"),
        ("price", "$12", "'$12' is not a decimal number; expected digits with an optional '.' fraction, e.g. 1250.00"),
        ("price", ".5", "'.5' is not a decimal number; expected digits with an optional '.' fraction, e.g. 1250.00"),
        ("price", "1234567890123456789012345678901234567.891", "'1234567890123456789012345678901234567.891' has 40 significant digits; at most 38 are kept exactly"),
        ("count", "-98765432109876543210987654321098765432109", "'-98765432109876543210987654321098765432109' has 41 significant digits; at most 38 are kept exactly"),
        ("day", "07/03/2025", "'07/03/2025' is not a date; expected YYYY-MM-DD"),
        ("day", "2025-13-01", "'2025-13-01' is not a date; expected YYYY-MM-DD"),
        ("day", "45723", "'45723' is not a date; expected YYYY-MM-DD"),
        ("at", "2025-03-07 25:00", "'2025-03-07 25:00' is not a date-time; expected ISO 8601 such as 2024-05-01T09:30:00Z"),
        ("active", "si", "'si' is not a boolean; expected true, false, yes, no, 1 or 0"),
        ("email", "zoe@localhost", "'zoe@localhost' is not an email address; expected name@example.com"),
        ("email", "a b@example.com", "'a b@example.com' is not an email address; expected name@example.com"),
        ("items", "a, b", "the value is not valid JSON; expected a JSON array"),
        ("items", "{}", "the value is JSON object, not a JSON array"),
    ])
    func rejectsLooseText(field: String, text: String, message: String) {
        let (values, problems) = typed.coerce(row: [field: text])
        #expect(problems.map(\.message) == [message])
        #expect(problems.first?.field == field && problems.first?.code == .wrongType)
        #expect(values[field] == .null)
    }

    @Test func validationChecksEveryConstraint() {
        let data: [String: TemplateValue] = [
            "name": .string("Z"), "email": .string("x@y.io"), "day": .string("2023-12-31"), "count": .integer(100),
            "price": .number(Decimal(string: "1.5")!), "tier": .string("Bronze"), "items": .list([]),
            "active": .integer(1), "meta": .list([.integer(1)]),
        ]
        #expect(typed.validate(data).map(\.description) == [
            "error: field 'name': length 1 is below the minimum (min=\"2\")",
            "error: field 'day': 2023-12-31 is below the minimum (min=\"2024-01-01\")",
            "error: field 'count': 100 is above the maximum (max=\"99\")",
            "error: field 'tier': 'Bronze' is not allowed; expected one of Gold, Silver Plus",
            "error: field 'active': a number value where a boolean is expected",
            "error: field 'items': 0 items is below the minimum (min=\"1\")",
            "error: field 'meta': a list value where an object is expected",
        ])
        #expect(typed.validate(["count": .number(Decimal(string: "2.5")!)]).map(\.message) == ["2.5 is not an integer"])
        #expect(typed.validate(["name": .string("Zoë"), "fee": .null]).isEmpty)
    }

    @Test func defaultsFillMissingValues() throws {
        let document = try typed.bind(["name": .string("Zoë")])
        #expect(document.plainText == "Zoë")
        #expect(typed.fields.first { $0.name == "fee" }?.defaultValue == .number(Decimal(string: "9.90")!))
        #expect(typed.fields.map(\.type) == [.text, .email, .date, .datetime, .integer, .decimal, .money, .enumeration,
                                             .boolean, .list, .object])
        #expect(typed.fields.first { $0.name == "tier" }?.allowedValues == ["Gold", "Silver Plus"])
    }

    @Test func jsonKeepsDecimalsExact() throws {
        let value = try TemplateValue.fromJSON(#"{"price": 0.1, "big": 12345678901234567890.12, "neg": -2.5e2, "s": "Pe\u00f1a \ud83d\ude00", "t": true, "n": null, "l": [1, [2]]}"#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object["price"] == .number(Decimal(string: "0.1")!))
        #expect(object["big"] == .number(Decimal(string: "12345678901234567890.12")!))
        #expect(object["neg"] == .number(Decimal(-250)))
        #expect(object["s"] == .string("Peña 😀"))
        #expect(object["t"] == .bool(true) && object["n"] == .null)
        #expect(object["l"] == .list([.integer(1), .list([.integer(2)])]))
        #expect(try TemplateValue.fromJSON(Data("\u{FEFF}[]".utf8)) == .list([]))
    }

    @Test(arguments: ["", "[1,]", "{\"a\" 1}", "01", "\"\\x\"", "[1] 2", "\"\u{01}\"", "tru", "\"\\ud800\"",
                      String(repeating: "[", count: 100) + String(repeating: "]", count: 100)])
    func jsonRejectsMalformedInput(text: String) {
        #expect(throws: TemplateError.self) { _ = try TemplateValue.fromJSON(text) }
    }

    @Test func jsonRefusesWhatItWouldOtherwiseChangeSilently() {
        func problem(_ text: String) -> String? {
            do { _ = try TemplateValue.fromJSON(text); return nil } catch { return error.diagnostics.first?.message }
        }
        // A repeated key: readers disagree on which value counts.
        #expect(problem("{\"id\": 1,\n \"name\": \"A\", \"name\": \"B\"}")
                == #"invalid JSON at line 2, column 15 (byte 24): the key "name" is given twice in one object; give it once"#)
        #expect(problem(#"{"a": {"b": 1}, "c": [{"n": 1, "\u006e": 2}]}"#)?.contains(#"the key "n" is given twice"#) == true)
        // Forty digits would be rounded to 38; zeros around the digits cost nothing.
        #expect(problem(#"{"n": 1234567890123456789012345678901234567891}"#)?
                    .hasSuffix("the number has 40 significant digits, more than the 38 a number keeps exactly (a text field takes it as a string)") == true)
        #expect(problem(#"{"n": 0.000000000000000000000000000000000000000000012345, "m": 10000000000000000000000000000000000000000000000000}"#) == nil)
        #expect(problem(#"{"n": 12345678901234567890123456789012345678}"#) == nil)
        // Columns count characters: "é" is two bytes, one column.
        #expect(problem("{\"é\": 1 2}") == "invalid JSON at line 1, column 9 (byte 9): expected ',' or '}'")
    }

    @Test func bindRejectsABadDocumentDate() {
        #expect {
            _ = try typed.bind([:], date: "07/03/2025")
        } throws: { error in
            (error as? TemplateError)?.diagnostics.map(\.message) == [
                "document date '07/03/2025' is not ISO 8601; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"]
        }
    }

    @Test func oneCompiledTemplateBindsConcurrently() async throws {
        let template = try Samples.compile("service-agreement")
        let rows = Array(Samples.leads.prefix(64)).map { template.coerce(row: $0).0 }
        let serial = try rows.map { try template.bind($0, date: "2025-06-01") }
        let parallel = try await withThrowingTaskGroup(of: (Int, DocumentSpecBox).self) { group in
            for (index, row) in rows.enumerated() {
                group.addTask { (index, DocumentSpecBox(try template.bind(row, date: "2025-06-01"))) }
            }
            var results = [DocumentSpecBox?](repeating: nil, count: rows.count)
            for try await (index, box) in group { results[index] = box }
            return results.map { $0!.spec }
        }
        #expect(parallel == serial)
    }
}

/// Carries a `DocumentSpec` out of a task group.
struct DocumentSpecBox: Sendable {
    let spec: DocumentSpec
    init(_ spec: DocumentSpec) { self.spec = spec }
}
