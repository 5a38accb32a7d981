import PDFSyntax
import CountersignCrypto
import Foundation

/// Steps 2–4 of DESIGN.md §7 for one signature: the digest of the signed ranges against the CMS,
/// the signature of every SignerInfo, the signer certificate (SID and ESS), the timestamp
/// tokens, the chain to the trust anchors at the signing time, and the algorithm policy.
struct SignatureCryptoCheck {
    struct Result {
        var signer: Certificate?
        /// Signers of further SignerInfos in the same CMS.
        var otherSigners: [Certificate] = []
        var timestamps: [TimestampSummary] = []
        var algorithms: SignatureAlgorithms?
        /// The CMS signingTime attribute (pkcs7 signatures carry one).
        var cmsSigningTime: Date?
        var issues: [VerificationIssue] = []
        var notes: [ReportNote] = []
        /// The parsed CMS, for the revocation step (parsing it again took a sixth of the time).
        var cms: CMSSignedData?

        /// The timestamp that decides the signing time: the earliest intact and trusted one, else the first.
        var timestamp: TimestampSummary? {
            timestamps.filter { $0.intact && $0.trusted }.min { $0.genTime < $1.genTime } ?? timestamps.first
        }
    }

    /// What the CMS's SignerInfos sign.
    private enum SignedContent {
        /// The byte ranges themselves (detached: adbe.pkcs7.detached, ETSI.CAdES.detached).
        case ranges
        /// The encapsulated content (adbe.pkcs7.sha1: the SHA-1 of the ranges).
        case encapsulated([UInt8])
    }

    static let idData = "1.2.840.113549.1.7.1"
    static let detachedSubFilters: Set<String> = ["adbe.pkcs7.detached", "ETSI.CAdES.detached"]

    /// nil when no trust anchors were given.
    let validator: ChainValidator?
    /// Shared by every file of a run.
    let certificates: CertificateCache
    let chains: TrustCache
    /// Anchors from trusted lists, judged at the signing time (nil: none given).
    let listAnchors: TrustedListAnchors?
    let bytes: PDFBytes
    let policy = AlgorithmPolicy()

    /// Checks a CMS signature (`adbe.pkcs7.detached`, `ETSI.CAdES.detached`, `adbe.pkcs7.sha1`)
    /// over `range`. Every SignerInfo is checked; the first is the signer the report names.
    func checkSignature(der: [UInt8], range: [Int], subFilter: String, claimedTime: Date?) -> Result {
        var result = Result()
        let cms: CMSSignedData
        do {
            cms = try CMSSignedData.parse(der: der, certificateCache: certificates)
        } catch {
            result.issues.append(VerificationIssue(.badCMS, "/Contents is not a CMS SignedData: \(error)"))
            return result
        }
        result.cms = cms
        if cms.isBER {
            result.notes.append(ReportNote(code: "cmsBER",
                message: "the CMS is encoded in BER (indefinite lengths or constructed strings), not DER; it was read as BER and its signed attributes checked in DER as RFC 5652 §5.4 requires"))
        }
        for (index, signer) in cms.signers.enumerated() {
            guard let hash = signer.digestAlgorithm, hash.objectIdentifier != signer.digestAlgorithmOID else { continue }
            result.notes.append(ReportNote(code: "digestAlgorithmIsSignatureAlgorithm",
                message: "SignerInfo \(index + 1) of \(cms.signers.count) names the signature algorithm \(signer.digestAlgorithmOID) as its digestAlgorithm; it was read as the hash that algorithm names, \(hash)"))
        }
        result.signer = cms.signers[0].certificate
        result.cmsSigningTime = cms.signers[0].signedAttributes?.signingTime
        guard cms.contentType == Self.idData else {
            result.issues.append(VerificationIssue(.badCMS,
                "the CMS signs content of type \(cms.contentType), not id-data: it is not a PDF signature"))
            return result
        }
        let content: SignedContent
        if subFilter == "adbe.pkcs7.sha1" {
            guard let encapsulated = cms.encapsulatedContent else {
                result.issues.append(VerificationIssue(.badCMS,
                    "adbe.pkcs7.sha1 signs the SHA-1 of the byte ranges carried inside the CMS, but the CMS encapsulates no content"))
                return result
            }
            guard encapsulated == hash(range, with: .sha1) else {
                result.issues.append(VerificationIssue(.digestMismatch,
                    "the signed bytes changed: the SHA-1 of the byte ranges is not the digest the adbe.pkcs7.sha1 CMS encapsulates"))
                return result
            }
            content = .encapsulated(encapsulated)
        } else {
            if let encapsulated = cms.encapsulatedContent {
                result.issues.append(VerificationIssue(.contentNotDetached,
                    "the /SubFilter \(subFilter) says the CMS is detached and signs the byte ranges, but the CMS also encapsulates \(encapsulated.count) bytes of content: which content the signature covers is ambiguous"))
                return result
            }
            content = .ranges
        }
        var digests: [HashAlgorithm: [UInt8]] = [:]
        for (index, signer) in cms.signers.enumerated() {
            var issues: [VerificationIssue] = []
            let label = cms.signers.count > 1 ? "SignerInfo \(index + 1) of \(cms.signers.count)" : nil
            let (timestamps, algorithms) = check(signer, of: cms, content: content, range: range, subFilter: subFilter,
                                                 claimedTime: claimedTime, digests: &digests, issues: &issues,
                                                 notes: &result.notes)
            result.timestamps += timestamps
            if index == 0 { result.algorithms = algorithms }
            if index > 0, let certificate = signer.certificate { result.otherSigners.append(certificate) }
            result.issues += issues.map { issue in
                guard let label else { return issue }
                return VerificationIssue(issue.code, "\(label): \(issue.reason)", verdict: issue.verdict, subIndication: issue.subIndication)
            }
        }
        return result
    }

