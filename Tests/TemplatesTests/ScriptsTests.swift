import Foundation
import Templates
import TestSupport
import Testing
import Typesetting

/// Names in every script the shipped fonts cover: they print (ink where each name is), they come
/// back from the text layer in logical order, right-to-left lines honour `align="right"`, and the
/// output stays byte-identical from run to run.
@Suite(.serialized) struct ScriptsTests {
    /// One name per script, as a CRM export would hold them.
    static let names: [(field: String, name: String)] = [
        ("latin", "Zoë Ångström-Núñez"),
        ("greek", "Αλέξανδρος Παπαδόπουλος"),
        ("cyrillic", "Дмитрий Иванов"),
        ("arabic", "عبد الله الأحمد"),
        ("hebrew", "שרה כהן"),
        ("devanagari", "प्रिया शर्मा"),
        ("thai", "สมชาย ใจดี"),
        ("chinese_simplified", "张伟 北京科技有限公司"),
        ("chinese_traditional", "陳大文 臺灣電腦股份有限公司"),
        ("japanese", "株式会社さくらテクノロジー 山田太郎"),
        ("korean", "김민준 삼성전자"),
        ("emoji", "Team 🚀🎉😀"),
    ]
    static let rightToLeft: Set<String> = ["arabic", "hebrew"]

    static let source = """
    <template xmlns="urn:countersign:template:1" id="scripts" version="1" page="a4" margin="20mm">
      <fields>
    \(names.map { "    <field name=\"\($0.field)\" type=\"text\" required=\"true\"/>" }.joined(separator: "\n"))
      </fields>
      <styles><style name="rtl" align="right"/></styles>
      <body>
    \(names.map { "    <p\(rightToLeft.contains($0.field) ? " style=\"rtl\"" : "")>{{\($0.field)}}</p>" }.joined(separator: "\n"))
        <table columns="1fr 1fr"><row><cell>Name</cell><cell align="right">{{arabic}}</cell></row></table>
        <signature role="customer" align="right" label="{{hebrew}}"/>
      </body>
    </template>
    """

    static func render(_ typesetter: Typesetter) throws -> [UInt8] {
        let template = try TemplateCompiler(clauseLibrary: TestEnvironment.root.appendingPathComponent("Templates/clauses"))
            .compile(source: Array(source.utf8), path: "scripts.xml")
        let data = Dictionary(uniqueKeysWithValues: names.map { ($0.field, TemplateValue.string($0.name)) })
        #expect(template.missingGlyphs(in: data, coverage: typesetter.coverage).diagnostics.isEmpty)
        return try typesetter.typeset(try template.bind(data, date: "2026-01-15")).pdf
    }

    @Test func everyScriptPrintsAndCopiesBack() throws {
        try #require(toolAvailable("pdftotext") && toolAvailable("pdftoppm"), "poppler-utils is a system package")
        let directory = try TestEnvironment.scratchDirectory()
        let pdf = directory.appendingPathComponent("scripts.pdf")
        try Data(try Self.render(try Typesetter())).write(to: pdf)

        // The text layer in logical order: what copying and searching see.
        let text = TextLines.normalized(try runCommand("pdftotext", [pdf.path, "-"]).stdout)
        let textLines = Set(text.split(separator: "\n").map(String.init))
        for (field, name) in Self.names {
            #expect(textLines.contains(TextLines.normalized(name)), "pdftotext lost the \(field) name '\(name)':\n\(text)")
        }

        // Where each name is drawn (pdftotext's boxes list right-to-left lines in visual order).
        let lines = try TextLines(pdf: pdf)
        let page = try Grayscale(pdf: pdf, in: directory)
        for (field, name) in Self.names {
            let found = lines.all.filter { $0.text == TextLines.normalized(name) || $0.text == TextLines.visual(name) }
            #expect(!found.isEmpty, "no box for the \(field) name '\(name)'; lines: \(lines.all.map(\.text))")
            for line in found {
                // Ink inside the name's box: glyphs drawn, not just text placed.
                let ink = page.darkPixels(line.box)
                #expect(ink > Int(line.box.width * line.box.height * 0.04), "\(field): \(ink) dark pixels in \(line.box)")
            }
        }
        // A blank cannot pass: the bottom of the page has no ink, the names' rows do.
        #expect(page.darkPixels(Box(x0: 60, y0: 700, x1: 530, y1: 800)) == 0)

        // align="right": the right-to-left paragraphs and the right-aligned cell end at the right
        // margin (595 − 56.7 pt), not at the left.
        for field in Self.rightToLeft {
            let name = Self.names.first { $0.field == field }!.name
            let found = lines.all.filter { $0.text == TextLines.visual(name) }
            #expect(found.count == 2, "\(field): the paragraph and the table cell or the signature label")
            for line in found {
                #expect(abs(line.box.x1 - 538.6) < 6, "\(field) line at \(line.box)")
            }
        }
        // (The Hebrew pair is the paragraph and the label under the right-aligned signature line.)
    }

