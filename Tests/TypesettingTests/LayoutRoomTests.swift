import Foundation
import TestSupport
import Testing
@testable import Typesetting

/// What the template asks for is printed where it can be read, or the document is refused with
/// a `.layout` error: never text cut through, drawn off the paper or dropped with success.
@Suite struct LayoutRoomTests {
    private static let page = PageSetup.letter

    private static func paragraph(_ text: String) -> Block {
        .paragraph(Paragraph(runs: [.plain(text)], style: ParagraphStyle()))
    }

    private static func text(of document: TypesetDocument) throws -> String {
        let url = try TestEnvironment.scratchDirectory().appendingPathComponent("doc.pdf")
        try Data(document.pdf).write(to: url)
        return try runCommand("pdftotext", [url.path, "-"]).stdout
    }

    /// The `.layout` reason typesetting `body` (on `page`) fails with, or nil when it succeeds.
    private static func refusal(_ body: [Block], page: PageSetup = Self.page, header: [Block] = []) throws -> String? {
        do {
            _ = try Typesetter().typeset(DocumentSpec(page: page, header: header, body: body))
            return nil
        } catch let error as TypesettingError where error.code == .layout {
            return error.reason
        }
    }

    @Test func aRowTallerThanAPageIsCutBetweenLinesAndEachLinePrintsOnce() throws {
        // Two cells of 120 and 60 lines: the row is about three pages tall.
        let lines = (1...120).map { String(format: "L%03dx", $0) }
        let other = (1...60).map { String(format: "R%03dy", $0) }
        let cell = TableCell(blocks: lines.map(Self.paragraph))
        let table = Table(columns: [.fraction(1), .fraction(1)],
                          rows: [TableRow(cells: [TableCell(blocks: [Self.paragraph("Header A")]), TableCell(blocks: [Self.paragraph("Header B")])], isHeader: true),
                                 TableRow(cells: [cell, TableCell(blocks: other.map(Self.paragraph))])])
        let document = try Typesetter().typeset(DocumentSpec(page: Self.page, body: [Self.paragraph("Before the table"), .table(table)]))
        let text = try Self.text(of: document)
        for label in lines + other {
            #expect(text.components(separatedBy: label).count == 2, "\(label) is printed \(text.components(separatedBy: label).count - 1) times")
        }
        // The header repeats on each page the row continues on.
        #expect(text.components(separatedBy: "Header A").count - 1 == document.pageCount)
        #expect(document.pageCount >= 3)
    }

