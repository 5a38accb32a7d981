import CountersignCrypto
import Foundation
import PDFSyntax
import Signing
import TestSupport
import Testing

/// Every key type × profile × visibility, with 1, 2 and 3 signatures; each file judged by
/// pdfsig, qpdf and pyHanko.
@Suite(.serialized) struct SigningMatrixTests {
    static let keys: [(String, PrivateKey.Spec)] = [("RSA-2048", .rsa(2048)), ("RSA-3072", .rsa(3072)),
                                                     ("P-256", .ecP256), ("P-384", .ecP384)]
    static let tsa = try! TestTSA()

    struct Case: Sendable, CustomTestStringConvertible {
        var key: String
        var profile: SignatureProfile
        var visible: Bool
        var testDescription: String { "\(key) \(profile.rawValue) \(visible ? "visible" : "invisible")" }
    }

    /// B-LT and B-LTA need a PKI with revocation sources: LongTermSigningTests covers them.
    static let cases: [Case] = keys.flatMap { key in
        SignatureProfile.allCases.filter { $0.longTermLevel == nil }.flatMap { profile in [true, false].map { Case(key: key.0, profile: profile, visible: $0) } }
    }

    @Test(arguments: cases)
    func signOneTwoAndThreeTimes(_ testCase: Case) throws {
        let fixtures = SigningFixtures.shared
        let spec = Self.keys.first { $0.0 == testCase.key }!.1
        var bytes = fixtures.contract
        let placements: [SignaturePlacement] = testCase.visible
            ? [.field("sig_customer"), .field("sig_company"), .rectangle(page: 1, x: 320, y: 80, width: 200, height: 50)]
            : [.invisible(fieldName: nil), .invisible(fieldName: nil), .invisible(fieldName: nil)]
        for (index, placement) in placements.enumerated() {
            let identity = try fixtures.identity(spec, name: "Signer \(index + 1)")
            let options = CMSSigner.Options(profile: testCase.profile == .pkcs7 ? .pkcs7 : .cades)
            let client = testCase.profile == .padesBT ? TimestampClient(url: Self.tsa.url) : nil
            let signer = try PDFSigner(identity: identity, options: options, timestampClient: client)
            let request = SignatureRequest(placement: placement, reason: "Approval \(index + 1)",
                                           profile: testCase.profile,
                                           signingTime: Date(timeIntervalSince1970: 1_768_000_000 + Double(index) * 60))
            let previous = bytes
            bytes = try signer.sign(bytes, request: request)
            #expect(Array(bytes.prefix(previous.count)) == previous, "earlier revisions are kept byte for byte")
            let file = try fixtures.write(bytes, "matrix-\(index + 1).pdf")
            try Judges.pdfsig(file, signatures: index + 1)
            try Judges.qpdf(file)
            if Judges.pyhankoAvailable {
                try Judges.pyhanko(file, trust: fixtures.caFile, extraTrust: [Self.tsa.rootCertificate], signatures: index + 1,
                                   timestamped: testCase.profile == .padesBT)
            }
            let document = try PDFDocument(bytes: bytes)
            #expect(document.revisions.count == index + 2)
            let signed = try document.formFields().filter(\.isSigned)
            #expect(signed.count == index + 1)
            let subFilters = try signed.compactMap { field in
                try document.resolve(field.value ?? .null).dictionaryValue?["SubFilter"]?.nameValue?.string
            }
            #expect(Set(subFilters) == [testCase.profile == .pkcs7 ? "adbe.pkcs7.detached" : "ETSI.CAdES.detached"])
        }
    }
}
