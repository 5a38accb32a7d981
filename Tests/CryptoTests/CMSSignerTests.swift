@testable import CountersignCrypto
import Foundation
import TestSupport
import Testing

/// One signing configuration of the matrix.
struct SigningCase: Sendable, CustomTestStringConvertible {
    var key: PrivateKey.Spec
    var digest: DigestAlgorithm
    var profile: CMSSigner.Profile
    var padding: CMSSigner.RSAPadding

    var testDescription: String { "\(key) \(digest) \(profile) \(padding)" }

    /// RSA-2048, RSA-3072, P-256, P-384 × cades/pkcs7 (× PSS for RSA).
    static let matrix: [SigningCase] = {
        let keys: [(PrivateKey.Spec, DigestAlgorithm)] = [(.rsa(2048), .sha256), (.rsa(3072), .sha512),
                                                          (.ecP256, .sha256), (.ecP384, .sha384)]
        var cases: [SigningCase] = []
        for (key, digest) in keys {
            for profile in [CMSSigner.Profile.cades, .pkcs7] {
                let paddings: [CMSSigner.RSAPadding] = if case .rsa = key { [.pkcs1v15, .pss] } else { [.pkcs1v15] }
                for padding in paddings {
                    cases.append(SigningCase(key: key, digest: digest, profile: profile, padding: padding))
                }
            }
        }
        return cases
    }()
}

