import Foundation
import Typesetting

/// The visible signature: the signer's mark (typed name in the chosen script font, or a drawn PNG) on
/// the left, and "Digitally signed by NAME", the UTC date, the reason, the location and the
/// signature id in small type on the right, worded in the document's language — laid out by the typesetter on a page the size of the widget.
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
        /// which the signer's lines and the id line fit the widget's height. When none fits, the
        /// box is too small for legible text: an `appearanceTooSmall` error, or — when
        /// `allowIllegible` — the smallest layout (4.5 pt beside a narrower mark, clipped by the
        /// widget) and a warning.
        static func fitted(width: Double, height: Double, lines details: Details, allowIllegible: Bool,
                           typesetter: Typesetter) throws -> (layout: Layout, warning: String?) {
            let largest = max(minimumFontSize, min(7, height / 7.5))
            let sizes = Array(stride(from: largest, to: minimumFontSize, by: -0.25)) + [minimumFontSize]
            let candidates = [1.15, 0.75].flatMap { markShare in
                sizes.map { Layout(width: width, height: height, detailFontSize: $0, markShare: markShare) }
            }
            for layout in candidates {
                let lines = SignatureAppearance.signerLines(details, layout: layout) + [layout.idLine(widestID)]
                guard try typesetter.height(of: lines, width: layout.detailWidth) <= height - 2 * layout.inset else { continue }
                // The date line must not wrap: "Date:" above a date, or "UTC" alone, reads badly.
                let date = Block.paragraph(Paragraph(runs: [.plain("\(details.labels.date): \(details.date)")], style: layout.detailStyle))
                let oneLine = try typesetter.height(of: [date], width: 10_000)
                if try typesetter.height(of: [date], width: layout.detailWidth) <= oneLine + 0.01 { return (layout, nil) }
            }
            let smallest = candidates[candidates.count - 1]
            let needed = try typesetter.height(of: SignatureAppearance.signerLines(details, layout: smallest)
                                                   + [smallest.idLine(widestID)], width: smallest.detailWidth)
            let problem = "the signature box (\(points(width)) × \(points(height)) pt) is too small for a legible appearance: "
                + "even at \(points(minimumFontSize)) pt its lines need \(points(needed + 2 * smallest.inset)) pt of height"
            guard allowIllegible else {
                throw SigningError(.appearanceTooSmall, problem + " — make the box larger (the template's <signature width/height>, "
                                   + "--at or --anchor-size), shorten --reason/--location, or pass --force to sign with clipped text")
            }
            return (smallest, problem + "; signed anyway (--force), some text is clipped")
        }

        private static func points(_ value: Double) -> String { String(format: "%.1f", value) }

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
            // A no-break space, as in the date: both layers then use the same blocks of the font,
            // so the id line shares the signer layer's subset instead of embedding a second one.
            .paragraph(Paragraph(runs: [.plain("ID:\u{00A0}\(signatureID)")], style: detailStyle))
        }
    }

    /// Characters in the signature id the appearance shows (upper-case hex).
    static let signatureIDLength = 12

    /// What the detail column says: the signer, the date shown, reason and location, in the
    /// document's language.
    struct Details: Hashable {
        var signerName: String
        var date: String
        var reason: String?
        var location: String?
        var labels: AppearanceLabels
    }

    /// The layer every document of a signer shares (within a second: the date is shown to the second).
    /// A typed mark is set at the foot of its column, on the box's signature line, at a size
    /// that grows and shrinks with the box.
    static func signerLayer(_ layout: Layout, mark: SignatureMark, details: Details, typesetter: Typesetter) throws -> DocumentSpec {
        var markBlocks: [Block]
        switch mark {
        case .typedName(let name, let font):
            var style = ParagraphStyle()
            style.fontFamily = font.family
            style.fontSize = max(minimumMarkSize, min(layout.height * 0.52, layout.markWidth / max(4, Double(name.count)) * 1.95))
            style.leading = 1.0
            style.spaceAfter = 0
            style.hyphenate = false
            style.color = Color(red: 0.05, green: 0.12, blue: 0.35)
            let text = Block.paragraph(Paragraph(runs: [.plain(name)], style: style))
            let free = layout.height - 2 * layout.inset - (try typesetter.height(of: [text], width: max(1, layout.markWidth)))
            markBlocks = free > 0 ? [.spacer(free), text] : [text]
        case .image(let png):
            var image = Image(data: png, format: .png, height: max(8, layout.height - 2 * layout.inset))
            image.spaceAfter = 0
            markBlocks = [.image(image)]
        }
        return spec(layout, mark: markBlocks, detail: signerLines(details, layout: layout))
    }

    /// The smallest typed mark (points); below it a box is too small anyway.
    static let minimumMarkSize = 4.0

    /// The layer of one document: the signature id, below the signer's lines, which take
    /// `signerLinesHeight` (see `signerLinesHeight(…)`).
    static func documentLayer(_ layout: Layout, signerLinesHeight: Double, signatureID: String) -> DocumentSpec {
        spec(layout, mark: [], detail: [.spacer(signerLinesHeight), layout.idLine(signatureID)])
    }

    /// How tall the signer's lines ("Digitally signed by", date, reason, location) are in the detail column.
    static func signerLinesHeight(_ layout: Layout, details: Details, typesetter: Typesetter) throws -> Double {
        try typesetter.height(of: signerLines(details, layout: layout), width: layout.detailWidth)
    }

    /// The date as the appearance shows it, to the second, in UTC. The spaces are no-break
    /// spaces, so a narrow column never leaves "UTC" alone on a line.
    static func displayedDate(_ date: Date) -> String {
        AuditTime.display(date).replacingOccurrences(of: " ", with: "\u{00A0}")
    }

    private static func signerLines(_ details: Details, layout: Layout) -> [Block] {
        let labels = details.labels
        var lines: [InlineRun] = [.text("\(labels.signedBy) \(details.signerName)", InlineStyle(bold: true)), .lineBreak,
                                  .plain("\(labels.date): \(details.date)")]
        if let reason = details.reason, !reason.isEmpty { lines += [.lineBreak, .plain("\(labels.reason): \(reason)")] }
        if let location = details.location, !location.isEmpty { lines += [.lineBreak, .plain("\(labels.location): \(location)")] }
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
