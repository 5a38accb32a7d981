import CountersignCrypto
import Foundation
import Signing
import Testing
import TestSupport
import Verification

/// Revocation during verification (DESIGN.md §16) against a real PKI on loopback: `openssl ocsp`
/// as the responder, CRLs over HTTP, the loopback TSA for proof of existence.
@Suite(.serialized) struct RevocationVerificationTests {
    private let fixtures = VerificationFixtures.shared

    /// A PKI, a signer it issued, and the anchors (the PKI's root and the TSA's root).
    private struct Setup {
        let pki: TestPKI
        let identity: TestPKI.Identity
        let anchors: [Certificate]
    }

    private func setup(_ name: String) throws -> Setup {
        let pki = try TestPKI()
        let identity = try pki.issue(name)
        let anchors = try Certificate.load(pem: try Data(contentsOf: pki.rootCertificate))
            + Certificate.load(pem: try Data(contentsOf: try fixtures.tsa.rootCertificate))
        return Setup(pki: pki, identity: identity, anchors: anchors)
    }

    private func sign(_ setup: Setup, timestamped: Bool) throws -> [UInt8] {
        let identity = try SigningIdentity.load(keyPEM: try Data(contentsOf: setup.identity.key), password: nil,
                                                certificatesPEM: try Data(contentsOf: setup.identity.chain))
        let signer = try PDFSigner(identity: identity, timestampClient: timestamped ? TimestampClient(url: try fixtures.tsa.url) : nil)
        let request = SignatureRequest(placement: .field("sig_customer"), profile: timestamped ? .padesBT : .padesBB,
                                       signingTime: Date())
        return try signer.sign(fixtures.contract, request: request)
    }

    private func verify(_ bytes: [UInt8], _ setup: Setup, online: Bool = true, at time: Date? = nil,
                        require: Bool = true) -> SignatureReport {
        let verifier = PDFVerifier(trustAnchors: setup.anchors,
                                   revocation: RevocationOptions(online: online, timeout: 3, validationTime: time, requireData: require))
        return verifier.verify(bytes: bytes).signatures[0]
    }

    private func status(_ report: SignatureReport, _ role: CertificateRevocation.Role) -> CertificateRevocation? {
        report.revocation?.certificates.first { $0.role == role }
    }

    @Test func goodSignerIsPassedWithOCSPAndCRLDetails() throws {
        let setup = try setup("Good Signer")
        try setup.pki.startResponder()
        defer { setup.pki.stopResponder() }
        let report = verify(try sign(setup, timestamped: true), setup)
        #expect(report.verdict == .passed, "\(report.reasons)")
        let revocation = try #require(report.revocation)
        #expect(revocation.online && revocation.subIndication == nil)
        #expect(revocation.bestSignatureTime == report.timestamp?.genTime)
        let signer = try #require(status(report, .signer))
        #expect(signer.status == .good && signer.source == "ocsp" && signer.origin == .online)
        #expect(signer.issuedBy?.contains("OCSP Responder") == true)
        let intermediate = try #require(status(report, .signerCA))
        #expect(intermediate.status == .good && intermediate.source == "crl")
        #expect(status(report, .timestampAuthority)?.status == .noSource)
    }

    @Test func offlineWithoutValidationDataIsTryLater() throws {
        let setup = try setup("Offline Signer")
        let report = verify(try sign(setup, timestamped: true), setup, online: false)
        #expect(report.verdict == .indeterminate)
        #expect(report.revocation?.subIndication == .tryLater)
        #expect(report.revocation?.online == false)
        #expect(report.issues.contains { $0.code == .revocationUnknown && $0.reason.contains("--online") })
    }

    @Test func offlineWithoutValidationDataIsReportedAndDoesNotCountByDefault() throws {
        let setup = try setup("Soft Signer")
        let signed = try sign(setup, timestamped: true)
        let report = verify(signed, setup, online: false, require: false)
        #expect(report.verdict == .passed, "\(report.reasons)")
        #expect(report.revocation?.subIndication == nil && report.revocation?.online == false)
        #expect(status(report, .signer)?.status == .unavailable)
        let text = PDFVerifier(trustAnchors: setup.anchors, revocation: RevocationOptions(online: false)).verify(bytes: signed).text
        #expect(text.contains("--require-revocation"), "\(text)")
        // Data that is there is always judged: revoked, with the responder up, still fails.
        try setup.pki.revoke(setup.identity)
        try setup.pki.startResponder()
        defer { setup.pki.stopResponder() }
        let revoked = verify(try sign(setup, timestamped: true), setup, online: true, require: false)
        #expect(revoked.verdict == .failed && revoked.revocation?.subIndication == .revoked)
    }

