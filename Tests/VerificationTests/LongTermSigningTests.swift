import CountersignCrypto
import Foundation
import PDFSyntax
import Signing
import Testing
import TestSupport
import Verification

/// PAdES B-LT and B-LTA signing and `extend` (DESIGN.md §16) against a real PKI on loopback: the
/// signer and the TSA both issued by it, `openssl ocsp` answering for them, CRLs over HTTP. Each
/// file is judged with the network gone (responder and CRL server stopped), so whatever makes it
/// pass must be inside it — by our verifier and by pyHanko's AdES validation.
@Suite(.serialized) struct LongTermSigningTests {
    private let fixtures = VerificationFixtures.shared

    private struct Setup {
        let pki: TestPKI
        let tsa: TestTSA
        let identity: SigningIdentity
        let anchors: [Certificate]
        /// The signer's files, to revoke it.
        let signerFile: TestPKI.Identity?

        /// Takes the network away: what is not in the file cannot be had.
        func goOffline() {
            pki.stopResponder()
            pki.crlServer.stop()
        }
    }

    private func setup(_ name: String) throws -> Setup {
        let pki = try TestPKI()
        let tsa = try TestTSA(issuedBy: pki)
        let issued = try pki.issue(name)
        let identity = try SigningIdentity.load(keyPEM: try Data(contentsOf: issued.key), password: nil,
                                                certificatesPEM: try Data(contentsOf: issued.chain))
        return Setup(pki: pki, tsa: tsa, identity: identity,
                     anchors: try Certificate.load(pem: try Data(contentsOf: pki.rootCertificate)), signerFile: issued)
    }

    private func sign(_ setup: Setup, _ profile: SignatureProfile, vri: Bool = false) throws -> [UInt8] {
        let signer = try PDFSigner(identity: setup.identity, timestampClient: TimestampClient(url: setup.tsa.url))
        signer.longTerm = LongTermExtender(fetcher: RevocationFetcher(timeout: 3), budget: 20, includesVRI: vri)
        return try signer.sign(fixtures.contract, request: SignatureRequest(placement: .field("sig_customer"), profile: profile))
    }

    /// Offline and strict: revocation data missing from the file makes it INDETERMINATE.
    private func verifyOffline(_ bytes: [UInt8], _ setup: Setup) -> VerificationReport {
        PDFVerifier(trustAnchors: setup.anchors, revocation: RevocationOptions(online: false, requireData: true)).verify(bytes: bytes)
    }

    private func store(_ bytes: [UInt8]) throws -> (document: PDFDocument, dss: PDFDictionary) {
        let document = try PDFDocument(bytes: bytes)
        let dss = try #require(try document.resolve(try document.catalog(), "DSS")?.dictionaryValue)
        return (document, dss)
    }

    private func count(_ dss: PDFDictionary, _ key: PDFName, in document: PDFDocument) throws -> Int {
        try document.resolve(dss, key)?.arrayValue?.count ?? 0
    }

    @Test func bltCarriesTheValidationDataOfTheSignerAndTheTimestampAuthority() throws {
        let setup = try setup("LT Signer")
        try setup.pki.startResponder()
        let signed = try sign(setup, .padesBLT)
        let file = try write(signed, "blt.pdf")
        try LongTermJudges.pyhankoAdES(file, trust: setup.pki.rootCertificate)
        setup.goOffline()

        let (document, dss) = try store(signed)
        let original = try PDFDocument(bytes: fixtures.contract).revisions.count
        #expect(document.revisions.count == original + 2, "the signature, then the DSS")
        // Signer, TSA, intermediate, root, OCSP responder; OCSP for the signer and the TSA; the
        // root's CRL for the intermediate.
        #expect(try count(dss, "Certs", in: document) >= 5)
        #expect(try count(dss, "OCSPs", in: document) == 2)
        #expect(try count(dss, "CRLs", in: document) == 1)
        #expect(dss["VRI"] == nil, "/VRI only with --vri")

        let report = verifyOffline(signed, setup)
        #expect(report.verdict == .passed, "\(report.text)")
        let statuses = try #require(report.signatures.first?.revocation?.certificates)
        #expect(statuses.contains { $0.role == .signer && $0.status == .good && $0.origin == .dss })
        #expect(statuses.contains { $0.role == .timestampAuthority && $0.status == .good && $0.origin == .dss })
        try LongTermJudges.structure(file, signatures: 1)
    }

