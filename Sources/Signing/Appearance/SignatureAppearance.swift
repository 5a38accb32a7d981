import Foundation
import Typesetting

/// The visible signature: the signer's mark (typed name in Dancing Script, or a drawn PNG) on
/// the left, and "Digitally signed by NAME", the UTC date, the reason and the signature id in
/// small type on the right — laid out by the typesetter on a page the size of the widget.
enum SignatureAppearance {
    /// What goes after "ID: ".
    enum IDText {
        /// The id itself.
        case text(String)
        /// Figure spaces as wide as `count` digits, marked with the link `placeholderLink` so the
        /// typesetter reports where they landed; then, on a second page, `stripLink(c)`-marked
        /// runs of each hex digit in the same style (see `AppearanceCache`).
        case placeholder(count: Int)
    }

    static let placeholderLink = "countersign:signature-id"
    static let stripCharacters = Array("0123456789ABCDEF")
    static func stripLink(_ character: Character) -> String { "countersign:glyph:\(character)" }

    static func spec(width: Double, height: Double, mark: SignatureMark, signerName: String, date: Date,
                     reason: String?, signatureID: String) -> DocumentSpec {
        spec(width: width, height: height, mark: mark, signerName: signerName, date: date, reason: reason,
             id: .text(signatureID))
    }

    /// The cell padding: where the detail column ends is `width - inset(height)`.
    static func inset(height: Double) -> Double { min(4, height * 0.08) }

    static func spec(width: Double, height: Double, mark: SignatureMark, signerName: String, date: Date,
                     reason: String?, id: IDText) -> DocumentSpec {
        var page = PageSetup(width: width, height: height, margins: 0)
        page.headerGap = 0
        page.footerGap = 0
        let inset = inset(height: height)
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
        var strip: [Block] = []
        switch id {
        case .text(let signatureID):
            lines += [.lineBreak, .plain("ID: \(signatureID)")]
        case .placeholder(let count):
            // The strip repeats the lines above the id so that its line sits in the paragraph
            // exactly as the id's does (same line height, same baseline within the line box).
            var runs = lines + [.lineBreak, .plain("ID: ")]
            for character in stripCharacters {
                runs += [.text(String(character), InlineStyle(link: stripLink(character))), .plain(" ")]
            }
            strip = [.pageBreak, .paragraph(Paragraph(runs: runs, style: detail))]
            lines += [.lineBreak, .plain("ID: "),
                      .text(String(repeating: "\u{2007}", count: count), InlineStyle(link: placeholderLink))]
        }
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
        return DocumentSpec(page: page, body: [.table(table)] + strip, info: info)
    }
}
