import Foundation
import PDFSyntax
import Signing
import TestSupport
import Testing

/// Signing any readable PDF (DESIGN.md §7): harmless deviations are signed with an incremental
/// update and reported as notes; an unsigned file with ambiguous structure is rewritten cleanly
/// first and says so; a signed one is never rewritten — refused when it is ambiguous.
@Suite struct InputPreparationTests {
    let fixtures = SigningFixtures.shared

    private func signer() throws -> PDFSigner { try PDFSigner(identity: try fixtures.identity(.ecP256)) }

    private func request(_ field: String = "sig_customer") -> SignatureRequest {
        SignatureRequest(placement: .field(field), signingTime: Date())
    }

    /// The contract with the Info dictionary's xref row pointing at the catalog's header.
    private func misdirected(_ bytes: [UInt8]) throws -> (bytes: [UInt8], info: Int, catalog: Int) {
        let document = try PDFDocument(bytes: bytes)
        let info = try #require(document.trailer["Info"]?.referenceValue?.number)
        let catalog = try #require(document.trailer["Root"]?.referenceValue?.number)
        guard case .inUse(let from, _)? = document.entry(for: info), case .inUse(let to, _)? = document.entry(for: catalog) else {
            throw PDFError(.missingObject, "Info and catalog must be uncompressed")
        }
        return (StructureSurgery.repointRow(bytes, from: from, to: to), info, catalog)
    }

    @Test func harmlessDeviationsAreSignedIncrementallyWithNotes() throws {
        let input = StructureSurgery.insertBeforeLastStartxref("%iText-7.2.5\n", in: fixtures.contract)
        let signed = try signer().sign(PDFBytes(input), request: request())
        #expect(signed.notices.isEmpty)
        #expect(signed.notes.map(\.code) == [.commentInFileTrailer])
        #expect(signed.original.array == input)
        let document = try PDFDocument(bytes: signed.original.array + signed.appended)
        #expect(document.revisions.count == 2)
    }

    enum PageTree: String, CaseIterable, Sendable { case someDirect, everyPageDirect, noPages }

