import Foundation
import PDFReader
import TestSupport
import Testing

/// Whether `actual` is within `tolerance` points of `expected` on every edge.
func close(_ actual: PageRect, _ expected: PageRect, tolerance: Double = 2) -> Bool {
    abs(actual.minX - expected.minX) <= tolerance && abs(actual.minY - expected.minY) <= tolerance
        && abs(actual.maxX - expected.maxX) <= tolerance && abs(actual.maxY - expected.maxY) <= tolerance
}

@Suite struct TextSearchTests {
    /// Three pages from cairo: "Sign here" twice on page 1, none on page 2, once on page 3.
    static func anchors() throws -> (url: URL, advance: Double) {
        let url = try TestEnvironment.scratchDirectory().appendingPathComponent("anchors.pdf")
        let advances = Fixtures.cairoPDF(at: url, pages: [
            [.init(string: "Sign here", x: 100, y: 200), .init(string: "Sign here", x: 300, y: 200),
             .init(string: "Date:", x: 100, y: 300)],
            [.init(string: "Nothing to see", x: 72, y: 72)],
            [.init(string: "Please SIGN HERE below", x: 72, y: 700)],
        ], title: "Anchor test", author: "Countersign")
        return (url, try #require(advances["Sign here"]))
    }

    @Test func anchorIsInUserSpaceAtCairoPosition() throws {
        let (url, advance) = try Self.anchors()
        let reader = try DocumentReader(path: url.path)
        let match = try #require(reader.find(text: "Sign here", caseSensitive: true).first)
        #expect(match.page == 1)
        // cairo's baseline is 200 pt from the top of a 792 pt page: 592 pt up in PDF space. The box
        // runs from the font's descent below the baseline to its ascent above it.
        let baseline = 792.0 - 200
        #expect(match.rect.minY < baseline && match.rect.minY > baseline - 5)
        #expect(match.rect.maxY > baseline + 7 && match.rect.maxY < baseline + Fixtures.fontSize + 2)
        #expect(abs(match.rect.minX - 100) < 2 && abs(match.rect.maxX - (100 + advance)) < 2)
    }

    @Test func matchesComeInPageOrderWithSeveralPerPage() throws {
        let (url, advance) = try Self.anchors()
        let matches = try DocumentReader(path: url.path).find(text: "sign here")
        #expect(matches.map(\.page) == [1, 1, 3])
        #expect(abs(matches[0].rect.minX - 100) < 2 && abs(matches[1].rect.minX - 300) < 2)
        #expect(abs(matches[0].rect.minY - matches[1].rect.minY) < 0.01)
        #expect(abs(matches[1].rect.width - advance) < 2)
        // Page 3's text starts at x = 72 with "Please " before the match, 100 pt from the bottom.
        #expect(matches[2].rect.minX > 72 && matches[2].rect.minY < 92 + 1 && matches[2].rect.maxY > 92)
    }

    @Test func caseSensitivityIsAnOption() throws {
        let (url, _) = try Self.anchors()
        let reader = try DocumentReader(path: url.path)
        #expect(reader.find(text: "SIGN HERE").count == 3)
        #expect(reader.find(text: "SIGN HERE", caseSensitive: true).map(\.page) == [3])
        #expect(reader.find(text: "Sign here", caseSensitive: true).map(\.page) == [1, 1])
    }

    @Test func absentTextFindsNothing() throws {
        let (url, _) = try Self.anchors()
        let reader = try DocumentReader(path: url.path)
        #expect(reader.find(text: "Initial here").isEmpty)
        #expect(reader.find(text: "").isEmpty)
    }

    @Test func pageTextPageSizeAndMetadata() throws {
        let (url, _) = try Self.anchors()
        let reader = try DocumentReader(path: url.path)
        #expect(reader.pageCount == 3)
        #expect(try reader.pageSize(at: 2) == PageSize(width: 612, height: 792))
        #expect(try reader.text(page: 1).contains("Date:"))
        #expect(try reader.text(page: 2).contains("Nothing to see"))
        #expect(throws: PDFReaderError(.pageOutOfRange, "")) { try reader.text(page: 4) }
        #expect(throws: PDFReaderError(.pageOutOfRange, "")) { try reader.pageSize(at: 0) }
        let metadata = reader.metadata
        #expect(metadata.title == "Anchor test" && metadata.author == "Countersign")
        #expect(metadata.producer?.hasPrefix("cairo") == true)
        #expect(metadata.subject == nil)
    }

    /// Offset crop boxes and every rotation: boxes still come back in user space.
    /// (With widgets on the pages the rotation is read off them; without, a probe finds it.)
    @Test(arguments: [false, true])
    func userSpaceDespiteCropOffsetAndRotation(widgets: Bool) throws {
        let pages: [(mediaBox: String, rotate: Int, x: Double, y: Double)] = [
            ("[0 0 612 792]", 0, 150, 300), ("[100 200 712 992]", 0, 150, 300),
            ("[0 0 612 792]", 90, 150, 300), ("[100 200 712 992]", 90, 150, 300),
            ("[100 200 712 992]", 180, 150, 300), ("[100 200 712 992]", 270, 150, 300),
            ("[-50 -50 450 450]", -90, 20, 40),
        ]
        let reader = try DocumentReader(data: Fixtures.userSpacePDF(pages, widgets: widgets))
        let matches = reader.find(text: "Sign here")
        #expect(matches.map(\.page) == Array(1...pages.count))
        for (match, page) in zip(matches, pages) {
            // Helvetica 12 pt: "Sign here" is 51.36 pt wide; the box spans descent to ascent.
            let expected = PageRect(x: page.x, y: page.y - 2.5, width: 51.36, height: 11.1)
            #expect(close(match.rect, expected), "page \(match.page) rotated \(page.rotate): \(match.rect)")
        }
        #expect(try (1...pages.count).map { try reader.rotation(at: $0) } == [0, 0, 90, 90, 180, 270, 270])
        #expect(try reader.pageSize(at: 4) == PageSize(width: 792, height: 612))
        #expect(try reader.cropBox(at: 2) == PageRect(x: 100, y: 200, width: 612, height: 792))
        // Widget areas are user space too, on every page.
        let fields = reader.fields()
        #expect(fields.count == (widgets ? pages.count : 0))
        for (field, page) in zip(fields, pages) {
            #expect(field.rect == PageRect(x: page.x, y: page.y + 50, width: 100, height: 20), "\(field.name)")
        }
    }
}

@Suite struct OpeningTests {
    @Test func aMissingFileIsNotFound() {
        #expect(throws: PDFReaderError(.notFound, "")) {
            try DocumentReader(path: "/nonexistent/countersign/missing.pdf")
        }
    }

