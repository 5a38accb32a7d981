import CountersignCrypto
import Foundation
import PDFSyntax
import TestSupport
import Testing
@testable import Verification

/// Signatures as other signing tools make them (openssl's `cms` command, or CMS built by hand and
/// signed by the openssl CLI), one file per class: each verdict and its reason are asserted.
@Suite struct CMSBreadthTests {
    static let pki = ExternalPKI.shared

    var verifier: PDFVerifier {
        get throws {
            var anchors = try Certificate.load(pem: Data(contentsOf: Self.pki.root))
            anchors += try Certificate.load(pem: Data(contentsOf: try VerificationFixtures.shared.tsa.rootCertificate))
            return PDFVerifier(trustAnchors: anchors)
        }
    }

    /// `openssl cms -sign` over the signed bytes with `arguments` (signers, digest, options).
    static func opensslCMS(_ signed: [UInt8], _ arguments: [String]) throws -> [UInt8] {
        try pki.opensslFiles(["cms", "-sign", "-binary", "-in", "IN", "-outform", "DER", "-out", "OUT"] + arguments, input: signed)
    }

    static func signer(_ type: ExternalPKI.KeyType) throws -> [String] {
        let leaf = try pki.leaf(type)
        return ["-signer", leaf.certificate.path, "-inkey", leaf.key.path]
    }

    static func cms(_ subFilter: String = "ETSI.CAdES.detached", _ type: ExternalPKI.KeyType = .p256,
                    _ options: [String] = ["-md", "sha256"], placeholder: Int = 16_000) throws -> [UInt8] {
        try ExternalSignature.sign(subFilter: subFilter, placeholder: placeholder) { try opensslCMS($0, try signer(type) + options) }
    }

