import CountersignCrypto
import Foundation
import TestSupport
import Testing

/// RFC 3161 against a real TSA on loopback (`openssl ts -reply`), and its failure modes.
@Suite struct TimestampTests {
    private func signedCMS() throws -> (cms: [UInt8], content: [UInt8], signer: CMSSigner) {
        let signer = try CMSSigner(identity: try CryptoFixtures.identity(.rsa(2048)))
        let content = CryptoFixtures.randomContent()
        return (try signer.sign(digest: DigestAlgorithm.sha256.hash(content)), content, signer)
    }

    @Test(arguments: [TestTSA.Mode.normal, .chunked])
    func tokenVerifiesAndEmbeds(mode: TestTSA.Mode) throws {
        let tsa = try TestTSA(mode: mode)
        defer { tsa.stop() }
        let (cms, content, signer) = try signedCMS()
        let signatureValue = try CMSSigner.signatureValue(of: cms)
        let tsaRoot = try Certificate.load(Data(contentsOf: tsa.rootCertificate))
        let client = TimestampClient(url: tsa.url, connectTimeout: 5, readTimeout: 20, trustAnchors: [tsaRoot])
        let token = try client.timestampToken(forSignature: signatureValue)

        let parsed = try TimestampToken.parse(der: token)
        #expect(parsed.imprint == DigestAlgorithm.sha256.hash(signatureValue))
        #expect(parsed.imprintAlgorithm == .sha256)
        #expect(abs(parsed.genTime.timeIntervalSinceNow) < 120)
        #expect(parsed.policy == "1.3.6.1.4.1.99999.1")
        #expect(parsed.nonce != nil)
        #expect(parsed.tsaCertificate?.commonName == "Countersign Test TSA")
        try parsed.verify(imprintOf: signatureValue)
        expectCryptoError(.digestMismatch) { try parsed.verify(imprintOf: signatureValue.reversed()) }
        #expect(try ChainValidator(trustAnchors: [tsaRoot]).validate(parsed.tsaCertificate!, at: Date()).count == 2)

        let stamped = try CMSSigner.addTimestampToken(token, to: cms)
        #expect(stamped.count <= signer.maximumSignatureSize(timestamped: true))
        #expect(try CMSSigner.signatureValue(of: stamped) == signatureValue)
        let verified = try CryptoFixtures.opensslVerify(cms: stamped, content: content)
        #expect(verified.status == 0, "openssl cms -verify after embedding: \(verified.stderr)")
        #expect(try CryptoFixtures.opensslPrint(cms: stamped).contains("id-smime-aa-timeStampToken"))

        let reparsed = try CMSSignedData.parse(der: stamped)
        #expect(reparsed.timestampToken == token)
        try reparsed.verifySignature(contentDigest: DigestAlgorithm.sha256.hash(content))

        // The independent judge on the token itself.
        let directory = try TestEnvironment.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenURL = try CryptoFixtures.write(token, "token.der", in: directory)
        let imprintHex = parsed.imprint.map { String(format: "%02x", $0) }.joined()
        let judged = try runCommand("openssl", ["ts", "-verify", "-token_in", "-in", tokenURL.path, "-digest", imprintHex,
                                                "-CAfile", tsa.rootCertificate.path, "-untrusted", tsa.tsaCertificate.path],
                                    timeout: 30)
        #expect(judged.status == 0, "openssl ts -verify: \(judged.stderr)")
    }

    /// With the reserve set to the token's exact size, the timestamped bound is exact for RSA.
    @Test func timestampedBoundIsExactForAKnownTokenSize() throws {
        let tsa = try TestTSA()
        defer { tsa.stop() }
        let (cms, _, _) = try signedCMS()
        let token = try TimestampClient(url: tsa.url, connectTimeout: 5, readTimeout: 20)
            .timestampToken(forSignature: try CMSSigner.signatureValue(of: cms))
        let signer = try CMSSigner(identity: try CryptoFixtures.identity(.rsa(2048)),
                                   options: .init(timestampTokenReserve: token.count))
        let stamped = try CMSSigner.addTimestampToken(token, to: try signer.sign(digest: DigestAlgorithm.sha256.hash([5])))
        #expect(stamped.count == signer.maximumSignatureSize(timestamped: true))
    }

