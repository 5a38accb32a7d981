import Foundation
import PDFSyntax
import Rendering
import TestSupport
import Testing
import Typesetting

/// The finished PDF: real signature fields where the boxes were laid out, metadata, determinism.
@Suite struct DocumentFinisherTests {
    private func finished(items: Int = 3) throws -> (bytes: [UInt8], typeset: TypesetDocument) {
        let spec = SampleSpecs.contract(items: items)
        var info = spec.info
        info.custom = ["CountersignTemplateID": "service-agreement", "CountersignTemplateSHA256": "abc123"]
        let typeset = try Typesetter().typeset(spec)
        return (try DocumentFinisher().finish(typeset, info: info), typeset)
    }

    @Test func signatureFieldsAreRealAcroFormFields() throws {
        let (bytes, typeset) = try finished()
        let document = try PDFDocument(bytes: bytes)
        let fields = try document.formFields()
        #expect(fields.map(\.name) == ["sig_customer", "sig_company"])
        for (field, placed) in zip(fields, typeset.signatures) {
            #expect(field.kind == .signature)
            #expect(!field.isSigned)
            #expect(field.widgets.first?.page == placed.page)
            let rect = try #require(field.widgets.first?.rect)
            for (ours, laidOut) in zip([rect.x0, rect.y0, rect.x1, rect.y1], [placed.x0, placed.y0, placed.x1, placed.y1]) {
                #expect(abs(ours - laidOut) < 0.001)
            }
        }
        try QPDFJudge.expectClean(bytes)
    }

    @Test func linksBecomeURIAnnotations() throws {
        let (bytes, typeset) = try finished()
        #expect(typeset.links.map(\.url) == ["https://example.com/terms"])
        let document = try PDFDocument(bytes: bytes)
        let page = try document.pages()[0]
        let annotations = try document.resolve(page.dictionary["Annots"] ?? .null).arrayValue ?? []
        let links = try annotations.compactMap { try document.resolve($0).dictionaryValue }.filter { $0["Subtype"] == .name("Link") }
        #expect(links.count == 1)
        #expect(links.first?["A"]?.dictionaryValue?["URI"] == .string(PDFString(bytes: Array("https://example.com/terms".utf8))))
    }

    @Test func metadataAndProvenanceAreWritten() throws {
        let (bytes, _) = try finished()
        let document = try PDFDocument(bytes: bytes)
        let metadata = try document.metadata()
        #expect(metadata.title == "Service Agreement — Acme Corp")
        #expect(metadata.creationDate == "D:20260115000000Z")
        #expect(metadata.entries["CountersignTemplateID"] == "service-agreement")
        let xmp = try #require(try document.xmpMetadata())
        #expect(xmp.contains("<cs:CountersignTemplateSHA256>abc123</cs:CountersignTemplateSHA256>"))
        #expect(try document.catalog()["Lang"] == .string(PDFString(text: "en-US")))
        #expect(document.trailer["ID"]?.arrayValue?.count == 2)
    }

    /// A document date with an offset names the same instant in the PDF and its XMP: the time
    /// as given with its offset, not relabelled UTC.
    @Test(arguments: [("2025-03-30T23:30:00-05:00", "D:20250330233000-05'00'", "2025-03-30T23:30:00-05:00"),
                      ("2025-03-30T23:30:00.250+0530", "D:20250330233000+05'30'", "2025-03-30T23:30:00+05:30"),
                      ("2025-03-30T23:30:00Z", "D:20250330233000Z", "2025-03-30T23:30:00Z"),
                      ("2025-03-30T23:30:00+00:00", "D:20250330233000Z", "2025-03-30T23:30:00Z"),
                      ("2025-03-30", "D:20250330000000Z", "2025-03-30T00:00:00Z")])
    func aDatesOffsetIsKept(_ given: String, _ pdf: String, _ iso: String) throws {
        let spec = SampleSpecs.contract(items: 1)
        var info = spec.info
        info.date = given
        let document = try PDFDocument(bytes: try DocumentFinisher().finish(try Typesetter().typeset(spec), info: info))
        #expect(try document.metadata().creationDate == pdf)
        #expect(try #require(try document.xmpMetadata()).contains("<xmp:CreateDate>\(iso)</xmp:CreateDate>"))
    }

    @Test func finishedOutputIsDeterministic() throws {
        let first = try finished(items: 10).bytes
        let second = try finished(items: 10).bytes
        #expect(first == second)
    }
}

/// qpdf as an independent judge.
enum QPDFJudge {
    static func expectClean(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = try TestEnvironment.scratchDirectory().appendingPathComponent("check.pdf")
        try Data(bytes).write(to: file)
        let result = try runCommand("qpdf", ["--check", file.path])
        #expect(result.status == 0, "qpdf --check: \(result.stdout) \(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stdout.contains("WARNING"), "qpdf warned: \(result.stdout)", sourceLocation: sourceLocation)
    }
}
