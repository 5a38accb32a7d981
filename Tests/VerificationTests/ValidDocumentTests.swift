import CountersignCrypto
import Foundation
import PDFSyntax
import Signing
import TestSupport
import Testing
import Verification

/// Documents signed the way they should be: PASSED with the right trust root, INDETERMINATE
/// without one (or with the wrong one), never FAILED.
@Suite struct ValidDocumentTests {
    let fixtures = VerificationFixtures.shared

    /// PASSED when trusted; INDETERMINATE (and only for trust reasons) otherwise.
    private func expectValid(_ bytes: [UInt8], signatures: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let report = fixtures.trusted.verify(bytes: bytes)
        #expect(report.verdict == .passed, "\(report.text)", sourceLocation: sourceLocation)
        #expect(report.signatures.count == signatures, sourceLocation: sourceLocation)
        #expect(report.signatures.allSatisfy { $0.verdict == .passed && $0.issues.isEmpty }, sourceLocation: sourceLocation)
        for verifier in [fixtures.untrusted, fixtures.wrongRoot] {
            let untrusted = verifier.verify(bytes: bytes)
            #expect(untrusted.verdict == .indeterminate, "\(untrusted.text)", sourceLocation: sourceLocation)
            #expect(untrusted.codes.isSubset(of: [.untrusted, .untrustedTimestamp]), "\(untrusted.allReasons)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func singleSignatureCoversTheWholeFile() throws {
        let signed = try fixtures.sign(fixtures.contract, .field("sig_customer"), signer: "Alice Customer")
        expectValid(signed, signatures: 1)
        let report = fixtures.trusted.verify(bytes: signed)
        let signature = try #require(report.signatures.first)
        #expect(signature.field == "sig_customer")
        #expect(signature.coverage == "whole file")
        #expect(signature.signer?.commonName == "Alice Customer")
        #expect(signature.signer?.certificateSHA256 == (try fixtures.identity(name: "Alice Customer").certificate.sha256Fingerprint))
        #expect(signature.signingTime == fixtures.time)
        #expect(signature.timestamp == nil)
        #expect(signature.subFilter == "ETSI.CAdES.detached")
        #expect(signature.modifications.isEmpty)
        #expect(report.text.contains("claimed by the signer's own clock"))
    }

    @Test func threeSignaturesEachCoverTheirRevision() throws {
        var bytes = fixtures.contract
        bytes = try fixtures.sign(bytes, .field("sig_customer"), signer: "Alice Customer", key: .rsa(2048))
        bytes = try fixtures.sign(bytes, .field("sig_company"), signer: "Bob Company", profile: .pkcs7, offset: 10)
        bytes = try fixtures.sign(bytes, .rectangle(page: 1, x: 320, y: 80, width: 200, height: 50), signer: "Carol Witness",
                                  offset: 20)
        expectValid(bytes, signatures: 3)
        let report = fixtures.trusted.verify(bytes: bytes)
        #expect(report.signatures.map(\.coverage) == ["revision 2 of 4", "revision 3 of 4", "whole file"])
        #expect(report.signatures.map { $0.signer?.commonName } == ["Alice Customer", "Bob Company", "Carol Witness"])
        // The first signature sees two later signatures, each an allowed change.
        let later = report.signatures[0].modifications
        #expect(!later.isEmpty && later.allSatisfy(\.allowed), "\(later)")
        #expect(later.contains { $0.kind == "signature" && $0.description.contains("sig_company") })
        #expect(later.contains { $0.kind == "signature" && $0.revision == 4 })
        #expect(report.signatures[1].subFilter == "adbe.pkcs7.detached")
    }

    @Test func formFillingAfterASignatureIsAllowed() throws {
        let form = try DocumentEdits.addTextField(fixtures.contract, name: "amount")
        let signed = try fixtures.sign(form, .field("sig_customer"))
        let filled = try DocumentEdits.fill(signed, field: "amount", value: "2,000 EUR")
        expectValid(filled, signatures: 1)
        let signature = try #require(fixtures.trusted.verify(bytes: filled).signatures.first)
        #expect(signature.coverage == "revision 3 of 4")
        #expect(signature.modifications.contains { $0.kind == "form-fill" && $0.allowed && $0.description.contains("'amount'") })
    }

    @Test func certifiedWithFormFillThenSignedAgain() throws {
        let form = try DocumentEdits.addTextField(fixtures.contract, name: "amount")
        var bytes = try fixtures.sign(form, .field("sig_company"), signer: "Bob Company", certification: .formFill)
        bytes = try DocumentEdits.fill(bytes, field: "amount", value: "3,000 EUR")
        bytes = try fixtures.sign(bytes, .field("sig_customer"), signer: "Alice Customer", offset: 30)
        expectValid(bytes, signatures: 2)
        let report = fixtures.trusted.verify(bytes: bytes)
        #expect(report.signatures[0].certificationLevel == 2)
        #expect(report.signatures[1].certificationLevel == nil)
        #expect(report.text.contains("DocMDP P=2"))
    }

    @Test func certifiedWithNoChangesForbidsALaterSignatureAndFormFilling() throws {
        let form = try DocumentEdits.addTextField(fixtures.contract, name: "amount")
        let certified = try fixtures.sign(form, .field("sig_company"), certification: .noChanges)
        expectValid(certified, signatures: 1)
        // Our signer refuses to sign a P=1 document, so the later signature is forced: an update first
        // drops the catalog's /Perms (what a careless or hostile tool would do), then a signature follows.
        let document = try PDFDocument(bytes: certified)
        var strip = IncrementalUpdate(document: document)
        var catalog = try document.catalog()
        catalog["Perms"] = nil
        strip.set(try #require(document.catalogReference()), .dictionary(catalog))
        let forced = try fixtures.sign(strip.write().bytes, .field("sig_customer"), offset: 5)
        #expect(throws: SigningError.self) { try fixtures.sign(certified, .field("sig_customer"), offset: 5) }
        for (changed, reason) in [(forced, "/Perms removed"),
                                  (try DocumentEdits.fill(certified, field: "amount", value: "9,999 EUR"), "DocMDP P=1")] {
            let report = fixtures.trusted.verify(bytes: changed)
            #expect(report.verdict == .failed)
            #expect(report.signatures[0].issues.map(\.code).contains(.disallowedModification), "\(report.text)")
            #expect(report.signatures[0].reasons.joined().contains(reason), "\(report.text)")
        }
    }

    @Test func sealedWithAnAuditPageChecksTheRecord() throws {
        let trail = try fixtures.auditTrail()
        let sealed = try fixtures.sign(fixtures.contract, .invisible(fieldName: "seal"), signer: "Countersign Seal",
                                       audit: trail)
        expectValid(sealed, signatures: 1)
        let report = fixtures.trusted.verify(bytes: sealed)
        let audit = try #require(report.audit)
        #expect(audit.chainIntact)
        #expect(audit.documentHashMatches)
        #expect(audit.revision == 2)
        #expect(audit.events == trail.signers.reduce(0) { $0 + $1.events.count } + (trail.events?.count ?? 0))
        #expect(audit.envelopeId == "env_7Q4M2K9XW3")
        #expect(report.text.contains("event hash chain: intact"))
    }

    @Test func timestampedSignatureShowsTheAuthoritysTime() throws {
        let tsa = try fixtures.tsa
        let signed = try fixtures.sign(fixtures.contract, .field("sig_customer"), profile: .padesBT)
        let tsaRoot = try Certificate.load(pem: Data(contentsOf: tsa.rootCertificate))
        let both = PDFVerifier(trustAnchors: [fixtures.ca.certificate] + tsaRoot)
        let report = both.verify(bytes: signed)
        #expect(report.verdict == .passed, "\(report.text)")
        let timestamp = try #require(report.signatures.first?.timestamp)
        #expect(timestamp.intact && timestamp.trusted)
        #expect(abs(timestamp.genTime.timeIntervalSinceNow) < 600)
        #expect(timestamp.authority?.contains("TSA") == true, "\(timestamp)")
        #expect(report.text.contains("by the timestamp authority"))
        // The signer's CA alone does not vouch for the TSA: the time cannot be relied on.
        let signerOnly = fixtures.trusted.verify(bytes: signed)
        #expect(signerOnly.verdict == .indeterminate)
        #expect(signerOnly.codes == [.untrustedTimestamp], "\(signerOnly.allReasons)")
        #expect(fixtures.untrusted.verify(bytes: signed).verdict == .indeterminate)
    }

    @Test func unsignedFileIsIndeterminate() throws {
        let report = fixtures.trusted.verify(bytes: fixtures.contract)
        #expect(report.verdict == .indeterminate)
        #expect(report.codes == [.noSignatures])
        #expect(report.signatures.isEmpty)
    }

    @Test func expiredSignerIsIndeterminateNotFailed() throws {
        let expired = try fixtures.ca.issue(commonName: "Expired Signer", key: .ecP256,
                                            notBefore: Date().addingTimeInterval(-86_400 * 10),
                                            notAfter: Date().addingTimeInterval(-86_400 * 5))
        let signer = try PDFSigner(identity: expired)
        let signed = try signer.sign(fixtures.contract, request: SignatureRequest(placement: .field("sig_customer"),
                                                                                  signingTime: Date().addingTimeInterval(-3600)))
        let report = fixtures.trusted.verify(bytes: signed)
        #expect(report.verdict == .indeterminate, "\(report.text)")
        #expect(report.codes == [.certificateNotUsable])
    }

    /// A signature's time after the validation time: it did not exist then (`--at` a year ago),
    /// or its time is in the future (a signer's clock two days ahead). Within the clock leeway
    /// nothing changes.
    @Test func aSignatureTimeAfterTheValidationTimeIsIndeterminate() throws {
        let signer = try PDFSigner(identity: fixtures.ca.issue(commonName: "Timely Signer", key: .ecP256,
                                                                notBefore: Date().addingTimeInterval(-86_400)))
        let now = try signer.sign(fixtures.contract, request: SignatureRequest(placement: .field("sig_customer")))
        let yearAgo = PDFVerifier(trustAnchors: [fixtures.ca.certificate],
                                  revocation: RevocationOptions(online: false, validationTime: Date().addingTimeInterval(-365 * 86_400)))
        let then = yearAgo.verify(bytes: now)
        #expect(then.verdict == .indeterminate && then.codes.contains(.timeAfterValidation), "\(then.text)")
        #expect(then.text.contains("after the validation time"), "\(then.text)")
        #expect(then.signatures.first?.issues.first { $0.code == .timeAfterValidation }?.subIndication == .notYetValid)
        let future = try signer.sign(fixtures.contract, request: SignatureRequest(placement: .field("sig_customer"),
                                                                                  signingTime: Date().addingTimeInterval(2 * 86_400)))
        let ahead = fixtures.trusted.verify(bytes: future)
        #expect(ahead.verdict == .indeterminate && ahead.codes == [.timeAfterValidation] && ahead.text.contains("is in the future"), "\(ahead.text)")
        let skewed = try signer.sign(fixtures.contract, request: SignatureRequest(placement: .field("sig_customer"),
                                                                                  signingTime: Date().addingTimeInterval(120)))
        #expect(fixtures.trusted.verify(bytes: skewed).verdict == .passed)
    }

    /// RFC 5280 §4.2.1.12: a certificate is for the purposes its extendedKeyUsage lists. A TSA's
    /// or a TLS server's key under a trusted CA is not a document signer; e-mail protection,
    /// client authentication and document signing are.
    @Test(arguments: [("critical,timeStamping", "timeStamping"), ("serverAuth", "serverAuth"),
                      ("critical,OCSPSigning", "OCSPSigning"),
                      ("emailProtection,clientAuth", nil), ("critical,1.3.6.1.5.5.7.3.36", nil), ("anyExtendedKeyUsage", nil)])
    func signersAreHeldToTheirExtendedKeyUsage(_ usage: String, _ refused: String?) throws {
        let identity = try fixtures.ca.issue(commonName: "Purpose \(usage)", key: .ecP256, notBefore: Date().addingTimeInterval(-3600),
                                             extendedKeyUsage: usage)
        let signed = try PDFSigner(identity: identity).sign(fixtures.contract, request: SignatureRequest(placement: .field("sig_customer")))
        let report = fixtures.trusted.verify(bytes: signed)
        if let refused {
            #expect(report.verdict == .indeterminate && report.codes == [.certificateNotUsable], "\(report.text)")
            #expect(report.text.contains("is for \(refused) only (extendedKeyUsage)"), "\(report.text)")
        } else {
            #expect(report.verdict == .passed, "\(report.text)")
        }
    }
}