    /// An Arabic value keeps its own order without reordering the template's text around it:
    /// the footer's page numbers read "1 / 3" after an Arabic lead id, and numbers written after
    /// an Arabic name keep theirs (poppler's word boxes give the drawn order).
    @Test func rightToLeftValuesDoNotReorderTheTemplatesText() throws {
        try #require(toolAvailable("pdftotext"), "poppler-utils is a system package")
        let source = """
            <template xmlns="urn:countersign:template:1" id="bidi" version="1" page="a4" margin="20mm">
              <fields><field name="lead_id" type="text" required="true"/><field name="party" type="text" required="true"/></fields>
              <footer><p align="center">{{lead_id}} · {{page}} / {{pages}}</p></footer>
              <body><p>Reference: {{party}} 2025 / 0042.</p><page-break/><p>Two.</p><page-break/><p>Three.</p></body>
            </template>
            """
        let template = try TemplateCompiler(clauseLibrary: TestEnvironment.root.appendingPathComponent("Templates/clauses"))
            .compile(source: Array(source.utf8), path: "bidi.xml")
        let spec = try template.bind(["lead_id": .string("عقد-7"), "party": .string("شركة الأمل")], date: "2026-01-15")
        let pdf = try TestEnvironment.scratchDirectory().appendingPathComponent("bidi.pdf")
        try Data(try Typesetter().typeset(spec).pdf).write(to: pdf)
        let boxes = try runCommand("pdftotext", ["-f", "1", "-l", "1", "-bbox", pdf.path, "-"]).stdout
        // word → its left edge, per line (rounded top).
        var lines: [Int: [(word: String, x: Double)]] = [:]
        let pattern = try NSRegularExpression(pattern: #"<word xMin="([0-9.]+)" yMin="([0-9.]+)"[^>]*>([^<]*)</word>"#)
        for match in pattern.matches(in: boxes, range: NSRange(boxes.startIndex..., in: boxes)) {
            func group(_ index: Int) -> String { String(boxes[Range(match.range(at: index), in: boxes)!]) }
            lines[Int(Double(group(2))!), default: []].append((group(3), Double(group(1))!))
        }
        func order(_ words: [String]) -> Bool {
            guard let line = lines.values.first(where: { line in words.allSatisfy { word in line.contains { $0.word == word } } }) else { return false }
            let xs = words.map { word in line.first { $0.word == word }!.x }
            return xs == xs.sorted()
        }
        #expect(order(["·", "1", "/", "3"]), "the footer reads '· 1 / 3': \(lines)")
        #expect(order(["Reference:", "2025", "/", "0042."]), "the reference keeps its order: \(lines)")
    }

    @Test func outputIsByteIdentical() throws {
        let first = try Self.render(try Typesetter())
        let second = try Self.render(try Typesetter())
        #expect(first == second)
        let typesetter = try Typesetter()
        #expect(try Self.render(typesetter) == first)
        #expect(try Self.render(typesetter) == first, "a warm cache writes the same bytes")
    }

    @Test func uncoveredCharactersAreNamedWithTheirField() throws {
        let typesetter = try Typesetter()
        let template = try TemplateCompiler(clauseLibrary: TestEnvironment.root.appendingPathComponent("Templates/clauses"))
            .compile(source: Array(Self.source.utf8), path: "scripts.xml")
        var data = Dictionary(uniqueKeysWithValues: Self.names.map { ($0.field, TemplateValue.string($0.name)) })
        // U+20000 (CJK extension B) and U+E000 (private use): no shipped font has them.
        data["chinese_traditional"] = .string("\u{20000}大文")
        data["latin"] = .string("Ann \u{E000}")
        let problems = template.missingGlyphs(in: data, coverage: typesetter.coverage).diagnostics
        #expect(problems.map(\.field) == ["latin", "chinese_traditional"], "in field order")
        #expect(problems.allSatisfy { $0.code == .missingGlyphs })
        #expect(problems.first?.message.contains("U+E000") == true)
        #expect(problems.last?.message.contains("U+20000") == true)
        // Controls, joiners and variation selectors need no glyph.
        #expect(typesetter.coverage.missing(in: "a\u{200D}b\u{FE0F}\n\u{200F}").isEmpty)

        // The typesetter refuses text it cannot draw, unless told to allow it.
        let spec = try template.bind(data, date: "2026-01-15")
        #expect(throws: TypesettingError(.missingGlyphs, "")) { try typesetter.typeset(spec) }
        let allowed = try typesetter.typeset(spec, allowMissingGlyphs: true)
        #expect(allowed.missingCharacters == ["\u{E000}", "\u{20000}"])
    }

    @Test func unknownFontIsAnErrorWithSuggestion() throws {
        let source = """
        <template xmlns="urn:countersign:template:1" id="f" version="1">
          <styles><style name="body" font="Liberaton Serif"/><style name="x" font="Comic Sans"/></styles>
          <body><p>Hello</p></body>
        </template>
        """
        let error = #expect(throws: TemplateError.self) {
            try TemplateCompiler(clauseLibrary: TestEnvironment.root.appendingPathComponent("Templates/clauses"))
                .compile(source: Array(source.utf8), path: "f.xml")
        }
        let messages = error?.diagnostics.filter { $0.code == .unknownFont }.map(\.message) ?? []
        #expect(messages.count == 2)
        #expect(messages.first?.contains("did you mean 'Liberation Serif'?") == true)
        #expect(messages.last?.contains("Droid Sans Fallback") == true, "no close name: the families are listed")
    }
}