    /// Checks an `adbe.x509.rsa_sha1` signature: a PKCS#1 v1.5 signature of the ranges' digest in
    /// `/Contents`, the signer's certificate first in `/Cert`.
    func checkPKCS1Signature(der: [UInt8], certificates encoded: [[UInt8]], range: [Int], claimedTime: Date?) -> Result {
        var result = Result()
        let signature: PKCS1Signature
        do {
            signature = try PKCS1Signature(der: der)
        } catch {
            result.issues.append(VerificationIssue(.badCMS, "/Contents is not an adbe.x509.rsa_sha1 signature: \(error)"))
            return result
        }
        let chain = encoded.compactMap { try? certificates.certificate(der: $0) }
        guard let signer = chain.first, chain.count == encoded.count else {
            result.issues.append(VerificationIssue(.signerCertificateMissing,
                encoded.isEmpty ? "an adbe.x509.rsa_sha1 signature needs the signer's certificate in /Cert, and there is none"
                    : "a certificate in /Cert cannot be read, so the signature cannot be checked",
                verdict: .indeterminate))
            return result
        }
        result.signer = signer
        let recovered: (algorithm: HashAlgorithm, digest: [UInt8])
        do {
            recovered = try signature.recoverDigest(with: signer)
        } catch {
            result.issues.append(VerificationIssue(.signatureInvalid, "the PKCS#1 signature does not verify: \(error)"))
            return result
        }
        guard recovered.digest == hash(range, with: recovered.algorithm) else {
            result.issues.append(VerificationIssue(.digestMismatch,
                "the signed bytes changed: the \(recovered.algorithm) of the byte ranges is not the digest the signature holds"))
            return result
        }
        let scheme = SignatureScheme.rsaPKCS1v15(recovered.algorithm)
        result.algorithms = SignatureAlgorithms(digest: recovered.algorithm.rawValue, signature: scheme.description,
                                                key: signer.publicKeyAlgorithm)
        checkTrust(signer, intermediates: Array(chain.dropFirst()), at: claimedTime, issues: &result.issues)
        if let weak = policy.judge(digest: recovered.algorithm, scheme: scheme, signer: signer, proofOfExistence: nil) {
            result.issues.append(weak)
        }
        return result
    }