    /// The optional `tsa` name in TSTInfo: read, with or without anchors (OpenSSL's default
    /// check of it against the signer needs the signer found by a chain, so without anchors it
    /// refused every such token).
    @Test func aTokenNamingItsTSAIsAccepted() throws {
        let tsa = try TestTSA(namesItself: true)
        defer { tsa.stop() }
        let (cms, _, _) = try signedCMS()
        let value = try CMSSigner.signatureValue(of: cms)
        let open = try TimestampClient(url: tsa.url, connectTimeout: 5, readTimeout: 20).timestampToken(forSignature: value)
        try TimestampToken.parse(der: open).verify(imprintOf: value)
        let tsaRoot = try Certificate.load(Data(contentsOf: tsa.rootCertificate))
        let anchored = try TimestampClient(url: tsa.url, connectTimeout: 5, readTimeout: 20, trustAnchors: [tsaRoot])
            .timestampToken(forSignature: value)
        try TimestampToken.parse(der: anchored).verify(imprintOf: value)
    }

    @Test func tokenFromAnUntrustedTSAIsRefusedWhenAnchorsAreGiven() throws {
        let tsa = try TestTSA()
        defer { tsa.stop() }
        let (cms, _, _) = try signedCMS()
        let client = TimestampClient(url: tsa.url, connectTimeout: 5, readTimeout: 20,
                                     trustAnchors: [CryptoFixtures.root.certificate])
        expectCryptoError(.timestampFailed) { _ = try client.timestampToken(forSignature: try CMSSigner.signatureValue(of: cms)) }
        // Without anchors the token's own checks pass.
        let open = TimestampClient(url: tsa.url, connectTimeout: 5, readTimeout: 20)
        _ = try open.timestampToken(forSignature: try CMSSigner.signatureValue(of: cms))
    }

    @Test func tsaDownIsANetworkError() throws {
        let tsa = try TestTSA(mode: .down)
        let started = Date()
        do {
            _ = try TimestampClient(url: tsa.url, connectTimeout: 2, readTimeout: 2).timestampToken(forSignature: [1, 2, 3])
            Issue.record("expected a network error")
        } catch let error as CryptoError {
            #expect(error.code == .network)
            #expect(error.reason.contains(tsa.url.absoluteString))
            #expect(error.reason.contains("errno"))
        }
        #expect(Date().timeIntervalSince(started) < 5)
    }

    /// An HTTP error is the service failing (a wrong URL path), as an unreachable TSA is: a
    /// network error (exit 74 in the CLI), not a fault in the document.
    @Test func anHTTPErrorIsANetworkError() throws {
        let tsa = try TestTSA(mode: .notFound)
        defer { tsa.stop() }
        do {
            _ = try TimestampClient(url: tsa.url, connectTimeout: 2, readTimeout: 5).timestampToken(forSignature: [1, 2, 3])
            Issue.record("expected a network error")
        } catch let error as CryptoError {
            #expect(error.code == .network && error.reason.contains("HTTP 404"), "\(error)")
        }
    }

    @Test func garbageIsATimestampFailure() throws {
        let tsa = try TestTSA(mode: .garbage)
        defer { tsa.stop() }
        expectCryptoError(.timestampFailed) {
            _ = try TimestampClient(url: tsa.url, connectTimeout: 2, readTimeout: 5).timestampToken(forSignature: [1, 2, 3])
        }
        #expect(tsa.requestCount == 1)
    }

    @Test func silentTSATimesOut() throws {
        let tsa = try TestTSA(mode: .silent)
        defer { tsa.stop() }
        let started = Date()
        expectCryptoError(.network) {
            _ = try TimestampClient(url: tsa.url, connectTimeout: 2, readTimeout: 1).timestampToken(forSignature: [1])
        }
        #expect(Date().timeIntervalSince(started) < 4)
    }

    @Test func httpsAndOtherSchemesAreRefused() throws {
        for (url, words) in [("https://tsa.example/", "https TSA URLs are not supported yet"), ("ftp://tsa.example/", "http://")] {
            do {
                _ = try TimestampClient(url: URL(string: url)!).timestampToken(forSignature: [1])
                Issue.record("expected a network error for \(url)")
            } catch let error as CryptoError {
                #expect(error.code == .network)
                #expect(error.reason.contains(words))
            }
        }
    }

    @Test func embeddingRejectsNonDER() throws {
        let (cms, _, _) = try signedCMS()
        expectCryptoError(.malformed) { _ = try CMSSigner.addTimestampToken([1, 2, 3], to: cms) }
        expectCryptoError(.malformed) { _ = try CMSSigner.addTimestampToken([0x30, 0x00], to: [0x30, 0x00]) }
    }
}
