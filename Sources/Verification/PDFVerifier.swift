public import CountersignCrypto
import Foundation
public import PDFSyntax
public import TrustedLists

/// Verifies signed PDFs — ours and anyone's — strictly (DESIGN.md §7): every revision parsed by
/// the strict object layer (never poppler), each signature's dictionary, CMS, certificate chain
/// and timestamp checked, every change after it analysed, and a Countersign audit record
/// checked against the document.
///
/// Make one per run: the trust store is built once. `Sendable`; files may be verified from many
/// tasks at once.
public struct PDFVerifier: Sendable {
    public let trustAnchors: [Certificate]
    public let limits: PDFLimits
    /// Where revocation data comes from and the validation time (DESIGN.md §16).
    public let revocation: RevocationOptions
    /// The password of an encrypted input (ISO 32000-2 §7.6: the user or the owner password);
    /// empty, the usual empty user password. The signed byte ranges are hashed as stored
    /// (ciphertext); modification analysis compares the decrypted objects.
    public var documentPassword = ""
    /// EU trusted lists (ETSI TS 119 612) whose services anchor chains when granted at the
    /// signing time, and from which each signature's qualification is judged (docs/ltv.md).
    public let trustedLists: TrustedListSet?
    let validator: ChainValidator?
    private let listAnchors: TrustedListAnchors?
    private let certificates = CertificateCache()
    private let chains = TrustCache()

    /// A verifier trusting `trustAnchors` and the services of `trustedLists` (none: every
    /// signature is at best INDETERMINATE).
    public init(trustAnchors: [Certificate], limits: PDFLimits = .default, revocation: RevocationOptions = RevocationOptions(),
                trustedLists: TrustedListSet? = nil) {
        self.trustAnchors = trustAnchors
        self.limits = limits
        self.revocation = revocation
        self.trustedLists = trustedLists
        let anchors = TrustedListAnchors.anchors(trustAnchors, trustedLists)
        validator = anchors.isEmpty ? nil : ChainValidator(trustAnchors: anchors)
        listAnchors = trustedLists.map { TrustedListAnchors(lists: $0, pinned: Set(trustAnchors)) }
    }

    /// Verifies the file at `path`. Throws `VerificationError` only when it cannot be read;
    /// whatever is wrong *in* the file is in the report.
    public func verify(path: String) throws -> VerificationReport {
        guard FileManager.default.fileExists(atPath: path) else {
            throw VerificationError(.notFound, "no such file — check the path")
        }
        let bytes: PDFBytes
        do {
            bytes = try PDFBytes(mappingFile: path)
        } catch {
            throw VerificationError(.io, "cannot read \(path): \(error)")
        }
        return verify(bytes: bytes, name: path)
    }

    /// Verifies a file's bytes; `name` labels the report.
    public func verify(bytes: [UInt8], name: String = "document.pdf") -> VerificationReport {
        verify(bytes: PDFBytes(bytes), name: name)
    }

    /// Verifies a file's bytes, mapped or in memory; `name` labels the report.
    public func verify(bytes: PDFBytes, name: String = "document.pdf") -> VerificationReport {
        var report = VerificationReport(file: name, verdict: .passed, revisions: 0, bytes: bytes.count, signatures: [],
                                        fileIssues: [], audit: nil)
        do {
            try CryptoLibrary.require()
        } catch {
            report.fileIssues.append(VerificationIssue(.unsupported, "no signature can be checked: \(error.reason)",
                                                       verdict: .indeterminate))
            return finish(report)
        }
        let document: PDFDocument
        do {
            // Ambiguities inside a revision are recorded with it and judged per signature below.
            document = try PDFDocument(bytes: bytes, mode: .strictPerRevision, limits: limits,
                                       decryption: .openSSL(password: documentPassword))
        } catch let error as PDFError where error.code == .encrypted || error.code == .wrongPassword {
            report.fileIssues.append(VerificationIssue(.unsupported, "\(error.reason)", verdict: .indeterminate))
            return finish(report)
        } catch let error as PDFError where error.code == .notPDF {
            report.fileIssues.append(VerificationIssue(.malformedFile, "\(error.reason) — there is nothing to verify"))
            return finish(report)
        } catch {
            report.fileIssues.append(VerificationIssue(.malformedFile,
                "the file breaks the PDF structure rules that strict verification relies on: \(error) — a repairing reader would guess here, and guesses are how incremental saving attacks pass"))
            return finish(report)
        }
        report.revisions = document.revisions.count
        do {
            try verify(document, into: &report)
            AmbiguityJudgement.apply(document.ambiguities, to: &report)
        } catch {
            report.fileIssues.append(VerificationIssue(.malformedFile,
                "an object breaks the PDF syntax rules that strict verification relies on: \(error)"))
            for index in report.signatures.indices { report.signatures[index].verdict = .failed }
        }
        // Read last: with the notes met while reading objects (a page written directly in /Kids).
        report.notes = document.notes.map(ReportNote.init)
        return finish(report)
    }

