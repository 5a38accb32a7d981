import CountersignCrypto
import Foundation
import TestSupport
import Testing

/// Loading keys and certificates (PKCS#12, PEM), password and mismatch errors, and the
/// signing-certificate checks.
@Suite struct IdentityTests {
    @Test func pkcs12RoundTripsAndOpenSSLReadsIt() throws {
        let identity = try CryptoFixtures.identity(.rsa(2048))
        let p12 = try identity.pkcs12(password: "correct horse", friendlyName: "Test")
        let loaded = try SigningIdentity.load(pkcs12: p12, password: "correct horse")
        #expect(loaded.certificate == identity.certificate)
        #expect(loaded.chain == identity.chain)
        #expect(loaded.privateKey.matches(identity.certificate))
        #expect(loaded.privateKey.kind == .rsa && loaded.privateKey.bits == 2048)
        #expect(loaded.privateKey.maximumSignatureSize == 256)

        let directory = try TestEnvironment.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try CryptoFixtures.write(p12, "id.p12", in: directory)
        let info = try runCommand("openssl", ["pkcs12", "-in", url.path, "-passin", "pass:correct horse", "-info", "-noout"])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stderr.contains("AES-256-CBC"))
    }

    @Test func wrongPKCS12PasswordIsNotMalformed() throws {
        let p12 = try CryptoFixtures.identity(.ecP256).pkcs12(password: "right")
        expectCryptoError(.wrongPassword) { _ = try SigningIdentity.load(pkcs12: p12, password: "wrong") }
        expectCryptoError(.wrongPassword) { _ = try SigningIdentity.load(pkcs12: p12, password: "") }
        expectCryptoError(.malformed) { _ = try SigningIdentity.load(pkcs12: Data("not a p12".utf8), password: "right") }
        var truncated = p12
        truncated.removeLast(40)
        expectCryptoError(.malformed) { _ = try SigningIdentity.load(pkcs12: truncated, password: "right") }
    }

    /// PKCS#12 written by the openssl CLI, modern and legacy (RC2-40, as old exporters write).
    @Test(arguments: [false, true])
    func pkcs12FromOpenSSLCLI(legacy: Bool) throws {
        let identity = try CryptoFixtures.identity(.ecP256)
        let directory = try TestEnvironment.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try CryptoFixtures.write(try identity.privateKey.pemEncoded(password: nil), "key.pem", in: directory)
        let cert = try CryptoFixtures.write(Data(identity.certificate.pemEncoded.utf8), "cert.pem", in: directory)
        let chain = try CryptoFixtures.write(Data(identity.chain.map(\.pemEncoded).joined().utf8), "chain.pem", in: directory)
        let out = directory.appendingPathComponent("cli.p12")
        let made = try runCommand("openssl", ["pkcs12", "-export", "-inkey", key.path, "-in", cert.path, "-certfile", chain.path,
                                              "-passout", "pass:cli-secret", "-out", out.path] + (legacy ? ["-legacy"] : []))
        try #require(made.status == 0, "\(made.stderr)")
        let loaded = try SigningIdentity.load(pkcs12: Data(contentsOf: out), password: "cli-secret")
        #expect(loaded.certificate == identity.certificate)
        #expect(loaded.chain == identity.chain)
        expectCryptoError(.wrongPassword) { _ = try SigningIdentity.load(pkcs12: Data(contentsOf: out), password: "nope") }
    }

    @Test func pemKeyAndChainInAnyOrder() throws {
        let identity = try CryptoFixtures.identity(.ecP384)
        let keyPEM = try identity.privateKey.pemEncoded(password: "pem secret")
        #expect(String(decoding: keyPEM, as: UTF8.self).contains("ENCRYPTED PRIVATE KEY"))
        let certificates = Data((identity.chain + [identity.certificate]).map(\.pemEncoded).joined().utf8)
        let loaded = try SigningIdentity.load(keyPEM: keyPEM, password: "pem secret", certificatesPEM: certificates)
        #expect(loaded.certificate == identity.certificate)
        #expect(loaded.chain == identity.chain)
        #expect(loaded.privateKey.kind == .ecP384 && loaded.privateKey.bits == 384)

        expectCryptoError(.wrongPassword) {
            _ = try SigningIdentity.load(keyPEM: keyPEM, password: "wrong", certificatesPEM: certificates)
        }
        expectCryptoError(.passwordRequired) {
            _ = try SigningIdentity.load(keyPEM: keyPEM, password: nil, certificatesPEM: certificates)
        }
        let plain = try identity.privateKey.pemEncoded(password: nil)
        _ = try SigningIdentity.load(keyPEM: plain, password: nil, certificatesPEM: certificates)
        expectCryptoError(.malformed) {
            _ = try SigningIdentity.load(keyPEM: Data("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8),
                                         password: nil, certificatesPEM: certificates)
        }
        expectCryptoError(.malformed) {
            _ = try SigningIdentity.load(keyPEM: plain, password: nil, certificatesPEM: Data("no certificates".utf8))
        }
    }

    @Test func keyCertificateMismatch() throws {
        let first = try CryptoFixtures.identity(.ecP256)
        let second = try CryptoFixtures.identity(.rsa(2048))
        expectCryptoError(.keyCertificateMismatch) {
            _ = try SigningIdentity.load(keyPEM: try first.privateKey.pemEncoded(password: nil), password: nil,
                                         certificatesPEM: Data((second.chain + [second.certificate]).map(\.pemEncoded).joined().utf8))
        }
        expectCryptoError(.keyCertificateMismatch) {
            _ = try SigningIdentity(privateKey: first.privateKey, certificate: second.certificate)
        }
    }

    @Test func unsupportedKeysAreRefused() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, arguments) in [("ed25519", ["genpkey", "-algorithm", "ED25519"]),
                                  ("rsa1024", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"]),
                                  ("p521", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"])] {
            let url = directory.appendingPathComponent("\(name).pem")
            try #require(try runCommand("openssl", arguments + ["-out", url.path]).status == 0)
            expectCryptoError(.unsupportedKey) { _ = try PrivateKey.load(pem: Data(contentsOf: url), password: nil) }
        }
        expectCryptoError(.invalidArgument) { _ = try PrivateKey.generate(.rsa(1024)) }
    }

    @Test func validityAndKeyUsageAreChecked() throws {
        let root = CryptoFixtures.root
        let day: TimeInterval = 86_400
        let expired = try root.issue(commonName: "Expired", key: .ecP256, notBefore: Date() - 30 * day, notAfter: Date() - day)
        expectCryptoError(.certificateExpired) { try expired.validate() }
        try expired.validate(allowExpired: true)

        let future = try root.issue(commonName: "Future", key: .ecP256, notBefore: Date() + day, notAfter: Date() + 30 * day)
        expectCryptoError(.certificateNotYetValid) { try future.validate() }
        expectCryptoError(.certificateNotYetValid) { try future.validate(allowExpired: true) }
        try future.validate(at: Date() + 2 * day)

        let encipherOnly = try root.issue(commonName: "Encipherment", key: .ecP256, keyUsage: [.keyEncipherment, .keyAgreement])
        expectCryptoError(.noSigningKeyUsage) { try encipherOnly.validate() }
        let noExtension = try root.issue(commonName: "No keyUsage", key: .ecP256, keyUsage: nil)
        #expect(noExtension.certificate.keyUsage == nil)
        try noExtension.validate()
        let nonRepudiationOnly = try root.issue(commonName: "NR", key: .ecP256, keyUsage: [.nonRepudiation])
        try nonRepudiationOnly.validate()
        try CryptoFixtures.identity(.ecP256).validate()
    }

    @Test func certificatePropertiesMatchOpenSSL() throws {
        let identity = try CryptoFixtures.identity(.rsa(2048))
        let certificate = identity.certificate
        #expect(certificate.commonName == "Test Signer rsa(2048)")
        #expect(certificate.subject == "CN=Test Signer rsa(2048)")
        #expect(certificate.issuer == "O=Countersign tests,CN=Countersign Test Root")
        #expect(certificate.keyUsage == [.digitalSignature, .nonRepudiation])
        #expect(!certificate.isCA && CryptoFixtures.root.certificate.isCA)
        #expect(certificate.publicKeyAlgorithm == "RSA 2048")
        #expect(CryptoFixtures.root.certificate.publicKeyAlgorithm == "EC P-256")
        #expect(try Certificate(derEncoded: certificate.derEncoded) == certificate)
        #expect(try Certificate.load(Data(certificate.derEncoded)) == certificate)
        #expect(try Certificate.load(pem: Data((identity.chain + [certificate]).map(\.pemEncoded).joined().utf8)).count == 2)
        expectCryptoError(.malformed) { _ = try Certificate(derEncoded: Array(certificate.derEncoded.dropLast())) }

        let directory = try TestEnvironment.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try CryptoFixtures.write(Data(certificate.pemEncoded.utf8), "cert.pem", in: directory)
        let printed = try runCommand("openssl", ["x509", "-in", url.path, "-noout", "-serial", "-fingerprint", "-sha256",
                                                 "-enddate", "-dates"])
        let output = printed.stdout.lowercased()
        #expect(output.contains("serial=\(certificate.serialNumber)"))
        let fingerprint = stride(from: 0, to: 64, by: 2).map { index -> String in
            let start = certificate.sha256Fingerprint.index(certificate.sha256Fingerprint.startIndex, offsetBy: index)
            return String(certificate.sha256Fingerprint[start..<certificate.sha256Fingerprint.index(start, offsetBy: 2)])
        }.joined(separator: ":")
        #expect(output.contains(fingerprint))
        #expect(abs(certificate.notAfter.timeIntervalSince(certificate.notBefore) - (365 * 86_400 + 300)) < 2)
    }
}

extension IdentityTests {
    @Test func aBrokenCertificateInAPEMFileIsNotSkipped() throws {
        let identity = try CryptoFixtures.identity(.ecP256)
        let broken = "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n"
        expectCryptoError(.malformed) {
            _ = try Certificate.load(pem: Data((identity.certificate.pemEncoded + broken + identity.chain[0].pemEncoded).utf8))
        }
    }
}

extension IdentityTests {
    @Test func pkcs12WithAnUnsupportedKeySaysSo() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        try #require(try runCommand("openssl", ["req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", path("k.pem"),
                                                "-out", path("c.pem"), "-days", "2", "-subj", "/CN=Ed"]).status == 0)
        try #require(try runCommand("openssl", ["pkcs12", "-export", "-inkey", path("k.pem"), "-in", path("c.pem"),
                                                "-passout", "pass:pw", "-out", path("ed.p12")]).status == 0)
        expectCryptoError(.unsupportedKey) {
            _ = try SigningIdentity.load(pkcs12: Data(contentsOf: URL(fileURLWithPath: path("ed.p12"))), password: "pw")
        }
    }
}
