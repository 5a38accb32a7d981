import PDFSyntax
import Testing

@Suite struct TextEncodingTests {
    @Test func pdfDocEncodingRoundTrips() {
        let string = PDFString(text: "Café – “quoted” €")
        #expect(string.bytes.first != 0xFE)
        #expect(string.text == "Café – “quoted” €")
    }

    @Test func fallsBackToUTF16ForWideText() {
        let string = PDFString(text: "契約 ✍")
        #expect(Array(string.bytes.prefix(2)) == [0xFE, 0xFF])
        #expect(string.text == "契約 ✍")
    }

    @Test func utf8WithBOMDecodes() {
        #expect(PDFTextEncoding.decode([0xEF, 0xBB, 0xBF] + Array("Zoë".utf8)) == "Zoë")
    }

    @Test func printableASCIIIsItself() {
        for byte in UInt8(0x20)...UInt8(0x7E) {
            #expect(PDFTextEncoding.decode([byte]) == String(Unicode.Scalar(byte)))
            // With a tab the table decodes it: the fast path must agree with the table.
            #expect(PDFTextEncoding.decode([byte, 0x09]) == String(Unicode.Scalar(byte)) + "\t")
        }
        #expect(PDFTextEncoding.decode(Array("Service Agreement (v2)".utf8)) == "Service Agreement (v2)")
        // A tab is not printable ASCII: it goes through the table and stays a tab.
        #expect(PDFTextEncoding.decode([0x41, 0x09, 0x42]) == "A\tB")
    }
}