    // MARK: Steps

    private func verify(_ document: PDFDocument, into report: inout VerificationReport) throws {
        let scanner = RawScanner(bytes: document.bytes)
        let dictionaryCheck = SignatureDictionaryCheck(document: document, scanner: scanner)
        let cryptoCheck = SignatureCryptoCheck(validator: validator, certificates: certificates, chains: chains,
                                               listAnchors: listAnchors, bytes: document.bytes)
        var found: [(report: SignatureReport, reference: PDFReference?, dictionary: PDFDictionary)] = []
        var contents: [String: [UInt8]] = [:]
        var parsed: [String: CMSSignedData] = [:]
        for field in try signedFields(document) {
            var signature = SignatureReport(field: field.name, kind: .signature, revisionCount: document.revisions.count,
                                            modifications: [], verdict: .passed, issues: [])
            guard case .dictionary(let dictionary) = try document.resolve(field.value ?? .null) else {
                signature.issues.append(VerificationIssue(.badSignatureDictionary, "the field's /V is not a signature dictionary"))
                found.append((signature, nil, [:]))
                continue
            }
            let subFilter = dictionary["SubFilter"]?.nameValue?.string
            signature.subFilter = subFilter
            // The sub-filter decides what the contents are and how they are checked; a /Type that
            // says otherwise is noted, never obeyed (a CMS signature called a document timestamp
            // would get a timestamp's leave under a certification).
            let isTimestamp = subFilter == "ETSI.RFC3161"
            signature.kind = isTimestamp ? .documentTimestamp : .signature
            if let type = dictionary["Type"]?.nameValue?.string, type != (isTimestamp ? "DocTimeStamp" : "Sig") {
                signature.notes.append(ReportNote(code: "signatureTypeMismatch", message:
                    "the signature dictionary's /Type is /\(type) but its /SubFilter \(subFilter ?? "(none)") makes it a \(isTimestamp ? "document timestamp (/Type /DocTimeStamp)" : "signature (/Type /Sig)"); it is judged as what its contents are"))
            }
            if case .string(let date)? = try document.resolve(dictionary, "M") {
                signature.signingTime = PDFDate.parse(date.text)
                if signature.signingTime == nil {
                    signature.notes.append(ReportNote(code: "unreadableSigningTime", message:
                        "the signature dictionary's /M '\(date.text.prefix(40))' is not a PDF date (D:YYYYMMDDHHmmSSOHH'mm'); the time the CMS states, if any, is taken instead"))
                }
            }
            let structure = dictionaryCheck.check(dictionary, reference: field.value?.referenceValue, field: field.reference)
            signature.issues += structure.issues
            signature.notes += structure.notes
            if let page = field.standaloneOnPage {
                signature.notes.append(ReportNote(code: "signatureFieldNotInForm", message:
                    "the signature's widget is on page \(page) but the AcroForm's /Fields does not list it (poppler 22 writes this when the catalog's /AcroForm is a direct dictionary); it is verified as the field it is, as poppler, pdf.js and pdfium read it"))
            }
            signature.byteRange = structure.byteRange ?? structure.declaredByteRange
            signature.revision = structure.coveredRevision.map { $0 + 1 }
            if let der = structure.cms, let range = structure.byteRange {
                contents[field.name] = der
                signature.cmsSHA256 = HashAlgorithm.sha256.hash(der).hexString
                let outcome: SignatureCryptoCheck.Result
                switch subFilter {
                case "adbe.pkcs7.detached", "ETSI.CAdES.detached", "adbe.pkcs7.sha1":
                    outcome = cryptoCheck.checkSignature(der: der, range: range, subFilter: subFilter ?? "",
                                                         claimedTime: signature.signingTime)
                case "adbe.x509.rsa_sha1":
                    outcome = cryptoCheck.checkPKCS1Signature(der: der, certificates: try certificateStrings(dictionary, document),
                                                              range: range, claimedTime: signature.signingTime)
                case "ETSI.RFC3161":
                    outcome = cryptoCheck.checkDocumentTimestamp(der: der, range: range)
                default:
                    outcome = SignatureCryptoCheck.Result(issues: [VerificationIssue(.unsupported,
                        "the /SubFilter \(subFilter ?? "(none)") is not one this verifier checks (adbe.pkcs7.detached, ETSI.CAdES.detached, adbe.pkcs7.sha1, adbe.x509.rsa_sha1, ETSI.RFC3161)",
                        verdict: .indeterminate, subIndication: .signedDataNotFound)])
                }
                parsed[field.name] = outcome.cms
                signature.record(outcome)
                if signature.kind == .signature { signature.qualificationAssessment = qualify(signature, outcome) }
            }
            found.append((signature, field.value?.referenceValue, dictionary))
        }
        found.sort { ($0.report.revision ?? Int.max) < ($1.report.revision ?? Int.max) }
        let policies = try certificationAndLocks(document, &found)
        report.signatures = found.map(\.report)
        if let validator {
            SignatureRevocationCheck(validator: validator, chains: chains, certificates: certificates, options: revocation)
                .run(document, contents: contents, parsed: parsed, report: &report)
        }
        if report.signatures.isEmpty {
            report.fileIssues.append(VerificationIssue(.noSignatures, "the file has no signatures", verdict: .indeterminate))
        }
        let covered = report.signatures.compactMap(\.revision).map { $0 - 1 }
        if let first = covered.min() {
            try analyzeModifications(document, from: first, policies: policies, report: &report)
            report.fileIssues += UpdateCheck(document: document, scanner: scanner).check(after: first)
        }
        try checkAudit(document, report: &report)
        try listUnjudged(document, into: &report)
    }

