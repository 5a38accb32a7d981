import Foundation
import Templates
import TestSupport
import Testing

/// docs/templates.md is the language reference; these tests keep it honest.
private let reference: String = {
    (try? String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/templates.md"), encoding: .utf8)) ?? ""
}()

/// The fenced blocks with the given info string, in order.
private func fencedBlocks(_ language: String) -> [String] {
    var blocks: [String] = []
    var current: [Substring]?
    for line in reference.split(separator: "\n", omittingEmptySubsequences: false) {
        if current == nil, line == "```\(language)" {
            current = []
        } else if current != nil, line == "```" {
            blocks.append(current!.joined(separator: "\n"))
            current = nil
        } else {
            current?.append(line)
        }
    }
    return blocks
}

@Suite struct DocsTests {
    @Test func everyXMLExampleCompiles() throws {
        let examples = fencedBlocks("xml")
        #expect(examples.count >= 3)
        for (index, example) in examples.enumerated() {
            if example.hasPrefix("<clause") {
                // A clause file: put it in a scratch library and pin it.
                let library = try TestEnvironment.scratchDirectory()
                let id = try #require(example.firstMatch(of: /id="([^"]+)"/)?.1)
                let version = try #require(example.firstMatch(of: /version="([^"]+)"/)?.1)
                try Data(example.utf8).write(to: library.appendingPathComponent("\(id).xml"))
                let template = """
                <template xmlns="urn:countersign:template:1" id="pin" version="1">
                  <body><clause ref="\(id)" version="\(version)"/></body>
                </template>
                """
                let compiled = try TemplateCompiler(clauseLibrary: library)
                    .compile(source: Array(template.utf8), path: library.appendingPathComponent("pin.xml").path)
                #expect(compiled.clauses.map(\.id) == [String(id)])
            } else {
                let path = Samples.templates.appendingPathComponent("docs-example-\(index + 1).xml").path
                #expect(throws: Never.self, "example \(index + 1)") {
                    _ = try Samples.compiler.compile(source: Array(example.utf8), path: path)
                }
            }
        }
    }

    @Test func firstExampleReadsAsDocumented() throws {
        let source = try #require(fencedBlocks("xml").first)
        let template = try Samples.compiler.compile(source: Array(source.utf8),
                                                    path: Samples.templates.appendingPathComponent("welcome-letter.xml").path)
        let (row, problems) = template.coerce(row: ["company_name": "Zoë Labs", "contact_first_name": "Zoë",
                                                    "plan": "Business", "seats": "1250", "effective_date": "2025-03-07"])
        #expect(problems.isEmpty)
        let text = try template.bind(row, date: "2025-03-01").plainText
        #expect(text.contains("subscription for 1,250 seats starts on 7 March 2025."))
        #expect(text.contains("Our help centre is open around the clock."))
        #expect(reference.contains("\"…subscription for 1,250 seats starts on 7 March 2025.\""))
    }

    @Test func formatterTableMatchesFoundation() throws {
        let locales = ["en-US", "en-GB", "fr-FR", "de-DE", "es-ES"]
        var checked = 0
        for line in reference.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 6, let call = cells[0].firstMatch(of: /`([^`]+)`/)?.1 else { continue }
            let name = call.prefix { $0 != ":" }
            var value: TemplateValue
            switch name {
            case "date": value = march7
            case "datetime": value = march7At1430
            case "number" where !cells[0].contains("("): value = .number(Decimal(string: "1234567.891")!)
            default: value = amount
            }
            if let argument = cells[0].firstMatch(of: /\(([0-9.]+)\)/)?.1 { value = .number(Decimal(string: String(argument))!) }
            for (locale, expected) in zip(locales, cells.dropFirst()) {
                let text = expected.replacingOccurrences(of: "⍽", with: nnbsp).replacingOccurrences(of: "·", with: nbsp)
                #expect(try format(String(call), value, locale: locale) == text, "\(call) in \(locale)")
                checked += 1
            }
        }
        #expect(checked == 55)
    }

    @Test func errorExamplesAreRealOutput() throws {
        let examples = fencedBlocks("text")
        #expect(examples.count == 2)
        let compileLines = examples[0].split(separator: "\n").map(String.init)
        let known = Set(brokenCases.flatMap(\.expected))
        for line in compileLines { #expect(known.contains(line), "\(line)") }
        let template = try Samples.compile("service-agreement")
        let problems = template.validate(["seats": .integer(0), "plan": .string("Gold")]).map(\.description)
        for line in examples[1].split(separator: "\n") { #expect(problems.contains(String(line)), "\(line)") }
    }
}