    @Test func bltaEndsWithADocumentTimestampOverTheStoreAndKeysVRIByContents() throws {
        let setup = try setup("LTA Signer")
        try setup.pki.startResponder()
        let signed = try sign(setup, .padesBLTA, vri: true)
        // Revoked after the archive timestamp: pyHanko's past validation must lean on the DSS's
        // "good" and the timestamp's proof of existence, or it fails on today's "revoked".
        Thread.sleep(forTimeInterval: 1.1)
        try setup.pki.revoke(try #require(setup.signerFile))
        let file = try write(signed, "blta.pdf")
        try LongTermJudges.pyhankoAdES(file, trust: setup.pki.rootCertificate)
        // Online, the responder is asked although the file has a good status: today's answer,
        // revoked, outranks it (revoked after the proof of existence: still PASSED, and said).
        let online = PDFVerifier(trustAnchors: setup.anchors, revocation: RevocationOptions(online: true, timeout: 3)).verify(bytes: signed)
        #expect(online.verdict == .passed, "\(online.text)")
        #expect(online.signatures.first?.revocation?.certificates.contains { $0.role == .signer && $0.status == .revoked && $0.origin == .online } == true,
                "\(online.text)")
        setup.goOffline()

        let (document, dss) = try store(signed)
        let fields = try document.formFields().filter(\.isSigned)
        let timestamp = try #require(fields.first { $0.name.hasPrefix("Timestamp") })
        let value = try #require(try document.resolve(timestamp.value ?? .null).dictionaryValue)
        #expect(value["Type"] == .name("DocTimeStamp") && value["SubFilter"] == .name("ETSI.RFC3161"))
        // The /VRI key is the upper-case hex SHA-1 of the signature's padded /Contents.
        let signature = try #require(fields.first { $0.name == "sig_customer" })
        let signatureValue = try #require(try document.resolve(signature.value ?? .null).dictionaryValue)
        let contents = try #require(try document.resolve(signatureValue, "Contents")?.stringValue?.bytes)
        let key = HashAlgorithm.sha1.hash(contents).hexString.uppercased()
        let vri = try #require(try document.resolve(dss, "VRI")?.dictionaryValue)
        let entry = try #require(try document.resolve(vri, PDFName(key))?.dictionaryValue)
        #expect((try document.resolve(entry, "OCSP")?.arrayValue?.count ?? 0) == 2)

        let report = verifyOffline(signed, setup)
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.signatures.map(\.kind) == [.signature, .documentTimestamp])
        #expect(report.signatures.allSatisfy { $0.modifications.allSatisfy(\.allowed) })
        try LongTermJudges.structure(file, signatures: 1)
    }

    /// A responder the verifier would not believe (not authorised by the CA; answers past their
    /// nextUpdate) gives no validation data: the CRLs stand in, and the file verifies offline.
    @Test(arguments: [TestPKI.ResponderMode.unauthorised, .stale(daysAgo: 3)])
    func ocspTheVerifierWouldRejectIsReplacedByTheCRL(_ mode: TestPKI.ResponderMode) throws {
        let setup = try setup("Fallback LT Signer")
        try setup.pki.startResponder(mode)
        let signed = try sign(setup, .padesBLT)
        setup.goOffline()
        let (document, dss) = try store(signed)
        #expect(try count(dss, "OCSPs", in: document) == 0, "no response the verifier rejects is embedded")
        #expect(try count(dss, "CRLs", in: document) == 2, "the intermediate's CRL for the signer and the TSA, the root's for the intermediate")
        let report = verifyOffline(signed, setup)
        #expect(report.verdict == .passed, "\(report.text)")
        let statuses = try #require(report.signatures.first?.revocation?.certificates)
        #expect(statuses.contains { $0.role == .signer && $0.status == .good && $0.origin == .dss })
    }

    /// A later update that empties the store's OCSP responses, or drops the store, cannot take
    /// back what an earlier revision held: the data still counts, and the change says it removed.
    @Test(arguments: [false, true])
    func validationDataDroppedByALaterUpdateStillCounts(dropsTheStore: Bool) throws {
        let setup = try setup("Dropped LT Signer")
        try setup.pki.startResponder()
        let signed = try sign(setup, .padesBLT)
        setup.goOffline()
        let (document, dss) = try store(signed)
        var update = IncrementalUpdate(document: document)
        if dropsTheStore {
            var catalog = try document.catalog()
            catalog["DSS"] = nil
            update.set(try #require(document.catalogReference()), .dictionary(catalog))
        } else {
            var emptied = dss
            emptied["OCSPs"] = .array([])
            let reference = try #require(try document.catalog()["DSS"]?.referenceValue, "the premise: the store is an object")
            update.set(reference, .dictionary(emptied))
        }
        let stripped = update.write().bytes
        let report = verifyOffline(stripped, setup)
        #expect(report.verdict == .passed, "\(report.text)")
        let statuses = try #require(report.signatures.first?.revocation?.certificates)
        #expect(statuses.contains { $0.role == .signer && $0.status == .good && $0.origin == .dss }, "\(report.text)")
        let changes = try #require(report.signatures.first?.modifications).map(\.description).joined(separator: "\n")
        #expect(changes.contains(dropsTheStore ? "document security store (/DSS) removed" : "validation data removed from the document security store (2 OCSP responses)"),
                "\(changes)")
    }

    @Test func aRevokedSignerIsRefusedNotSigned() throws {
        let setup = try setup("Revoked LT Signer")
        let issued = try setup.pki.issue("Revoked Now")
        try setup.pki.revoke(issued)
        try setup.pki.startResponder()
        defer { setup.pki.stopResponder() }
        let identity = try SigningIdentity.load(keyPEM: try Data(contentsOf: issued.key), password: nil,
                                                certificatesPEM: try Data(contentsOf: issued.chain))
        let signer = try PDFSigner(identity: identity, timestampClient: TimestampClient(url: setup.tsa.url))
        #expect(throws: SigningError(.certificateRevoked, "")) {
            try signer.sign(fixtures.contract, request: SignatureRequest(placement: .field("sig_customer"), profile: .padesBLT))
        }
    }

    @Test func unreachableSourcesAreAnErrorWithinTheTimeLimit() throws {
        let setup = try setup("Unreachable LT Signer")
        setup.goOffline()
        let start = Date()
        var caught: SigningError?
        do {
            _ = try sign(setup, .padesBLT)
        } catch let error as SigningError {
            caught = error
        }
        let error = try #require(caught)
        #expect(error.code == .revocationUnavailable)
        #expect(error.reason.contains("LT Signer") && error.reason.contains("OCSP") && error.reason.contains("CRL"), "\(error.reason)")
        #expect(Date().timeIntervalSince(start) < 30)
    }

    @Test func extendRenewsTheArchiveTimestampTwiceAndEverySignatureStaysValid() throws {
        let setup = try setup("Extended Signer")
        try setup.pki.startResponder()
        let bt = try sign(setup, .padesBT)
        let extender = LongTermExtender(fetcher: RevocationFetcher(timeout: 3), budget: 20,
                                        timestampClient: TimestampClient(url: setup.tsa.url))
        let once = bt + (try extender.extend(PDFBytes(bt), to: .lta).appended)
        let twice = once + (try extender.extend(PDFBytes(once), to: .lta).appended)
        let file = try write(twice, "lta-twice.pdf")
        try LongTermJudges.pyhankoAdES(file, trust: setup.pki.rootCertificate)
        setup.goOffline()

        #expect(Array(twice.prefix(bt.count)) == bt, "extending only appends")
        let report = verifyOffline(twice, setup)
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.signatures.map(\.kind) == [.signature, .documentTimestamp, .documentTimestamp])
        // The second store holds what the first timestamp needs; nothing is stored twice.
        let (document, dss) = try store(twice)
        let certificates = try document.resolve(dss, "Certs")?.arrayValue ?? []
        let bytes = try certificates.map { entry -> [UInt8] in
            guard case .stream(let stream) = try document.resolve(entry) else { return [] }
            return try document.decodedData(of: stream)
        }
        #expect(Set(bytes).count == bytes.count)
        try LongTermJudges.structure(file, signatures: 1)
    }

    @Test func extendsASignatureMadeByPyHanko() throws {
        guard LongTermJudges.pyhankoAvailable else { return }
        let setup = try setup("PyHanko Signer")
        let issued = try setup.pki.issue("PyHanko Signer Key")
        let input = try write(fixtures.contract, "pyhanko-input.pdf")
        let signedURL = input.deletingLastPathComponent().appendingPathComponent("pyhanko-signed.pdf")
        let chain = input.deletingLastPathComponent().appendingPathComponent("chain.pem")
        try Data(contentsOf: issued.chain).write(to: chain)
        let result = try runCommand(TestEnvironment.venv.appendingPathComponent("bin/pyhanko").path,
                                    ["sign", "addsig", "--field", "Sig1", "--use-pades", "--timestamp-url", setup.tsa.url.absoluteString,
                                     "pemder", "--key", issued.key.path, "--cert", issued.certificate.path, "--chain", chain.path,
                                     "--no-pass", input.path, signedURL.path], timeout: 120)
        try #require(result.status == 0, "\(result.stderr)")
        try setup.pki.startResponder()
        let extender = LongTermExtender(fetcher: RevocationFetcher(timeout: 3), budget: 20,
                                        timestampClient: TimestampClient(url: setup.tsa.url))
        let output = input.deletingLastPathComponent().appendingPathComponent("pyhanko-lta.pdf")
        try extender.extend(file: signedURL, to: output, level: .lta)
        try LongTermJudges.pyhankoAdES(output, trust: setup.pki.rootCertificate)
        setup.goOffline()

        let extended = [UInt8](try Data(contentsOf: output))
        let report = verifyOffline(extended, setup)
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.signatures.count == 2)
    }

    /// An encrypted file (AES-256, a user password) signed B-T, then raised to B-LTA with its
    /// password: the DSS and the document timestamp are written with the file's key, and the
    /// result verifies offline with the password; without it, extending is refused.
    @Test(.enabled(if: toolAvailable("qpdf"))) func extendsAnEncryptedFileWithItsPassword() throws {
        let setup = try setup("Encrypted Signer")
        try setup.pki.startResponder()
        let encrypted = try EncryptedDocumentTests.encrypt(fixtures.contract, EncryptedDocumentTests.variants[5], user: "user-secret")
        let signer = try PDFSigner(identity: setup.identity, timestampClient: TimestampClient(url: setup.tsa.url))
        var request = SignatureRequest(placement: .field("sig_customer"), profile: .padesBT)
        request.documentPassword = "user-secret"
        let bt = try signer.sign(encrypted, request: request)
        let extender = LongTermExtender(fetcher: RevocationFetcher(timeout: 3), budget: 20,
                                        timestampClient: TimestampClient(url: setup.tsa.url))
        #expect { try extender.extend(PDFBytes(bt), to: .lta) } throws: { ($0 as? PDFError)?.code == .wrongPassword }
        let lta = bt + (try extender.extend(PDFBytes(bt), to: .lta, password: "user-secret").appended)
        setup.goOffline()

        // The DSS holds the signer's certificate: encrypted, its name is not in clear in the update.
        #expect(EncryptedDocumentTests.contains(setup.identity.certificate.derEncoded, "Encrypted Signer"))
        #expect(!EncryptedDocumentTests.contains(Array(lta[bt.count...]), "Encrypted Signer"))
        var verifier = PDFVerifier(trustAnchors: setup.anchors, revocation: RevocationOptions(online: false, requireData: true))
        verifier.documentPassword = "user-secret"
        let report = verifier.verify(bytes: lta)
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.signatures.map(\.kind) == [.signature, .documentTimestamp])
        let document = try PDFDocument(bytes: lta, decryption: .openSSL(password: "user-secret"))
        #expect(document.trailer["Encrypt"] != nil && document.revisions.count == 4)
        let file = try write(lta, "encrypted-lta.pdf")
        let check = try runCommand("qpdf", ["--check", "--password=user-secret", file.path])
        #expect(check.status == 0 && !check.stdout.contains("WARNING"), "qpdf: \(check.stdout) \(check.stderr)")
    }

    @Test func anUnsignedDocumentHasNothingToExtend() throws {
        let extender = LongTermExtender(timestampClient: nil)
        #expect(throws: SigningError(.nothingToExtend, "")) { try extender.extend(PDFBytes(fixtures.contract), to: .lt) }
        #expect(throws: SigningError(.timestampRequired, "")) { try extender.extend(PDFBytes(fixtures.contract), to: .lta) }
    }

    private func write(_ bytes: [UInt8], _ name: String) throws -> URL {
        let url = try TestEnvironment.scratchDirectory("long-term").appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }
}

