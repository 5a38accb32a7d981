import CountersignCrypto
import Foundation
import Rendering
import Signing
import TestSupport
import Typesetting

/// Shared material for signing tests: a development CA, identities of each key type, and a
/// generated contract with `sig_customer` and `sig_company` fields.
final class SigningFixtures: @unchecked Sendable {
    static let shared = try! SigningFixtures()

    let directory: URL
    let ca: DevelopmentCA
    let caFile: URL
    let contract: [UInt8]
    private var identities: [String: SigningIdentity] = [:]
    private let lock = NSLock()

    private init() throws {
        directory = try TestEnvironment.scratchDirectory("signing-fixtures")
        ca = try DevelopmentCA.createRoot()
        caFile = directory.appendingPathComponent("ca.pem")
        try Data(ca.certificate.pemEncoded.utf8).write(to: caFile)
        contract = try Self.makeContract()
    }

    func identity(_ spec: PrivateKey.Spec, name: String = "Test Signer") throws -> SigningIdentity {
        let key = "\(spec)-\(name)"
        lock.lock()
        defer { lock.unlock() }
        if let cached = identities[key] { return cached }
        let made = try ca.issue(commonName: name, key: spec)
        identities[key] = made
        return made
    }

    static func makeContract(party: String = "Acme Corp") throws -> [UInt8] {
        var body: [Block] = []
        var style = ParagraphStyle()
        style.alignment = .justify
        body.append(.paragraph(Paragraph(runs: [.plain("Mutual agreement between \(party) and Countersign Inc. Sign here: please.")],
                                         style: style)))
        body.append(.signature(SignatureBox(role: "customer", label: "Customer", width: 216, height: 54, required: true)))
        body.append(.signature(SignatureBox(role: "company", label: "Company", width: 216, height: 54, required: true)))
        var info = DocumentInfo()
        info.title = "Test contract"
        info.date = "2026-01-15"
        info.custom = ["CountersignTemplateID": "test-contract", "CountersignTemplateVersion": "1",
                       "CountersignTemplateSHA256": String(repeating: "ab", count: 32)]
        let spec = DocumentSpec(page: .letter, body: body, info: info)
        return try DocumentFinisher().finish(try Typesetter().typeset(spec), info: info)
    }

    func write(_ bytes: [UInt8], _ name: String) throws -> URL {
        let url = try TestEnvironment.scratchDirectory(name).appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }
}
