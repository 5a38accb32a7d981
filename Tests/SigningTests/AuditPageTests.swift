import CountersignCrypto
import Foundation
import PDFSyntax
import Signing
import TestSupport
import Testing

/// The Certificate of Completion: pages and attachment in the sealing revision, the stated
/// document hash equal to the revision before, the event chain intact.
@Suite struct AuditPageTests {
    let fixtures = SigningFixtures.shared

    private func sealed() throws -> (bytes: [UInt8], trail: AuditTrail) {
        let trail = try AuditTrail.load(Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("audit-events.json")))
        let signer = try PDFSigner(identity: try fixtures.identity(.rsa(2048), name: "Countersign Seal"))
        let request = SignatureRequest(placement: .invisible(fieldName: "seal"), reason: "Sealed by Countersign",
                                       signingTime: Date(timeIntervalSince1970: 1_772_529_200), audit: trail)
        return (try signer.sign(fixtures.contract, request: request), trail)
    }

    @Test func auditPageStatesWhoWhenWhereAndTheDocumentHash() throws {
        let (bytes, trail) = try sealed()
        let file = try fixtures.write(bytes, "sealed.pdf")
        try Judges.pdfsig(file, signatures: 1)
        try Judges.qpdf(file)
        if Judges.pyhankoAvailable { try Judges.pyhanko(file, trust: fixtures.caFile) }

        let document = try PDFDocument(bytes: bytes)
        let before = try PDFDocument(bytes: fixtures.contract)
        let originalPages = try before.pages().count
        #expect(try document.pages().count > originalPages)
        let text = try runCommand("pdftotext", ["-f", "\(originalPages + 1)", "-layout", file.path, "-"]).stdout
        #expect(text.contains("Certificate of Completion"))
        for signer in trail.signers {
            #expect(text.contains(signer.name), "missing \(signer.name)")
            #expect(text.contains(signer.email))
            #expect(text.contains(signer.ip!))
        }
        #expect(text.contains("2026-03-02 14:07:52 UTC"))
        let hash = DigestAlgorithm.sha256.hash(Array(bytes.prefix(document.revisions[0].endOffset)))
        let hex = hash.map { String(format: "%02x", $0) }.joined()
        #expect(text.replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: " ", with: "").contains(hex))
    }

    @Test func attachmentCarriesTheChainedEvents() throws {
        let (bytes, trail) = try sealed()
        let document = try PDFDocument(bytes: bytes)
        let catalog = try document.catalog()
        let associated = try #require(try document.resolve(catalog, "AF")?.arrayValue)
        let fileSpec = try #require(try document.resolve(associated[0]).dictionaryValue)
        #expect(fileSpec["AFRelationship"] == .name("Supplement"))
        let stream = try #require(try document.resolve(fileSpec["EF"]?.dictionaryValue?["F"] ?? .null).streamValue)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(document.decodedData(of: stream))) as? [String: Any])
        #expect(json["schema"] as? String == AuditRecord.schema)
        let stated = (json["document"] as? [String: Any])?["sha256"] as? String
        let recomputed = DigestAlgorithm.sha256.hash(Array(bytes.prefix(document.revisions[0].endOffset)))
            .map { String(format: "%02x", $0) }.joined()
        #expect(stated == recomputed)
        let events = try #require(json["events"] as? [[String: Any]])
        #expect(events.count == trail.signers.reduce(0) { $0 + $1.events.count } + (trail.events?.count ?? 0))
        var previous = AuditRecord.genesisHash
        for event in events {
            #expect(event["previousHash"] as? String == previous)
            let canonical = AuditRecord.ChainedEvent.canonicalForm(
                sequence: event["sequence"] as! Int, at: event["at"] as! String, actor: event["actor"] as! String,
                type: event["type"] as! String, ip: event["ip"] as? String, userAgent: event["userAgent"] as? String,
                previousHash: previous)
            let hash = DigestAlgorithm.sha256.hash(canonical).map { String(format: "%02x", $0) }.joined()
            #expect(event["hash"] as? String == hash)
            previous = hash
        }
        let times = events.compactMap { $0["at"] as? String }
        #expect(times == times.sorted())
    }

    @Test func anAuditPageAfterASignatureIsRefused() throws {
        let signer = try PDFSigner(identity: try fixtures.identity(.ecP256))
        let once = try signer.sign(fixtures.contract, request: SignatureRequest(placement: .field("sig_customer")))
        let trail = try AuditTrail.load(Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("audit-events.json")))
        #expect(throws: SigningError(.auditAfterSignature, "")) {
            try signer.sign(once, request: SignatureRequest(placement: .field("sig_company"), audit: trail))
        }
    }

    /// A stated document as sent must be the file's first bytes: the page shows it when it is,
    /// and the signer refuses a claim the file does not bear out (or a malformed one).
    @Test func theDocumentAsSentIsShownOnlyWhenTheFileBeginsWithIt() throws {
        var trail = try AuditTrail.load(Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("audit-events.json")))
        let signer = try PDFSigner(identity: try fixtures.identity(.rsa(2048), name: "Countersign Seal"))
        let prefix = Array(fixtures.contract.prefix(1000))
        let hash = DigestAlgorithm.sha256.hash(prefix).hexString
        trail.documentAsSent = AuditTrail.SentDocument(sha256: hash, bytes: prefix.count)
        let sealed = try signer.sign(fixtures.contract, request: SignatureRequest(placement: .invisible(fieldName: "seal"), audit: trail))
        let text = try runCommand("pdftotext", [try fixtures.write(sealed, "sent.pdf").path, "-"]).stdout
        #expect(text.contains("Document as sent (SHA-256)") && text.contains(hash) && text.contains("1000 bytes: the first revision"), "\(text)")

        for bytes in [1001, -1, fixtures.contract.count + 1] {
            trail.documentAsSent = AuditTrail.SentDocument(sha256: hash, bytes: bytes)
            #expect(throws: SigningError(.badAudit, "")) {
                try signer.sign(fixtures.contract, request: SignatureRequest(placement: .invisible(fieldName: "seal"), audit: trail))
            }
        }
        let malformed = #"{"envelopeId":"e","documentName":"d","signers":[{"name":"A","email":"a@b.c","role":"r","authentication":"x","events":[]}],"documentAsSent":{"sha256":"ABC","bytes":0}}"#
        do {
            _ = try AuditTrail.load(Data(malformed.utf8))
            Issue.record("expected an error")
        } catch let error as SigningError {
            #expect(error.reason.contains("documentAsSent.sha256 'ABC' is not a SHA-256") && error.reason.contains("documentAsSent.bytes 0"))
        }
    }

    @Test func badEventsFilesNameThePath() throws {
        let missing = Data(#"{"envelopeId":"e","documentName":"d","signers":[{"name":"A","role":"r","authentication":"x","events":[]}]}"#.utf8)
        do {
            _ = try AuditTrail.load(missing)
            Issue.record("expected an error")
        } catch let error as SigningError {
            #expect(error.reason.contains("signers[0].email is missing"))
        }
        let badTime = Data(#"{"envelopeId":"e","documentName":"d","signers":[{"name":"A","email":"a@b.c","role":"r","authentication":"x","events":[{"type":"signed","at":"yesterday"}]}]}"#.utf8)
        #expect(throws: SigningError(.badAudit, "")) { try AuditTrail.load(badTime) }
        // A misspelled key would drop its value from the evidence: it is refused, with the one meant.
        let misspelled = Data(#"{"envelopeId":"e","documentName":"d","signers":[{"name":"A","email":"a@b.c","role":"r","authentication":"x","userAgnet":"Firefox","events":[]}]}"#.utf8)
        do {
            _ = try AuditTrail.load(misspelled)
            Issue.record("expected an error")
        } catch let error as SigningError {
            #expect(error.reason == "audit events: signers[0].userAgnet is not a field of an audit events file; did you mean 'userAgent'?")
        }
        // A JSON Lines batch's `document` belongs to the batch, not to the events.
        let line = Data(#"{"document":"a.pdf","envelopeId":"e","documentName":"d","signers":[{"name":"A","email":"a@b.c","role":"r","authentication":"x","events":[]}]}"#.utf8)
        #expect(throws: SigningError.self) { try AuditTrail.load(line) }
        #expect(try AuditTrail.load(line, othersKeys: ["document"]).envelopeId == "e")
    }
}