    /// Every signed field of every revision, newest first, once per signature dictionary: a
    /// signature whose field a later revision removed is still reported (and the removal judged).
    private func signedFields(_ document: PDFDocument) throws -> [PDFFormField] {
        var seen: Set<PDFReference> = []
        var fields: [PDFFormField] = []
        for revision in stride(from: document.latestRevision, through: 0, by: -1) {
            let tree = try document.formFields(revision: revision)
            for field in try tree + document.standaloneSignatureFields(revision: revision, treeFields: tree) where field.isSigned {
                if let reference = field.value?.referenceValue {
                    guard seen.insert(reference).inserted else { continue }
                } else if revision != document.latestRevision {
                    continue
                }
                fields.append(field)
            }
        }
        return fields
    }

    /// The DocMDP level and FieldMDP locks each signature puts in force from its revision on.
    private func certificationAndLocks(_ document: PDFDocument,
                                       _ found: inout [(report: SignatureReport, reference: PDFReference?, dictionary: PDFDictionary)])
        throws -> [(revision: Int, policy: ModificationPolicy)] {
        let catalog = try document.catalog()
        let certifier = try document.resolve(catalog, "Perms")?.dictionaryValue?["DocMDP"]?.referenceValue
        let names = try document.formFields().map(\.name)
        var policies: [(revision: Int, policy: ModificationPolicy)] = []
        var current = ModificationPolicy()
        for index in found.indices {
            let references = try document.resolve(found[index].dictionary, "Reference")?.arrayValue ?? []
            for item in references {
                guard case .dictionary(let reference) = try document.resolve(item) else { continue }
                let method = reference["TransformMethod"]?.nameValue?.string
                let parameters = try document.resolve(reference, "TransformParams")?.dictionaryValue ?? [:]
                if method == "DocMDP", let ref = found[index].reference, ref == certifier {
                    let level = min(3, max(1, try document.resolve(parameters, "P")?.intValue ?? 2))
                    found[index].report.certificationLevel = level
                    if index > 0 {
                        found[index].report.issues.append(VerificationIssue(.misplacedCertification,
                            "a certification (DocMDP) signature must be the first signature, but this is number \(index + 1)"))
                    }
                    current.docMDP = min(current.docMDP ?? 3, level)
                } else if method == "FieldMDP" {
                    let action = parameters["Action"]?.nameValue?.string ?? "All"
                    let listed = Set((try document.resolve(parameters, "Fields")?.arrayValue ?? []).compactMap { $0.stringValue?.text })
                    for name in names where name != found[index].report.field {
                        let locked = action == "All" || (action == "Include" && listed.contains(name))
                            || (action == "Exclude" && !listed.contains(name))
                        if locked { current.lockedFields[name] = found[index].report.field }
                    }
                }
            }
            if let revision = found[index].report.revision { policies.append((revision - 1, current)) }
        }
        return policies
    }

