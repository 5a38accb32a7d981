import CCairo
import Foundation
import TestSupport

/// Test PDFs made at test time: cairo for real text, hand-assembled files for forms and odd boxes.
enum Fixtures {
    /// A text drawn with cairo: `y` is cairo's baseline, measured from the top of the page.
    struct Text {
        var string: String
        var x: Double
        var y: Double
    }

    static let fontSize = 12.0

    /// Writes one page per element of `pages` with cairo's PDF surface; returns each text's advance width.
    @discardableResult
    static func cairoPDF(at url: URL, width: Double = 612, height: Double = 792, pages: [[Text]],
                         title: String? = nil, author: String? = nil) -> [String: Double] {
        let surface = cairo_pdf_surface_create(url.path, width, height)
        defer { cairo_surface_destroy(surface) }
        if let title { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title) }
        if let author { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, author) }
        let context = cairo_create(surface)
        defer { cairo_destroy(context) }
        cairo_select_font_face(context, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, fontSize)
        var advances: [String: Double] = [:]
        for page in pages {
            for text in page {
                var extents = cairo_text_extents_t()
                cairo_text_extents(context, text.string, &extents)
                advances[text.string] = extents.x_advance
                cairo_move_to(context, text.x, text.y)
                cairo_show_text(context, text.string)
            }
            cairo_show_page(context)
        }
        cairo_surface_finish(surface)
        return advances
    }

    /// A stream object body with its /Length filled in.
    static func stream(_ content: String, dictionary: String = "") -> String { HandWrittenPDF.stream(content, dictionary: dictionary) }

    /// Assembles numbered objects (object 1 is the catalog) into a PDF with a correct xref table.
    static func assemble(_ objects: [String], trailerExtra: String = "") -> Data {
        HandWrittenPDF.assemble(objects, trailerExtra: trailerExtra)
    }

    /// Two pages with an AcroForm: a nested text field `form.name` with a value and a signature
    /// field `Signature1` on page 1, a checkbox `agree` on page 2 (whose MediaBox is offset).
    static func formPDF() -> Data {
        assemble([
            "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R 7 0 R 8 0 R] >> >>",
            "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [6 0 R 7 0 R] >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [100 200 712 992] /Annots [8 0 R] >>",
            "<< /T (form) /Kids [6 0 R] >>",
            "<< /Type /Annot /Subtype /Widget /Parent 5 0 R /T (name) /FT /Tx /V (Jane Doe) "
                + "/Rect [72 700 272 720] /P 3 0 R >>",
            "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /F 4 /Rect [300 100 500 150] /P 3 0 R >>",
            "<< /Type /Annot /Subtype /Widget /FT /Btn /T (agree) /V /Off /AS /Off "
                + "/Rect [150 250 170 270] /P 4 0 R >>",
        ])
    }

    /// One page per (mediaBox, rotate) pair, each showing "Sign here" in Helvetica at user-space
    /// (x, y); with `widgets`, each page also has a text field `fN` at [x, y+50, x+100, y+70].
    static func userSpacePDF(_ pages: [(mediaBox: String, rotate: Int, x: Double, y: Double)],
                             widgets: Bool = false) -> Data {
        let first = 4, stride = widgets ? 3 : 2
        let pageRefs = (0..<pages.count).map { "\(first + stride * $0) 0 R" }.joined(separator: " ")
        let fieldRefs = (0..<pages.count).map { "\(first + stride * $0 + 2) 0 R" }.joined(separator: " ")
        var objects = [
            widgets ? "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [\(fieldRefs)] >> >>"
                : "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [\(pageRefs)] /Count \(pages.count) >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        for (index, page) in pages.enumerated() {
            let number = first + stride * index
            let annots = widgets ? "/Annots [\(number + 2) 0 R]" : ""
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox \(page.mediaBox) /Rotate \(page.rotate) "
                + "/Resources << /Font << /F1 3 0 R >> >> /Contents \(number + 1) 0 R \(annots) >>")
            objects.append(stream("BT /F1 12 Tf \(page.x) \(page.y) Td (Sign here) Tj ET"))
            if widgets {
                objects.append("<< /Type /Annot /Subtype /Widget /FT /Tx /T (f\(index + 1)) /P \(number) 0 R "
                    + "/Rect [\(page.x) \(page.y + 50) \(page.x + 100) \(page.y + 70)] >>")
            }
        }
        return assemble(objects)
    }
}
