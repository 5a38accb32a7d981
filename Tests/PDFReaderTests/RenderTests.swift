import Foundation
import PDFReader
import TestSupport
import Testing

@Suite struct RenderTests {
    /// Width and height from a PNG's IHDR chunk.
    static func pngSize(_ data: Data) -> (Int, Int)? {
        let bytes = [UInt8](data)
        guard bytes.count > 24, bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { return nil }
        func word(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (word(16), word(20))
    }

    @Test func rendersAPNGOfTheExpectedSize() throws {
        let dir = try TestEnvironment.scratchDirectory()
        let reader = try DocumentReader(data: Fixtures.userSpacePDF([("[0 0 200 100]", 0, 10, 40),
                                                                     ("[0 0 200 100]", 90, 10, 40)]))
        let at72 = dir.appendingPathComponent("p1.png"), at150 = dir.appendingPathComponent("p2.png")
        try reader.renderPNG(page: 1, dpi: 72, to: at72.path)
        try reader.renderPNG(page: 2, dpi: 150, to: at150.path)
        let first = try #require(Self.pngSize(Data(contentsOf: at72)))
        #expect(first == (200, 100))
        // 100 × 150 / 72 = 208.3 and 200 × 150 / 72 = 416.7, rounded up; page 2 is turned.
        let second = try #require(Self.pngSize(Data(contentsOf: at150)))
        #expect(second == (209, 417))
    }

    @Test func renderingRejectsBadArguments() throws {
        let reader = try DocumentReader(data: Fixtures.userSpacePDF([("[0 0 200 100]", 0, 10, 40)]))
        let path = try TestEnvironment.scratchDirectory().appendingPathComponent("x.png").path
        #expect(throws: PDFReaderError(.pageOutOfRange, "")) { try reader.renderPNG(page: 2, dpi: 72, to: path) }
        #expect(throws: PDFReaderError(.invalidArgument, "")) { try reader.renderPNG(page: 1, dpi: 0, to: path) }
        #expect(throws: PDFReaderError(.renderFailed, "")) { try reader.renderPNG(page: 1, dpi: 1e6, to: path) }
        #expect(throws: PDFReaderError(.renderFailed, "")) {
            try reader.renderPNG(page: 1, dpi: 72, to: "/nonexistent-dir/x.png")
        }
    }
}