/// A rectangle in PDF points from the top-left corner (pdftotext's and the page image's frame).
struct Box: CustomStringConvertible {
    var x0: Double, y0: Double, x1: Double, y1: Double
    var width: Double { x1 - x0 }
    var height: Double { y1 - y0 }
    var description: String { String(format: "(%.1f, %.1f)–(%.1f, %.1f)", x0, y0, x1, y1) }
}

/// The text lines of page 1 as `pdftotext -bbox-layout` finds them.
struct TextLines {
    struct Line { var text: String; var box: Box }
    let all: [Line]

    init(pdf: URL) throws {
        let xhtml = try runCommand("pdftotext", ["-bbox-layout", "-f", "1", "-l", "1", pdf.path, "-"]).stdout
        var lines: [Line] = []
        let number = /"(-?[0-9.]+)"/
        for match in xhtml.matches(of: /<line xMin=("[^"]+") yMin=("[^"]+") xMax=("[^"]+") yMax=("[^"]+")>(.*?)<\/line>/.dotMatchesNewlines()) {
            func value(_ text: Substring) -> Double { Double(text.firstMatch(of: number)?.1 ?? "0") ?? 0 }
            let words = match.5.matches(of: /<word[^>]*>([^<]*)<\/word>/).map { TextLines.unescape(String($0.1)) }
            lines.append(Line(text: TextLines.normalized(words.joined(separator: " ")),
                              box: Box(x0: value(match.1), y0: value(match.2), x1: value(match.3), y1: value(match.4))))
        }
        all = lines
    }

    /// Without the embedding marks poppler adds around right-to-left text, in NFC.
    static func normalized(_ text: String) -> String {
        String(text.unicodeScalars.filter { !(0x202A...0x202E).contains($0.value) && !(0x2066...0x2069).contains($0.value) })
            .precomposedStringWithCanonicalMapping
    }

    /// A right-to-left line as a box lists it: its characters in drawing order, left to right.
    static func visual(_ text: String) -> String {
        String(String.UnicodeScalarView(normalized(text).unicodeScalars.reversed()))
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// Page 1 rendered by pdftoppm at 72 dpi in grey (one pixel per point).
struct Grayscale {
    let width: Int, height: Int
    let pixels: [UInt8]

    init(pdf: URL, in directory: URL) throws {
        let prefix = directory.appendingPathComponent("page").path
        let result = try runCommand("pdftoppm", ["-gray", "-r", "72", "-f", "1", "-l", "1", pdf.path, prefix])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".pgm") }
        let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(try #require(files.first))))
        // P5 <width> <height> 255\n<pixels>
        var fields: [String] = []
        var index = 0
        while fields.count < 4 {
            var token = ""
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A { index += 1 }
            while index < bytes.count, bytes[index] != 0x20, bytes[index] != 0x0A { token.append(Character(UnicodeScalar(bytes[index]))); index += 1 }
            fields.append(token)
        }
        index += 1
        width = Int(fields[1]) ?? 0
        height = Int(fields[2]) ?? 0
        pixels = Array(bytes[index...])
        #expect(fields[0] == "P5" && pixels.count == width * height)
    }

    /// Pixels darker than mid-grey inside `box`.
    func darkPixels(_ box: Box) -> Int {
        var count = 0
        for y in max(0, Int(box.y0))..<min(height, Int(box.y1.rounded(.up))) {
            for x in max(0, Int(box.x0))..<min(width, Int(box.x1.rounded(.up))) where pixels[y * width + x] < 128 {
                count += 1
            }
        }
        return count
    }
}
