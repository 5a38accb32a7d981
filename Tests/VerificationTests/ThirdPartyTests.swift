import Crypto
import Foundation
import PDFSyntax
import TestSupport
import Testing
import Verification

/// Signatures made by pyHanko (keys and certificates made by the openssl CLI): PASSED with the
/// right trust root, INDETERMINATE without it.
@Suite(.enabled(if: OtherValidators.pyhankoAvailable, "pyHanko is not installed (set COUNTERSIGN_VENV or run scripts/test)"))
struct ThirdPartyTests {
    @Test(arguments: ThirdPartySigning.recipes)
    func pyhankoSignaturesVerify(_ recipe: ThirdPartySigning.Recipe) throws {
        let fixtures = VerificationFixtures.shared
        let material = ThirdPartySigning.shared
        let tsa = recipe.timestamped ? try fixtures.tsa : nil
        let file = try material.sign(recipe, tsa: tsa?.url)
        var anchors = try Certificate.load(pem: Data(contentsOf: material.root))
        if let tsa { anchors += try Certificate.load(pem: Data(contentsOf: tsa.rootCertificate)) }

        let report = try PDFVerifier(trustAnchors: anchors).verify(path: file.path)
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.signatures.count == recipe.fields.count)
        for (signature, key) in zip(report.signatures, recipe.keys) {
            #expect(signature.signer?.commonName == (key == .rsa ? "Third Party RSA Signer" : "Third Party EC Signer"))
            #expect(signature.subFilter == (recipe.pades ? "ETSI.CAdES.detached" : "adbe.pkcs7.detached"))
        }
        #expect(report.signatures.last?.coverage == "whole file")
        if recipe.certify { #expect(report.signatures.first?.certificationLevel == 2) }
        if recipe.timestamped {
            let timestamp = try #require(report.signatures.first?.timestamp)
            #expect(timestamp.intact && timestamp.trusted)
        }
        if recipe.fields.count > 1 {
            #expect(report.signatures[0].modifications.allSatisfy { $0.allowed })
            #expect(report.signatures[0].modifications.contains { $0.kind == "signature" })
        }

        let untrusted = try PDFVerifier(trustAnchors: []).verify(path: file.path)
        #expect(untrusted.verdict == .indeterminate, "\(untrusted.text)")
        #expect(untrusted.codes == [.untrusted])
        let ours = try fixtures.trusted.verify(path: file.path)
        #expect(ours.verdict == .indeterminate, "our CA does not vouch for theirs")
    }
}