    /// Checks a document timestamp (`ETSI.RFC3161`): the token's imprint is the hash of the ranges.
    func checkDocumentTimestamp(der: [UInt8], range: [Int]) -> Result {
        var result = Result()
        let token: TimestampToken
        do {
            token = try TimestampToken.parse(der: der, certificateCache: certificates)
        } catch {
            result.issues.append(VerificationIssue(.badCMS, "/Contents is not an RFC 3161 timestamp token: \(error)"))
            return result
        }
        result.signer = token.tsaCertificate
        var signed = [UInt8]()
        signed.reserveCapacity(range[1] + range[3])
        signed += bytes[range[0]..<(range[0] + range[1])]
        signed += bytes[range[2]..<(range[2] + range[3])]
        do {
            try token.verify(imprintOf: signed)
        } catch let error as CryptoError where error.code == .digestMismatch {
            result.issues.append(VerificationIssue(.digestMismatch,
                "the signed bytes changed: the document timestamp's imprint is not the hash of the byte ranges"))
            return result
        } catch {
            result.issues.append(VerificationIssue(.badTimestamp, "the document timestamp does not verify: \(error)"))
            return result
        }
        var summary = TimestampSummary(genTime: token.genTime, authority: token.tsaCertificate?.subject, intact: true, trusted: false)
        if let certificate = token.tsaCertificate {
            let before = result.issues.count
            checkTrust(certificate, intermediates: token.signedData.certificates, at: token.genTime, documentSigner: false,
                       issues: &result.issues)
            summary.trusted = result.issues.count == before
        }
        result.timestamps = [summary]
        return result
    }

    // MARK: Parts

