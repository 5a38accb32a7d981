import PDFSyntax

/// Files written byte by byte, one per class of structural deviation (DESIGN.md §7): the
/// harmless ones strict reading accepts with a note, the ambiguous ones it refuses. Each builder
/// keeps every offset right, so the file differs from a clean one in exactly one way.
enum CraftedStructures {
    /// Text plus the offsets of the objects written so far.
    struct Builder {
        var bytes: [UInt8] = Array("%PDF-1.7\n%\u{E2}\u{E3}\n".utf8)
        var offsets: [Int: Int] = [:]

        mutating func append(_ text: String) { bytes += Array(text.utf8) }

        mutating func object(_ number: Int, _ body: String, generation: Int = 0) {
            offsets[number] = bytes.count
            append("\(number) \(generation) obj\n\(body)\nendobj\n")
        }

        /// An xref row: 10-digit offset, 5-digit generation, type, then `end`.
        static func row(_ offset: Int, _ generation: Int, _ type: Character, end: String = " \n") -> String {
            let digits = String(offset)
            let generationDigits = String(generation)
            return String(repeating: "0", count: 10 - digits.count) + digits + " "
                + String(repeating: "0", count: 5 - generationDigits.count) + generationDigits + " \(type)" + end
        }
    }

    /// The four objects of a one-page document (1 catalog, 2 pages, 3 page, 4 content).
    static func basicObjects(into builder: inout Builder, text: String = "Hello") {
        let content = "BT /F1 24 Tf 72 720 Td (\(text)) Tj ET"
        builder.object(1, "<< /Type /Catalog /Pages 2 0 R >>")
        builder.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >>")
        builder.object(3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>")
        builder.object(4, "<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream")
    }

    /// A clean one-revision file, with knobs for each harmless deviation.
    /// - `rowEnd`: what ends each xref row (standard: `" \n"`).
    /// - `freeHeadGeneration`: the generation of entry 0 (standard: 65535).
    /// - `beforeStartxref`: text between the trailer and `startxref` (iText: `"%iText-5.5.13\n"`).
    /// - `startxrefShift`: added to the `startxref` value (−1 lands on the newline before `xref`).
    static func file(rowEnd: String = " \n", freeHeadGeneration: Int = 65535, beforeStartxref: String = "",
                     startxrefShift: Int = 0, rows: ((Builder) -> [String])? = nil) -> [UInt8] {
        var builder = Builder()
        basicObjects(into: &builder)
        let xref = builder.bytes.count
        builder.append("xref\n0 5\n")
        builder.append(Builder.row(0, freeHeadGeneration, "f", end: rowEnd))
        for row in rows?(builder) ?? (1...4).map({ Builder.row(builder.offsets[$0]!, 0, "n", end: rowEnd) }) {
            builder.append(row)
        }
        builder.append("trailer\n<< /Size 5 /Root 1 0 R >>\n\(beforeStartxref)startxref\n\(xref + startxrefShift)\n%%EOF\n")
        return builder.bytes
    }

    /// `file()` with one incremental update that rewrites the page's content (object 4).
    /// - `prevShift`: added to the update's `/Prev` (−1 lands on the newline before `xref`).
    /// - `extraRows`: more rows for the update's table, given the original's offsets.
    static func updated(prevShift: Int = 0, text: String = "Changed",
                        extraRows: ([Int: Int]) -> [(number: Int, row: String)] = { _ in [] }) -> [UInt8] {
        var builder = Builder()
        basicObjects(into: &builder)
        let original = builder.offsets
        let xref = builder.bytes.count
        builder.append("xref\n0 5\n" + Builder.row(0, 65535, "f"))
        for number in 1...4 { builder.append(Builder.row(original[number]!, 0, "n")) }
        builder.append("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n")
        let content = "BT /F1 24 Tf 72 720 Td (\(text)) Tj ET"
        builder.object(4, "<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream")
        let updateXref = builder.bytes.count
        var rows = [(number: 4, row: Builder.row(builder.offsets[4]!, 0, "n"))] + extraRows(original)
        rows.sort { $0.number < $1.number }
        builder.append("xref\n")
        for row in rows { builder.append("\(row.number) 1\n\(row.row)") }
        builder.append("trailer\n<< /Size 5 /Root 1 0 R /Prev \(xref + prevShift) >>\nstartxref\n\(updateXref)\n%%EOF\n")
        return builder.bytes
    }

    /// Word's layout: objects 1–3 plain, object 4 (the content) in object stream 5, an xref stream
    /// (6) that lists them all; then a classic table for 0–6 that leaves 4 free; then an update of
    /// only `xref 0 0` whose trailer's `/XRefStm` names the stream inside the first part.
    /// `streamOverridesTable`: the stream also gives object 3 an entry (at object 6's offset),
    /// overriding the table's — the ambiguous variant.
    static func wordHybrid(streamOverridesTable: Bool = false) -> [UInt8] {
        var builder = Builder()
        builder.object(1, "<< /Type /Catalog /Pages 2 0 R >>")
        builder.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >>")
        builder.object(3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>")
        let member = "<< /Length 0 >>"
        let header = "4 0 "
        builder.object(5, "<< /Type /ObjStm /N 1 /First \(header.utf8.count) /Length \(header.utf8.count + member.utf8.count) >>\nstream\n\(header)\(member)\nendstream")
        // The xref stream: /W [1 4 2], rows for 0–6 (object 4 compressed in 5, index 0).
        let streamOffset = builder.bytes.count
        func row(_ type: UInt8, _ field2: Int, _ field3: Int) -> [UInt8] {
            [type, UInt8(field2 >> 24 & 0xFF), UInt8(field2 >> 16 & 0xFF), UInt8(field2 >> 8 & 0xFF), UInt8(field2 & 0xFF),
             UInt8(field3 >> 8 & 0xFF), UInt8(field3 & 0xFF)]
        }
        var data: [UInt8] = row(0, 0, 65535)
        data += row(1, builder.offsets[1]!, 0) + row(1, builder.offsets[2]!, 0)
        data += streamOverridesTable ? row(1, streamOffset, 0) : row(1, builder.offsets[3]!, 0)
        data += row(2, 5, 0) + row(1, builder.offsets[5]!, 0) + row(1, streamOffset, 0)
        builder.offsets[6] = streamOffset
        builder.append("6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length \(data.count) >>\nstream\n")
        builder.bytes += data
        builder.append("\nendstream\nendobj\n")
        let table = builder.bytes.count
        builder.append("xref\n0 7\n" + Builder.row(0, 65535, "f"))
        for number in 1...3 { builder.append(Builder.row(builder.offsets[number]!, 0, "n")) }
        builder.append(Builder.row(0, 0, "f"))
        builder.append(Builder.row(builder.offsets[5]!, 0, "n") + Builder.row(streamOffset, 0, "n"))
        builder.append("trailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n\(table)\n%%EOF\n")
        let update = builder.bytes.count
        builder.append("xref\n0 0\ntrailer\n<< /Size 7 /Root 1 0 R /Prev \(table) /XRefStm \(streamOffset) >>\nstartxref\n\(update)\n%%EOF\n")
        return builder.bytes
    }

    /// Acrobat's incremental update of `file()`: the page's content (object 4) rewritten, then
    /// — with no `startxref … %%EOF` between them — a classic table for the update and an xref
    /// stream (object 5), then an update of only `xref 0 0` whose trailer's `/XRefStm` names the
    /// stream. `streamAfterTable`: the stream follows the table (Acrobat's forms) or precedes it.
    /// `ownEntryAtZero`: the stream lists itself at offset 0, as Acrobat writes it.
    /// `streamOverridesTable`: the stream gives object 4 another offset than the table's — the
    /// ambiguous variant.
    /// `ownEntryAtDecoy`: the stream's entry for itself names a second `5 0 obj` (a decoy
    /// dictionary written in the update), not its own offset or 0.
    static func acrobatHybridUpdate(streamAfterTable: Bool = true, ownEntryAtZero: Bool = true,
                                    streamOverridesTable: Bool = false, ownEntryAtDecoy: Bool = false) -> [UInt8] {
        var builder = Builder()
        basicObjects(into: &builder)
        let xref = builder.bytes.count
        builder.append("xref\n0 5\n" + Builder.row(0, 65535, "f"))
        for number in 1...4 { builder.append(Builder.row(builder.offsets[number]!, 0, "n")) }
        builder.append("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n")
        let content = "BT /F1 24 Tf 72 720 Td (Filled in) Tj ET"
        builder.object(4, "<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream")
        let decoy = builder.bytes.count
        if ownEntryAtDecoy { builder.append("5 0 obj\n<< /Decoy true >>\nendobj\n") }
        func row(_ type: UInt8, _ offset: Int) -> [UInt8] {
            [type, UInt8(offset >> 24 & 0xFF), UInt8(offset >> 16 & 0xFF), UInt8(offset >> 8 & 0xFF), UInt8(offset & 0xFF), 0, 0]
        }
        var table = 0
        var stream = 0
        func writeTable() {
            table = builder.bytes.count
            builder.append("xref\n4 1\n" + Builder.row(builder.offsets[4]!, 0, "n"))
            builder.append("trailer\n<< /Size 6 /Root 1 0 R /Prev \(xref) >>\n")
        }
        func writeStream() {
            stream = builder.bytes.count
            let own = ownEntryAtDecoy ? decoy : ownEntryAtZero ? 0 : stream
            let data = row(1, streamOverridesTable ? builder.offsets[3]! : builder.offsets[4]!) + row(1, own)
            builder.append("5 0 obj\n<< /Type /XRef /Size 6 /Index [4 2] /W [1 4 2] /Root 1 0 R /Length \(data.count) >>\nstream\n")
            builder.bytes += data
            builder.append("\nendstream\nendobj\n")
        }
        if streamAfterTable { writeTable(); writeStream() } else { writeStream(); writeTable() }
        let update = builder.bytes.count
        builder.append("xref\n0 0\ntrailer\n<< /Size 6 /Root 1 0 R /Prev \(table) /XRefStm \(stream) >>\nstartxref\n\(update)\n%%EOF\n")
        return builder.bytes
    }

    /// `file()` with a cross-reference stream instead of a table (`/W [1 4 4]`), whose free
    /// entry for object 0 has `freeHeadGeneration` (qpdf's xref-range.pdf: 4294967295).
    static func streamFile(freeHeadGeneration: Int) -> [UInt8] {
        var builder = Builder()
        basicObjects(into: &builder)
        func row(_ type: UInt8, _ second: Int, _ third: Int) -> [UInt8] {
            [type] + [24, 16, 8, 0].map { UInt8(second >> $0 & 0xFF) } + [24, 16, 8, 0].map { UInt8(third >> $0 & 0xFF) }
        }
        let stream = builder.bytes.count
        var data = row(0, 0, freeHeadGeneration)
        for number in 1...4 { data += row(1, builder.offsets[number]!, 0) }
        data += row(1, stream, 0)
        builder.append("5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 4] /Root 1 0 R /Length \(data.count) >>\nstream\n")
        builder.bytes += data
        builder.append("\nendstream\nendobj\nstartxref\n\(stream)\n%%EOF\n")
        return builder.bytes
    }
}
