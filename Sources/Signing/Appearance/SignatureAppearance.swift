import Foundation
import Typesetting

/// The visible signature: the signer's mark (typed name in Dancing Script, or a drawn PNG) on
/// the left, and "Digitally signed by NAME", the UTC date, the reason and the signature id in
/// small type on the right — laid out by the typesetter on a page the size of the widget.
///
/// It is typeset in two layers that the widget's appearance stacks: the signer's layer (the mark
/// and the "Digitally signed by" line), the same for every document a signer signs, and the
/// document's layer (date, reason, id) placed under it. Both are the same two-column table, each
/// with the other's content left out, so every line sits where one table would put it.
enum SignatureAppearance {
    /// The layer every document of a signer shares.
    static func signerLayer(width: Double, height: Double, mark: SignatureMark, signerName: String) -> DocumentSpec {
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
        return spec(width: width, height: height, mark: [markBlock], detail: [signedBy(signerName, height: height)])
    }

    /// The layer of one document: date, reason and signature id, below the signer's lines, which
    /// take `signerLinesHeight` (see `signerLinesHeight(width:height:signerName:typesetter:)`).
    static func documentLayer(width: Double, height: Double, signerLinesHeight: Double, date: Date, reason: String?,
                              signatureID: String) -> DocumentSpec {
        var lines: [InlineRun] = [.plain("Date: \(AuditTime.display(date))")]
        if let reason, !reason.isEmpty { lines += [.lineBreak, .plain("Reason: \(reason)")] }
        lines += [.lineBreak, .plain("ID: \(signatureID)")]
        return spec(width: width, height: height, mark: [],
                    detail: [.spacer(signerLinesHeight), .paragraph(Paragraph(runs: lines, style: detailStyle(height)))])
    }

    /// How tall the "Digitally signed by" line(s) are in the detail column.
    static func signerLinesHeight(width: Double, height: Double, signerName: String, typesetter: Typesetter) throws -> Double {
        let detailWidth = width * detailColumn / (markColumn + detailColumn) - 2 * inset(height)
        return try typesetter.height(of: [signedBy(signerName, height: height)], width: max(1, detailWidth))
    }

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

    private static func signedBy(_ signerName: String, height: Double) -> Block {
        .paragraph(Paragraph(runs: [.text("Digitally signed by \(signerName)", InlineStyle(bold: true))],
                             style: detailStyle(height)))
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