    /// Checks one SignerInfo; returns its timestamps and, once its signature verifies, its algorithms.
    private func check(_ signer: CMSSignerInfo, of cms: CMSSignedData, content: SignedContent, range: [Int], subFilter: String,
                       claimedTime: Date?, digests: inout [HashAlgorithm: [UInt8]], issues: inout [VerificationIssue],
                       notes: inout [ReportNote]) -> ([TimestampSummary], SignatureAlgorithms?) {
        guard let algorithm = signer.digestAlgorithm else {
            issues.append(VerificationIssue(.unsupported,
                "the signature uses the digest algorithm \(signer.digestAlgorithmOID), which this verifier does not know",
                verdict: .indeterminate))
            return ([], nil)
        }
        let digest: [UInt8]
        if let known = digests[algorithm] {
            digest = known
        } else {
            switch content {
            case .ranges: digest = hash(range, with: algorithm)
            case .encapsulated(let bytes): digest = algorithm.hash(bytes)
            }
            digests[algorithm] = digest
        }
        let signed = switch content {
        case .ranges: "the byte ranges"
        case .encapsulated: "the encapsulated SHA-1 of the byte ranges"
        }
        if signer.certificate == nil {
            if let messageDigest = signer.signedAttributes?.messageDigest, messageDigest != digest {
                issues.append(VerificationIssue(.digestMismatch,
                    "the signed bytes changed: the \(algorithm) of \(signed) is not the CMS messageDigest"))
            } else {
                issues.append(VerificationIssue(.signerCertificateMissing,
                    "the CMS does not include the signer's certificate (\(signer.identifier)), so its signature cannot be checked",
                    verdict: .indeterminate))
            }
            return ([], nil)
        }
        do {
            let deviations = try signer.verify(contentDigest: digest, eContentType: cms.contentType,
                                               content: { self.content(content, range: range) })
            if deviations.contains(.signedAttributesNotDER) {
                notes.append(ReportNote(code: "cmsSignedAttributesNotDER",
                    message: "the signed attributes are not encoded in DER as RFC 5652 §5.4 requires; the signature covers them as the signer encoded them (the same attribute values)"))
            }
        } catch let error as CryptoError {
            switch error.code {
            case .digestMismatch:
                issues.append(VerificationIssue(.digestMismatch,
                    "the signed bytes changed: the \(algorithm) of \(signed) is not the CMS messageDigest"))
            case .signatureInvalid:
                issues.append(VerificationIssue(.signatureInvalid, "the CMS signature does not verify: \(error)"))
            case .unsupportedAlgorithm:
                issues.append(VerificationIssue(.unsupported, "the signature cannot be checked: \(error)", verdict: .indeterminate))
            default:
                issues.append(VerificationIssue(.badCMS, "the CMS SignerInfo is malformed: \(error)"))
            }
            return ([], nil)
        } catch {
            issues.append(VerificationIssue(.badCMS, "the CMS SignerInfo cannot be checked: \(error)"))
            return ([], nil)
        }
        guard let certificate = signer.certificate, let scheme = try? signer.scheme() else { return ([], nil) }
        let algorithms = SignatureAlgorithms(digest: algorithm.rawValue, signature: scheme.description,
                                             key: certificate.publicKeyAlgorithm)
        let cades = subFilter == "ETSI.CAdES.detached"
        if cades, signer.signedAttributes?.signingCertificateV2 == nil, signer.signedAttributes?.signingCertificate == nil {
            // Nothing is broken, but nothing signed says which certificate signed (EN 319 122-1
            // §5.2.2): the certificate in the CMS could be swapped for another with the same key.
            issues.append(VerificationIssue(.signerCertificateMissing,
                "the signed attributes have no ESS signing-certificate(-v2) attribute, which ETSI.CAdES.detached (PAdES) requires "
                    + "to bind the signer's certificate: which certificate signed is not proven",
                verdict: .indeterminate))
        } else {
            do {
                try signer.checkSigningCertificateReference(required: cades)
            } catch {
                issues.append(VerificationIssue(.badCMS, "\(error) (PAdES requires ESS signingCertificateV2 naming the signer)"))
            }
        }
        let timestamps = signer.timestampTokens.enumerated().compactMap { index, token in
            checkTimestamp(token, number: signer.timestampTokens.count > 1 ? index + 1 : nil, over: signer.signatureValue, issues: &issues)
        }
        let proof = timestamps.filter { $0.intact && $0.trusted }.map(\.genTime).min()
        checkTrust(certificate, intermediates: cms.certificates, at: proof ?? claimedTime ?? signer.signedAttributes?.signingTime,
                   proofOfExistence: proof, issues: &issues)
        var weak = policy.judge(digest: algorithm, scheme: scheme, signer: certificate, proofOfExistence: proof)
        if weak == nil, case .encapsulated = content {
            // adbe.pkcs7.sha1: whatever the CMS uses, the ranges themselves are only bound by SHA-1.
            weak = policy.judge(digest: .sha1, scheme: scheme, signer: certificate, proofOfExistence: proof)
        }
        if let weak { issues.append(weak) }
        return (timestamps, algorithms)
    }

    private func content(_ content: SignedContent, range: [Int]) -> [UInt8] {
        switch content {
        case .encapsulated(let bytes): return bytes
        case .ranges:
            var signed = [UInt8]()
            signed.reserveCapacity(range[1] + range[3])
            signed += bytes[range[0]..<(range[0] + range[1])]
            signed += bytes[range[2]..<(range[2] + range[3])]
            return signed
        }
    }

    private func hash(_ range: [Int], with algorithm: HashAlgorithm) -> [UInt8] {
        var digest = HashAlgorithm.Hasher(algorithm)
        bytes.withUnsafeBytes { buffer in
            digest.update(UnsafeRawBufferPointer(rebasing: buffer[range[0]..<(range[0] + range[1])]))
            digest.update(UnsafeRawBufferPointer(rebasing: buffer[range[2]..<(range[2] + range[3])]))
        }
        return digest.finalize()
    }

