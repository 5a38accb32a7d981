import CountersignCrypto
import Foundation
import PDFSyntax
import TestSupport
import Testing
import Verification

/// Algorithms, identifiers and legacy sub-filters of signatures made by other tools, the
/// algorithm policy, and what the report lists besides verdicts.
@Suite struct CMSAlgorithmTests {
    typealias Breadth = CMSBreadthTests
    let breadth = CMSBreadthTests()

    // MARK: 7. Algorithms and identifiers

    @Test func rsaPSSWithItsParametersVerifies() throws {
        let bytes = try Breadth.cms("ETSI.CAdES.detached", .rsa2048,
                                    ["-md", "sha384", "-cades", "-keyopt", "rsa_padding_mode:pss", "-keyopt", "rsa_pss_saltlen:32"])
        let signature = try breadth.expectPassed(bytes)
        #expect(signature.algorithms?.signature == "RSASSA-PSS with SHA-384 (MGF1 SHA-384, salt 32)")
        #expect(breadth.tamperedFails(bytes, .digestMismatch))
    }

    @Test(arguments: [(ExternalPKI.KeyType.p521, "EC secp521r1"), (.brainpoolP256r1, "EC brainpoolP256r1"),
                      (.brainpoolP384r1, "EC brainpoolP384r1")])
    func ecdsaOnOtherCurvesVerifies(_ type: ExternalPKI.KeyType, _ key: String) throws {
        let bytes = try Breadth.cms("ETSI.CAdES.detached", type, ["-md", "sha512", "-cades"])
        let signature = try breadth.expectPassed(bytes)
        #expect(signature.algorithms?.key == key)
        #expect(signature.algorithms?.signature == "ECDSA with SHA-512")
        #expect(breadth.tamperedFails(bytes, .digestMismatch))
    }

    @Test func essSigningCertificateV1Verifies() throws {
        let leaf = try Breadth.pki.leaf(.p256)
        let bytes = try ExternalSignature.sign(subFilter: "ETSI.CAdES.detached") {
            try HandMadeCMS.make(content: $0, signers: [.init(leaf: leaf, type: .p256, ess: .v1)])
        }
        _ = try breadth.expectPassed(bytes)
        // The v1 reference names the wrong certificate: the signer is not the one the signer signed for.
        let other = try Breadth.pki.leaf(.rsa2048)
        let swapped = try ExternalSignature.sign(subFilter: "ETSI.CAdES.detached") { content in
            var signer = HandMadeCMS.Signer(leaf: leaf, type: .p256, ess: .v1)
            signer.essCertificate = other.certificate
            return try HandMadeCMS.make(content: content, signers: [signer])
        }
        let report = try breadth.verifier.verify(bytes: swapped)
        #expect(report.verdict == .failed)
        #expect(report.signatures.last?.reasons.first?.contains("does not name the signer's certificate") == true, "\(report.text)")
    }

    @Test func signerIdentifiedBySubjectKeyIdentifier() throws {
        let bytes = try Breadth.cms("adbe.pkcs7.detached", .p256, ["-md", "sha256", "-keyid"])
        let signature = try breadth.expectPassed(bytes)
        #expect(signature.signer?.commonName == "External p256 Signer")
        let cms = try CMSSignedData.parse(der: Self.contents(bytes))
        guard case .subjectKeyIdentifier = cms.signers[0].identifier else {
            Issue.record("openssl -keyid should name the signer by subjectKeyIdentifier, not \(cms.signers[0].identifier)")
            return
        }
    }

    // MARK: 8. Algorithm policy

    @Test(arguments: [(ExternalPKI.KeyType.rsa1024, "sha256", "RSA 1024-bit key"), (.p256, "sha1", "SHA-1"),
                      (.rsa2048, "md5", "MD5")])
    func weakAlgorithmsAreVerifiedThenIndeterminate(_ type: ExternalPKI.KeyType, _ digest: String, _ named: String) throws {
        let bytes = try Breadth.cms("adbe.pkcs7.detached", type, ["-md", digest])
        let report = try breadth.verifier.verify(bytes: bytes)
        #expect(report.verdict == .indeterminate, "\(report.text)")
        let signature = try #require(report.signatures.last)
        #expect(signature.issues.map(\.code) == [.weakAlgorithm], "\(report.text)")
        #expect(signature.subIndication == .cryptoConstraintsFailure && signature.indication == "INDETERMINATE")
        #expect(signature.reasons.first?.contains(named) == true, "\(signature.reasons)")
        // Verified first: a weak signature over changed bytes is still FAILED.
        #expect(breadth.tamperedFails(bytes, .digestMismatch))
    }

    @Test(arguments: [("sha1", "SHA-1"), ("md5", "MD5")])
    func aCertificateSignedWithAWeakHashIsIndeterminate(_ digest: String, _ named: String) throws {
        // The signature itself is SHA-256 and P-256: only the certificate's own signature is weak,
        // and a forged certificate (a chosen-prefix collision) would look exactly like it.
        let leaf = try Breadth.pki.leaf(.p256, certificateDigest: digest)
        let bytes = try ExternalSignature.sign(subFilter: "adbe.pkcs7.detached") {
            try Breadth.opensslCMS($0, ["-signer", leaf.certificate.path, "-inkey", leaf.key.path, "-md", "sha256"])
        }
        let report = try breadth.verifier.verify(bytes: bytes)
        let signature = try #require(report.signatures.last)
        #expect(report.verdict == .indeterminate && signature.issues.map(\.code) == [.weakAlgorithm], "\(report.text)")
        #expect(signature.subIndication == .cryptoConstraintsFailure)
        #expect(signature.reasons.first?.contains("the certificate \(leaf.commonName) is signed with \(named)") == true, "\(signature.reasons)")
        // The same key under a SHA-256 certificate passes.
        _ = try breadth.expectPassed(try Breadth.cms("adbe.pkcs7.detached", .p256))
    }

