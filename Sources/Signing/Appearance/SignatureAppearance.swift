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
///
/// The detail column is fitted to the widget (`Layout.fitted`): its type shrinks, and then the
/// mark's column gives up width, until every line — the id line included — fits the height.
enum SignatureAppearance {
    /// Sizes fixed once per signer layer: the widget, the detail type size and the column split.
    struct Layout {
        var width: Double, height: Double
        /// Point size of the detail lines.
        var detailFontSize: Double
        /// The mark column's share of the width relative to the detail column's 1.
        var markShare: Double

        var inset: Double { min(4, height * 0.08) }
        var markWidth: Double { width * markShare / (markShare + 1) - 2 * inset }
        var detailWidth: Double { max(1, width / (markShare + 1) - 2 * inset) }

        /// The largest detail type (7 pt, or less in a low widget) and widest mark column with
        /// which the signer's lines and the id line fit the widget's height. The last resort,
        /// 4.5 pt beside a narrower mark, is used even when it does not fit (the widget clips it).
        static func fitted(width: Double, height: Double, signerName: String, date: String, reason: String?,
                           typesetter: Typesetter) throws -> Layout {
            let largest = max(minimumFontSize, min(7, height / 7.5))
            let sizes = Array(stride(from: largest, to: minimumFontSize, by: -0.25)) + [minimumFontSize]
            let candidates = [1.15, 0.75].flatMap { markShare in
                sizes.map { Layout(width: width, height: height, detailFontSize: $0, markShare: markShare) }
            }
            for layout in candidates {
                let lines = SignatureAppearance.signerLines(signerName: signerName, date: date, reason: reason, layout: layout)
                    + [layout.idLine(widestID)]
                if try typesetter.height(of: lines, width: layout.detailWidth) <= height - 2 * layout.inset { return layout }
            }
            return candidates[candidates.count - 1]
        }

        static let minimumFontSize = 4.5
        /// An id of the real length in the widest of its characters, so the fit holds for every id.
        static let widestID = String(repeating: "D", count: signatureIDLength)

        var detailStyle: ParagraphStyle {
            var detail = ParagraphStyle()
            detail.fontFamily = "Liberation Sans"
            detail.fontSize = detailFontSize
            detail.leading = 1.15
            detail.spaceAfter = 0
            detail.hyphenate = false
            detail.color = Color(red: 0.2, green: 0.2, blue: 0.2)
            return detail
        }

        func idLine(_ signatureID: String) -> Block {
            .paragraph(Paragraph(runs: [.plain("ID: \(signatureID)")], style: detailStyle))
        }
    }

    /// Characters in the signature id the appearance shows (upper-case hex).
    static let signatureIDLength = 12

    /// The layer every document of a signer shares (within a second: the date is shown to the second).
    static func signerLayer(_ layout: Layout, mark: SignatureMark, signerName: String, date: String,
                            reason: String?) -> DocumentSpec {
        let markBlock: Block
        switch mark {
        case .typedName(let name):
            var style = ParagraphStyle()
            style.fontFamily = "Dancing Script"
            style.fontSize = max(8, min(layout.height * 0.52, layout.markWidth / max(4, Double(name.count)) * 1.95))
            style.leading = 1.0
            style.spaceAfter = 0
            style.hyphenate = false
            style.color = Color(red: 0.05, green: 0.12, blue: 0.35)
            markBlock = .paragraph(Paragraph(runs: [.plain(name)], style: style))
        case .image(let png):
            var image = Image(data: png, format: .png, height: max(8, layout.height - 2 * layout.inset))
            image.spaceAfter = 0
            markBlock = .image(image)
        }
        return spec(layout, mark: [markBlock],
                    detail: signerLines(signerName: signerName, date: date, reason: reason, layout: layout))
    }

    /// The layer of one document: the signature id, below the signer's lines, which take
    /// `signerLinesHeight` (see `signerLinesHeight(…)`).
    static func documentLayer(_ layout: Layout, signerLinesHeight: Double, signatureID: String) -> DocumentSpec {
        spec(layout, mark: [], detail: [.spacer(signerLinesHeight), layout.idLine(signatureID)])
    }

    /// How tall the signer's lines ("Digitally signed by", date, reason) are in the detail column.
    static func signerLinesHeight(_ layout: Layout, signerName: String, date: String, reason: String?,
                                  typesetter: Typesetter) throws -> Double {
        try typesetter.height(of: signerLines(signerName: signerName, date: date, reason: reason, layout: layout),
                              width: layout.detailWidth)
    }

    /// The date as the appearance shows it, to the second.
    static func displayedDate(_ date: Date) -> String { AuditTime.display(date) }

    private static func signerLines(signerName: String, date: String, reason: String?, layout: Layout) -> [Block] {
        var lines: [InlineRun] = [.text("Digitally signed by \(signerName)", InlineStyle(bold: true)), .lineBreak,
                                  .plain("Date: \(date)")]
        if let reason, !reason.isEmpty { lines += [.lineBreak, .plain("Reason: \(reason)")] }
        return [.paragraph(Paragraph(runs: lines, style: layout.detailStyle))]
    }

    /// The widget-sized page holding the two-column table (mark | detail).
    private static func spec(_ layout: Layout, mark: [Block], detail: [Block]) -> DocumentSpec {
        var page = PageSetup(width: layout.width, height: layout.height, margins: 0)
        page.headerGap = 0
        page.footerGap = 0
        var table = Table(columns: [.fraction(layout.markShare), .fraction(1)], rows: [TableRow(cells: [
            TableCell(blocks: mark), TableCell(blocks: detail),
        ])])
        table.borderWidth = 0
        table.cellPadding = layout.inset
        table.headerBackground = nil
        table.spaceBefore = 0
        table.spaceAfter = 0
        return DocumentSpec(page: page, body: [.table(table)])
    }
}