    private func checkTimestamp(_ der: [UInt8], number: Int?, over signatureValue: [UInt8],
                                issues: inout [VerificationIssue]) -> TimestampSummary? {
        let which = number.map { "signature timestamp \($0)" } ?? "signature timestamp"
        let token: TimestampToken
        do {
            token = try TimestampToken.parse(der: der, certificateCache: certificates)
        } catch {
            issues.append(VerificationIssue(.badTimestamp, "the \(which) token cannot be read: \(error)", subIndication: .formatFailure))
            return nil
        }
        var summary = TimestampSummary(genTime: token.genTime, authority: token.tsaCertificate?.subject, intact: false,
                                       trusted: false)
        do {
            try token.verify(imprintOf: signatureValue)
            summary.intact = true
        } catch let error as CryptoError where error.code == .digestMismatch {
            issues.append(VerificationIssue(.badTimestamp, "the \(which) does not verify: \(error)", subIndication: .hashFailure))
            return summary
        } catch {
            issues.append(VerificationIssue(.badTimestamp, "the \(which) does not verify: \(error)"))
            return summary
        }
        guard let validator, let certificate = token.tsaCertificate else { return summary }
        do {
            let path = try chains.validate(certificate, intermediates: token.signedData.certificates, at: token.genTime, with: validator)
            if let problem = listAnchors?.problem(with: path, at: token.genTime, what: "the \(which)'s authority", code: .untrustedTimestamp) {
                issues.append(problem)
                return summary
            }
            summary.trusted = true
        } catch {
            issues.append(VerificationIssue(.untrustedTimestamp,
                "the \(which)'s authority is not trusted, so its time cannot be relied on: \(error)", verdict: .indeterminate))
        }
        return summary
    }

    /// Purposes (extendedKeyUsage) under which a certificate may sign documents: any purpose,
    /// e-mail protection and client authentication (personal and eID certificates), code
    /// signing, document signing (RFC 9336), Adobe's Authentic Documents Trust and Microsoft's
    /// document signing — the set Acrobat accepts, with client authentication added.
    static let documentSigningPurposes: [String: String] = [
        "2.5.29.37.0": "any purpose", "1.3.6.1.5.5.7.3.4": "emailProtection", "1.3.6.1.5.5.7.3.2": "clientAuth",
        "1.3.6.1.5.5.7.3.3": "codeSigning", "1.3.6.1.5.5.7.3.36": "documentSigning",
        "1.2.840.113583.1.1.5": "Adobe Authentic Documents Trust", "1.3.6.1.4.1.311.10.3.12": "Microsoft document signing",
    ]
    static let otherPurposeNames: [String: String] = [
        "1.3.6.1.5.5.7.3.1": "serverAuth", "1.3.6.1.5.5.7.3.8": "timeStamping", "1.3.6.1.5.5.7.3.9": "OCSPSigning",
    ]

    /// Why a certificate with these extendedKeyUsage purposes may not sign a document, or nil.
    /// RFC 5280 §4.2.1.12: a certificate is used only for the purposes its extension lists
    /// (critical or not, relying parties such as Acrobat hold signers to it), so a TSA's or a
    /// TLS server's key does not become a document signer because its CA is trusted.
    static func extendedKeyUsageProblem(_ purposes: [String]) -> String? {
        guard !purposes.contains(where: { documentSigningPurposes[$0] != nil }) else { return nil }
        let named = purposes.isEmpty ? "no purpose" : purposes.map { otherPurposeNames[$0] ?? $0 }.joined(separator: ", ")
        return "the signer's certificate is for \(named) only (extendedKeyUsage), not for signing documents"
    }

    /// `documentSigner` false for a document timestamp's authority, whose purpose (critical
    /// extendedKeyUsage timeStamping) the token's own check holds it to.
    /// Which time a chain was judged at, for a failure that depends on it (a certificate not yet
    /// valid, or expired, then).
    static func judgedAt(_ time: Date?, proven: Bool) -> String {
        guard time != nil else { return " (judged now: the signature states no time)" }
        return proven ? " (the time is the trusted timestamp's)" : " (the time is the one the signature claims: its /M, else the CMS signing time)"
    }

