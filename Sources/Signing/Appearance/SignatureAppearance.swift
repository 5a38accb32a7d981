import Foundation
import Typesetting

/// The visible signature: the signer's mark (typed name in Dancing Script, or a drawn PNG) on
/// the left, and "Digitally signed by NAME", the UTC date, the reason and the signature id in
/// small type on the right — laid out by the typesetter on a page the size of the widget.
///
/// It is typeset in two layers that the widget's appearance stacks: the signer's layer (the mark,
/// "Digitally signed by", date and reason), the same for every document a signer signs within
/// the same second, and the document's layer (the id line) placed under it. Both are the same
/// two-column table, each with the other's content left out, so every line sits where one table
/// would put it.
enum SignatureAppearance {
    /// The layer every document of a signer shares (within a second: the date is shown to the second).
    static func signerLayer(width: Double, height: Double, mark: SignatureMark, signerName: String, date: String,
                            reason: String?) -> DocumentSpec {
        let markBlock: Block
        switch mark {
        case .typedName(let name):
            var style = ParagraphStyle()
            style.fontFamily = "Dancing Script"
            style.fontSize = max(8, min(height * 0.52, width * 0.55 / max(4, Double(name.count)) * 1.9))
            style.leading = 1.0
            style.spaceAfter = 0
            style.hyphenate = false
            style.color = Color(red: 0.05, green: 0.12, blue: 0.35)
            markBlock = .paragraph(Paragraph(runs: [.plain(name)], style: style))
        case .image(let png):
            var image = Image(data: png, format: .png, height: max(8, height - 2 * inset(height)))
            image.spaceAfter = 0
            markBlock = .image(image)
        }
        return spec(width: width, height: height, mark: [markBlock],
                    detail: signerLines(signerName: signerName, date: date, reason: reason, height: height))
    }

    /// The layer of one document: the signature id, below the signer's lines, which take
    /// `signerLinesHeight` (see `signerLinesHeight(…)`).
    static func documentLayer(width: Double, height: Double, signerLinesHeight: Double, signatureID: String) -> DocumentSpec {
        spec(width: width, height: height, mark: [],
             detail: [.spacer(signerLinesHeight),
                      .paragraph(Paragraph(runs: [.plain("ID: \(signatureID)")], style: detailStyle(height)))])
    }

    /// How tall the signer's lines ("Digitally signed by", date, reason) are in the detail column.
    static func signerLinesHeight(width: Double, height: Double, signerName: String, date: String, reason: String?,
                                  typesetter: Typesetter) throws -> Double {
        let detailWidth = width * detailColumn / (markColumn + detailColumn) - 2 * inset(height)
        return try typesetter.height(of: signerLines(signerName: signerName, date: date, reason: reason, height: height),
                                     width: max(1, detailWidth))
    }

    /// The date as the appearance shows it, to the second.
    static func displayedDate(_ date: Date) -> String { AuditTime.display(date) }

    /// The columns' shares of the width.
    private static let markColumn = 1.15, detailColumn = 1.0

    private static func inset(_ height: Double) -> Double { min(4, height * 0.08) }

    private static func detailStyle(_ height: Double) -> ParagraphStyle {
        var detail = ParagraphStyle()
        detail.fontFamily = "Liberation Sans"
        detail.fontSize = max(4.5, min(7, height / 7.5))
        detail.leading = 1.15
        detail.spaceAfter = 0
        detail.hyphenate = false
        detail.color = Color(red: 0.2, green: 0.2, blue: 0.2)
        return detail
    }

    private static func signerLines(signerName: String, date: String, reason: String?, height: Double) -> [Block] {
        var lines: [InlineRun] = [.text("Digitally signed by \(signerName)", InlineStyle(bold: true)), .lineBreak,
                                  .plain("Date: \(date)")]
        if let reason, !reason.isEmpty { lines += [.lineBreak, .plain("Reason: \(reason)")] }
        return [.paragraph(Paragraph(runs: lines, style: detailStyle(height)))]
    }

    /// The widget-sized page holding the two-column table (mark | detail).
    private static func spec(width: Double, height: Double, mark: [Block], detail: [Block]) -> DocumentSpec {
        var page = PageSetup(width: width, height: height, margins: 0)
        page.headerGap = 0
        page.footerGap = 0
        var table = Table(columns: [.fraction(markColumn), .fraction(detailColumn)], rows: [TableRow(cells: [
            TableCell(blocks: mark), TableCell(blocks: detail),
        ])])
        table.borderWidth = 0
        table.cellPadding = inset(height)
        table.headerBackground = nil
        table.spaceBefore = 0
        table.spaceAfter = 0
        return DocumentSpec(page: page, body: [.table(table)])
    }
}
