import CountersignCrypto
import Foundation
import Testing

/// Parsing a CMS with a certificate cache gives the same result as parsing it whole.
@Suite struct CertificateCacheTests {
    @Test(arguments: [PrivateKey.Spec.rsa(2048), .ecP256])
    func cachedParseEqualsPlainParse(_ key: PrivateKey.Spec) throws {
        let identity = try CryptoFixtures.identity(key)
        let content = CryptoFixtures.randomContent()
        let digest = DigestAlgorithm.sha256.hash(content)
        let cms = try CMSSigner(identity: identity).sign(digest: digest)
        let cache = CertificateCache()
        let plain = try CMSSignedData.parse(der: cms)
        for _ in 0..<2 {
            let cached = try CMSSignedData.parse(der: cms, certificateCache: cache)
            #expect(cached.der == cms)
            #expect(cached.certificates == plain.certificates)
            #expect(cached.signerCertificate == plain.signerCertificate)
            #expect(cached.signerCertificate == identity.certificate)
            #expect(cached.signedAttributes == plain.signedAttributes)
            #expect(cached.signatureValue == plain.signatureValue)
            try cached.verifySignature(contentDigest: digest)
            try cached.checkSigningCertificateReference(required: true)
            #expect(throws: CryptoError(.digestMismatch, "")) {
                try cached.verifySignature(contentDigest: DigestAlgorithm.sha256.hash(content + [0]))
            }
        }
        // The second parse reused the first one's certificates.
        let first = try CMSSignedData.parse(der: cms, certificateCache: cache)
        let second = try CMSSignedData.parse(der: cms, certificateCache: cache)
        #expect(zip(first.certificates, second.certificates).allSatisfy { $0 === $1 })
    }

    /// A signature verifies once and again: the kept CMS can be verified repeatedly.
    @Test func verifyingTwiceWorks() throws {
        let identity = try CryptoFixtures.identity(.ecP256)
        let digest = DigestAlgorithm.sha256.hash(CryptoFixtures.randomContent())
        let parsed = try CMSSignedData.parse(der: try CMSSigner(identity: identity).sign(digest: digest))
        try parsed.verifySignature(contentDigest: digest)
        try parsed.verifySignature(contentDigest: digest)
    }
}
