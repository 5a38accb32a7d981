import Foundation
import PDFSyntax
import TestSupport
import Testing
import Typesetting

/// The direct PDF backend judged by poppler's tools and our strict parser: text that extracts
/// back, embedded subsets, the subset cache, images.
@Suite struct PDFBackendTests {
    private func write(_ bytes: [UInt8], _ name: String = "doc.pdf") throws -> URL {
        let url = try TestEnvironment.scratchDirectory().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    private func spec(_ text: String, family: String = "Liberation Serif", size: Double = 12) -> DocumentSpec {
        DocumentSpec(page: .a4, body: [.paragraph(Paragraph(runs: [.plain(text)],
                                                            style: SampleSpecs.style(size, align: .left, family: family)))])
    }

    @Test func accentedTextExtractsBackThroughToUnicode() throws {
        let text = "Café Française, Ærøskøbing, naïve Straße — “Grüße” «Señor» Œuvre. final office flow ½ € ñ"
        let pdf = try Typesetter().typeset(spec(text)).pdf
        let extracted = try runCommand("pdftotext", [try write(pdf).path, "-"]).stdout
        let normalized = extracted.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(normalized == text.split(separator: " ").joined(separator: " "), "\(extracted)")
        let fonts = try runCommand("pdffonts", [try write(pdf, "fonts.pdf").path]).stdout
        let rows = fonts.split(separator: "\n").dropFirst(2)
        #expect(!rows.isEmpty)
        for row in rows {
            #expect(row.contains("CID TrueType"), "\(row)")
            #expect(row.contains("Identity-H"), "\(row)")
            #expect(row.hasSuffix("yes yes yes") || row.contains(" yes yes yes "), "embedded, subset, ToUnicode: \(row)")
        }
    }

    @Test func openTypeCFFFontsEmbedAsCIDFontType0() throws {
        let pdf = try Typesetter().typeset(spec("Jane Q. Signer", family: "Dancing Script", size: 24)).pdf
        let url = try write(pdf)
        let fonts = try runCommand("pdffonts", [url.path]).stdout
        #expect(fonts.contains("DancingScript"), "\(fonts)")
        #expect(fonts.contains("CID Type 0C (OT)"), "\(fonts)")
        let extracted = try runCommand("pdftotext", [url.path, "-"]).stdout
        #expect(extracted.contains("Jane Q. Signer"), "\(extracted)")
        // The glyphs are drawn: the page is not blank where the name is.
        let gray = try runCommand("pdftoppm", ["-r", "30", "-gray", "-f", "1", "-l", "1", url.path])
        #expect(gray.stdoutData.contains { $0 < 128 }, "no dark pixels on the page")
    }

    @Test func subsetCacheGivesTheSameBytesAsAFreshTypesetter() throws {
        let warm = try Typesetter()
        let first = try warm.typeset(SampleSpecs.contract(items: 4)).pdf
        _ = try warm.typeset(spec("Another document with other words: Zürich, Ødegaard, 42 %."))
        let again = try warm.typeset(SampleSpecs.contract(items: 4)).pdf
        let fresh = try Typesetter().typeset(SampleSpecs.contract(items: 4)).pdf
        #expect(first == again)
        #expect(first == fresh)
    }

    @Test func documentsWithTheSameGlyphBlocksShareOneSubset() throws {
        let typesetter = try Typesetter()
        let one = try PDFDocument(bytes: typesetter.typeset(spec("Customer: Acme Corp, 12 seats.")).pdf)
        let two = try PDFDocument(bytes: typesetter.typeset(spec("Customer: Zenith Ltd, 999 seats!")).pdf)
        let three = try PDFDocument(bytes: typesetter.typeset(spec("Kunde: Müller GmbH, 7 Plätze.")).pdf)
        #expect(try fontPrograms(one) == fontPrograms(two), "ASCII-only text: one subset of the Basic Latin block")
        #expect(try fontPrograms(one) != fontPrograms(three), "Latin-1 letters add a block")
    }

    @Test func pngAlphaBecomesASoftMask() throws {
        let png = [UInt8](try Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("signature-mark.png")))
        let pdf = try Typesetter().typeset(DocumentSpec(page: .a4, body: [.image(Image(data: png, format: .png, width: 120))])).pdf
        let document = try PDFDocument(bytes: pdf)
        let images = try document.allObjects().values.compactMap(\.streamValue)
            .filter { $0.dictionary["Subtype"] == .name("Image") }
        let image = try #require(images.first { $0.dictionary["SMask"] != nil })
        #expect(image.dictionary["ColorSpace"] == .name("DeviceRGB"))
        #expect(image.dictionary["Width"] == 240 && image.dictionary["Height"] == 80)
        let mask = try #require(try document.resolve(image.dictionary["SMask"]!).streamValue)
        #expect(mask.dictionary["ColorSpace"] == .name("DeviceGray"))
        let alpha = try Flate.decode(mask.encodedData, maxOutput: 1 << 20)
        #expect(alpha.count == 240 * 80)
        #expect(alpha.contains(0) && alpha.contains { $0 > 200 }, "transparent background and opaque ink")
        let list = try runCommand("pdfimages", ["-list", try write(pdf).path]).stdout
        #expect(list.contains("smask"), "\(list)")
    }

    @Test func typesetFileIsCleanForQPDF() throws {
        let pdf = try Typesetter().typeset(SampleSpecs.contract(items: 30)).pdf
        let check = try runCommand("qpdf", ["--check", try write(pdf).path])
        #expect(check.status == 0 && !check.stdout.contains("WARNING"), "\(check.stdout)")
    }

    /// The embedded font programs' bytes, by font name without the subset tag.
    private func fontPrograms(_ document: PDFDocument) throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for object in try document.allObjects().values {
            guard let descriptor = object.dictionaryValue, descriptor["Type"] == .name("FontDescriptor"),
                  let name = descriptor["FontName"]?.nameValue?.string,
                  let file = descriptor["FontFile2"] ?? descriptor["FontFile3"],
                  let stream = try document.resolve(file).streamValue else { continue }
            result[String(name.drop { $0 != "+" }.dropFirst())] = stream.encodedData
        }
        return result
    }
}
