import CountersignCrypto
import Foundation
import PDFSyntax
import Signing
import TestSupport
import Testing

@Suite struct PDFSignerTests {
    let fixtures = SigningFixtures.shared

    @Test func signsAnExistingFieldValidInEveryJudge() throws {
        let identity = try fixtures.identity(.rsa(2048))
        let signer = try PDFSigner(identity: identity)
        let request = SignatureRequest(placement: .field("sig_customer"), reason: "I agree to the terms",
                                       signingTime: Date(timeIntervalSince1970: 1_768_000_000))
        let signed = try signer.sign(fixtures.contract, request: request)
        #expect(Array(signed.prefix(fixtures.contract.count)) == fixtures.contract)
        let file = try fixtures.write(signed, "signed.pdf")
        try Judges.pdfsig(file, signatures: 1)
        try Judges.qpdf(file)
        if Judges.pyhankoAvailable { try Judges.pyhanko(file, trust: fixtures.caFile) }
        let document = try PDFDocument(bytes: signed)
        #expect(document.revisions.count == 2)
        #expect(try document.formFields().first { $0.name == "sig_customer" }?.isSigned == true)
    }

    /// The page given the widget is written again with every value as it was: LibreOffice's
    /// A4 `/MediaBox [0 0 595.303937007874 841.889763779528]` used to come out as `595.3039`,
    /// a change to the page under any earlier signature (found signing files other tools signed).
    @Test func aRewrittenPageKeepsItsNumbersDigitForDigit() throws {
        let box = "[0 0 595.303937007874 841.889763779528]"
        var text = "%PDF-1.7\n"
        var offsets: [Int] = []
        for body in ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                     "<< /Type /Page /Parent 2 0 R /MediaBox \(box) /CropBox [0.5 0.25 595.32001 841.8898] >>"] {
            offsets.append(text.utf8.count)
            text += "\(offsets.count) 0 obj\n\(body)\nendobj\n"
        }
        let xref = text.utf8.count
        text += "xref\n0 4\n0000000000 65535 f \n" + offsets.map { String(format: "%010d 00000 n \n", $0) }.joined()
        text += "trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        let signer = try PDFSigner(identity: try fixtures.identity(.ecP256))
        let signed = try signer.sign(PDFBytes(Array(text.utf8)), request: SignatureRequest(
            placement: .invisible(fieldName: "Seal"), signingTime: Date()))
        let update = String(decoding: signed.appended, as: UTF8.self)
        #expect(update.contains("/MediaBox \(box)") && update.contains("/CropBox [0.5 0.25 595.32001 841.8898]"), "\(update)")
        let before = try PDFDocument(bytes: Array(text.utf8)).pages()[0].dictionary
        let after = try PDFDocument(bytes: signed.original.array + signed.appended).pages()[0].dictionary
        #expect(before["MediaBox"] == after["MediaBox"] && before["CropBox"] == after["CropBox"])
    }
}

/// The output's SHA-256 and the timings come from the signing pass itself.
@Suite struct SigningPassTests {
    let fixtures = SigningFixtures.shared

    @Test(arguments: [DigestAlgorithm.sha256, .sha384])
    func theOutputsSHA256ComesFromTheSigningPass(_ digest: DigestAlgorithm) throws {
        let signer = try PDFSigner(identity: try fixtures.identity(.rsa(2048)), options: CMSSigner.Options(digest: digest))
        let request = SignatureRequest(placement: .field("sig_customer"), signingTime: Date(timeIntervalSince1970: 1_768_000_000))
        let signed = try signer.sign(PDFBytes(fixtures.contract), request: request, fileSHA256: true)
        let whole = signed.original.array + signed.appended
        #expect(signed.sha256 == DigestAlgorithm.sha256.hash(whole))
        #expect(signed.timings.documents == 1)
        // Both digests read the bytes after `/Contents`; the signature dictionary is written
        // last, so those are only its tail, the xref section and the trailer.
        #expect(signed.timings.hashedBytes >= whole.count)
        #expect(signed.timings.hashedBytes - whole.count < 2_048, "\(signed.timings.hashedBytes - whole.count) bytes hashed twice")
        let file = try fixtures.write(whole, "sha256-\(digest.length).pdf")
        try Judges.pdfsig(file, signatures: 1)
        #expect(try signer.sign(PDFBytes(fixtures.contract), request: request).sha256 == nil)
    }
}
