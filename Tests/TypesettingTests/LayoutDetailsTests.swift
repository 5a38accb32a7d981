import Foundation
import PDFSyntax
import TestSupport
import Testing
@testable import Typesetting

/// Details a reader notices: space after lists, the bookmarks pane only when there is more than
/// one bookmark, and font collections (`.ttc`) loading like single fonts.
@Suite struct LayoutDetailsTests {
    private static let page = PageSetup(width: 595, height: 842, margins: 50)

    private static func paragraph(_ text: String, spaceAfter: Double = 6) -> Block {
        var style = ParagraphStyle()
        style.spaceAfter = spaceAfter
        return .paragraph(Paragraph(runs: [.plain(text)], style: style))
    }

    /// The baselines (top-left origin) of page 1's lines, by text.
    private static func lineTops(_ document: TypesetDocument) throws -> [String: Double] {
        let url = try TestEnvironment.scratchDirectory().appendingPathComponent("doc.pdf")
        try Data(document.pdf).write(to: url)
        let xhtml = try runCommand("pdftotext", ["-bbox-layout", url.path, "-"]).stdout
        var tops: [String: Double] = [:]
        for match in xhtml.matches(of: /<line xMin="[^"]+" yMin="([0-9.]+)"[^>]*>(.*?)<\/line>/.dotMatchesNewlines()) {
            let words = match.2.matches(of: /<word[^>]*>([^<]*)<\/word>/).map { String($0.1) }
            tops[words.joined(separator: " ")] = Double(match.1)
        }
        return tops
    }

    /// The document's language picks hyphenation and /Lang, not the line spacing: an English
    /// paragraph in an Arabic or Japanese document was spaced by the metrics of an Arabic or CJK
    /// font it is not set in (at `ar-AE`, about half the leading: lines printed over each other).
    @Test func theDocumentsLanguageDoesNotChangeALatinParagraphsLineSpacing() throws {
        let words = (1...60).map { "clause\($0)" }.joined(separator: " ")
        func steps(_ language: String) throws -> [Double] {
            var spec = DocumentSpec(page: Self.page, body: [Self.paragraph(words)])
            spec.info.language = language
            let tops = try Self.lineTops(try Typesetter().typeset(spec)).values.sorted()
            return zip(tops.dropFirst(), tops).map { $0 - $1 }
        }
        let english = try steps("en-US")
        #expect(english.count >= 3 && english.allSatisfy { abs($0 - english[0]) < 0.1 }, "\(english)")
        for language in ["ar-AE", "ja-JP", "he-IL", "zh-CN"] {
            let other = try steps(language)
            #expect(other.count == english.count && zip(other, english).allSatisfy { abs($0 - $1) < 0.1 }, "\(language): \(other) vs \(english)")
        }
    }

    /// A number wider than its place is refused rather than split between digits ("$1,234,567,890,"
    /// over "123.45" reads as two amounts); a long word that is not a number still wraps.
    @Test func aNumberTooWideForItsPlaceIsALayoutErrorNotTwoNumbers() throws {
        let narrow = PageSetup(width: 150, height: 400, margins: 50)
        for number in ["$1,234,567,890,123.45", "987,654,321,000,000", "1.234.567.890,12\u{00A0}€"] {
            do {
                _ = try Typesetter().typeset(DocumentSpec(page: narrow, body: [Self.paragraph(number)]))
                Issue.record("\(number) was split across lines")
            } catch let error as TypesettingError {
                #expect(error.code == .layout && error.reason.contains("the number '\(number.prefix(12))") && error.reason.contains("is wider than the 50 pt it has"), "\(error.reason)")
            }
        }
        let url = "https://example.com/orders/2026/1234567890/confirmation"
        let tops = try Self.lineTops(try Typesetter().typeset(DocumentSpec(page: narrow, body: [Self.paragraph(url)])))
        #expect(tops.count > 1, "the URL wraps: \(tops)")
        _ = try Typesetter().typeset(DocumentSpec(page: narrow, body: [Self.paragraph("Total due: $1,234.50 on receipt")]))
    }

    @Test func aListIsFollowedByItsOwnSpace() throws {
        let items: [[Block]] = [[Self.paragraph("First item", spaceAfter: 1)], [Self.paragraph("Second item", spaceAfter: 1)]]
        let spec = DocumentSpec(page: Self.page, body: [.list(ListBlock(marker: .bullet, items: items)),
                                                          Self.paragraph("After the list"),
                                                          Self.paragraph("Next paragraph")])
        let tops = try Self.lineTops(try Typesetter().typeset(spec))
        let itemStep = try #require(tops["Second item"]) - #require(tops["First item"])
        let afterList = try #require(tops["After the list"]) - #require(tops["Second item"])
        let afterParagraph = try #require(tops["Next paragraph"]) - #require(tops["After the list"])
        // The items sit 1pt apart plus a line; after the list comes the list's 6pt, like a paragraph's.
        #expect(afterList > itemStep + 4, "list end \(afterList) vs item step \(itemStep)")
        #expect(abs(afterList - afterParagraph) < 0.5)
    }

    @Test func headersAndFootersStayOutOfTheBody() throws {
        let words = (1...400).map { "word\($0)" }.joined(separator: " ")
        let body = [Self.paragraph("Body text")]
        // Two lines fit in a 50 pt margin: drawn above the body's first line.
        let fits = try Typesetter().typeset(DocumentSpec(page: Self.page, header: [Self.paragraph("Header one"), Self.paragraph("Header two")],
                                                         footer: [Self.paragraph("Footer")], body: body))
        let tops = try Self.lineTops(fits)
        #expect(try #require(tops["Header two"]) < #require(tops["Body text"]) - 10)
        // A long value wraps to many lines: an error naming the part, the page and the room, not
        // a page with the header printed over the body.
        for (header, footer, part) in [([Self.paragraph(words)], [Block](), "header"), ([], [Self.paragraph(words)], "footer")] {
            do {
                _ = try Typesetter().typeset(DocumentSpec(page: Self.page, header: header, footer: footer, body: body))
                Issue.record("a \(part) taller than its margin was drawn")
            } catch let error as TypesettingError {
                #expect(error.code == .layout)
                #expect(error.reason.hasPrefix("the \(part) on page 1 is ") && error.reason.contains("its margin leaves 44 pt"), "\(error.reason)")
            }
        }
    }

    @Test func aVeryLongWordWrapsAndExtractsAsItsCharacters() throws {
        // Longer than pango can lay out as one line (its widths are 32-bit, 1/1024 pt): without
        // break opportunities this was a single line off the page, drawn in minutes.
        let word = String(repeating: "0123456789", count: 33_000)
        let document = try Typesetter().typeset(DocumentSpec(page: Self.page, body: [Self.paragraph("Start " + word + " end")]))
        #expect(document.pageCount > 50)
        let url = try TestEnvironment.scratchDirectory().appendingPathComponent("long.pdf")
        try Data(document.pdf).write(to: url)
        let text = try runCommand("pdftotext", ["-enc", "UTF-8", url.path, "-"]).stdout
        // Every character comes back, in order, and nothing of the added break opportunities.
        let characters = text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) && $0 != "\u{0C}" }
        #expect(String(String.UnicodeScalarView(characters)) == "Start" + word + "end")
        // A word up to 200 characters is laid out as before: no break opportunities in it.
        #expect(TextLayout.breakable(String(repeating: "a", count: 200)) == String(repeating: "a", count: 200))
        #expect(TextLayout.breakable("x " + String(repeating: "a", count: 201)).filter { $0 == "\u{200B}" }.count == 3)
    }

    @Test func theBookmarksPaneOpensOnlyForMoreThanOneEntry() throws {
        func pageMode(_ headings: Int) throws -> PDFObject? {
            let body = (0..<headings).map { Block.heading(level: 1, Paragraph(runs: [.plain("Part \($0 + 1)")], style: ParagraphStyle())) }
                + [Self.paragraph("Text")]
            let document = try Typesetter().typeset(DocumentSpec(page: Self.page, body: body))
            guard case .dictionary(let catalog)? = document.file[document.file.catalog] else { return nil }
            #expect((catalog["Outlines"] != nil) == (headings > 0))
            return catalog["PageMode"]
        }
        #expect(try pageMode(0) == nil)
        #expect(try pageMode(1) == nil, "one bookmark: the pane stays closed")
        #expect(try pageMode(2) == .name("UseOutlines"))
    }

    @Test func fontCollectionsLoad() throws {
        // A collection of two shipped fonts, built here (TTC 1.0: header, then each font's table
        // directory with offsets from the start of the file, then the tables).
        let fonts = TestEnvironment.root.appendingPathComponent("Fonts")
        let members = [fonts.appendingPathComponent("Noto/NotoSansHebrew-Regular.ttf"),
                       fonts.appendingPathComponent("Noto/NotoSansThai-Regular.ttf")]
        let directory = try TestEnvironment.scratchDirectory()
        try Data(try Self.collection(members.map { try [UInt8](Data(contentsOf: $0)) }))
            .write(to: directory.appendingPathComponent("pair.ttc"))
        try FileManager.default.copyItem(at: fonts.appendingPathComponent("Liberation/LiberationSerif-Regular.ttf"),
                                         to: directory.appendingPathComponent("LiberationSerif-Regular.ttf"))

        let typesetter = try Typesetter(fontsDirectory: directory)
        #expect(typesetter.fontFamilies.contains("Noto Sans Hebrew") && typesetter.fontFamilies.contains("Noto Sans Thai"))
        let document = try typesetter.typeset(DocumentSpec(page: Self.page, body: [Self.paragraph("Thai สมชาย and Devanagari")]))
        let url = directory.appendingPathComponent("out.pdf")
        try Data(document.pdf).write(to: url)
        #expect(try runCommand("pdftotext", [url.path, "-"]).stdout.contains("สมชาย"))
        #expect(try runCommand("pdffonts", [url.path]).stdout.contains("NotoSansThai"), "the collection's second face")
        #expect(!typesetter.coverage.contains("\u{0915}"), "no Devanagari font in this folder")
    }

    private static func collection(_ fonts: [[UInt8]]) throws -> [UInt8] {
        func u16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) << 8 | Int(b[at + 1]) }
        func u32(_ b: [UInt8], _ at: Int) -> Int { u16(b, at) << 16 | u16(b, at + 2) }
        func put32(_ value: Int, into out: inout [UInt8], at: Int) {
            for shift in 0..<4 { out[at + shift] = UInt8(truncatingIfNeeded: value >> (24 - 8 * shift)) }
        }
        let headerSize = 12 + 4 * fonts.count
        var out = [UInt8](repeating: 0, count: headerSize)
        out[0...3] = [0x74, 0x74, 0x63, 0x66]  // ttcf
        out[4...7] = [0, 1, 0, 0]
        put32(fonts.count, into: &out, at: 8)
        // Directories first, tables after them.
        var directoryOffsets: [Int] = []
        for font in fonts {
            directoryOffsets.append(out.count)
            out += font[0..<(12 + 16 * u16(font, 4))]
        }
        for (index, font) in fonts.enumerated() {
            put32(directoryOffsets[index], into: &out, at: 12 + 4 * index)
            for table in 0..<u16(font, 4) {
                let record = 12 + 16 * table
                let (offset, length) = (u32(font, record + 8), u32(font, record + 12))
                while out.count % 4 != 0 { out.append(0) }
                put32(out.count, into: &out, at: directoryOffsets[index] + record + 8)
                out += font[offset..<(offset + length)]
            }
        }
        return out
    }
}