    @Test func widthTooNarrowForTextIsRefused() throws {
        var list = ListBlock(marker: .bullet, items: [[Self.paragraph("An item")]])
        list.indent = 8 * 72
        let reason = try #require(try Self.refusal([.list(list)]))
        #expect(reason.hasPrefix("the text 'An item' has -108 pt of width: the page's margins, indents, list nesting"), "\(reason)")
        // Nested lists eat the width level by level.
        var nested: Block = Self.paragraph("Deep")
        for _ in 0..<40 { nested = .list(ListBlock(marker: .bullet, items: [[nested]])) }
        #expect(try Self.refusal([nested])?.contains("letter a line") == true)
        // Margins wider than the page.
        #expect(try Self.refusal([Self.paragraph("x")], page: PageSetup(width: 612, height: 792, margins: 360))?
                    .hasPrefix("the margins leave a body of -108 × 72 pt on a 612 × 792 pt page") == true)
    }

    @Test func columnsWiderThanTheTableAreRefused() throws {
        let row = TableRow(cells: [TableCell(blocks: [Self.paragraph("a")]), TableCell(blocks: [Self.paragraph("b")])])
        for columns: [ColumnWidth] in [[.points(360), .points(360)], [.percent(80), .percent(80)]] {
            let reason = try #require(try Self.refusal([.table(Table(columns: columns, rows: [row]))]))
            #expect(reason.hasPrefix("the table's columns take"), "\(reason)")
        }
        // A fraction column left with nothing: its text has no room.
        #expect(try Self.refusal([.table(Table(columns: [.points(468), .fraction(1)], rows: [row]))])?.contains("letter a line") == true)
    }

    @Test func anImageTallerThanThePageIsScaledToFitIt() throws {
        let png = try Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("signature-mark.png"))
        let document = try Typesetter().typeset(DocumentSpec(page: Self.page, body: [.image(Image(data: Array(png), format: .png, width: 100, height: 3000))]))
        let url = try TestEnvironment.scratchDirectory().appendingPathComponent("image.pdf")
        try Data(document.pdf).write(to: url)
        let content = try runCommand("qpdf", ["--qdf", "--object-streams=disable", url.path, "-"]).stdout
        let placement = try #require(content.firstMatch(of: /([-0-9.]+) 0 0 ([-0-9.]+) ([-0-9.]+) ([-0-9.]+) cm\s*\/Im/))
        // 648 pt of body (792 less two 72 pt margins): 100 × 3000 becomes 21.6 × 648, on the page.
        #expect(abs(abs(Double(placement.2)!) - 648) < 0.01 && abs(Double(placement.1)! - 21.6) < 0.01, "\(placement.0)")
    }

    @Test func piecesThatCannotBeSplitAndDoNotFitAreRefused() throws {
        var tall = SignatureBox(role: "customer", label: "Customer", width: 200, height: 12 * 72, required: true)
        #expect(try Self.refusal([.signature(tall)])?.hasPrefix("the signature field 'Customer' (864 pt and") == true)
        tall.height = 40
        tall.label = Array(repeating: "word", count: 3000).joined(separator: " ")
        #expect(try Self.refusal([.signature(tall)])?.contains("cannot be split across pages") == true)
        // A header row taller than the page.
        let words = Array(repeating: "header", count: 3000).joined(separator: " ")
        let table = Table(columns: [], rows: [TableRow(cells: [TableCell(blocks: [Self.paragraph(words)])], isHeader: true),
                                              TableRow(cells: [TableCell(blocks: [Self.paragraph("row")])])])
        #expect(try Self.refusal([.table(table)])?.hasPrefix("the table's header rows are") == true)
        // One line taller than the page body.
        var style = ParagraphStyle()
        style.fontSize = 100
        #expect(try Self.refusal([.paragraph(Paragraph(runs: [.plain("Big")], style: style))],
                                 page: PageSetup(width: 300, height: 144, margins: 36))?.hasPrefix("a line of the text 'Big' is") == true)
    }

    @Test(arguments: ["javascript:alert(1)", "JavaScript:app.alert(1)", "file:///etc/passwd", "data:text/html,x", "https:evil", "no scheme"])
    func linksThatRunOrOpenSomethingAreRefused(url: String) throws {
        let run = InlineRun.text("click", InlineStyle(link: url))
        do {
            _ = try Typesetter().typeset(DocumentSpec(page: Self.page, body: [.paragraph(Paragraph(runs: [run], style: ParagraphStyle()))]))
            Issue.record("\(url) was written into the document")
        } catch let error as TypesettingError {
            #expect(error.code == .link && error.reason.hasPrefix("the link '\(url)' on page 1 is not an http, https, mailto or tel address"))
        }
        for safe in ["https://example.com/a?b=c", "HTTP://example.com", "mailto:a@example.com", "tel:+15551234"] {
            #expect(Typesetter.isSafeLink(safe), "\(safe)")
        }
    }

    @Test func narrowPlacesHoldWhatFitsThem() throws {
        // A list number wider than the indent widens the indent instead of wrapping over the item.
        var numbered = ListBlock(marker: .number, items: [[Self.paragraph("first item")]])
        numbered.start = 123_456_789
        numbered.indent = 12
        var bullets = ListBlock(marker: .bullet, items: [[Self.paragraph("bulleted")]])
        bullets.indent = 8
        // A 0.2 in column of single digits: narrower than two ems, but every word fits.
        var digits = Table(columns: [.points(14.4), .fraction(1)], rows: (1...9).map {
            TableRow(cells: [TableCell(blocks: [Self.paragraph("\($0)")]), TableCell(blocks: [Self.paragraph("Line \($0)")])])
        })
        digits.cellPadding = 4
        let document = try Typesetter().typeset(DocumentSpec(page: Self.page, body: [.list(numbered), .list(bullets), .table(digits)]))
        let text = try Self.text(of: document)
        #expect(text.contains("123456789. first item") && text.contains("• bulleted"), "\(text)")
        for digit in 1...9 { #expect(text.contains("\(digit) Line \(digit)") || text.contains("\(digit)\nLine \(digit)"), "\(text)") }
        // A word wider than a column under two ems would print a letter a line: refused.
        let word = Table(columns: [.points(17.5), .fraction(1)], rows: [
            TableRow(cells: [TableCell(blocks: [Self.paragraph("12345")]), TableCell(blocks: [Self.paragraph("x")])])])
        #expect(try Self.refusal([.table(word)])?.contains("but its widest word needs") == true)
    }

    @Test func anImageInAPaddedCellFitsThePageWithItsPadding() throws {
        let png = try Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("signature-mark.png"))
        var table = Table(columns: [.fraction(1)], rows: [TableRow(cells: [TableCell(blocks: [.image(Image(data: Array(png), format: .png, width: 100, height: 9 * 72))])])])
        table.cellPadding = 6
        let document = try Typesetter().typeset(DocumentSpec(page: Self.page, body: [.table(table)]))
        #expect(document.pageCount == 1)
    }
}