/// Detached CMS signatures over a caller-computed digest, judged by `openssl cms -verify`.
@Suite struct CMSSignerTests {
    @Test(arguments: SigningCase.matrix)
    func signatureVerifiesWithOpenSSL(_ signingCase: SigningCase) throws {
        let identity = try CryptoFixtures.identity(signingCase.key)
        let options = CMSSigner.Options(digest: signingCase.digest, rsaPadding: signingCase.padding,
                                        profile: signingCase.profile)
        let signer = try CMSSigner(identity: identity, options: options)
        let content = CryptoFixtures.randomContent()
        let cms = try signer.sign(digest: signingCase.digest.hash(content))

        let verified = try CryptoFixtures.opensslVerify(cms: cms, content: content)
        #expect(verified.status == 0, "openssl cms -verify: \(verified.stderr)")

        let printed = try CryptoFixtures.opensslPrint(cms: cms)
        switch signingCase.profile {
        case .cades:
            #expect(printed.contains("signingCertificateV2"))
            #expect(!printed.contains("signingTime"))
        case .pkcs7:
            #expect(printed.contains("signingTime"))
            #expect(!printed.contains("signingCertificateV2"))
        }
        #expect(!printed.contains("S/MIME Capabilities"))
        #expect(printed.contains("eContent: <ABSENT>"))
        if signingCase.padding == .pss { #expect(printed.contains("rsassaPss")) }

        let bound = signer.maximumSignatureSize(timestamped: false)
        #expect(cms.count <= bound)
        #expect(bound - cms.count < 16, "bound \(bound) is loose for \(cms.count) bytes")
        if case .rsa = signingCase.key, signingCase.profile == .cades {
            #expect(bound == cms.count, "RSA signatures have a fixed size, so the bound is exact")
        }
    }

    @Test func wholeChainIsIncluded() throws {
        let intermediate = try DevelopmentCA(identity: CryptoFixtures.root.issue(
            commonName: "Test Intermediate", key: .ecP256, keyUsage: [.keyCertSign, .cRLSign], isCA: true))
        let identity = try intermediate.issue(commonName: "Leaf under intermediate", key: .ecP256)
        #expect(identity.chain.count == 2)
        let signer = try CMSSigner(identity: identity)
        let content = CryptoFixtures.randomContent()
        let cms = try signer.sign(digest: DigestAlgorithm.sha256.hash(content))
        let parsed = try CMSSignedData.parse(der: cms)
        #expect(Set(parsed.certificates) == Set([identity.certificate] + identity.chain))
        #expect(try CryptoFixtures.opensslVerify(cms: cms, content: content).status == 0)
        #expect(cms.count <= signer.maximumSignatureSize(timestamped: false))
    }

    /// From 2050 signingTime is a GeneralizedTime, two bytes longer than a UTCTime.
    @Test(arguments: [Date(timeIntervalSince1970: 0), Date(), Date(timeIntervalSince1970: 2_600_000_000)])
    func boundCoversEverySigningTimeEncoding(_ when: Date) throws {
        let signer = try CMSSigner(identity: try CryptoFixtures.identity(.rsa(2048)), options: .init(profile: .pkcs7))
        let cms = try signer.sign(digest: DigestAlgorithm.sha256.hash([1]), signingTime: when)
        let bound = signer.maximumSignatureSize(timestamped: false)
        #expect(cms.count == (when.timeIntervalSince1970 >= 2_524_608_000 ? bound : bound - 2))
        let signed = try #require(try CMSSignedData.parse(der: cms).signedAttributes.signingTime)
        #expect(signed.timeIntervalSince1970 == when.timeIntervalSince1970.rounded(.down))
    }

    @Test(arguments: DigestAlgorithm.allCases)
    func everyDigestWorks(_ digest: DigestAlgorithm) throws {
        let signer = try CMSSigner(identity: try CryptoFixtures.identity(.ecP256), options: .init(digest: digest))
        let content = CryptoFixtures.randomContent(100)
        let cms = try signer.sign(digest: digest.hash(content))
        #expect(try CryptoFixtures.opensslVerify(cms: cms, content: content).status == 0)
        #expect(try CMSSignedData.parse(der: cms).digestAlgorithm == digest)
    }

    @Test func rejectsBadArguments() throws {
        let ec = try CryptoFixtures.identity(.ecP256)
        expectCryptoError(.invalidArgument) { _ = try CMSSigner(identity: ec, options: .init(rsaPadding: .pss)) }
        let signer = try CMSSigner(identity: ec, options: .init(digest: .sha384))
        expectCryptoError(.invalidArgument) { _ = try signer.sign(digest: [UInt8](repeating: 1, count: 32)) }
    }

    @Test func signatureValueIsTheSignerInfoSignature() throws {
        let signer = try CMSSigner(identity: try CryptoFixtures.identity(.rsa(2048)))
        let cms = try signer.sign(digest: DigestAlgorithm.sha256.hash([1, 2, 3]))
        let value = try CMSSigner.signatureValue(of: cms)
        #expect(value.count == 256)
        #expect(value == (try CMSSignedData.parse(der: cms)).signatureValue)
        expectCryptoError(.malformed) { _ = try CMSSigner.signatureValue(of: [0x30, 0x03, 0x02, 0x01, 0x01]) }
    }
}

/// The patched CMS template (RSA, CAdES) against the CMS OpenSSL builds for each signature.
@Suite struct CMSTemplateTests {
    @Test(arguments: [PrivateKey.Spec.rsa(2048), .rsa(3072)])
    func theTemplateGivesOpenSSLsBytes(_ key: PrivateKey.Spec) throws {
        let identity = try CryptoFixtures.identity(key)
        let signer = try CMSSigner(identity: identity, options: CMSSigner.Options(digest: .sha256))
        for _ in 0..<3 {
            let digest = DigestAlgorithm.sha256.hash(CryptoFixtures.randomContent())
            // PKCS#1 v1.5 is deterministic: the same attributes give the same signature.
            #expect(try signer.sign(digest: digest) == signer.signBuilt(digest: digest, signingTime: Date()))
        }
    }

    @Test func pssSignaturesFromTheTemplateVerify() throws {
        let identity = try CryptoFixtures.identity(.rsa(2048))
        let signer = try CMSSigner(identity: identity, options: CMSSigner.Options(digest: .sha384, rsaPadding: .pss))
        let content = CryptoFixtures.randomContent()
        let cms = try signer.sign(digest: DigestAlgorithm.sha384.hash(content))
        let verified = try CryptoFixtures.opensslVerify(cms: cms, content: content)
        #expect(verified.status == 0, "openssl cms -verify: \(verified.stderr)")
        #expect(cms.count == (try signer.signBuilt(digest: DigestAlgorithm.sha384.hash(content), signingTime: Date())).count)
    }
}
