import CountersignCrypto
import Foundation
import PDFSyntax
import Rendering
import Signing
import TestSupport
import Typesetting
import Verification

/// Shared material: a development CA, identities, a generated contract with `sig_customer` and
/// `sig_company` fields, a loopback TSA, and verifiers with and without the right trust root.
final class VerificationFixtures: @unchecked Sendable {
    static let shared = try! VerificationFixtures()

    let directory: URL
    let ca: DevelopmentCA
    let caFile: URL
    let contract: [UInt8]
    /// Trusts the CA only.
    let trusted: PDFVerifier
    /// Trusts nothing.
    let untrusted = PDFVerifier(trustAnchors: [])
    /// Trusts another CA (the right signature, the wrong root).
    let wrongRoot: PDFVerifier
    private var identities: [String: SigningIdentity] = [:]
    private var tsaInstance: TestTSA?
    private let lock = NSLock()

    /// A fixed signing time inside every certificate's validity.
    let time = Date().addingTimeInterval(-60).rounded

    private init() throws {
        directory = try TestEnvironment.scratchDirectory("verification-fixtures")
        ca = try DevelopmentCA.createRoot(key: .rsa(2048))
        caFile = directory.appendingPathComponent("ca.pem")
        try Data(ca.certificate.pemEncoded.utf8).write(to: caFile)
        contract = try Self.makeContract()
        trusted = PDFVerifier(trustAnchors: [ca.certificate])
        wrongRoot = PDFVerifier(trustAnchors: [try DevelopmentCA.createRoot(commonName: "Some Other Root", key: .ecP256).certificate])
    }

    /// The loopback TSA, started on first use.
    var tsa: TestTSA {
        get throws {
            lock.lock()
            defer { lock.unlock() }
            if let tsaInstance { return tsaInstance }
            let started = try TestTSA()
            tsaInstance = started
            return started
        }
    }

    func identity(_ spec: PrivateKey.Spec = .ecP256, name: String = "Test Signer") throws -> SigningIdentity {
        let key = "\(spec)-\(name)"
        lock.lock()
        defer { lock.unlock() }
        if let cached = identities[key] { return cached }
        // Valid from before `time` (and after the root's start), however late in the run (and on
        // however loaded a machine) the identity is first asked for.
        let made = try ca.issue(commonName: name, key: spec, notBefore: time.addingTimeInterval(-200))
        identities[key] = made
        return made
    }

    /// Signs `bytes` once with our signer.
    func sign(_ bytes: [UInt8], _ placement: SignaturePlacement, signer name: String = "Test Signer",
              key: PrivateKey.Spec = .ecP256, profile: SignatureProfile = .padesBB, certification: Certification? = nil,
              audit: AuditTrail? = nil, offset: TimeInterval = 0) throws -> [UInt8] {
        let options = CMSSigner.Options(profile: profile == .pkcs7 ? .pkcs7 : .cades)
        let client = profile == .padesBT ? TimestampClient(url: try tsa.url) : nil
        let signer = try PDFSigner(identity: try identity(key, name: name), options: options, timestampClient: client)
        let request = SignatureRequest(placement: placement, reason: "Approved", profile: profile,
                                       certification: certification, signingTime: time.addingTimeInterval(offset),
                                       audit: audit)
        return try signer.sign(bytes, request: request)
    }

    /// The sample audit events.
    func auditTrail() throws -> AuditTrail {
        try AuditTrail.load(Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("audit-events.json")))
    }

    func write(_ bytes: [UInt8], _ name: String) throws -> URL {
        let url = try TestEnvironment.scratchDirectory(name).appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    static func makeContract() throws -> [UInt8] {
        var body: [Block] = []
        var style = ParagraphStyle()
        style.alignment = .justify
        body.append(.paragraph(Paragraph(runs: [.plain("Mutual agreement between Acme Corp and Countersign Inc. The price is 1,000 EUR per month.")],
                                         style: style)))
        body.append(.signature(SignatureBox(role: "customer", label: "Customer", width: 216, height: 54, required: true)))
        body.append(.signature(SignatureBox(role: "company", label: "Company", width: 216, height: 54, required: true)))
        var info = DocumentInfo()
        info.title = "Verification test contract"
        info.date = "2026-01-15"
        let spec = DocumentSpec(page: .letter, body: body, info: info)
        return try DocumentFinisher().finish(try Typesetter().typeset(spec), info: info)
    }
}

extension Date {
    /// The date without its fraction of a second (PDF dates have whole seconds).
    var rounded: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}

extension VerificationReport {
    /// Every issue code in the report (file and signatures).
    var codes: Set<VerificationIssue.Code> {
        Set(fileIssues.map(\.code) + signatures.flatMap { $0.issues.map(\.code) })
    }

    var allReasons: String { (fileReasons + signatures.flatMap(\.reasons)).joined(separator: " | ") }
}
