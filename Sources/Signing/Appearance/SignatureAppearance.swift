import Foundation
import Typesetting

/// The visible signature: the signer's mark (typed name in Dancing Script, or a drawn PNG) on
/// the left, and "Digitally signed by NAME", the UTC date, the reason and the signature id in
/// small type on the right — laid out by the typesetter on a page the size of the widget.
enum SignatureAppearance {
    static func spec(width: Double, height: Double, mark: SignatureMark, signerName: String, date: Date,
                     reason: String?, signatureID: String) -> DocumentSpec {
        var page = PageSetup(width: width, height: height, margins: 0)
        page.headerGap = 0
        page.footerGap = 0
        let inset = min(4, height * 0.08)
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
            var image = Image(data: png, format: .png, height: max(8, height - 2 * inset))
            image.spaceAfter = 0
            markBlock = .image(image)
        }
        var detail = ParagraphStyle()
        detail.fontFamily = "Liberation Sans"
        detail.fontSize = max(4.5, min(7, height / 7.5))
        detail.leading = 1.15
        detail.spaceAfter = 0
        detail.hyphenate = false
        detail.color = Color(red: 0.2, green: 0.2, blue: 0.2)
        var lines: [InlineRun] = [.text("Digitally signed by \(signerName)", InlineStyle(bold: true)), .lineBreak,
                                  .plain("Date: \(AuditTime.display(date))")]
        if let reason, !reason.isEmpty { lines += [.lineBreak, .plain("Reason: \(reason)")] }
        lines += [.lineBreak, .plain("ID: \(signatureID)")]
        var table = Table(columns: [.fraction(1.15), .fraction(1)], rows: [TableRow(cells: [
            TableCell(blocks: [markBlock]),
            TableCell(blocks: [.paragraph(Paragraph(runs: lines, style: detail))]),
        ])])
        table.borderWidth = 0
        table.cellPadding = inset
        table.headerBackground = nil
        table.spaceBefore = 0
        table.spaceAfter = 0
        var info = DocumentInfo()
        info.date = AuditTime.iso(date)
        return DocumentSpec(page: page, body: [.table(table)], info: info)
    }
}