    @Test func aFileThatIsNotAPDFIsDamaged() throws {
        let url = try TestEnvironment.scratchDirectory().appendingPathComponent("notes.pdf")
        try Data("just some text, not a PDF\n".utf8).write(to: url)
        #expect(throws: PDFReaderError(.damaged, "")) { try DocumentReader(path: url.path) }
        #expect(throws: PDFReaderError(.damaged, "")) { try DocumentReader(bytes: []) }
        #expect(throws: PDFReaderError(.damaged, "")) { try DocumentReader(bytes: Array("%PDF-1.7\n".utf8)) }
    }

    @Test func bytesOutliveTheCallersBuffer() throws {
        var bytes = [UInt8](Fixtures.userSpacePDF([("[0 0 200 100]", 0, 10, 40)]))
        let reader = try DocumentReader(bytes: bytes)
        bytes.removeAll()
        #expect(reader.find(text: "Sign here").count == 1)
    }

    @Test(.enabled(if: toolAvailable("qpdf"))) func encryptedNeedsThePassword() throws {
        let dir = try TestEnvironment.scratchDirectory()
        let plain = dir.appendingPathComponent("plain.pdf"), locked = dir.appendingPathComponent("locked.pdf")
        Fixtures.cairoPDF(at: plain, pages: [[.init(string: "Sign here", x: 100, y: 200)]])
        let result = try runCommand("qpdf", ["--encrypt", "user", "owner", "256", "--", plain.path, locked.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(throws: PDFReaderError(.encrypted, "")) { try DocumentReader(path: locked.path) }
        #expect(throws: PDFReaderError(.encrypted, "")) { try DocumentReader(path: locked.path, password: "nope") }
        let data = try Data(contentsOf: locked)
        #expect(throws: PDFReaderError(.encrypted, "")) { try DocumentReader(data: data) }
        for password in ["user", "owner"] {
            let reader = try DocumentReader(path: locked.path, password: password)
            #expect(reader.find(text: "Sign here").map(\.page) == [1])
        }
        #expect(try DocumentReader(data: data, password: "user").pageCount == 1)
    }

    @Test func errorsCompareByCodeAndDescribeThemselves() {
        let error = PDFReaderError(.encrypted, "needs a password")
        #expect(error == PDFReaderError(.encrypted, "other words"))
        #expect(error != PDFReaderError(.damaged, "needs a password"))
        #expect(error.description == "needs a password" && error.code.description == "encrypted")
    }
}

/// A user-space rectangle as a turned page displays it (the signing page draws boxes so).
@Test(arguments: [
    (0, PageRect(x: 72, y: 52, width: 100, height: 40)),
    (90, PageRect(x: 700, y: 72, width: 40, height: 100)),
    (180, PageRect(x: 440, y: 700, width: 100, height: 40)),
    (270, PageRect(x: 52, y: 440, width: 40, height: 100)),
])
func aRectangleIsShownWhereTheTurnedPageShowsIt(rotation: Int, expected: PageRect) {
    let crop = PageRect(x: 0, y: 0, width: 612, height: 792)
    let rect = PageRect(x1: 72, y1: 700, x2: 172, y2: 740)
    #expect(rect.displayed(crop: crop, rotation: rotation) == expected)
    // A crop box away from the origin moves nothing on the displayed page.
    let offset = PageRect(x: 50, y: 100, width: 612, height: 792)
    #expect(PageRect(x1: 122, y1: 800, x2: 222, y2: 840).displayed(crop: offset, rotation: rotation) == expected)
}