    /// `proofOfExistence` (a trusted timestamp's time) lets a certificate signed with an
    /// algorithm that was acceptable then pass the algorithm policy.
    private func checkTrust(_ certificate: Certificate, intermediates: [Certificate], at time: Date?, documentSigner: Bool = true,
                            proofOfExistence: Date? = nil, issues: inout [VerificationIssue]) {
        if let usage = certificate.keyUsage, !usage.contains(.digitalSignature), !usage.contains(.nonRepudiation) {
            issues.append(VerificationIssue(.certificateNotUsable,
                "the signer's certificate key usage allows neither digitalSignature nor nonRepudiation",
                verdict: .indeterminate, subIndication: .chainConstraintsFailure))
        }
        if documentSigner, let purposes = certificate.extendedKeyUsage, let problem = Self.extendedKeyUsageProblem(purposes) {
            issues.append(VerificationIssue(.certificateNotUsable, problem, verdict: .indeterminate, subIndication: .chainConstraintsFailure))
        }
        guard let validator else {
            // A Countersign development seal: say where its CA is.
            let development = certificate.issuer.contains(DevelopmentCA.rootName)
                ? " (it is a Countersign development CA's: its ca.pem is in the folder `keys dev-ca` made, or a workflow home's dev-ca/)" : ""
            issues.append(VerificationIssue(.untrusted,
                "no trust anchors were given (--trust), so \(certificate.commonName ?? certificate.subject) cannot be trusted\(development)",
                verdict: .indeterminate))
            return
        }
        do {
            // No stated time at all: validate now, as ETSI EN 319 102-1 basic validation does.
            let path = try chains.validate(certificate, intermediates: intermediates, at: time ?? Date(), with: validator)
            if let problem = listAnchors?.problem(with: path, at: time ?? Date(), what: "the signer's certificate", code: .untrusted) {
                issues.append(problem)
            }
            if let weak = policy.judge(path: path, proofOfExistence: proofOfExistence) { issues.append(weak) }
        } catch let error as CryptoError where error.code == .certificateExpired || error.code == .certificateNotYetValid {
            issues.append(VerificationIssue(.certificateNotUsable, "\(error)\(Self.judgedAt(time, proven: proofOfExistence != nil))", verdict: .indeterminate))
        } catch let error as CryptoError where error.code == .chainInvalid {
            issues.append(VerificationIssue(.untrusted, "\(error)\(Self.judgedAt(time, proven: proofOfExistence != nil))", verdict: .indeterminate,
                                            subIndication: .certificateChainGeneralFailure))
        } catch {
            issues.append(VerificationIssue(.untrusted, "\(error)", verdict: .indeterminate))
        }
    }
}

extension SignatureReport {
    /// Takes the cryptographic findings into the report.
    mutating func record(_ outcome: SignatureCryptoCheck.Result) {
        issues += outcome.issues
        notes += outcome.notes
        signer = outcome.signer.map(SignerIdentity.init)
        otherSigners = outcome.otherSigners.map(SignerIdentity.init)
        timestamps = outcome.timestamps
        timestamp = outcome.timestamp
        algorithms = outcome.algorithms
        if signingTime == nil { signingTime = outcome.cmsSigningTime ?? outcome.timestamp?.genTime }
    }
}

extension SignerIdentity {
    init(_ certificate: Certificate) {
        self.init(commonName: certificate.commonName, subject: certificate.subject, issuer: certificate.issuer,
                  certificateSHA256: certificate.sha256Fingerprint)
    }
}

extension PDFVerifier {
    /// The DER certificates of an `adbe.x509.rsa_sha1` signature's `/Cert`: one string, or an
    /// array of strings with the signer's first.
    func certificateStrings(_ dictionary: PDFDictionary, _ document: PDFDocument) throws -> [[UInt8]] {
        switch try document.resolve(dictionary, "Cert") {
        case .string(let one)?: return [one.bytes]
        case .array(let items)?: return try items.compactMap { try document.resolve($0).stringValue?.bytes }
        default: return []
        }
    }
}