    @Test(arguments: PageTree.allCases)
    func anInvisibleSignatureSkipsPagesWrittenDirectlyInKids(_ tree: PageTree) throws {
        // Page 1 written directly in /Kids (qpdf's direct-pages.pdf): a widget's /P cannot name
        // it, so the invisible widget goes on the first page that is an object of its own — or,
        // when every page is direct or there is no page at all (qpdf's c-empty.pdf), on none
        // (the field is in /Fields alone).
        let drawing = Array("BT /F1 24 Tf 72 720 Td (Direct) Tj ET".utf8)
        var objects: [PDFReference: PDFObject] = [PDFReference(4): .stream(PDFStream(dictionary: [:], encodedData: drawing))]
        var kids: [PDFObject] = tree == .noPages ? [] : [.dictionary(["Type": .name("Page"), "Contents": .reference(PDFReference(4))])]
        if tree == .someDirect {
            objects[PDFReference(3)] = .dictionary(["Type": .name("Page"), "Parent": .reference(PDFReference(2)),
                                                    "Contents": .reference(PDFReference(4))])
            kids.append(.reference(PDFReference(3)))
        }
        objects[PDFReference(1)] = .dictionary(["Type": .name("Catalog"), "Pages": .reference(PDFReference(2))])
        objects[PDFReference(2)] = .dictionary(["Type": .name("Pages"), "Kids": .array(kids), "Count": .integer(kids.count),
                                                "MediaBox": [0, 0, 612, 792]])
        let input = PDFFileWriter().write(objects: objects, trailer: ["Root": .reference(PDFReference(1))])
        let signed = try signer().sign(PDFBytes(input), request: SignatureRequest(placement: .invisible(fieldName: "Invisible"),
                                                                                 signingTime: Date()))
        #expect(signed.original.array == input, "signed with an incremental update")
        let bytes = signed.original.array + signed.appended
        let field = try #require(try PDFDocument(bytes: bytes).formFields().first { $0.name == "Invisible" })
        #expect(field.dictionary["P"] == (tree == .someDirect ? .reference(PDFReference(3)) : nil))
        let url = try TestEnvironment.scratchDirectory("direct-pages").appendingPathComponent("signed-\(tree).pdf")
        try Data(bytes).write(to: url)
        try Judges.pdfsig(url, signatures: 1)
        let qpdf = try runCommand("qpdf", ["--check", url.path])
        #expect(qpdf.status == 0 || qpdf.status == 3, "qpdf: \(qpdf.stdout) \(qpdf.stderr)")
        // A visible signature still needs a page to be drawn on.
        if tree == .noPages {
            #expect(throws: SigningError.self) {
                try signer().sign(PDFBytes(input), request: SignatureRequest(placement: .rectangle(page: 1, x: 72, y: 72, width: 200, height: 50),
                                                                            signingTime: Date()))
            }
        }
    }

    /// A file without its `%PDF-` line (pdf.js's bug1606566.pdf) is read as the PDF it is and
    /// rewritten; anything that does not read as PDF is still "not a PDF file".
    @Test func aFileMissingItsHeaderIsRewrittenButOtherFilesAreNotPDFs() throws {
        let contract = fixtures.contract
        let headerEnd = try #require(contract.firstIndex(of: UInt8(ascii: "\n")))
        let headless = Array(contract[(headerEnd + 1)...])
        #expect(throws: PDFError(.notPDF, "")) { try PDFDocument(bytes: headless, mode: .strict) }
        let signed = try signer().sign(PDFBytes(headless), request: request())
        #expect(signed.notices.first?.contains("rewritten cleanly") == true, "\(signed.notices)")
        let document = try PDFDocument(bytes: signed.original.array + signed.appended, mode: .strict)
        let pages = try document.pages().count, originalPages = try PDFDocument(bytes: contract).pages().count
        #expect(document.revisions.count == 2 && pages == originalPages)

        let notPDFs: [[UInt8]] = [Array("lead_id,company\nLD-1,Acme 1 0 obj\n".utf8), Array(repeating: 0x20, count: 4096), []]
        for bytes in notPDFs {
            #expect(throws: PDFError(.notPDF, "")) { try signer().sign(PDFBytes(bytes), request: request()) }
        }
    }

    @Test func anUnsignedAmbiguousFileIsRewrittenCleanlyThenSigned() throws {
        let odd = try misdirected(fixtures.contract)
        #expect(throws: PDFError(.xrefEntryMismatch, "")) { try PDFDocument(bytes: odd.bytes, mode: .strict) }
        let signed = try signer().sign(PDFBytes(odd.bytes), request: request())
        let notice = try #require(signed.notices.first)
        #expect(notice.contains("rewritten cleanly"))
        #expect(notice.contains("xref entry for object \(odd.info) 0 points at object \(odd.catalog) 0"))
        // The original part is our writer's rewrite: one clean revision, then the signature's.
        #expect(signed.original.array != odd.bytes)
        let document = try PDFDocument(bytes: signed.original.array + signed.appended, mode: .strict)
        #expect(document.revisions.count == 2)
        #expect(document.notes.isEmpty)
        #expect(try document.formFields().filter(\.isSigned).map(\.name) == ["sig_customer"])
        #expect(try document.pages().count == (try PDFDocument(bytes: fixtures.contract).pages().count))
    }

    /// PDF 1.1 names such as `/F#1` (`#` was an ordinary character then): readers differ on them,
    /// so the unsigned file is rewritten, the name written as `/F#231`, which every reader reads
    /// the same, and signed.
    @Test func oldStyleNamesAreRewrittenEscapedThenSigned() throws {
        let input = Self.handMade(version: "1.1", [
            "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >>",
            "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F#1 4 0 R >> >> >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ])
        let signed = try signer().sign(PDFBytes(input), request: SignatureRequest(
            placement: .invisible(fieldName: "sig"), signingTime: Date()))
        let notice = try #require(signed.notices.first)
        #expect(notice.contains("rewritten cleanly") && notice.contains("'#' in a name"), "\(notice)")
        #expect(String(decoding: signed.original.array, as: UTF8.self).contains("/F#231 "))
        let document = try PDFDocument(bytes: signed.original.array + signed.appended, mode: .strict)
        let resources = try document.resolve(try document.pages()[0].dictionary["Resources"] ?? .null).dictionaryValue
        let fonts = try document.resolve(resources?["Font"] ?? .null).dictionaryValue
        #expect(fonts?.keys.map { String(decoding: $0.bytes, as: UTF8.self) } == ["F#1"])
        #expect(try document.formFields().filter(\.isSigned).map(\.name) == ["sig"])
    }

    /// A field that lists its own ancestor in `/Kids` (pyHanko's `form-tree-circular-ref-input`):
    /// the unsigned file is rewritten with that edge left out, each field kept where it is first
    /// met, and signed; the result reads strictly. `/Kids` held directly and as an object of its own.
    @Test(arguments: [false, true]) func aFieldTreeLoopIsCutInTheRewriteThenSigned(indirectKids: Bool) throws {
        let kids = indirectKids ? "8 0 R" : "[5 0 R 7 0 R]"
        let bytes = Self.handMade(version: "1.7", [
            "<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >>",
            "<< /Type /Page /Parent 2 0 R >>",
            "<< /Fields [5 0 R] >>",
            "<< /T (A) /Kids [6 0 R] >>",
            "<< /T (B) /Parent 5 0 R /Kids \(kids) >>",
            "<< /T (C) /FT /Tx /Parent 6 0 R /V (kept) >>",
            "[5 0 R 7 0 R]",
        ])
        let input = try PDFDocument(bytes: bytes, mode: .strict)
        #expect(throws: PDFError(.referenceCycle, "")) { try input.formFields() }

        let signed = try signer().sign(PDFBytes(bytes), request: SignatureRequest(
            placement: .invisible(fieldName: "sig"), signingTime: Date()))
        let notice = try #require(signed.notices.first)
        #expect(notice.contains("rewritten cleanly") && notice.contains("loop(s) cut") && notice.contains("6 0 → 5 0"), "\(notice)")
        let document = try PDFDocument(bytes: signed.original.array + signed.appended, mode: .strict)
        let fields = try document.formFields()
        #expect(fields.map(\.name) == ["A.B.C", "sig"], "\(fields.map(\.name))")
        #expect(fields.first?.value?.stringValue?.text == "kept", "the looped field keeps its value")
        #expect(try document.formFields().filter(\.isSigned).map(\.name) == ["sig"])
    }

    /// A one-revision file with a classic xref: `bodies` become objects 1, 2, … (object 1 the catalog).
    static func handMade(version: String, _ bodies: [String]) -> [UInt8] {
        var text = "%PDF-\(version)\n"
        var offsets: [Int] = []
        for body in bodies {
            offsets.append(text.utf8.count)
            text += "\(offsets.count) 0 obj\n\(body)\nendobj\n"
        }
        let xref = text.utf8.count
        text += "xref\n0 \(bodies.count + 1)\n0000000000 65535 f \n" + offsets.map { String(format: "%010d 00000 n \n", $0) }.joined()
        text += "trailer\n<< /Size \(bodies.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Array(text.utf8)
    }

    @Test func aSignedFileWithHarmlessDeviationsGetsAnIncrementalUpdate() throws {
        let first = try signer().sign(fixtures.contract, request: request())
        let input = StructureSurgery.replaceFirst("0000000000 65535 f", with: "0000000000 65536 f", in: first)
        let second = try signer().sign(PDFBytes(input), request: request("sig_company"))
        #expect(second.notices.isEmpty)
        #expect(second.notes.map(\.code) == [.freeGeneration65536])
        #expect(second.original.array == input)
    }

    @Test func aSignedAmbiguousFileIsRefusedNotRewritten() throws {
        let first = try signer().sign(fixtures.contract, request: request())
        let odd = try misdirected(first)
        #expect(throws: SigningError(.signedInputAmbiguous, "")) {
            try signer().sign(PDFBytes(odd.bytes), request: request("sig_company"))
        }
        do {
            _ = try signer().sign(PDFBytes(odd.bytes), request: request("sig_company"))
        } catch let error as SigningError {
            #expect(error.reason.contains("carries 1 signature(s)"))
            #expect(error.reason.contains("points at object \(odd.catalog) 0"))
        }
    }

    @Test func encryptedAndNonPDFInputsAreNotRewritten() throws {
        let notPDF = Array("hello, world\n".utf8)
        #expect(throws: PDFError(.notPDF, "")) { try signer().sign(PDFBytes(notPDF), request: request()) }
    }
}
