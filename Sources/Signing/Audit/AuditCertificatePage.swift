import Foundation
import Typesetting

/// Lays out the Certificate of Completion: envelope summary, the document hash it attests,
/// each signer with authentication, IP, user agent and UTC times, the seal, and the event log
/// with its hash chain.
enum AuditCertificatePage {
    static func spec(_ record: AuditRecord, page: PageSetup) -> DocumentSpec {
        var body: [Block] = []
        body.append(.heading(level: 1, paragraph("Certificate of Completion", size: 18, bold: true, family: "Liberation Sans",
                                                 spaceAfter: 4)))
        body.append(.paragraph(paragraph("This page was added by Countersign when the document was sealed. The seal's digital signature covers it and the audit record attached to this PDF (audit.json).",
                                         size: 8.5, color: grey)))
        body.append(.heading(level: 2, section("Envelope")))
        var summary: [(String, String)] = [
            ("Envelope ID", record.trail.envelopeId),
            ("Document", record.trail.documentName),
            ("Document SHA-256 (before this page)", record.documentSHA256),
            ("Pages (before this page)", String(record.documentPages)),
        ]
        if let id = record.template["id"] {
            summary.append(("Template", "\(id) version \(record.template["version"] ?? "?")"))
        }
        if let hash = record.template["sha256"] { summary.append(("Template SHA-256", hash)) }
        summary += [("Sealed by", record.sealSubject), ("Seal certificate SHA-256", record.sealFingerprint),
                    ("Sealed at", display(record.sealTime)), ("Time source", record.timeSource)]
        body.append(.table(keyValueTable(summary)))

        body.append(.heading(level: 2, section("Signers")))
        for signer in record.trail.signers {
            var rows: [(String, String)] = [("Name", signer.name), ("Email", signer.email), ("Role", signer.role),
                                            ("Authentication", signer.authentication)]
            if let ip = signer.ip { rows.append(("IP address", ip)) }
            if let agent = signer.userAgent { rows.append(("User agent", agent)) }
            for event in signer.events {
                rows.append((event.type.prefix(1).uppercased() + event.type.dropFirst(), display(event.at)))
            }
            body.append(.keepTogether([.table(keyValueTable(rows))]))
        }

        body.append(.heading(level: 2, section("Event log")))
        var rows = [TableRow(cells: ["#", "Time (UTC)", "Event", "By", "IP", "Hash (chained)"].map { headerCell($0) },
                             isHeader: true)]
        for event in record.events {
            rows.append(TableRow(cells: [String(event.sequence), display(event.at), event.type, event.actor,
                                         event.ip ?? "—", String(event.hash.prefix(16)) + "…"].map { cell($0) }))
        }
        var log = Table(columns: [.points(18), .fraction(2.1), .fraction(1.2), .fraction(3.4), .fraction(1.5), .fraction(1.6)],
                        rows: rows)
        log.cellPadding = 3
        body.append(.table(log))

        var footer = ParagraphStyle()
        footer.fontFamily = "Liberation Sans"
        footer.fontSize = 7.5
        footer.alignment = .center
        footer.color = grey
        footer.spaceAfter = 0
        var info = DocumentInfo()
        info.title = "Certificate of Completion"
        info.date = record.sealTime
        return DocumentSpec(page: page, footer: [.paragraph(Paragraph(runs: [
            .plain("Certificate of Completion — envelope \(record.trail.envelopeId) — page "), .pageNumber(InlineStyle()),
            .plain(" of "), .pageCount(InlineStyle()),
        ], style: footer))], body: body, info: info)
    }

    static let grey = Color(red: 0.35, green: 0.35, blue: 0.35)

    static func display(_ iso: String) -> String { AuditTime.parse(iso).map(AuditTime.display) ?? iso }

    static func paragraph(_ text: String, size: Double = 9, bold: Bool = false, family: String = "Liberation Sans",
                          color: Color = .black, spaceAfter: Double = 4) -> Paragraph {
        var style = ParagraphStyle()
        style.fontFamily = family
        style.fontSize = size
        style.bold = bold
        style.color = color
        style.spaceAfter = spaceAfter
        style.hyphenate = false
        return Paragraph(runs: [.plain(text)], style: style)
    }

    static func section(_ text: String) -> Paragraph {
        var heading = paragraph(text, size: 12, bold: true, spaceAfter: 4)
        heading.style.spaceBefore = 10
        heading.style.keepWithNext = true
        return heading
    }

    static func cell(_ text: String) -> TableCell { TableCell(blocks: [.paragraph(paragraph(text, size: 8, spaceAfter: 0))]) }
    static func headerCell(_ text: String) -> TableCell {
        TableCell(blocks: [.paragraph(paragraph(text, size: 8, bold: true, spaceAfter: 0))])
    }

    static func keyValueTable(_ rows: [(String, String)]) -> Table {
        var table = Table(columns: [.fraction(1), .fraction(2.4)], rows: rows.map { key, value in
            TableRow(cells: [TableCell(blocks: [.paragraph(paragraph(key, size: 8.5, bold: true, spaceAfter: 0))],
                                       background: Color(red: 0.95, green: 0.95, blue: 0.95)),
                             TableCell(blocks: [.paragraph(paragraph(value, size: 8.5, spaceAfter: 0))])])
        })
        table.cellPadding = 3.5
        table.spaceAfter = 6
        return table
    }
}
