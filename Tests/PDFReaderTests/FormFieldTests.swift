import Foundation
import PDFReader
import TestSupport
import Testing

@Suite struct FormFieldTests {
    @Test func fieldsHaveNamesKindsPagesAndUserSpaceRects() throws {
        let fields = try DocumentReader(data: Fixtures.formPDF()).fields()
        #expect(fields.count == 3)
        let name = try #require(fields.first { $0.name == "form.name" })
        #expect(name.partialName == "name" && name.kind == .text && name.page == 1)
        #expect(name.rect == PageRect(x: 72, y: 700, width: 200, height: 20))
        #expect(name.value == "Jane Doe")
        let signature = try #require(fields.first { $0.kind == .signature })
        #expect(signature.name == "Signature1" && signature.page == 1 && signature.value == nil)
        #expect(signature.rect == PageRect(x: 300, y: 100, width: 200, height: 50))
        // Page 2's MediaBox starts at (100, 200); poppler measures from there, the reader does not.
        let agree = try #require(fields.first { $0.name == "agree" })
        #expect(agree.kind == .checkbox && agree.page == 2)
        #expect(agree.rect == PageRect(x: 150, y: 250, width: 20, height: 20))
    }

    @Test func aDocumentWithoutAFormHasNoFields() throws {
        let reader = try DocumentReader(data: Fixtures.userSpacePDF([("[0 0 200 100]", 0, 10, 10)]))
        #expect(reader.fields().isEmpty)
    }
}
