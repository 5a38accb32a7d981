import CountersignCrypto
import Foundation
import Signing
import Testing
import TestSupport
import Workflow

/// Which PAdES profile the completion seal uses (DESIGN.md §16): B-LTA only when the validation
/// data can be had — a TSA, and a seal certificate that names an OCSP responder or a CRL.
@Suite struct SealProfileTests {
    @Test func theSealIsLongTermOnlyWithATimestampAuthorityAndRevocationSources() throws {
        let tsa = URL(string: "http://127.0.0.1:9/tsa")!
        let development = try DevelopmentCA.createRoot().issue(commonName: "Dev Seal", key: .ecP256)
        #expect(SealConfiguration(identity: development, trustAnchors: []).profile == .padesBB)
        #expect(SealConfiguration(identity: development, trustAnchors: [], timestampURL: tsa).profile == .padesBT,
                "a development certificate names nowhere to fetch revocation data from")

        let pki = try TestPKI()
        let issued = try pki.issue("Northbeam Seal")
        let identity = try SigningIdentity.load(keyPEM: try Data(contentsOf: issued.key), password: nil,
                                                certificatesPEM: try Data(contentsOf: issued.chain))
        #expect(SealConfiguration(identity: identity, trustAnchors: [], timestampURL: tsa).profile == .padesBLTA)
        #expect(SealConfiguration(identity: identity, trustAnchors: []).profile == .padesBB)
    }
}
