import Foundation
import TestSupport
import Testing
@testable import Typesetting

/// Typesetting judged by poppler's tools: text, fonts, pages and geometry of what cairo wrote.
@Suite struct TypesettingTests {
    private func write(_ document: TypesetDocument, _ name: String = "doc.pdf") throws -> URL {
        let url = try TestEnvironment.scratchDirectory().appendingPathComponent(name)
        try Data(document.pdf).write(to: url)
        return url
    }

    private func text(_ url: URL, page: Int? = nil) throws -> String {
        var arguments = ["-layout"]
        if let page { arguments += ["-f", "\(page)", "-l", "\(page)"] }
        return try runCommand("pdftotext", arguments + [url.path, "-"]).stdout
    }

    @Test func onlyShippedFontsAreVisible() throws {
        let typesetter = try Typesetter()
        let families = typesetter.fontFamilies
        for family in ["Liberation Serif", "Liberation Sans", "Liberation Mono", "DejaVu Sans", "Dancing Script"] {
            #expect(families.contains(family), "missing \(family) in \(families)")
        }
        #expect(!families.contains("Noto Sans"))
    }

    @Test func contractRendersWithRepeatedHeaderAndPageNumbers() throws {
        let document = try Typesetter().typeset(SampleSpecs.contract(items: 60))
        #expect(document.pageCount >= 3)
        let url = try write(document)
        let page2 = try text(url, page: 2)
        #expect(page2.contains("Item"), "table header repeats on page 2")
        #expect(page2.contains("Page 2 of \(document.pageCount)"))
        let all = try text(url)
        #expect(all.contains("Page 1 of \(document.pageCount)"))
        #expect(all.contains("Line item 60: platform licence"))
        #expect(all.contains("Acme Corp"))
        let fonts = try runCommand("pdffonts", [url.path]).stdout
        let rows = fonts.split(separator: "\n").dropFirst(2)
        #expect(!rows.isEmpty)
        for row in rows { #expect(row.contains(" yes "), "font not embedded/subset: \(row)") }
        #expect(fonts.contains("LiberationSerif"))
    }

    @Test func signatureBoxesAreRecordedInPDFCoordinates() throws {
        let document = try Typesetter().typeset(SampleSpecs.contract(items: 3))
        #expect(document.signatures.map(\.role) == ["customer", "company"])
        for signature in document.signatures {
            #expect(abs((signature.x1 - signature.x0) - 216) < 0.01)
            #expect(abs((signature.y1 - signature.y0) - 43) < 0.01)
            #expect(signature.x0 == 72)
            #expect(signature.y0 >= 72 && signature.y1 <= 720)
        }
        #expect(document.signatures[0].y0 > document.signatures[1].y1 || document.signatures[0].page < document.signatures[1].page)
    }

    @Test func outputIsDeterministic() throws {
        let typesetter = try Typesetter()
        let first = try typesetter.typeset(SampleSpecs.contract(items: 20)).pdf
        let second = try typesetter.typeset(SampleSpecs.contract(items: 20)).pdf
        let fresh = try Typesetter().typeset(SampleSpecs.contract(items: 20)).pdf
        #expect(first == second)
        #expect(first == fresh)
    }
}

/// Images, outlines and page geometry.
@Suite struct TypesettingDetailTests {
    @Test func jpegBytesPassThroughUnchanged() throws {
        let jpeg = [UInt8](try Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("sample-photo.jpg")))
        var image = Image(data: jpeg, format: .jpeg, width: 144)
        image.alignment = .center
        let spec = DocumentSpec(page: .a4, body: [.image(image)])
        let pdf = try Typesetter().typeset(spec).pdf
        let url = try TestEnvironment.scratchDirectory().appendingPathComponent("photo.pdf")
        try Data(pdf).write(to: url)
        let list = try runCommand("pdfimages", ["-list", url.path]).stdout
        #expect(list.contains("jpeg"), "\(list)")
        // The exact JPEG bytes are inside the PDF (no re-encoding).
        let haystack = Data(pdf)
        #expect(haystack.range(of: Data(jpeg)) != nil)
    }

    @Test func headingsBecomeAnOutline() throws {
        let pdf = try Typesetter().typeset(SampleSpecs.contract(items: 40)).pdf
        let url = try TestEnvironment.scratchDirectory().appendingPathComponent("outline.pdf")
        try Data(pdf).write(to: url)
        let info = try runCommand("qpdf", ["--json", "--json-key=outlines", url.path]).stdout
        #expect(info.contains("Service Agreement"))
        #expect(info.contains("Line items"))
        #expect(info.contains("Signatures"))
    }

    @Test func landscapeAndMarginsShapeThePage() throws {
        var page = PageSetup.a4.landscape
        page.marginLeft = 36
        let spec = DocumentSpec(page: page, body: [SampleSpecs.paragraph("Landscape page.", align: .left)])
        let pdf = try Typesetter().typeset(spec).pdf
        let url = try TestEnvironment.scratchDirectory().appendingPathComponent("landscape.pdf")
        try Data(pdf).write(to: url)
        let info = try runCommand("pdfinfo", [url.path]).stdout
        #expect(info.contains("841.89 x 595.276"), "\(info)")
        let bbox = try runCommand("pdftotext", ["-bbox", url.path, "-"]).stdout
        let firstWord = try #require(bbox.split(separator: "\n").first { $0.contains("<word") })
        #expect(firstWord.contains("xMin=\"36"), "\(firstWord)")
    }

    @Test func rawCairoOutputIsStructurallySound() throws {
        // cairo 1.16 corrupts its xref when asked to tag links; we never ask (links are ours).
        let pdf = try Typesetter().typeset(SampleSpecs.contract(items: 5)).pdf
        let url = try TestEnvironment.scratchDirectory().appendingPathComponent("raw.pdf")
        try Data(pdf).write(to: url)
        let check = try runCommand("qpdf", ["--check", url.path])
        #expect(check.status == 0 && !check.stdout.contains("WARNING"), "\(check.stdout)")
    }
}
