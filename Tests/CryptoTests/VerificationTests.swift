import CountersignCrypto
import Foundation
import TestSupport
import Testing

/// CMS parsing and signature checks on our signatures, tampered ones and OpenSSL's; chain
/// validation with and without the right anchor and outside the validity period.
@Suite struct VerificationTests {
    @Test func parsesWhatTheSignerClaims() throws {
        let identity = try CryptoFixtures.identity(.ecP256)
        let content = CryptoFixtures.randomContent()
        let digest = DigestAlgorithm.sha256.hash(content)
        let cms = try CMSSigner(identity: identity).sign(digest: digest)
        let parsed = try CMSSignedData.parse(der: cms)
        #expect(parsed.signerCertificate == identity.certificate)
        #expect(parsed.signerIdentifier == .issuerAndSerialNumber(issuer: identity.certificate.issuer,
                                                                  serialNumber: identity.certificate.serialNumber))
        #expect(Set(parsed.certificates) == Set([identity.certificate] + identity.chain))
        #expect(parsed.digestAlgorithm == .sha256)
        #expect(parsed.signers[0].signatureAlgorithm.objectIdentifier == "1.2.840.10045.4.3.2")  // ecdsa-with-SHA256
        #expect(try parsed.signers[0].scheme() == .ecdsa(.sha256, plain: false))
        #expect(parsed.contentType == "1.2.840.113549.1.7.1")
        #expect(parsed.encapsulatedContent == nil)
        #expect(parsed.timestampToken == nil)
        #expect(parsed.signedAttributes.contentType == "1.2.840.113549.1.7.1")
        #expect(parsed.signedAttributes.messageDigest == digest)
        #expect(parsed.signedAttributes.signingTime == nil)
        #expect(parsed.signedAttributes.signingCertificate == nil)
        let references = try #require(parsed.signedAttributes.signingCertificateV2)
        #expect(references.count == 1)
        #expect(references[0].hash == DigestAlgorithm.sha256.hash(identity.certificate.derEncoded))
        #expect(references[0].serialNumber == identity.certificate.serialNumber)
        #expect(try references[0].matches(identity.certificate))
        #expect(try !references[0].matches(CryptoFixtures.root.certificate))
        try parsed.verifySignature(contentDigest: digest)
        try parsed.checkSigningCertificateReference(required: true)
    }

    @Test func pkcs7ProfileCarriesSigningTime() throws {
        let identity = try CryptoFixtures.identity(.rsa(2048))
        let when = Date(timeIntervalSince1970: 1_900_000_000)
        let digest = DigestAlgorithm.sha384.hash([1, 2, 3])
        let cms = try CMSSigner(identity: identity, options: .init(digest: .sha384, profile: .pkcs7))
            .sign(digest: digest, signingTime: when)
        let parsed = try CMSSignedData.parse(der: cms)
        #expect(parsed.signedAttributes.signingTime == when)
        #expect(parsed.signedAttributes.signingCertificateV2 == nil)
        try parsed.verifySignature(contentDigest: digest)
        try parsed.checkSigningCertificateReference(required: false)
        expectCryptoError(.signingCertificateMismatch) { try parsed.checkSigningCertificateReference(required: true) }
    }

    @Test(arguments: [PrivateKey.Spec.rsa(2048), .ecP384])
    func tamperingIsDetected(_ spec: PrivateKey.Spec) throws {
        let identity = try CryptoFixtures.identity(spec)
        let digest = DigestAlgorithm.sha256.hash(CryptoFixtures.randomContent())
        let cms = try CMSSigner(identity: identity).sign(digest: digest)
        let parsed = try CMSSignedData.parse(der: cms)

        expectCryptoError(.digestMismatch) { try parsed.verifySignature(contentDigest: DigestAlgorithm.sha256.hash([9])) }
        expectCryptoError(.digestMismatch) { try parsed.verifySignature(contentDigest: Array(digest.prefix(20))) }

        // A flipped bit in the signature value.
        var brokenSignature = cms
        let signatureRange = try #require(cms.firstRange(of: parsed.signatureValue))
        brokenSignature[signatureRange.upperBound - 1] ^= 0x01
        expectCryptoError(.signatureInvalid) {
            try CMSSignedData.parse(der: brokenSignature).verifySignature(contentDigest: digest)
        }

        // A messageDigest swapped for another content's digest.
        var swapped = cms
        let digestRange = try #require(cms.firstRange(of: digest))
        let otherDigest = DigestAlgorithm.sha256.hash([7, 7, 7])
        swapped.replaceSubrange(digestRange, with: otherDigest)
        expectCryptoError(.signatureInvalid) {
            try CMSSignedData.parse(der: swapped).verifySignature(contentDigest: otherDigest)
        }

        // A signature by someone else's key under this certificate.
        let other = try CryptoFixtures.identity(spec == .ecP384 ? .ecP256 : .rsa(3072))
        let foreign = try CMSSignedData.parse(der: try CMSSigner(identity: other).sign(digest: digest))
        #expect(foreign.signerCertificate == other.certificate)
    }

    @Test func rejectsWhatIsNotOneSignerSignedData() throws {
        expectCryptoError(.malformed) { _ = try CMSSignedData.parse(der: [0x30, 0x80, 0x00, 0x00]) }
        expectCryptoError(.malformed) { _ = try CMSSignedData.parse(der: []) }
        expectCryptoError(.malformed) { _ = try CMSSignedData.parse(der: CryptoFixtures.randomContent(300)) }
        expectCryptoError(.malformed) { _ = try TimestampToken.parse(der: try CMSSigner(identity: try CryptoFixtures.identity(.ecP256)).sign(digest: DigestAlgorithm.sha256.hash([1]))) }
    }

    /// CMS made by the openssl CLI: one signer verifies through our helpers; with two, each
    /// SignerInfo is read and verifies on its own.
    @Test func openSSLMadeSignatures() throws {
        let first = try CryptoFixtures.identity(.ecP256)
        let second = try CryptoFixtures.identity(.rsa(2048))
        let directory = try TestEnvironment.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let content = CryptoFixtures.randomContent()
        let contentURL = try CryptoFixtures.write(content, "content.bin", in: directory)
        var signerArguments: [String] = []
        for (index, identity) in [first, second].enumerated() {
            let key = try CryptoFixtures.write(try identity.privateKey.pemEncoded(password: nil), "key\(index).pem", in: directory)
            let cert = try CryptoFixtures.write(Data(identity.certificate.pemEncoded.utf8), "cert\(index).pem", in: directory)
            signerArguments.append(contentsOf: ["-signer", cert.path, "-inkey", key.path])
        }
        let one = directory.appendingPathComponent("one.der")
        let two = directory.appendingPathComponent("two.der")
        let common = ["cms", "-sign", "-binary", "-md", "sha256", "-in", contentURL.path, "-outform", "DER"]
        try #require(try runCommand("openssl", common + Array(signerArguments.prefix(4)) + ["-out", one.path]).status == 0)
        try #require(try runCommand("openssl", common + signerArguments + ["-out", two.path]).status == 0)

        let parsed = try CMSSignedData.parse(der: [UInt8](Data(contentsOf: one)))
        #expect(parsed.signerCertificate == first.certificate)
        #expect(parsed.signedAttributes.signingTime != nil)
        try parsed.verifySignature(contentDigest: DigestAlgorithm.sha256.hash(content))
        expectCryptoError(.digestMismatch) { try parsed.verifySignature(contentDigest: DigestAlgorithm.sha256.hash([1])) }
        let both = try CMSSignedData.parse(der: [UInt8](Data(contentsOf: two)))
        #expect(both.signers.map(\.certificate) == [first.certificate, second.certificate])
        for signer in both.signers {
            try signer.verify(contentDigest: DigestAlgorithm.sha256.hash(content), eContentType: both.contentType)
            expectCryptoError(.digestMismatch) {
                try signer.verify(contentDigest: DigestAlgorithm.sha256.hash([1]), eContentType: both.contentType)
            }
        }
    }

    @Test func chainValidation() throws {
        let root = CryptoFixtures.root
        let intermediate = try DevelopmentCA(identity: root.issue(
            commonName: "Chain Intermediate", key: .ecP256, notAfter: Date().addingTimeInterval(5 * 365 * 86_400),
            keyUsage: [.keyCertSign, .cRLSign], isCA: true))
        let leaf = try intermediate.issue(commonName: "Chain Leaf", key: .ecP256)
        let validator = ChainValidator(trustAnchors: [root.certificate])

        let path = try validator.validate(leaf.certificate, intermediates: leaf.chain, at: Date())
        #expect(path == [leaf.certificate, intermediate.certificate, root.certificate])
        expectCryptoError(.untrusted) { _ = try validator.validate(leaf.certificate, at: Date()) }

        let otherRoot = try DevelopmentCA.createRoot(commonName: "Some Other Root", key: .ecP256)
        expectCryptoError(.untrusted) {
            _ = try ChainValidator(trustAnchors: [otherRoot.certificate]).validate(leaf.certificate, intermediates: leaf.chain, at: Date())
        }
        expectCryptoError(.untrusted) { _ = try ChainValidator(trustAnchors: []).validate(leaf.certificate, at: Date()) }
        // Another root of the same name (as every development CA is): the error says that the
        // anchor is a namesake, with both fingerprints, whether the chain carries its root or not.
        let namesake = try DevelopmentCA.createRoot(commonName: "Countersign Test Root", organization: "Countersign tests", key: .ecP256)
        let rootLeaf = try root.issue(commonName: "Namesake Leaf", key: .ecP256)
        for intermediates in [rootLeaf.chain, []] {
            do {
                _ = try ChainValidator(trustAnchors: [namesake.certificate]).validate(rootLeaf.certificate, intermediates: intermediates, at: Date())
                Issue.record("a namesake anchor validated the chain")
            } catch let error as CryptoError {
                #expect(error.code == .untrusted)
                #expect(error.reason.contains("a trust anchor bears that name, \(namesake.certificate.subject), but is another CA (anchor SHA-256 "
                                              + "\(namesake.certificate.sha256Fingerprint.prefix(16))…"), "\(error.reason)")
                #expect(error.reason.contains(intermediates.isEmpty ? "it did not issue CN=Namesake Leaf"
                                              : "the chain's is \(root.certificate.sha256Fingerprint.prefix(16))…"), "\(error.reason)")
            }
        }
        // A root of another name says nothing of names.
        do {
            _ = try ChainValidator(trustAnchors: [otherRoot.certificate]).validate(leaf.certificate, intermediates: leaf.chain, at: Date())
        } catch let error as CryptoError {
            #expect(!error.reason.contains("bears that name"), "\(error.reason)")
        }

        // An intermediate as anchor is enough (partial chains).
        #expect(try ChainValidator(trustAnchors: [intermediate.certificate]).validate(leaf.certificate, at: Date()).count == 2)

        let later = leaf.certificate.notAfter.addingTimeInterval(86_400)
        let earlier = leaf.certificate.notBefore.addingTimeInterval(-86_400)
        expectCryptoError(.certificateExpired) { _ = try validator.validate(leaf.certificate, intermediates: leaf.chain, at: later) }
        expectCryptoError(.certificateNotYetValid) {
            _ = try validator.validate(leaf.certificate, intermediates: leaf.chain, at: earlier)
        }
        do {
            _ = try validator.validate(leaf.certificate, intermediates: leaf.chain, at: later)
        } catch let error as CryptoError {
            #expect(error.reason.contains("depth 0 (CN=Chain Leaf)"))
        }
    }
}
