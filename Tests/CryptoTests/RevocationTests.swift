import CountersignCrypto
import Foundation
import Testing
import TestSupport

/// OCSP and CRL handling against a real test PKI on loopback (`openssl ocsp`, CRLs over HTTP).
@Suite(.serialized) struct RevocationTests {
    private func load(_ url: URL) throws -> [Certificate] { try Certificate.load(pem: try Data(contentsOf: url)) }

    @Test func certificatesNameTheirLoopbackRevocationSources() throws {
        let pki = try TestPKI()
        let signer = try load(try pki.issue("Sources").chain)
        #expect(signer[0].ocspURLs == [pki.ocspURL])
        #expect(signer[0].crlURLs.map(\.absoluteString) == [pki.crlServer.baseURL.absoluteString + "/intermediate.crl"])
        #expect(signer[1].ocspURLs.isEmpty)
        #expect(signer[1].crlURLs.map(\.absoluteString) == [pki.crlServer.baseURL.absoluteString + "/root.crl"])
        #expect(!signer[2].namesRevocationSource)
        #expect(signer[0].isIssued(by: signer[1]) && signer[1].isIssued(by: signer[2]) && !signer[0].isIssued(by: signer[2]))
        #expect(signer[0].issuer(among: signer) == signer[1])
        let responder = try load(URL(fileURLWithPath: pki.directory.appendingPathComponent("intermediate/ocsp.pem").path))[0]
        #expect(responder.isOCSPSigner && responder.hasOCSPNoCheck)
        #expect(!signer[0].isOCSPSigner && !signer[0].hasOCSPNoCheck)
    }

    @Test func ocspAnswersGoodThenRevokedWithTheRevocationTime() throws {
        let pki = try TestPKI()
        let identity = try pki.issue("OCSP Subject")
        let chain = try load(identity.chain)
        try pki.startResponder()
        defer { pki.stopResponder() }
        let fetcher = RevocationFetcher(timeout: 5)
        let good = try fetcher.ocsp(for: chain[0], issuer: chain[1])
        #expect(good.responseStatus == .successful)
        let status = try #require(good.status(of: chain[0], issuer: chain[1]))
        #expect(status.status == .good)
        #expect(status.nextUpdate.map { $0 > status.thisUpdate } == true)
        let signer = try #require(good.signer(among: chain))
        #expect(signer.commonName == "Countersign Test PKI OCSP Responder")
        #expect(good.isSigned(by: signer) && !good.isSigned(by: chain[1]))
        #expect(good.status(of: chain[1], issuer: chain[2]) == nil)  // not the certificate asked about

        let before = Date().addingTimeInterval(-1)
        try pki.revoke(identity)
        let revoked = try #require(try fetcher.ocsp(for: chain[0], issuer: chain[1]).status(of: chain[0], issuer: chain[1]))
        guard case .revoked(let time, let reason) = revoked.status else {
            Issue.record("expected revoked, got \(revoked.status)")
            return
        }
        #expect(time >= before.addingTimeInterval(-1) && time <= Date().addingTimeInterval(1))
        #expect(reason == .keyCompromise)
    }

    @Test func crlListsRevokedCertificatesAndChecksItsScopeAndSignature() throws {
        let pki = try TestPKI()
        let identity = try pki.issue("CRL Subject")
        let chain = try load(identity.chain)
        let fetcher = RevocationFetcher(timeout: 5)
        let first = try fetcher.crl(for: chain[0])
        #expect(first.isSigned(by: chain[1]) && !first.isSigned(by: chain[2]))
        #expect(first.scopeProblem(for: chain[0]) == nil)
        #expect(first.scopeProblem(for: chain[1]) == .otherIssuer)
        #expect(first.entry(for: chain[0]) == nil)
        #expect(first.nextUpdate.map { Int($0.timeIntervalSince(first.thisUpdate)) } == 24 * 3600)
        try pki.revoke(identity, reason: "cessationOfOperation")
        let second = try fetcher.crl(for: chain[0])
        #expect(second.entry(for: chain[0])?.reason == .cessationOfOperation)
        #expect(try fetcher.crl(for: chain[1]).isSigned(by: chain[2]))
    }

    @Test func unreachableAndMalformedSourcesAreErrors() throws {
        let pki = try TestPKI()
        let chain = try load(try pki.issue("Down").chain)
        #expect(throws: CryptoError(.network, "")) { try RevocationFetcher(timeout: 2).ocsp(for: chain[0], issuer: chain[1]) }
        #expect(throws: CryptoError(.invalidArgument, "")) { try RevocationFetcher().ocsp(for: chain[2], issuer: chain[2]) }
        #expect(throws: CryptoError(.malformed, "")) { try OCSPResponse(der: [0x30, 0x03, 0x0A, 0x01, 0x00, 0x00]) }
        #expect(throws: CryptoError(.malformed, "")) { try CertificateRevocationList(der: Array("not a CRL".utf8)) }
    }

    @Test func staleResponderAnswersFromThePast() throws {
        let pki = try TestPKI()
        let chain = try load(try pki.issue("Stale").chain)
        try pki.startResponder(.stale(daysAgo: 2))
        defer { pki.stopResponder() }
        let status = try #require(try RevocationFetcher(timeout: 5).ocsp(for: chain[0], issuer: chain[1]).status(of: chain[0], issuer: chain[1]))
        #expect(status.status == .good)
        #expect(try #require(status.nextUpdate) < Date().addingTimeInterval(-86_400))
    }
}
