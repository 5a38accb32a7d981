import Foundation
import TestSupport
import Testing

/// docs/verification.md states what the tests assert.
@Suite struct DocumentationTests {
    /// The rows of the first Markdown table after `heading`.
    private func table(after heading: String, in text: String) throws -> [[String]] {
        let section = try #require(text.range(of: heading))
        var rows: [[String]] = []
        var started = false
        for line in text[section.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else {
                if started { break }
                continue
            }
            started = true
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.allSatisfy({ $0.allSatisfy { $0 == "-" } }) { continue }
            rows.append(cells)
        }
        return Array(rows.dropFirst())  // the header
    }

    @Test func crossCheckTableIsTheOneTheTestAsserts() throws {
        let text = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/verification.md"), encoding: .utf8)
        let documented = try table(after: "## Cross-check with pyHanko and poppler", in: text)
        let asserted = CrossCheckTests.cases.map { [$0.name, $0.ours, $0.pyhanko, $0.poppler] }
        #expect(documented == asserted)
    }
}
