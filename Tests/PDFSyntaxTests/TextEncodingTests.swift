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
}