    // MARK: 6. Legacy sub-filters

    @Test func pkcs7SHA1SignsTheEncapsulatedDigest() throws {
        let pki = Breadth.pki
        let bytes = try ExternalSignature.sign(subFilter: "adbe.pkcs7.sha1") { signed in
            let sha1 = try pki.opensslFiles(["dgst", "-sha1", "-binary", "-out", "OUT", "IN"], input: signed)
            return try Breadth.opensslCMS(sha1, try Breadth.signer(.rsa2048) + ["-md", "sha256", "-nodetach"])
        }
        let report = try breadth.verifier.verify(bytes: bytes)
        // Intact and trusted, but the ranges are bound only by SHA-1, which the policy no longer accepts.
        #expect(report.verdict == .indeterminate, "\(report.text)")
        #expect(report.signatures.last?.issues.map(\.code) == [.weakAlgorithm])
        #expect(report.signatures.last?.reasons.first?.contains("SHA-1") == true)

        let tampered = try breadth.verifier.verify(bytes: Breadth.tampered(bytes))
        #expect(tampered.verdict == .failed)
        #expect(tampered.signatures.last?.issues.map(\.code) == [.digestMismatch])
        #expect(tampered.signatures.last?.reasons.first?.contains("adbe.pkcs7.sha1") == true, "\(tampered.text)")
    }

    @Test(arguments: ["sha1", "sha256"])
    func x509RSASHA1IsAPKCS1SignatureWithTheCertificateInCert(_ digest: String) throws {
        let pki = Breadth.pki
        let leaf = try pki.leaf(.rsa2048)
        let certificate = try Certificate.load(pem: Data(contentsOf: leaf.certificate))[0].derEncoded
        func sign(with key: URL) throws -> [UInt8] {
            try ExternalSignature.sign(subFilter: "adbe.x509.rsa_sha1", extra: ["Cert": .string(PDFString(bytes: certificate))]) {
                ASN1.octets(try pki.opensslFiles(["dgst", "-\(digest)", "-sign", key.path, "-out", "OUT", "IN"], input: $0))
            }
        }
        let bytes = try sign(with: leaf.key)
        let report = try breadth.verifier.verify(bytes: bytes)
        let signature = try #require(report.signatures.last)
        #expect(signature.signer?.commonName == "External rsa2048 Signer")
        if digest == "sha1" {
            #expect(report.verdict == .indeterminate, "\(report.text)")
            #expect(signature.issues.map(\.code) == [.weakAlgorithm])
        } else {
            #expect(report.verdict == .passed, "\(report.text)")
        }
        #expect(breadth.tamperedFails(bytes, .digestMismatch))
        // Signed by another key than the one /Cert names.
        let wrong = try breadth.verifier.verify(bytes: sign(with: try pki.leaf(.rsa1024).key))
        #expect(wrong.verdict == .failed)
        #expect(wrong.signatures.last?.issues.map(\.code) == [.signatureInvalid], "\(wrong.text)")
    }

    // MARK: 9. What the report lists

    @Test func unsignedFieldsAndUsageRightsAreListed() throws {
        let usageRights = try Breadth.opensslCMS(Array("usage rights".utf8), try Breadth.signer(.p256) + ["-md", "sha256"])
        let bytes = try ExternalSignature.sign(subFilter: "ETSI.CAdES.detached", catalog: { catalog, update in
            let rights = update.add(.dictionary([
                "Type": .name("Sig"), "Filter": .name("Adobe.PPKLite"), "SubFilter": .name("adbe.pkcs7.detached"),
                "Contents": .string(PDFString(bytes: usageRights, syntax: .hex)),
                "Reference": [.dictionary(["TransformMethod": .name("UR3")])],
            ]))
            catalog["Perms"] = .dictionary(["UR3": .reference(rights)])
        }) { try Breadth.opensslCMS($0, try Breadth.signer(.p256) + ["-md", "sha256", "-cades"]) }

        let report = try breadth.verifier.verify(bytes: bytes)
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.indication == "TOTAL-PASSED")
        #expect(report.unsignedSignatureFields == ["sig_customer", "sig_company"])
        #expect(report.usageRights == [UsageRightsSignature(permission: "UR3", subFilter: "adbe.pkcs7.detached",
                                                            signer: report.signatures.last?.signer)])
        #expect(report.signatures.count == 1, "a usage-rights signature is not a signature to judge")
        #expect(report.text.contains("  unsigned signature fields: sig_customer, sig_company"))
        #expect(report.text.contains("  usage rights (/Perms /UR3) signed by External p256 Signer — not judged"))
    }

    static func contents(_ bytes: [UInt8]) throws -> [UInt8] {
        let hex = Array(ExternalSignature.contentsHex(bytes).utf8)
        var der: [UInt8] = []
        var index = 0
        while index + 1 < hex.count {
            der.append(UInt8(String(decoding: hex[index..<(index + 2)], as: UTF8.self), radix: 16)!)
            index += 2
        }
        guard let length = BEREncoding.length(ofValueAtStartOf: der) else { throw PDFError(.invalidArgument, "no CMS in /Contents") }
        return Array(der.prefix(length))
    }
}

extension CMSBreadthTests {
    /// Whether the file with one signed byte changed fails with `code`.
    func tamperedFails(_ bytes: [UInt8], _ code: VerificationIssue.Code) -> Bool {
        guard let report = try? verifier.verify(bytes: Self.tampered(bytes)) else { return false }
        return report.verdict == .failed && report.signatures.last?.issues.map(\.code) == [code]
    }
}
