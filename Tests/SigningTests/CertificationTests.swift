import CountersignCrypto
import Foundation
import PDFSyntax
import Signing
import TestSupport
import Testing

/// DocMDP certification and drawn-signature marks.
@Suite struct CertificationTests {
    let fixtures = SigningFixtures.shared

    @Test func formFillCertificationAllowsALaterSignature() throws {
        let certifier = try PDFSigner(identity: try fixtures.identity(.rsa(2048), name: "Certifier"))
        let certified = try certifier.sign(fixtures.contract, request: SignatureRequest(
            placement: .field("sig_company"), certification: .formFill))
        let document = try PDFDocument(bytes: certified)
        let perms = try #require(try document.resolve(try document.catalog(), "Perms")?.dictionaryValue)
        #expect(perms["DocMDP"] != nil)
        let signer = try PDFSigner(identity: try fixtures.identity(.ecP256, name: "Customer"))
        let both = try signer.sign(certified, request: SignatureRequest(placement: .field("sig_customer")))
        let file = try fixtures.write(both, "certified.pdf")
        try Judges.pdfsig(file, signatures: 2)
        try Judges.qpdf(file)
        if Judges.pyhankoAvailable { try Judges.pyhanko(file, trust: fixtures.caFile, signatures: 2) }
    }

    @Test func noChangesCertificationRefusesAnotherSignature() throws {
        let certifier = try PDFSigner(identity: try fixtures.identity(.rsa(2048), name: "Certifier"))
        let certified = try certifier.sign(fixtures.contract, request: SignatureRequest(
            placement: .field("sig_company"), certification: .noChanges))
        #expect(throws: SigningError(.certificationNotFirst, "")) {
            try certifier.sign(certified, request: SignatureRequest(placement: .field("sig_customer")))
        }
        #expect(throws: SigningError(.certificationNotFirst, "")) {
            try certifier.sign(certified, request: SignatureRequest(placement: .invisible(fieldName: nil),
                                                                   certification: .formFill))
        }
    }

    @Test func drawnMarkKeepsAlpha() throws {
        let png = try Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("signature-mark.png"))
        let signer = try PDFSigner(identity: try fixtures.identity(.ecP384))
        let signed = try signer.sign(fixtures.contract, request: SignatureRequest(
            placement: .field("sig_customer"), mark: .image(png: [UInt8](png)), signerName: "Zoë Martínez"))
        let file = try fixtures.write(signed, "drawn.pdf")
        try Judges.pdfsig(file, signatures: 1)
        let document = try PDFDocument(bytes: signed)
        let field = try #require(try document.formFields().first { $0.name == "sig_customer" })
        let appearance = try #require(try document.resolve(field.dictionary["AP"]?.dictionaryValue?["N"] ?? .null).streamValue)
        // The image sits in the appearance or in a form it draws (the cached look).
        var images: [PDFStream] = []
        var forms = [appearance]
        while let form = forms.popLast(), images.count + forms.count < 100 {
            guard let resources = try document.resolve(form.dictionary, "Resources")?.dictionaryValue,
                  let xobjects = try document.resolve(resources, "XObject")?.dictionaryValue else { continue }
            for entry in xobjects.entries {
                guard let stream = try document.resolve(entry.value).streamValue else { continue }
                if stream.dictionary["Subtype"] == .name("Form") { forms.append(stream) } else { images.append(stream) }
            }
        }
        #expect(images.contains { $0.dictionary["SMask"] != nil }, "the PNG's alpha becomes a soft mask")
    }
}
