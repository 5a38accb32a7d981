import Countersign
import Foundation
import PDFSyntax
import TestSupport
import Testing

/// `InspectionReport.jsonBytes()` (what `inspect --json` prints) must be byte for byte the
/// rendering of `InspectionReport.json`, the documented form.
@Suite struct InspectionJSONTests {
    /// A file with a signed and an unsigned field, a text field with a value, metadata that needs
    /// escaping, a rotated page, bytes after %%EOF (a tolerant-mode warning) and findable text.
    private func richPDF(in directory: URL) throws -> URL {
        let content = Array("BT /F1 12 Tf 72 700 Td (Find me) Tj ET".utf8)
        let objects: [PDFReference: PDFObject] = [
            PDFReference(1): .dictionary(["Type": .name("Catalog"), "Pages": .reference(PDFReference(2)),
                                          "AcroForm": .dictionary(["Fields": [.reference(PDFReference(5)), .reference(PDFReference(6)),
                                                                              .reference(PDFReference(8))]])]),
            PDFReference(2): .dictionary(["Type": .name("Pages"), "Kids": [.reference(PDFReference(3)), .reference(PDFReference(9))],
                                          "Count": 2, "MediaBox": [0, 0, .real(595.28), .real(841.89)]]),
            PDFReference(3): .dictionary(["Type": .name("Page"), "Parent": .reference(PDFReference(2)),
                                          "Annots": [.reference(PDFReference(5)), .reference(PDFReference(6))],
                                          "Contents": .reference(PDFReference(10)),
                                          "Resources": .dictionary(["Font": .dictionary(["F1": .reference(PDFReference(11))])])]),
            PDFReference(9): .dictionary(["Type": .name("Page"), "Parent": .reference(PDFReference(2)), "Rotate": 90,
                                          "MediaBox": [0, 0, 612, 792]]),
            PDFReference(4): .dictionary(["Title": .string(PDFString(text: "Quote \" backslash \\ tab\t line\nend")),
                                          "Author": .string(PDFString(text: "Zoë Ünïcode")), "Producer": .name("Tests")]),
            PDFReference(5): .dictionary(["FT": .name("Sig"), "T": .string(PDFString(text: "sig_signed")), "Type": .name("Annot"),
                                          "Subtype": .name("Widget"), "Rect": [.real(72.5), 100, 288, .real(143.25)], "P": .reference(PDFReference(3)),
                                          "V": .reference(PDFReference(7))]),
            PDFReference(6): .dictionary(["FT": .name("Sig"), "T": .string(PDFString(text: "sig_empty")), "Type": .name("Annot"),
                                          "Subtype": .name("Widget"), "Rect": [300, 100, 500, 143]]),
            PDFReference(7): .dictionary(["Type": .name("Sig"), "SubFilter": .name("ETSI.CAdES.detached"),
                                          "ByteRange": [0, 10, 20, 30], "Contents": .string(PDFString(bytes: [0, 1], syntax: .hex))]),
            PDFReference(8): .dictionary(["FT": .name("Tx"), "T": .string(PDFString(text: "name")),
                                          "V": .string(PDFString(text: "Ada \"Lovelace\""))]),
            PDFReference(10): .stream(PDFStream(dictionary: ["Length": .integer(content.count)], encodedData: content)),
            PDFReference(11): .dictionary(["Type": .name("Font"), "Subtype": .name("Type1"), "BaseFont": .name("Helvetica")]),
        ]
        let bytes = PDFFileWriter().write(objects: objects, trailer: ["Root": .reference(PDFReference(1)),
                                                                       "Info": .reference(PDFReference(4))])
        let url = directory.appendingPathComponent("rich.pdf")
        try Data(bytes + Array("trailing garbage\n".utf8)).write(to: url)
        return url
    }

    @Test func jsonBytesMatchTheRenderedTree() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let file = try richPDF(in: directory)
        let report = try Inspector().inspect(path: file.path, findText: "Find me")
        #expect(report.signatures.count == 1 && report.fields.count == 3 && !report.warnings.isEmpty,
                "the sample should exercise signatures, fields and warnings: \(report)")
        #expect(report.textMatches?.count == 1)
        #expect(report.metadata["Title"]?.contains("\"") == true)
        let fast = report.jsonBytes()
        let tree = report.json.renderedBytes()
        #expect(fast == tree, "jsonBytes:\n\(String(decoding: fast, as: UTF8.self))\nrendered tree:\n\(String(decoding: tree, as: UTF8.self))")

        var plain = report
        plain.textMatches = nil
        plain.fields = []
        plain.signatures = []
        plain.metadata = [:]
        plain.warnings = []
        #expect(plain.jsonBytes() == plain.json.renderedBytes(), "empty arrays and objects")
    }

    /// `inspect --json` writes the report in pieces, and reuses one rendering for runs of pages
    /// of the same size: the bytes must be those of the tree all the same.
    @Test func piecesAndRepeatedPageSizesGiveTheSameBytes() throws {
        let directory = try TestEnvironment.scratchDirectory()
        var report = try Inspector().inspect(path: try richPDF(in: directory).path)
        let sizes = report.pageSizes
        // Runs of equal sizes, changes of size and rotation, fractional and negative zero values.
        report.pageSizes = (0..<40).map { index in
            var size = sizes[index / 3 % sizes.count]
            size.page = index + 1
            if index % 7 == 6 { size.rotation = 270 }
            if index == 20 { size.width = -0.0 }
            if index == 21 { size.height = 0.125 }
            return size
        }
        report.pages = report.pageSizes.count
        let whole = report.jsonBytes()
        let tree = report.json.renderedBytes()
        #expect(whole == tree, "jsonBytes:\n\(String(decoding: whole, as: UTF8.self))\nrendered tree:\n\(String(decoding: tree, as: UTF8.self))")
        for chunkSize in [1, 5, 64, 1 << 16] {
            var pieces: [[UInt8]] = []
            report.writeJSON(chunkSize: chunkSize, appendingNewline: true) { pieces.append($0) }
            let joined = Array(pieces.joined())
            #expect(joined.elementsEqual(whole + [0x0A]), "chunk size \(chunkSize)")
            if chunkSize == 1 { #expect(pieces.count > 40) }
        }
    }
}
