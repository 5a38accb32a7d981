import Foundation
@testable import PDFSyntax
import Testing

/// Reals are written with at most four decimals and no exponent, without a formatter.
@Suite struct RealFormattingTests {
    @Test func matchesPrintfWithTrailingZerosDropped() {
        func printf(_ value: Double) -> String {
            var text = String(format: "%.4f", value)
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            return text == "-0" ? "0" : text
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let magnitude = [1.0, 100.0, 10_000.0, 1e6][Int.random(in: 0..<4, using: &generator)]
            let value = Double.random(in: -magnitude...magnitude, using: &generator)
            // Within a hair of a half ten-thousandth the scaled product may round the other way.
            let scaled = abs(value) * 10_000
            if abs(scaled - scaled.rounded(.down) - 0.5) < 1e-5 { continue }
            #expect(value.pdfFormatted == printf(value), "\(value)")
        }
    }

    @Test func edgeCases() {
        #expect(0.5.pdfFormatted == "0.5")
        #expect((-0.25).pdfFormatted == "-0.25")
        #expect(612.0.pdfFormatted == "612")
        #expect(0.00004.pdfFormatted == "0")
        #expect((-0.00004).pdfFormatted == "0")
        #expect(1.00012.pdfFormatted == "1.0001")
        #expect(0.0701.pdfFormatted == "0.0701")
        #expect((-3.00009).pdfFormatted == "-3.0001")
        #expect(123456789012345.5.pdfFormatted == "123456789012345.5")
    }
}
