import PDFSyntax
import Crypto
import Foundation

/// Steps 2–4 of DESIGN.md §7 for one signature: the digest of the signed ranges against the CMS,
/// the CMS signature, the signer certificate (SID and ESS), the timestamp token, and the chain
/// to the trust anchors at the signing time.
struct SignatureCryptoCheck {
    struct Result {
        var signer: Certificate?
        var timestamp: TimestampSummary?
        /// The CMS signingTime attribute (pkcs7 signatures carry one).
        var cmsSigningTime: Date?
        var issues: [VerificationIssue] = []
    }

    /// nil when no trust anchors were given.
    let validator: ChainValidator?
    /// Shared by every file of a run.
    let certificates: CertificateCache
    let chains: TrustCache
    let bytes: PDFBytes

    /// Checks a CMS signature (`adbe.pkcs7.detached`, `ETSI.CAdES.detached`) over `range`.
    func checkSignature(der: [UInt8], range: [Int], subFilter: String?, claimedTime: Date?) -> Result {
        var result = Result()
        let cms: CMSSignedData
        do {
            cms = try CMSSignedData.parse(der: der, certificateCache: certificates)
        } catch {
            result.issues.append(VerificationIssue(.badCMS, "/Contents is not a CMS SignedData with one signer: \(error)"))
            return result
        }
        result.cmsSigningTime = cms.signedAttributes.signingTime
        result.signer = cms.signerCertificate
        guard let algorithm = cms.digestAlgorithm else {
            result.issues.append(VerificationIssue(.unsupported,
                "the signature uses the digest algorithm \(cms.digestAlgorithmOID), which this verifier does not accept (SHA-256/384/512 only)",
                verdict: .indeterminate))
            return result
        }
        let digest = hash(range, with: algorithm)
        guard let messageDigest = cms.signedAttributes.messageDigest else {
            result.issues.append(VerificationIssue(.badCMS, "the CMS has no signed messageDigest attribute, so it signs nothing verifiable"))
            return result
        }
        guard messageDigest == digest else {
            result.issues.append(VerificationIssue(.digestMismatch,
                "the signed bytes changed: the \(algorithm) of the byte ranges is not the CMS messageDigest"))
            return result
        }
        guard let signer = cms.signerCertificate else {
            result.issues.append(VerificationIssue(.signerCertificateMissing,
                "the CMS does not include the signer's certificate (\(cms.signerIdentifier)), so its signature cannot be checked",
                verdict: .indeterminate))
            return result
        }
        do {
            try cms.verifySignature(contentDigest: digest)
        } catch {
            result.issues.append(VerificationIssue(.badCMS, "the CMS signature does not verify: \(error)"))
            return result
        }
        do {
            try cms.checkSigningCertificateReference(required: subFilter == "ETSI.CAdES.detached")
        } catch {
            result.issues.append(VerificationIssue(.badCMS, "\(error) (PAdES requires ESS signingCertificateV2 naming the signer)"))
        }
        var validationTime = claimedTime ?? cms.signedAttributes.signingTime
        if let tokenDER = cms.timestampToken {
            let summary = checkTimestamp(tokenDER, over: cms.signatureValue, issues: &result.issues)
            result.timestamp = summary
            if let summary, summary.intact, summary.trusted { validationTime = summary.genTime }
        }
        checkTrust(signer, intermediates: cms.certificates, at: validationTime, issues: &result.issues)
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
        result.timestamp = TimestampSummary(genTime: token.genTime, authority: token.tsaCertificate?.subject, intact: true,
                                            trusted: false)
        if let certificate = token.tsaCertificate {
            let before = result.issues.count
            checkTrust(certificate, intermediates: token.signedData.certificates, at: token.genTime, issues: &result.issues)
            result.timestamp?.trusted = result.issues.count == before
        }
        return result
    }

    // MARK: Parts

    private func hash(_ range: [Int], with algorithm: DigestAlgorithm) -> [UInt8] {
        var digest = Digest(algorithm)
        bytes.withUnsafeBytes { buffer in
            digest.update(UnsafeRawBufferPointer(rebasing: buffer[range[0]..<(range[0] + range[1])]))
            digest.update(UnsafeRawBufferPointer(rebasing: buffer[range[2]..<(range[2] + range[3])]))
        }
        return digest.finalize()
    }

    private func checkTimestamp(_ der: [UInt8], over signatureValue: [UInt8],
                                issues: inout [VerificationIssue]) -> TimestampSummary? {
        let token: TimestampToken
        do {
            token = try TimestampToken.parse(der: der, certificateCache: certificates)
        } catch {
            issues.append(VerificationIssue(.badTimestamp, "the signature timestamp token cannot be read: \(error)"))
            return nil
        }
        var summary = TimestampSummary(genTime: token.genTime, authority: token.tsaCertificate?.subject, intact: false,
                                       trusted: false)
        do {
            try token.verify(imprintOf: signatureValue)
            summary.intact = true
        } catch {
            issues.append(VerificationIssue(.badTimestamp, "the signature timestamp does not verify: \(error)"))
            return summary
        }
        guard let validator, let certificate = token.tsaCertificate else { return summary }
        do {
            try chains.validate(certificate, intermediates: token.signedData.certificates, at: token.genTime, with: validator)
            summary.trusted = true
        } catch {
            issues.append(VerificationIssue(.untrustedTimestamp,
                "the timestamp authority is not trusted, so its time cannot be relied on: \(error)", verdict: .indeterminate))
        }
        return summary
    }

    private func checkTrust(_ certificate: Certificate, intermediates: [Certificate], at time: Date?,
                            issues: inout [VerificationIssue]) {
        if let usage = certificate.keyUsage, !usage.contains(.digitalSignature), !usage.contains(.nonRepudiation) {
            issues.append(VerificationIssue(.certificateNotUsable,
                "the signer's certificate key usage allows neither digitalSignature nor nonRepudiation",
                verdict: .indeterminate))
        }
        guard let validator else {
            issues.append(VerificationIssue(.untrusted,
                "no trust anchors were given (--trust), so \(certificate.commonName ?? certificate.subject) cannot be trusted",
                verdict: .indeterminate))
            return
        }
        do {
            // No stated time at all: validate now, as ETSI EN 319 102-1 basic validation does.
            try chains.validate(certificate, intermediates: intermediates, at: time ?? Date(), with: validator)
        } catch let error as CryptoError where error.code == .certificateExpired || error.code == .certificateNotYetValid {
            issues.append(VerificationIssue(.certificateNotUsable, "\(error)", verdict: .indeterminate))
        } catch {
            issues.append(VerificationIssue(.untrusted, "\(error)", verdict: .indeterminate))
        }
    }
}
