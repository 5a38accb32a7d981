import Typesetting

/// Documents built directly from the model, covering every block kind.
enum SampleSpecs {
    static func style(_ size: Double = 10.5, bold: Bool = false, align: TextAlignment = .justify,
                      family: String = "Liberation Serif") -> ParagraphStyle {
        var style = ParagraphStyle()
        style.fontSize = size
        style.bold = bold
        style.alignment = align
        style.fontFamily = family
        return style
    }

    static func heading(_ text: String, level: Int = 1) -> Block {
        var headingStyle = style(level == 1 ? 16 : 13, bold: true, align: .left, family: "Liberation Sans")
        headingStyle.keepWithNext = true
        headingStyle.spaceBefore = 12
        return .heading(level: level, Paragraph(runs: [.plain(text)], style: headingStyle))
    }

    static func paragraph(_ text: String, align: TextAlignment = .justify) -> Block {
        .paragraph(Paragraph(runs: [.plain(text)], style: style(align: align)))
    }

    static let lorem = "This Agreement governs the provision of the Services by the Provider to the Customer. "
        + "The Customer shall pay the fees set out in the Order Form within thirty (30) days of the invoice date, "
        + "and the Provider shall use commercially reasonable efforts to make the Services available in accordance "
        + "with the Service Level Agreement. Each party shall comply with all laws applicable to it."

    static func lineItems(_ count: Int) -> Block {
        var rows = [TableRow(cells: ["Item", "Qty", "Price"].map {
            TableCell(blocks: [.paragraph(Paragraph(runs: [.text($0, InlineStyle(bold: true))], style: style(9.5, align: .left)))])
        }, isHeader: true)]
        for index in 1...count {
            rows.append(TableRow(cells: ["Line item \(index): platform licence", "\(index)", "$\(index * 10).00"].map {
                TableCell(blocks: [.paragraph(Paragraph(runs: [.plain($0)], style: style(9.5, align: .left)))])
            }))
        }
        return .table(Table(columns: [.fraction(3), .fraction(1), .fraction(1)], rows: rows))
    }

    static func footer() -> [Block] {
        var footerStyle = style(8, align: .center, family: "Liberation Sans")
        footerStyle.spaceAfter = 0
        return [.paragraph(Paragraph(runs: [.plain("Page "), .pageNumber(InlineStyle()), .plain(" of "),
                                            .pageCount(InlineStyle())], style: footerStyle))]
    }

    static func contract(items: Int = 60) -> DocumentSpec {
        var info = DocumentInfo()
        info.title = "Service Agreement — Acme Corp"
        info.author = "Countersign"
        info.date = "2026-01-15T00:00:00Z"
        var body: [Block] = [heading("Service Agreement"),
                             .paragraph(Paragraph(runs: [.plain("Between "), .text("Acme Corp", InlineStyle(bold: true)),
                                                         .plain(" and "), .text("Countersign Inc.", InlineStyle(italic: true)),
                                                         .plain(". See "),
                                                         .text("our terms", InlineStyle(underline: true, color: Color(hex: "#1a4fa0"),
                                                                                       link: "https://example.com/terms")),
                                                         .plain(".")], style: style()))]
        body.append(.list(ListBlock(marker: .bullet, items: [[paragraph("First obligation. " + lorem)],
                                                             [paragraph("Second obligation.")]])))
        body.append(.list(ListBlock(marker: .number, items: [[paragraph("Numbered one.")], [paragraph("Numbered two.")]])))
        body.append(heading("Line items", level: 2))
        body.append(lineItems(items))
        for index in 1...6 { body.append(paragraph("\(index). " + lorem + " " + lorem)) }
        body.append(.keepTogether([heading("Signatures", level: 2),
                                   .signature(SignatureBox(role: "customer", label: "Customer", width: 216, height: 43, required: true)),
                                   .signature(SignatureBox(role: "company", label: "Company", width: 216, height: 43, required: true))]))
        return DocumentSpec(page: .letter, footer: footer(), body: body, info: info)
    }
}
