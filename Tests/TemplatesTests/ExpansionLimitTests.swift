import Foundation
import Templates
import Testing

/// What one row of data may make a document do is bounded: nested loops multiply (two loops
/// over a 2 000-item list took a server past 3.7 GB and down), a megabyte-long word is set in
/// quadratic time. Each bound is an error naming what crossed it, at bind time.
@Suite struct ExpansionLimitTests {
    static let template: CompiledTemplate = {
        let source = """
        <template xmlns="urn:countersign:template:1" id="nested" version="1">
          <fields><field name="rows" type="list"/><field name="note" type="text"/></fields>
          <body><p>{{note}}</p>
            <for each="a" in="rows"><for each="b" in="rows"><p>{{a}}·{{b}}</p></for></for>
          </body>
        </template>
        """
        return try! TemplateCompiler(clauseLibrary: Samples.clauses).compile(source: Array(source.utf8), path: "nested.xml")
    }()

    func problems(_ data: [String: TemplateValue]) -> [String] {
        do {
            _ = try Self.template.bind(data, date: "2026-12-08")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func nestedLoopsStopAtTheBudget() {
        let rows = TemplateValue.list((1...100).map { .integer($0) })
        #expect(problems(["rows": rows, "note": .string("ok")]).isEmpty, "100 × 100 = 10 000 iterations are made")
        let more = TemplateValue.list((1...200).map { .integer($0) })
        let found = problems(["rows": more, "note": .string("ok")])
        #expect(found.count == 1 && found[0].contains("the document's loops repeat more than 20000 times in all (here over 'rows')"),
                "\(found)")
        #expect(found.first?.contains("nested.xml:4:") == true, "names the loop's line: \(found)")
    }

    @Test func longTextsAndLongListsAreRefused() {
        let long = problems(["rows": .list([]), "note": .string(String(repeating: "x", count: 100_001))])
        #expect(long.contains { $0.contains("note") && $0.contains("is 100001 characters long; a text value may have at most 100000") }, "\(long)")
        let many = problems(["rows": .list((0...10_000).map { .integer($0) }), "note": .string("ok")])
        #expect(many.contains { $0.contains("rows") && $0.contains("has 10001 items; a list may have at most 10000") }, "\(many)")
    }
}