    private func analyzeModifications(_ document: PDFDocument, from first: Int,
                                      policies: [(revision: Int, policy: ModificationPolicy)],
                                      report: inout VerificationReport) throws {
        let analyzer = ModificationAnalyzer(document: document)
        var steps: [Int: [Modification]] = [:]
        for step in first..<document.latestRevision {
            let policy = policies.last(where: { $0.revision <= step })?.policy ?? ModificationPolicy()
            steps[step] = try analyzer.analyze(step: step, policy: policy)
        }
        for index in report.signatures.indices {
            guard let revision = report.signatures[index].revision else { continue }
            let modifications = (revision - 1..<document.latestRevision).flatMap { steps[$0] ?? [] }
            report.signatures[index].modifications = modifications
            let disallowed = modifications.filter { !$0.allowed }
            guard !disallowed.isEmpty else { continue }
            let listed = disallowed.prefix(3).map { "revision \($0.revision): \($0.description)" }.joined(separator: "; ")
            let more = disallowed.count > 3 ? " and \(disallowed.count - 3) more" : ""
            report.signatures[index].issues.append(VerificationIssue(.disallowedModification,
                "changed after signing in a way the signature does not allow — \(listed)\(more)"))
        }
    }

    private func checkAudit(_ document: PDFDocument, report: inout VerificationReport) throws {
        guard let (audit, seal) = try AuditCheck(document: document).check() else { return }
        var checked = audit
        if let revision = audit.revision, let seal,
           let sealing = report.signatures.first(where: { $0.revision == revision }),
           let signer = sealing.signer, signer.certificateSHA256 != seal.lowercased() {
            checked.issues.append(VerificationIssue(.auditMismatch,
                "the audit record names the seal certificate \(seal.prefix(16))… but the signature that adds it was made with \(signer.certificateSHA256.prefix(16))…"))
        }
        report.audit = checked
        report.fileIssues += checked.issues
    }

    /// Leeway for clocks: a signer's or a TSA's clock a few minutes ahead is not a future time.
    static let clockLeeway: TimeInterval = 300

    /// A signature whose time comes after the validation time did not exist at it: with
    /// `--at 2023-06-01` a signature made in 2026 proves nothing about 2023, and a timestamp
    /// from 2030 read today is no proof of anything (its authority's clock, or the token, is
    /// wrong). The time is the trusted timestamp's, else the one the signature claims.
    static func judgeTime(_ signature: inout SignatureReport, validationTime: Date?) {
        let trusted = signature.timestamp.flatMap { $0.intact && $0.trusted ? $0.genTime : nil }
        guard let time = trusted ?? signature.signingTime else { return }
        let limit = validationTime ?? Date()
        guard time > limit.addingTimeInterval(clockLeeway) else { return }
        let which = trusted != nil ? "its timestamp's time" : "the signing time it claims"
        let reason = validationTime == nil
            ? "\(which), \(time.isoText), is in the future (now is \(limit.isoText)): it proves nothing"
            : "\(which), \(time.isoText), is after the validation time \(limit.isoText): the signature did not exist then"
        signature.issues.append(VerificationIssue(.timeAfterValidation, reason, verdict: .indeterminate))
    }

    private func finish(_ report: VerificationReport) -> VerificationReport {
        var report = report
        report.trustedLists = trustedLists.map { TrustedListsReport($0, at: revocation.validationTime ?? Date()) }
        for index in report.signatures.indices {
            Self.judgeTime(&report.signatures[index], validationTime: revocation.validationTime)
            report.signatures[index].verdict = max(report.signatures[index].verdict,
                                                   report.signatures[index].issues.map(\.verdict).max() ?? .passed)
            report.signatures[index].judgeQualification(trustedLists, at: revocation.validationTime ?? Date())
        }
        report.verdict = (report.signatures.map(\.verdict) + report.fileIssues.map(\.verdict)).max() ?? .passed
        return report
    }
}
