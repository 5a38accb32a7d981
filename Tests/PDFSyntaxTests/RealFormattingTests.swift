import Foundation
@testable import PDFSyntax
import Testing

/// Reals are written with no exponent, without a formatter: with at most four decimals, unless
/// that would change a value read from a file (then with its own digits).
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

    /// A real read from a file is written back with the same digits (up to trailing zeros), so
    /// an object our signer rewrites (a page given a widget) keeps every value as the earlier
    /// signer signed it; arithmetic results keep the short form.
    @Test(arguments: ["595.303937007874", "841.889763779528", "595.32001", "0.000123456789", "-12.3456789", "0.00001234",
                      "-0.0000005",
                      "1234567.891", "0.1", "612", "-0.5", "99999999.9999999"])
    func aRealReadIsWrittenWithItsOwnDigits(_ text: String) throws {
        var lexer = Lexer(bytes: PDFBytes(Array(text.utf8)), position: 0, end: text.utf8.count)
        let token = try lexer.next().token
        let value: Double = switch token {
        case .real(let real): real
        case .integer(let integer): Double(integer)
        default: .nan
        }
        #expect(value == Double(text), "the nearest double, as strtod gives it")
        #expect(ObjectSerializer.serialize(.number(value)) == Array(text.utf8))
    }

    @Test func oddFormsOfRealsReadAsStrtodReadsThem() throws {
        for (text, expected) in [("-.5", -0.5), ("5.", 5.0), ("+.25", 0.25), ("1.50", 1.5),
                                 ("0.70710678118654752440", 0.70710678118654752440),
                                 ("3.14159265358979323846264338327950288", Double.pi),
                                 ("0.10000000000000000000000000001", 0.1), ("123456789012345678901.5", 123456789012345678901.5)] {
            var lexer = Lexer(bytes: PDFBytes(Array(text.utf8)), position: 0, end: text.utf8.count)
            #expect(try lexer.next().token == .real(expected), "\(text)")
        }
    }

    @Test func arithmeticTailsKeepTheShortForm() {
        #expect((0.1 + 0.2).pdfWritten == "0.3")
        #expect((1.0 / 3.0).pdfWritten == "0.3333")
        #expect(556.15234375.pdfWritten == "556.15234375")
        #expect(72.5.pdfWritten == "72.5")
        #expect(Double.positional("1.234e-05") == "0.00001234" && Double.positional("-5e-07") == "-0.0000005")
        #expect(Double.positional("1.5e+16") == "15000000000000000" && Double.positional("612.0") == "612.0")
    }
}
