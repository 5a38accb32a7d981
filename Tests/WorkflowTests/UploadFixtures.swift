import Foundation
import TestSupport

/// Uploaded PDFs for the workflow tests: assembled by hand with Helvetica text at known
/// user-space points, then (optionally) rewritten by qpdf with object streams — a file produced
/// by another tool.
enum UploadFixtures {
    /// A text drawn at a user-space point.
    struct Text {
        var string: String
        var x: Double
        var y: Double
    }

    /// One page: its boxes, rotation and texts.
    struct Page {
        var mediaBox = "[0 0 612 792]"
        var cropBox: String?
        var rotate = 0
        var texts: [Text]
    }

    /// The contract the flow tests upload: page 1 anchors and tags, page 2 turned 90°, page 3
    /// with a crop box offset from its media box.
    static let contract: [Page] = [
        Page(texts: [
            Text(string: "Mutual Non-Disclosure Agreement", x: 72, y: 720),
            Text(string: "Customer signature:", x: 72, y: 300),
            Text(string: "Company signature:", x: 330, y: 300),
            Text(string: "Initials:", x: 72, y: 150),
            Text(string: "{{field:text;role=customer;name=customer_title;size=160x16;maxlength=40}}", x: 72, y: 500),
            Text(string: "{{field:dropdown;role=customer;name=term;options=12 months|24 months}}", x: 72, y: 460),
            Text(string: "{{field:checkbox;role=company;name=approved_by_legal;required=no}}", x: 72, y: 420),
        ]),
        Page(rotate: 90, texts: [Text(string: "Witness here", x: 100, y: 200)]),
        Page(cropBox: "[50 100 562 692]", texts: [Text(string: "Date of signature", x: 150, y: 400)]),
    ]

    static func stream(_ content: String) -> String { HandWrittenPDF.stream(content) }

    /// Numbered objects (object 1 is the catalog) as a PDF with a correct cross-reference table.
    static func assemble(_ objects: [String]) -> Data { HandWrittenPDF.assemble(objects) }

    /// The pages as a PDF (Helvetica 12 pt).
    static func pdf(_ pages: [Page]) -> Data {
        let first = 4
        var objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [\((0..<pages.count).map { "\(first + 2 * $0) 0 R" }.joined(separator: " "))] /Count \(pages.count) >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        ]
        for (index, page) in pages.enumerated() {
            let crop = page.cropBox.map { "/CropBox \($0)" } ?? ""
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox \(page.mediaBox) \(crop) /Rotate \(page.rotate) "
                           + "/Resources << /Font << /F1 3 0 R >> >> /Contents \(first + 2 * index + 1) 0 R >>")
            objects.append(stream(page.texts.map { "BT /F1 12 Tf \($0.x) \($0.y) Td (\($0.string)) Tj ET" }.joined(separator: "\n")))
        }
        return assemble(objects)
    }

    /// The pages as qpdf writes them (object streams, a cross-reference stream).
    static func qpdfPDF(_ pages: [Page], in directory: URL) throws -> Data {
        let input = directory.appendingPathComponent("upload-\(UUID().uuidString.prefix(6)).pdf")
        let output = input.deletingPathExtension().appendingPathExtension("qpdf.pdf")
        try pdf(pages).write(to: input)
        let result = try runCommand("qpdf", ["--object-streams=generate", input.path, output.path])
        guard result.status == 0 else { throw CocoaError(.fileWriteUnknown) }
        return try Data(contentsOf: output)
    }
}
