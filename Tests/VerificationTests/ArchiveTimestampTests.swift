import CountersignCrypto
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PDFSyntax
import Signing
import Testing
import TestSupport
import Verification

/// The archive-timestamp chain (DESIGN.md §16) with material made in the past by faketime: a
/// signer certificate valid from 40 to 10 days ago, a signature timestamp made 20 days ago by a
/// TSA whose certificate also expired 10 days ago, OCSP responses produced 20 and 15 days ago,
/// and a document timestamp made 15 days ago by a TSA that is still valid. Today the signature
/// stands only through that document timestamp.
@Suite(.serialized) struct ArchiveTimestampTests {
    private let fixtures = VerificationFixtures.shared

    @Test func anExpiredSignerProtectedByAnArchiveTimestampPassesWithTheReason() throws {
        let pki = try TestPKI(caStartDaysAgo: 60)
        defer { pki.stopResponder() }
        let issued = try pki.issue("Expired Long Ago", days: 30, startDaysAgo: 40)
        let identity = try SigningIdentity.load(keyPEM: try Data(contentsOf: issued.key), password: nil,
                                                certificatesPEM: try Data(contentsOf: issued.chain))
        let signatureTSA = try TestTSA(issuedBy: pki, days: 30, startDaysAgo: 40, backdatedDays: 20)
        let archiveTSA = try TestTSA(issuedBy: pki, days: 60, startDaysAgo: 16, backdatedDays: 15)
        let anchors = try Certificate.load(pem: try Data(contentsOf: pki.rootCertificate))

        // 20 days ago: signed with its validation data (B-LT).
        try pki.startResponder(.stale(daysAgo: 20))
        let signer = try PDFSigner(identity: identity, timestampClient: TimestampClient(url: signatureTSA.url))
        signer.longTerm = LongTermExtender(fetcher: RevocationFetcher(timeout: 3), budget: 20)
        let lt = try signer.sign(fixtures.contract, request: SignatureRequest(
            placement: .field("sig_customer"), profile: .padesBLT, signingTime: Date().addingTimeInterval(-20 * 86_400)))
        // 15 days ago, before either certificate expired: the archive timestamp.
        try pki.startResponder(.stale(daysAgo: 15))
        let extender = LongTermExtender(fetcher: RevocationFetcher(timeout: 3), budget: 20,
                                        timestampClient: TimestampClient(url: archiveTSA.url))
        let lta = lt + (try extender.extend(PDFBytes(lt), to: .lta).appended)
        pki.stopResponder()
        pki.crlServer.stop()

        // Soft about missing data: the newest archive timestamp's own TSA data comes with the next renewal.
        let verifier = PDFVerifier(trustAnchors: anchors, revocation: RevocationOptions(online: false))
        let protected = verifier.verify(bytes: lta)
        #expect(protected.verdict == .passed, "\(protected.text)")
        let signature = try #require(protected.signatures.first)
        #expect(signature.notes.contains { $0.code == "expiredProtected" }, "\(signature.notes)")
        #expect(signature.notes.contains { $0.code == "timestampProtected" }, "\(signature.notes)")
        let best = try #require(signature.revocation?.bestSignatureTime)
        #expect(abs(best.timeIntervalSinceNow + 20 * 86_400) < 3_600, "the signature timestamp's time, 20 days ago")

        // The same signature without the archive timestamp: nothing still standing proves when it was made.
        let unprotected = verifier.verify(bytes: lt)
        #expect(unprotected.verdict == .indeterminate, "\(unprotected.text)")
        let issues = try #require(unprotected.signatures.first?.issues)
        #expect(issues.contains { $0.subIndication == .outOfBoundsNoPOE && $0.reason.contains("expired") }, "\(issues)")
        #expect(unprotected.signatures.first?.notes.contains { $0.code == "timestampLapsed" } == true)

        // The ETSI TS 119 102-2 report says the same in the standard's terms.
        let passed = try XMLDocument(xmlString: try #require(protected.etsiXML))
        #expect(passed.rootElement()?.name == "ValidationReport")
        #expect(passed.rootElement()?.uri == VerificationReport.etsiNamespace)
        #expect(try values(passed, "SignatureValidationReport/SignatureValidationStatus/MainIndication")
                == ["urn:etsi:019102:mainindication:total-passed"])
        #expect(try values(passed, "SignatureValidationReport/SignatureValidationProcess/SignatureValidationProcessID")
                == ["urn:etsi:019102:validationprocess:LTA"])
        #expect(try values(passed, "SignatureValidationObjects/ValidationObject/ObjectType")
                .contains("urn:etsi:019102:validationObject:timestamp"))
        #expect(try values(passed, "SignatureValidationReport/ValidationTimeInfo/BestSignatureTime/POETime").count == 1)
        let passedProblem = try ETSIReportJudge.problem(in: try #require(protected.etsiXML))
        #expect(passedProblem == nil)
        let failedProblem = try ETSIReportJudge.problem(in: try #require(unprotected.etsiXML))
        #expect(failedProblem == nil)
        let failed = try XMLDocument(xmlString: try #require(unprotected.etsiXML))
        #expect(try values(failed, "SignatureValidationReport/SignatureValidationStatus/MainIndication")
                == ["urn:etsi:019102:mainindication:indeterminate"])
        #expect(try values(failed, "SignatureValidationReport/SignatureValidationStatus/SubIndication")
                .contains("urn:etsi:019102:subindication:OUT_OF_BOUNDS_NO_POE"))
    }

    /// The text of the elements at a path below the root (local names, any namespace).
    private func values(_ document: XMLDocument, _ path: String) throws -> [String] {
        let query = "/*[local-name()='ValidationReport']" + path.split(separator: "/").map { "/*[local-name()='\($0)']" }.joined()
        return try document.nodes(forXPath: query).compactMap(\.stringValue)
    }

    /// A signature timestamp whose authority was revoked before the token's time proves nothing
    /// (EN 319 102-1 §5.5.4). A document timestamp added later proves the signature existed: the
    /// token is set aside with a note and the signature PASSES on the document timestamp's time;
    /// without one, the signature is INDETERMINATE NO_POE.
    @Test func aSignatureTimestampFromARevokedAuthorityGivesWayToADocumentTimestamp() throws {
        let pki = try TestPKI()
        defer { pki.stopResponder() }
        let issued = try pki.issue("Signer With A Bad Stamp")
        let identity = try SigningIdentity.load(keyPEM: try Data(contentsOf: issued.key), password: nil,
                                                certificatesPEM: try Data(contentsOf: issued.chain))
        let badTSA = try TestTSA(issuedBy: pki)
        let goodTSA = try TestTSA(issuedBy: pki)
        try pki.revoke(certificate: badTSA.tsaCertificate)
        Thread.sleep(forTimeInterval: 1.1)
        try pki.startResponder()
        let signer = try PDFSigner(identity: identity, timestampClient: TimestampClient(url: badTSA.url))
        let bt = try signer.sign(fixtures.contract, request: SignatureRequest(placement: .field("sig_customer"), profile: .padesBT))
        let extender = LongTermExtender(fetcher: RevocationFetcher(timeout: 3), budget: 20, timestampClient: TimestampClient(url: goodTSA.url))
        let lta = bt + (try extender.extend(PDFBytes(bt), to: .lta).appended)
        let anchors = try Certificate.load(pem: try Data(contentsOf: pki.rootCertificate))
        let verifier = PDFVerifier(trustAnchors: anchors, revocation: RevocationOptions(online: true, timeout: 3))

        let rescued = verifier.verify(bytes: lta)
        #expect(rescued.verdict == .passed, "\(rescued.text)")
        let signature = try #require(rescued.signatures.first)
        #expect(signature.notes.contains { $0.code == "timestampDiscarded" }, "\(signature.notes)")
        let documentTimestamp = try #require(rescued.signatures.last?.timestamp?.genTime)
        #expect(signature.revocation?.bestSignatureTime == documentTimestamp)

        let alone = verifier.verify(bytes: bt)
        #expect(alone.verdict == .indeterminate, "\(alone.text)")
        #expect(alone.signatures.first?.revocation?.subIndication == .noPOE)
    }

    @Test func anArchiveTimestampWhoseAuthorityExpiredIsReportedAsLapsed() throws {
        let pki = try TestPKI()
        defer { pki.stopResponder() }
        let issued = try pki.issue("Lapsed Archive Signer")
        let identity = try SigningIdentity.load(keyPEM: try Data(contentsOf: issued.key), password: nil,
                                                certificatesPEM: try Data(contentsOf: issued.chain))
        let tsa = try TestTSA(issuedBy: pki, days: 5)
        try pki.startResponder()
        let signer = try PDFSigner(identity: identity, timestampClient: TimestampClient(url: tsa.url))
        signer.longTerm = LongTermExtender(fetcher: RevocationFetcher(timeout: 3), budget: 20)
        let lta = try signer.sign(fixtures.contract, request: SignatureRequest(placement: .field("sig_customer"), profile: .padesBLTA))
        pki.stopResponder()
        // Ten days on, the TSA certificate (five days) has expired and nothing renewed the archive.
        let later = Date().addingTimeInterval(10 * 86_400)
        let verifier = PDFVerifier(trustAnchors: try Certificate.load(pem: try Data(contentsOf: pki.rootCertificate)),
                                   revocation: RevocationOptions(online: false, validationTime: later))
        let report = verifier.verify(bytes: lta)
        let archive = try #require(report.signatures.first { $0.kind == .documentTimestamp })
        #expect(archive.notes.contains { $0.code == "archiveTimestampLapsed" }, "\(report.text)")
        #expect(archive.verdict == .indeterminate && archive.issues.map(\.subIndication) == [.outOfBoundsNoPOE], "\(report.text)")
        let signature = try #require(report.signatures.first { $0.kind == .signature })
        #expect(signature.notes.contains { $0.code == "timestampLapsed" }, "\(report.text)")
        // Nothing proves when it was signed any more, so the revocation data in the file, fresh
        // only around the signing, no longer answers for the validation time.
        #expect(signature.revocation?.bestSignatureTime == nil)
        #expect(signature.verdict == .indeterminate && signature.revocation?.subIndication == .tryLater, "\(report.text)")
    }
}