    @Test func revokedBeforeATimestampedSigningFails() throws {
        let setup = try setup("Revoked First")
        try setup.pki.revoke(setup.identity)
        Thread.sleep(forTimeInterval: 1.1)
        try setup.pki.startResponder()
        defer { setup.pki.stopResponder() }
        let report = verify(try sign(setup, timestamped: true), setup)
        #expect(report.verdict == .failed)
        #expect(report.revocation?.subIndication == .revoked)
        #expect(status(report, .signer)?.revocationReason == "keyCompromise")
    }

    @Test func revokedAfterATimestampedSigningPasses() throws {
        let setup = try setup("Revoked Later")
        let signed = try sign(setup, timestamped: true)
        Thread.sleep(forTimeInterval: 1.1)
        try setup.pki.revoke(setup.identity)
        try setup.pki.startResponder()
        defer { setup.pki.stopResponder() }
        let report = verify(signed, setup)
        #expect(report.verdict == .passed, "\(report.reasons)")
        let signer = try #require(status(report, .signer))
        #expect(signer.status == .revoked)
        #expect(try #require(signer.revocationTime) > (report.timestamp?.genTime ?? .distantFuture))
    }

    @Test func revokedWithoutProofOfExistenceIsIndeterminate() throws {
        let setup = try setup("Revoked No POE")
        let signed = try sign(setup, timestamped: false)
        try setup.pki.revoke(setup.identity)
        try setup.pki.startResponder()
        defer { setup.pki.stopResponder() }
        let report = verify(signed, setup)
        #expect(report.verdict == .indeterminate)
        #expect(report.revocation?.subIndication == .revokedNoPOE)
        #expect(report.revocation?.bestSignatureTime == nil)
    }

    @Test func staleOCSPAndCRLAreTryLater() throws {
        let setup = try setup("Stale Data")
        try setup.pki.publishCRL(of: "intermediate", hours: 1, daysAgo: 2)
        try setup.pki.startResponder(.stale(daysAgo: 2))
        defer { setup.pki.stopResponder() }
        let report = verify(try sign(setup, timestamped: true), setup)
        #expect(report.verdict == .indeterminate)
        #expect(report.revocation?.subIndication == .tryLater)
        #expect(status(report, .signer)?.status == .stale)
    }

    @Test func responderDownFallsBackToTheCRLOrIsTryLater() throws {
        let setup = try setup("Responder Down")
        let signed = try sign(setup, timestamped: true)
        let withCRL = verify(signed, setup)
        #expect(withCRL.verdict == .passed, "\(withCRL.reasons)")
        #expect(status(withCRL, .signer)?.source == "crl")
        #expect(status(withCRL, .signer)?.notes.contains { $0.contains("OCSP could not be fetched") } == true)
        setup.pki.crlServer.stop()
        let nothing = verify(signed, setup)
        #expect(nothing.verdict == .indeterminate)
        #expect(nothing.revocation?.subIndication == .tryLater)
        #expect(status(nothing, .signer)?.status == .unavailable)
    }

    @Test func ocspFromAnUnauthorisedResponderIsRejected() throws {
        let setup = try setup("Unauthorised")
        try setup.pki.startResponder(.unauthorised)
        defer { setup.pki.stopResponder() }
        setup.pki.crlServer.stop()
        let report = verify(try sign(setup, timestamped: true), setup)
        #expect(report.verdict == .indeterminate)
        #expect(report.revocation?.subIndication == .tryLater)
        #expect(status(report, .signer)?.notes.contains { $0.contains("no id-kp-OCSPSigning") } == true)
    }

    @Test func ocspSignedByTheIssuerItselfIsAccepted() throws {
        let setup = try setup("Issuer Signed")
        try setup.pki.startResponder(.issuer)
        defer { setup.pki.stopResponder() }
        let report = verify(try sign(setup, timestamped: true), setup)
        #expect(report.verdict == .passed, "\(report.reasons)")
        let signer = try #require(status(report, .signer))
        #expect(signer.source == "ocsp" && signer.issuedBy?.contains("Intermediate") == true)
        #expect(signer.notes.isEmpty)
    }

    @Test func dataIssuedAfterTheValidationTimeIsNotUsed() throws {
        let setup = try setup("Validation Time")
        try setup.pki.startResponder()
        defer { setup.pki.stopResponder() }
        let signed = try sign(setup, timestamped: true)
        let report = verify(signed, setup, at: Date().addingTimeInterval(-3600))
        #expect(report.revocation?.validationTime ?? .distantFuture < Date().addingTimeInterval(-3000))
        #expect(status(report, .signer)?.notes.contains { $0.contains("after the validation time") } == true)
    }

    @Test func certificatesWithoutRevocationSourcesKeepTheirVerdict() throws {
        let signed = try fixtures.sign(fixtures.contract, .field("sig_customer"))
        let report = fixtures.trusted.verify(bytes: signed).signatures[0]
        #expect(report.verdict == .passed)
        #expect(report.revocation?.certificates.map(\.status) == [.noSource])
    }
}
