import CountersignCrypto
import Foundation
import TestSupport
import Testing

/// `DevelopmentCA.make(in:)`: the files, their modes, and that they work end to end.
@Suite struct DevelopmentCATests {
    @Test func makesAWorkingUntrustedCA() throws {
        let directory = try TestEnvironment.scratchDirectory().appendingPathComponent("dev-ca")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let files = try DevelopmentCA.make(in: directory)

        func mode(_ url: URL) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
        }
        #expect(try mode(files.caCertificate) == 0o644)
        for secret in [files.caPrivateKey, files.signerPKCS12, files.signerPassword] {
            #expect(try mode(secret) == 0o600, "\(secret.lastPathComponent)")
        }
        #expect(try mode(directory) == 0o700)

        let password = try PasswordSource.file(files.signerPassword.path).read()
        #expect(password.count >= 32)
        let identity = try SigningIdentity.load(pkcs12: Data(contentsOf: files.signerPKCS12), password: password)
        let root = try Certificate.load(Data(contentsOf: files.caCertificate))
        #expect(identity.certificate.commonName == DevelopmentCA.signerName)
        #expect(identity.certificate.keyUsage == [.digitalSignature, .nonRepudiation])
        #expect(identity.privateKey.kind == .rsa && identity.privateKey.bits == 2048)
        #expect(identity.chain == [root])
        #expect(root.commonName == "Countersign DEVELOPMENT CA — NOT TRUSTED")
        #expect(root.subject.contains("O=Countersign DEVELOPMENT CA — NOT TRUSTED"))
        #expect(root.isCA && root.isSelfIssued)
        try identity.validate()
        _ = try PrivateKey.load(pem: Data(contentsOf: files.caPrivateKey), password: nil)
        #expect(try ChainValidator(trustAnchors: [root]).validate(identity.certificate, at: Date()).count == 2)

        // The whole demo path, judged by openssl.
        let content = CryptoFixtures.randomContent()
        let cms = try CMSSigner(identity: identity).sign(digest: DigestAlgorithm.sha256.hash(content))
        #expect(try CryptoFixtures.opensslVerify(cms: cms, content: content, trust: root).status == 0)
        let cli = try runCommand("openssl", ["pkcs12", "-in", files.signerPKCS12.path, "-passin", "file:\(files.signerPassword.path)",
                                             "-nokeys", "-out", "/dev/null"])
        #expect(cli.status == 0, "\(cli.stderr)")

        expectCryptoError(.io) { try DevelopmentCA.make(in: directory) }
    }
}