    func expectPassed(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws -> SignatureReport {
        let report = try verifier.verify(bytes: bytes)
        #expect(report.verdict == .passed, "\(report.text)", sourceLocation: sourceLocation)
        let signature = try #require(report.signatures.last, sourceLocation: sourceLocation)
        #expect(signature.indication == "TOTAL-PASSED" && signature.subIndication == nil, sourceLocation: sourceLocation)
        return signature
    }

    // MARK: 1. BER

    @Test func berWithIndefiniteLengthsIsAccepted() throws {
        // openssl's CMS in DER, its outer structures re-encoded with indefinite lengths the way
        // BER streaming encoders (Adobe, Bouncy Castle) write them.
        let bytes = try ExternalSignature.sign(subFilter: "adbe.pkcs7.detached") {
            Self.indefinite(try Self.opensslCMS($0, try Self.signer(.p256) + ["-md", "sha256"]), levels: 4)
        }
        #expect(ExternalSignature.contentsHex(bytes).hasPrefix("3080"))
        let signature = try expectPassed(bytes)
        #expect(signature.notes.map(\.code) == ["cmsBER"])
        #expect(signature.textLines(number: 1).contains { $0.hasPrefix("  note:        the CMS is encoded in BER") })
        #expect(signature.signer?.commonName == "External p256 Signer")

        // BER is read, not trusted: the same signature over changed bytes still fails.
        let report = try verifier.verify(bytes: Self.tampered(bytes))
        #expect(report.verdict == .failed)
        #expect(report.codes.contains(.digestMismatch), "\(report.text)")
    }

    @Test func aSignerCertificateWithANegativeSerialIsFound() throws {
        // RFC 5280 wants positive serials; self-signed digital IDs with a random 10-byte serial
        // (Adobe's, LibreOffice's test files) are negative half the time. The SID names the
        // serial as the certificate has it; a comparison of magnitudes never finds it.
        let pki = Self.pki
        let name = "External Negative Serial Signer"
        try ExternalPKI.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", pki.path("negative.key")])
        try ExternalPKI.openssl(["req", "-new", "-key", pki.path("negative.key"), "-out", pki.path("negative.csr"), "-subj", "/CN=\(name)"])
        try ExternalPKI.openssl(["x509", "-req", "-in", pki.path("negative.csr"), "-CA", pki.root.path, "-CAkey", pki.path("root.key"),
                                 "-set_serial", "-0x398FBE38F59231D2A349", "-out", pki.path("negative.pem"), "-days", "30",
                                 "-extfile", pki.path("leaf.cnf")])
        let bytes = try ExternalSignature.sign(subFilter: "adbe.pkcs7.detached") {
            try Self.opensslCMS($0, ["-signer", pki.path("negative.pem"), "-inkey", pki.path("negative.key"), "-md", "sha256"])
        }
        let signature = try expectPassed(bytes)
        #expect(signature.signer?.commonName == name)
        let certificate = try #require(try Certificate.load(pem: Data(contentsOf: URL(fileURLWithPath: pki.path("negative.pem")))).first)
        #expect(certificate.serialNumber == "-398fbe38f59231d2a349")
    }

    @Test func aSignatureDictionaryWrittenInItsFieldIsLocatedThere() throws {
        // fpdf2 writes /V << … >> into the field; ISO 32000-2 asks for a reference. The dictionary
        // still has one place (inside the field's object), so it is checked there: the gap must
        // be exactly its /Contents.
        let bytes = try ExternalSignature.sign(subFilter: "adbe.pkcs7.detached", directValue: true) {
            try Self.opensslCMS($0, try Self.signer(.p256) + ["-md", "sha256"])
        }
        #expect(String(decoding: bytes, as: UTF8.self).contains("/V <<"))
        let signature = try expectPassed(bytes)
        #expect(signature.notes.map(\.code) == ["signatureDictionaryDirect"])

        // Read, not trusted: changed bytes fail, and so does a gap that is not the /Contents.
        #expect(try verifier.verify(bytes: Self.tampered(bytes)).verdict == .failed)
        let layout = SignatureLayout(bytes)
        var shifted = bytes
        ByteSurgery.setByteRange(&shifted, layout, ["0", String(layout.contentsStart - 1), String(layout.contentsEnd),
                                                    String(bytes.count - layout.contentsEnd)])
        let report = try verifier.verify(bytes: shifted)
        #expect(report.verdict == .failed)
        #expect(report.signatures.last?.issues.contains { $0.code == .wrappedSignature } == true, "\(report.text)")
    }

    @Test func aSignatureAlgorithmInTheDigestAlgorithmFieldIsReadWithANote() throws {
        // LibreOffice's pdf14lowin.pdf names sha1WithRSAEncryption as its digestAlgorithm; the
        // hash it names is used, and the report says so.
        let leaf = try Self.pki.leaf(.rsa2048)
        let bytes = try ExternalSignature.sign(subFilter: "adbe.pkcs7.detached") {
            try HandMadeCMS.make(content: $0, signers: [.init(leaf: leaf, type: .rsa2048, digestAlgorithmOID: "1.2.840.113549.1.1.11")])
        }
        let signature = try expectPassed(bytes)
        #expect(signature.notes.map(\.code) == ["digestAlgorithmIsSignatureAlgorithm"])
        #expect(signature.notes.first?.message.contains("1.2.840.113549.1.1.11") == true)
        #expect(tamperedFails(bytes, .digestMismatch))
    }

    @Test func signedAttributesSignedAsEncodedNotInDEROrder() throws {
        let leaf = try Self.pki.leaf(.p256)
        let bytes = try ExternalSignature.sign(subFilter: "ETSI.CAdES.detached") {
            try HandMadeCMS.make(content: $0, signers: [.init(leaf: leaf, type: .p256, ess: .v2, unsortedAttributes: true)])
        }
        let signature = try expectPassed(bytes)
        #expect(signature.notes.map(\.code) == ["cmsSignedAttributesNotDER"])
        #expect(tamperedFails(bytes, .digestMismatch))
    }

    @Test func cadesWithoutTheSigningCertificateAttributeIsIndeterminateNotBroken() throws {
        // Nothing is broken; nothing signed says which certificate signed (EN 319 122-1 §5.2.2).
        let leaf = try Self.pki.leaf(.p256)
        let make = { (content: [UInt8]) in try HandMadeCMS.make(content: content, signers: [.init(leaf: leaf, type: .p256, ess: .none)]) }
        let report = try verifier.verify(bytes: try ExternalSignature.sign(subFilter: "ETSI.CAdES.detached", make))
        let signature = try #require(report.signatures.last)
        #expect(report.verdict == .indeterminate && signature.issues.map(\.code) == [.signerCertificateMissing], "\(report.text)")
        #expect(signature.subIndication == .noSigningCertificateFound)
        #expect(signature.reasons.first?.contains("no ESS signing-certificate(-v2) attribute") == true, "\(signature.reasons)")
        // The same CMS under adbe.pkcs7.detached, which does not require it, passes.
        _ = try expectPassed(try ExternalSignature.sign(subFilter: "adbe.pkcs7.detached", make))
    }

    // MARK: 2. No signed attributes

    @Test(arguments: [ExternalPKI.KeyType.rsa2048, .p256])
    func signerInfoWithoutSignedAttributesVerifies(_ type: ExternalPKI.KeyType) throws {
        let bytes = try Self.cms("adbe.pkcs7.detached", type, ["-md", "sha256", "-noattr"])
        let signature = try expectPassed(bytes)
        #expect(signature.signingTime != nil, "/M gives the claimed time")

        // The signature is over the content digest itself: a changed byte breaks it.
        let report = try verifier.verify(bytes: Self.tampered(bytes))
        #expect(report.verdict == .failed)
        #expect(report.signatures.last?.issues.map(\.code) == [.signatureInvalid], "\(report.text)")
        #expect(report.signatures.last?.subIndication == .sigCryptoFailure)
    }

    // MARK: 3. EdDSA

    @Test(arguments: [(ExternalPKI.KeyType.ed25519, true), (.ed25519, false), (.ed448, true), (.ed448, false)])
    func edDSASignaturesVerify(_ type: ExternalPKI.KeyType, _ signedAttributes: Bool) throws {
        let leaf = try Self.pki.leaf(type)
        let make = { (content: [UInt8]) in
            try HandMadeCMS.make(content: content, signers: [.init(leaf: leaf, type: type, signedAttributes: signedAttributes, ess: .v2)])
        }
        // PAdES requires signed attributes (ESS); without them the signature is a plain pkcs7 one.
        let subFilter = signedAttributes ? "ETSI.CAdES.detached" : "adbe.pkcs7.detached"
        let bytes = try ExternalSignature.sign(subFilter: subFilter, make)
        let signature = try expectPassed(bytes)
        #expect(signature.algorithms?.signature == (type == .ed25519 ? "Ed25519" : "Ed448"))
        #expect(signature.algorithms?.digest == (type == .ed25519 ? "SHA-512" : "SHAKE256"))

        // A wrong key: the same structure signed by another Ed key fails on the signature.
        let other = try ExternalSignature.sign(subFilter: subFilter) { content in
            var cms = try make(content)
            cms[cms.count - 5] ^= 0x01  // inside the signature value, the last field
            return cms
        }
        let report = try verifier.verify(bytes: other)
        #expect(report.verdict == .failed)
        #expect(report.signatures.last?.issues.map(\.code) == [.signatureInvalid], "\(report.text)")
    }

    // MARK: 4. Several SignerInfos, several timestamps

    @Test func twoSignerInfosAreEachJudged() throws {
        let bytes = try Self.cms("adbe.pkcs7.detached", .p256, try ["-md", "sha256"] + Self.signer(.rsa2048))
        let signature = try expectPassed(bytes)
        #expect(signature.signer?.commonName == "External p256 Signer")
        #expect(signature.otherSigners.map(\.commonName) == ["External rsa2048 Signer"])
        #expect(signature.textLines(number: 1).contains("  also signed by: External rsa2048 Signer (another SignerInfo)"))

        // The second SignerInfo broken: named, and the signature fails.
        let leaves = [try Self.pki.leaf(.p256), try Self.pki.leaf(.rsa2048)]
        let broken = try ExternalSignature.sign(subFilter: "adbe.pkcs7.detached") { content in
            let good = try HandMadeCMS.make(content: content, signers: [.init(leaf: leaves[0], type: .p256)])
            let other = try HandMadeCMS.make(content: content + [0], signers: [.init(leaf: leaves[1], type: .rsa2048)])
            return try Self.mergeSignerInfos(good, other)
        }
        let report = try verifier.verify(bytes: broken)
        #expect(report.verdict == .failed, "\(report.text)")
        let issues = try #require(report.signatures.last?.issues)
        #expect(issues.map(\.code) == [.digestMismatch])
        #expect(issues.first?.reason.hasPrefix("SignerInfo 2 of 2") == true, "\(issues)")
    }

    @Test func twoSignatureTimestampsAreEachJudged() throws {
        let tsa = try VerificationFixtures.shared.tsa
        let client = TimestampClient(url: tsa.url)
        let leaf = try Self.pki.leaf(.p256)
        let bytes = try ExternalSignature.sign(subFilter: "ETSI.CAdES.detached") { content in
            try HandMadeCMS.make(content: content, signers: [.init(leaf: leaf, type: .p256, ess: .v2, timestamps: { value in
                [try client.timestampToken(forSignature: value), try client.timestampToken(forSignature: value)]
            })])
        }
        let signature = try expectPassed(bytes)
        #expect(signature.timestamps.count == 2)
        #expect(signature.timestamps.allSatisfy { $0.intact && $0.trusted })
        #expect(signature.timestamp == signature.timestamps.min { $0.genTime < $1.genTime })

        // One of the two over another signature value: that one is reported, by number.
        let mixed = try ExternalSignature.sign(subFilter: "ETSI.CAdES.detached") { content in
            try HandMadeCMS.make(content: content, signers: [.init(leaf: leaf, type: .p256, ess: .v2, timestamps: { value in
                [try client.timestampToken(forSignature: value), try client.timestampToken(forSignature: value + [0])]
            })])
        }
        let report = try verifier.verify(bytes: mixed)
        #expect(report.verdict == .failed)
        let issue = try #require(report.signatures.last?.issues.first)
        #expect(issue.code == .badTimestamp && issue.reason.contains("signature timestamp 2"), "\(report.text)")
        #expect(issue.subIndication == .hashFailure)
        #expect(report.signatures.last?.timestamps.map(\.intact) == [true, false])
    }

    // MARK: 5. Detached sub-filter with encapsulated content

    @Test(arguments: ["adbe.pkcs7.detached", "ETSI.CAdES.detached"])
    func detachedSubFilterWithEncapsulatedContentFails(_ subFilter: String) throws {
        // The CMS carries the signed bytes themselves: a placeholder large enough for them.
        let bytes = try Self.cms(subFilter, .p256, ["-md", "sha256", "-nodetach"], placeholder: 80_000)
        let report = try verifier.verify(bytes: bytes)
        #expect(report.verdict == .failed)
        let signature = try #require(report.signatures.last)
        #expect(signature.issues.map(\.code) == [.contentNotDetached], "\(report.text)")
        #expect(signature.reasons.first?.contains("\(subFilter) says the CMS is detached") == true)
        #expect(signature.indication == "TOTAL-FAILED" && signature.subIndication == .formatFailure)
    }

    // MARK: Support

    /// The signed file with one signed byte changed (the field name), structure intact.
    static func tampered(_ bytes: [UInt8]) -> [UInt8] {
        var changed = bytes
        guard let at = ByteSurgery.find("(ExternalSig)", in: changed) else { return [] }
        ByteSurgery.overwrite(&changed, at: at, with: "(ExternalSih)")
        return changed
    }

    /// A CMS with the SignerInfos of both (the second's certificates appended).
    static func mergeSignerInfos(_ first: [UInt8], _ second: [UInt8]) throws -> [UInt8] {
        func fields(_ cms: [UInt8]) throws -> [[UInt8]] {
            let contentInfo = try children(cms)
            let signedData = try children(try children(contentInfo[1])[0])
            return signedData
        }
        let a = try fields(first)
        let b = try fields(second)
        let certificates = ASN1.explicit(0, try children(a[3]).flatMap { $0 } + children(b[3]).flatMap { $0 })
        let infos = ASN1.set(try children(a[4]) + children(b[4]))
        let signedData = ASN1.sequence(a[0], a[1], a[2], certificates, infos)
        return ASN1.sequence(ASN1.oid("1.2.840.113549.1.7.2"), ASN1.explicit(0, signedData))
    }

    /// `value` with its constructed values down to `levels` deep re-encoded with indefinite lengths.
    static func indefinite(_ value: [UInt8], levels: Int) -> [UInt8] {
        guard levels > 0, value[0] & 0x20 != 0, let parts = try? children(value) else { return value }
        return [value[0], 0x80] + parts.flatMap { indefinite($0, levels: levels - 1) } + [0, 0]
    }

    /// The encoded children of a definite-length constructed DER value.
    static func children(_ value: [UInt8]) throws -> [[UInt8]] {
        func header(_ bytes: ArraySlice<UInt8>) -> (Int, Int) {
            let start = bytes.startIndex
            let first = Int(bytes[start + 1])
            if first < 0x80 { return (2, first) }
            let count = first & 0x7F
            return (2 + count, bytes[(start + 2)..<(start + 2 + count)].reduce(0) { $0 << 8 | Int($1) })
        }
        let (size, length) = header(value[...])
        var rest = value[size..<(size + length)]
        var result: [[UInt8]] = []
        while !rest.isEmpty {
            let (headerSize, childLength) = header(rest)
            result.append(Array(rest.prefix(headerSize + childLength)))
            rest = rest.dropFirst(headerSize + childLength)
        }
        return result
    }
}