/// What tools we did not write say about long-term files.
enum LongTermJudges {
    static var pyhankoAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: TestEnvironment.venv.appendingPathComponent("bin/pyhanko").path)
    }

    /// pyHanko's AdES validation (`adesverify`: revocation information required for every
    /// certificate but the trust anchor; document timestamps give proof of existence to the DSS
    /// before them, and the newest is checked against today's status, fetched).
    static func pyhankoAdES(_ file: URL, trust: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard pyhankoAvailable else { return }
        // Kept beside the file, so a failure can be examined after the PKI is gone.
        let kept = file.deletingLastPathComponent().appendingPathComponent("trust.pem")
        try? FileManager.default.removeItem(at: kept)
        try FileManager.default.copyItem(at: trust, to: kept)
        let result = try runCommand(TestEnvironment.venv.appendingPathComponent("bin/pyhanko").path,
                                    ["sign", "adesverify", "--trust", kept.path, "--trust-replace", file.path], timeout: 180)
        #expect(result.status == 0, "pyhanko adesverify: \(result.stdout) \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.contains("PASSED") || result.stdout.contains("INTACT"), "\(result.stdout)", sourceLocation: sourceLocation)
    }

    /// qpdf --check and pdfsig: sound structure, every signature valid (pdfsig checks signatures,
    /// not document timestamps, which it lists as "not yet verified").
    static func structure(_ file: URL, signatures: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let qpdf = try runCommand("qpdf", ["--check", file.path])
        #expect(qpdf.status == 0 && !qpdf.stdout.contains("WARNING"), "qpdf: \(qpdf.stdout) \(qpdf.stderr)", sourceLocation: sourceLocation)
        let pdfsig = try runCommand("pdfsig", [file.path])
        let valid = pdfsig.stdout.components(separatedBy: "Signature is Valid").count - 1
        #expect(valid == signatures, "pdfsig: \(pdfsig.stdout)", sourceLocation: sourceLocation)
    }
}
