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
