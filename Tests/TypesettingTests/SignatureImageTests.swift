import Foundation
import PDFSyntax
import Testing
import TestSupport
import Typesetting

/// A signer's drawn or uploaded image is checked when adopted, because the completion draws it
/// into the sealed document after the signer has gone: an image that cannot be drawn, or that
/// shows nothing, would leave the envelope unable to complete or signed with nothing.
@Suite struct SignatureImageTests {
    /// An 8-bit RGBA PNG of `width` × `height` whose pixels `pixel(x, y)` gives.
    static func png(_ width: Int, _ height: Int, idat: [UInt8]? = nil, pixel: (Int, Int) -> [UInt8]) throws -> [UInt8] {
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(0)
            for x in 0..<width { raw += pixel(x, y) }
        }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            var c: UInt32 = 0xFFFF_FFFF
            for byte in body {
                c ^= UInt32(byte)
                for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            }
            c ^= 0xFFFF_FFFF
            return be(UInt32(data.count)) + body + be(c)
        }
        func be(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        let header = be(UInt32(width)) + be(UInt32(height)) + [8, 6, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header)
            + chunk("IDAT", try idat ?? Flate.encode(raw, level: 6)) + chunk("IEND", [])
    }

    static func stroke(_ x: Int, _ y: Int) -> [UInt8] { abs(y - x / 3 - 5) < 2 ? [20, 40, 120, 255] : [0, 0, 0, 0] }

    @Test func aDrawingWithInkIsTaken() throws {
        #expect(SignatureImage.problem(try Self.png(120, 40, pixel: Self.stroke)) == nil)
        let mark = [UInt8](try Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("signature-mark.png")))
        #expect(SignatureImage.problem(mark) == nil)
    }

    @Test func imagesThatCannotBeDrawnOrShowNothingAreRefused() throws {
        let good = try Self.png(120, 40, pixel: Self.stroke)
        var damaged = good
        damaged[40] ^= 0xFF   // inside IDAT: its CRC no longer matches
        let undecodable = try Self.png(120, 40, idat: [0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF]) { _, _ in [0, 0, 0, 255] }
        let huge = try Self.png(30000, 30000, idat: Flate.encode([0], level: 6)) { _, _ in [] }
        for (png, says) in [(Array(good.prefix(good.count - 20)), "truncated"), (damaged, "CRC does not match"),
                            (undecodable, "cannot be decoded"), (huge, "30000×30000 pixels"),
                            (try Self.png(60, 20) { _, _ in [255, 255, 255, 255] }, "blank"),
                            (try Self.png(60, 20) { _, _ in [0, 0, 0, 0] }, "blank"),
                            (try Self.png(1, 1) { _, _ in [0, 0, 0, 255] }, "blank")] {
            let problem = SignatureImage.problem(png)
            #expect(problem?.contains(says) == true, "\(problem ?? "accepted"), expected '\(says)'")
        }
    }
}
