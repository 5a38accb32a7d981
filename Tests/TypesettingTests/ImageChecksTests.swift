import Foundation
import TestSupport
import Testing
@testable import Typesetting

/// Images are printed as they are meant to be seen, or refused: a truncated or damaged file, or
/// a header claiming a size its data cannot hold, is an error before anything is drawn; a
/// photo's EXIF orientation is applied, as every viewer and e-signature tool applies it.
@Suite struct ImageChecksTests {
    static let jpeg = Array(try! Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("sample-photo.jpg")))
    static let png = Array(try! Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("signature-mark.png")))

    @Test func wholeImagesPassAndBrokenOnesSayWhy() throws {
        #expect(Image(data: Self.jpeg, format: .jpeg).problem == nil)
        #expect(Image(data: Self.png, format: .png).problem == nil)
        // Cut short: the JPEG loses its end-of-image marker, the PNG its IEND.
        let truncatedJPEG = Image(data: Array(Self.jpeg.prefix(Self.jpeg.count * 2 / 3)), format: .jpeg)
        #expect(truncatedJPEG.problem == "it has no end-of-image marker after its data: the file is truncated")
        #expect(Image(data: Array(Self.png.prefix(Self.png.count - 20)), format: .png).problem?.hasSuffix("the file is truncated") == true)
        // One byte changed inside a PNG chunk.
        var damaged = Self.png
        damaged[60] ^= 0x55
        #expect(Image(data: damaged, format: .png).problem?.contains("is damaged (its CRC does not match)") == true)
        // A frame header claiming 65 000 × 65 000 pixels for 8 KB of data.
        var claimed = Self.jpeg
        let sof = try #require((0..<(claimed.count - 1)).first { claimed[$0] == 0xFF && claimed[$0 + 1] == 0xC0 })
        claimed.replaceSubrange((sof + 5)..<(sof + 9), with: [0xFD, 0xE8, 0xFD, 0xE8])
        #expect(Image(data: claimed, format: .jpeg).problem?.hasPrefix("its header says 65000×65000 pixels") == true)
        // The typesetter refuses them too (an uploaded mark never passes through a template).
        #expect(throws: TypesettingError.self) {
            _ = try Typesetter().typeset(DocumentSpec(page: .letter, body: [.image(truncatedJPEG)]))
        }
    }

    @Test func aPhotosOrientationIsApplied() throws {
        // The fixture is 170 × 220 pixels; EXIF orientation 6 says it is seen turned a quarter
        // clockwise: 220 wide, 170 tall.
        let tiff: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]
        let exif: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0] + tiff
        let segment: [UInt8] = [0xFF, 0xE1, UInt8((exif.count + 2) >> 8), UInt8((exif.count + 2) & 0xFF)] + exif
        let rotated = Array(Self.jpeg.prefix(2)) + segment + Array(Self.jpeg.dropFirst(2))
        let source = try ImageSource(Image(data: rotated, format: .jpeg))
        #expect(source.orientation == 6 && source.pixelWidth == 170 && source.pixelHeight == 220)
        let (width, height) = source.displaySize(width: 110, height: nil)
        #expect(width == 110 && abs(height - 85) < 0.01)

        let document = try Typesetter().typeset(DocumentSpec(page: .letter, body: [.image(Image(data: rotated, format: .jpeg, width: 110))]))
        let url = try TestEnvironment.scratchDirectory().appendingPathComponent("rotated.pdf")
        try Data(document.pdf).write(to: url)
        let content = try runCommand("qpdf", ["--qdf", "--object-streams=disable", url.path, "-"]).stdout
        #expect(content.contains("110 0 0 -85 72 157 cm 0 -1 1 0 0 1 cm /Im1 Do"), "\(content.components(separatedBy: "Do").first?.suffix(120) ?? "")")
        // The pixels are embedded as stored (the XObject keeps the file's own size).
        #expect(content.contains("/Width 170") && content.contains("/Height 220"))
    }
}
