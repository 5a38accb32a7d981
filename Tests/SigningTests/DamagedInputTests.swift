import Foundation
import PDFSyntax
@testable import Signing
import TestSupport
import Testing

/// A damaged unsigned file is rewritten and signed only when the repair keeps everything the
/// document uses (`LostContent`): a file cut short, or ending in an update whose save never
/// finished, is refused with the reason, never signed with part of it gone.
@Suite struct DamagedInputTests {
    let fixtures = SigningFixtures.shared

    private func signer() throws -> PDFSigner { try PDFSigner(identity: try fixtures.identity(.ecP256)) }

    private func request(_ field: String = "sig_customer") -> SignatureRequest {
        SignatureRequest(placement: .field(field), signingTime: Date())
    }

    private func refusal(_ bytes: [UInt8], _ placement: SignatureRequest) throws -> SigningError {
        do {
            _ = try signer().sign(PDFBytes(bytes), request: placement)
        } catch let error as SigningError {
            return error
        }
        Issue.record("signed a damaged file")
        throw SigningError(.damagedInput, "signed")
    }

    @Test func aFileCutShortIsRefusedNamingWhatIsMissing() throws {
        let contract = fixtures.contract
        let cut = Array(contract.prefix(contract.count * 6 / 10))
        for placement in [request(), SignatureRequest(placement: .invisible(fieldName: "Seal"), signingTime: Date())] {
            let error = try refusal(cut, placement)
            #expect(error.code == .damagedInput)
            #expect(error.reason.contains("no %%EOF anywhere"), "\(error.reason)")
            #expect(error.reason.contains("missing or cannot be read"), "\(error.reason)")
            #expect(error.reason.contains("get a complete copy"), "\(error.reason)")
        }
    }

    @Test func aFileCutInsideAnUpdateIsRefused() throws {
        let contract = fixtures.contract
        let first = try signer().sign(PDFBytes(contract), request: request())
        let once = first.original.array + first.appended
        // Cut 200 bytes into the first signature's update (its objects; no /ByteRange yet): the
        // repair would sign the contract as it was before that update.
        let head = Array(first.appended.prefix(200))
        #expect(!String(decoding: head, as: UTF8.self).contains("/ByteRange"))
        let error = try refusal(contract + head, request("sig_company"))
        #expect(error.code == .damagedInput)
        let range = "unfinished revision (bytes \(contract.count)–\(contract.count + 200)"
        #expect(error.reason.contains(range), "\(error.reason)")
        // The same update cut just before its %%EOF: its signature dictionary is there, so the file
        // counts as signed and is never rewritten.
        var late = once
        while let last = late.last, last == 0x0A || last == 0x0D { late.removeLast() }
        late.removeLast(5)
        #expect(try refusal(late, request("sig_company")).code == .signedInputAmbiguous)
        // A signed file cut inside its next update: refused as signed, naming the signature.
        let second = try signer().sign(PDFBytes(once), request: request("sig_company"))
        let cut = try refusal(once + Array(second.appended.prefix(200)), request("sig_company"))
        #expect(cut.code == .signedInputAmbiguous)
        #expect(cut.reason.contains("carries 1 signature(s)"), "\(cut.reason)")
    }

    @Test func aFileMissingOnlyItsLastEOFStillSigns() throws {
        // Strict reading refuses a file whose last revision has no %%EOF; nothing it uses is
        // missing, so the repair keeps all of it and is signed (not brittle).
        var bytes = fixtures.contract
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        #expect(Array(bytes.suffix(5)) == Array("%%EOF".utf8))
        bytes.removeLast(5)
        let signed = try signer().sign(PDFBytes(bytes), request: request())
        #expect(signed.notices.count == 1 && signed.notices[0].contains("rewritten cleanly"))
        let document = try PDFDocument(bytes: signed.original.array + signed.appended)
        #expect(try document.pages().count == (try PDFDocument(bytes: fixtures.contract).pages().count))
    }

    /// An xref whose entries point a few bytes off their objects (pypdf's `toy.pdf`): the repair
    /// finds each object by scanning, so nothing is left out and the rewrite is signed.
    @Test func entriesThatMissTheirObjectsLoseNothing() throws {
        var text = "%PDF-1.4\n"
        var offsets: [Int] = []
        let content = "BT /F1 24 Tf 72 720 Td (Toy) Tj ET"
        for body in ["<< /Type /Catalog /Outlines 2 0 R /Pages 3 0 R >>", "<< /Type /Outlines /Count 0 >>",
                     "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
                     "<< /Type /Page /Parent 3 0 R /MediaBox [0 0 612 792] /Contents 5 0 R >>",
                     "<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream"] {
            offsets.append(text.utf8.count)
            text += "\(offsets.count) 0 obj\n\(body)\nendobj\n"
        }
        let xref = text.utf8.count
        text += "xref\n0 6\n0000000000 65535 f \n"
        // The first entry is right, every later one 12 bytes past its object's header.
        for (index, offset) in offsets.enumerated() {
            let shifted = String(offset + (index == 0 ? 0 : 12))
            text += String(repeating: "0", count: 10 - shifted.count) + shifted + " 00000 n \n"
        }
        text += "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        let signed = try signer().sign(PDFBytes(Array(text.utf8)), request: SignatureRequest(placement: .invisible(fieldName: "Seal"),
                                                                                              signingTime: Date()))
        #expect(signed.notices.count == 1 && signed.notices[0].contains("every readable object kept"), "\(signed.notices)")
        let document = try PDFDocument(bytes: signed.original.array + signed.appended)
        let catalog = try document.catalog()
        #expect(try document.resolve(catalog["Outlines"] ?? .null).dictionaryValue?["Type"] == .name("Outlines"))
        let page = try #require(try document.pages().first)
        guard case .stream(let stream) = try document.resolve(page.dictionary["Contents"] ?? .null) else {
            Issue.record("the page lost its content")
            return
        }
        #expect(String(decoding: try document.decodedData(of: stream), as: UTF8.self) == content)
    }

    /// "start afterEOF", or nil.
    private func unfinished(_ text: String) -> String? {
        LostContent.unfinishedRevision(in: PDFBytes(Array(text.utf8))).map { "\($0.start) \($0.afterEOF)" }
    }

    @Test func objectsAfterTheLastEOFAreFoundWhateverTheirLayout() {
        let complete = "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
        #expect(unfinished(complete) == nil)
        #expect(unfinished(complete + "\n\n   \n") == nil)
        #expect(unfinished(complete + "% a comment, not an object\n") == nil)
        #expect(unfinished(complete + "2 0 obj\n<< /Type /Annot") == "\(complete.utf8.count) true")
        #expect(unfinished(complete + "12 0\r\nobj<<") == "\(complete.utf8.count) true")
        #expect(unfinished("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n") == "0 false")
        #expect(unfinished(complete + "objective 2 0 object") == nil)
    }
}
