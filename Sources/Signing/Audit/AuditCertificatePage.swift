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
            // A sealed file has more pages than the document's own footer counts ("Page 3 of 3"
            // on the last page of a 5-page file): say so where a reader compares them.
            ("Pages (before this page)", "\(record.documentPages) — this certificate follows as page \(record.documentPages + 1) "
                + "onwards; page numbers printed by the document count only its own \(record.documentPages) page"
                + (record.documentPages == 1 ? "" : "s")),
        ]
        if let sent = record.trail.documentAsSent {
            // The document the signers were sent is this file's first revision, byte for byte.
            summary.append(("Document as sent (SHA-256)", sent.sha256))
            summary.append(("Document as sent (length)", "\(sent.bytes) bytes: the first revision of this file"))
        }
        if let id = record.template["id"] {
            summary.append(("Template", "\(id) version \(record.template["version"] ?? "?")"))
        }
        if let hash = record.template["sha256"] { summary.append(("Template SHA-256", hash)) }
        let hashes: Set<String> = ["Document SHA-256 (before this page)", "Document as sent (SHA-256)", "Template SHA-256",
                                   "Seal certificate SHA-256"]
        summary += [("Sealed by", record.sealSubject), ("Seal certificate SHA-256", record.sealFingerprint),
                    ("Sealed at", display(record.sealTime)), ("Time source", record.timeSource)]
        body.append(.table(keyValueTable(summary, monospaced: hashes)))

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
                                         event.ip ?? "—"].map { cell($0) } + [hashCell(String(event.hash.prefix(16)) + "…")]))
        }
        // The hash column is as wide as its 17 monospaced characters and the time column as wide
        // as "YYYY-MM-DD HH:MM:SS UTC", so neither wraps; the other columns share the rest.
        var log = Table(columns: [.points(18), .points(timeColumnWidth), .fraction(1.2), .fraction(3.4), .fraction(1.5),
                                  .points(hashColumnWidth)], rows: rows)
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
            .plain("Certificate of Completion — envelope \(record.trail.envelopeId) — certificate page "), .pageNumber(InlineStyle()),
            .plain(" of "), .pageCount(InlineStyle()),
            .plain(", after the document's \(record.documentPages) page\(record.documentPages == 1 ? "" : "s")"),
        ], style: footer))], body: body, info: info)
    }

    static let grey = Color(red: 0.35, green: 0.35, blue: 0.35)

    /// `record` with every text the page prints made printable by the shipped fonts: a
    /// character none of them has is written out (`[U+0BAE]`), so whatever a signer's browser
    /// sent as its user agent, or a caller as an actor's name, the page is made and says what the
    /// record holds. The attached `audit.json` keeps the record as it is.
    static func printable(_ record: AuditRecord, _ coverage: GlyphCoverage) -> AuditRecord {
        let text = coverage.printable
        func event(_ event: AuditTrail.Event) -> AuditTrail.Event {
            var event = event
            event.type = text(event.type); event.actor = event.actor.map(text)
            event.ip = event.ip.map(text); event.userAgent = event.userAgent.map(text)
            return event
        }
        var record = record
        record.trail.envelopeId = text(record.trail.envelopeId)
        record.trail.documentName = text(record.trail.documentName)
        record.trail.signers = record.trail.signers.map { signer in
            var signer = signer
            signer.name = text(signer.name); signer.email = text(signer.email); signer.role = text(signer.role)
            signer.authentication = text(signer.authentication)
            signer.ip = signer.ip.map(text); signer.userAgent = signer.userAgent.map(text)
            signer.events = signer.events.map(event)
            return signer
        }
        record.trail.events = record.trail.events?.map(event)
        record.template = record.template.mapValues(text)
        record.sealSubject = text(record.sealSubject)
        record.timeSource = text(record.timeSource)
        record.events = record.events.map { event in
            var event = event
            event.actor = text(event.actor); event.role = event.role.map(text); event.type = text(event.type)
            event.ip = event.ip.map(text); event.userAgent = event.userAgent.map(text)
            return event
        }
        return record
    }

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

    /// Liberation Mono's advance is 0.6 em; 7 pt type, 3 pt padding each side, and a point spare.
    static let hashColumnWidth = 17 * 0.6 * 7 + 2 * 3 + 1
    /// "2026-03-02 14:05:09 UTC" in 8 pt Liberation Sans is about 98 pt.
    static let timeColumnWidth = 112.0

    static func hashCell(_ text: String) -> TableCell {
        var mono = paragraph(text, size: 7, family: "Liberation Mono", spaceAfter: 0)
        mono.style.hyphenate = false
        return TableCell(blocks: [.paragraph(mono)])
    }
    static func headerCell(_ text: String) -> TableCell {
        TableCell(blocks: [.paragraph(paragraph(text, size: 8, bold: true, spaceAfter: 0))])
    }

    /// Two columns, key and value; the values of `monospaced` keys (64-digit hashes) in 7.5 pt
    /// Liberation Mono, which fits them on one line of the value column.
    static func keyValueTable(_ rows: [(String, String)], monospaced: Set<String> = []) -> Table {
        var table = Table(columns: [.fraction(1), .fraction(2.4)], rows: rows.map { key, value in
            let text = monospaced.contains(key) ? paragraph(value, size: 7.5, family: "Liberation Mono", spaceAfter: 0)
                : paragraph(value, size: 8.5, spaceAfter: 0)
            return TableRow(cells: [TableCell(blocks: [.paragraph(paragraph(key, size: 8.5, bold: true, spaceAfter: 0))],
                                              background: Color(red: 0.95, green: 0.95, blue: 0.95)),
                                    TableCell(blocks: [.paragraph(text)])])
        })
        table.cellPadding = 3.5
        table.spaceAfter = 6
        return table
    }
}
