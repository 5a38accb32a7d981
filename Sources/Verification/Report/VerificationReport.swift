public import Foundation

/// What the verifier found in one file: each signature with who, when, what it covers, what
/// changed since and why its verdict; file-level problems; the audit record check.
///
/// Revisions are numbered from 1 (the original document) to `revisions` (the newest update).
/// The JSON form is documented in docs/verify-report.md.
public struct VerificationReport: Sendable, Hashable {
    /// The file name as given.
    public var file: String
    /// The worst of the signature verdicts and the file-level issues.
    public var verdict: Verdict
    /// How many revisions the file has (0 when it could not be parsed).
    public var revisions: Int
    public var bytes: Int
    /// The signatures in revision order.
    public var signatures: [SignatureReport]
    /// Problems with the file as a whole (structure, no signatures, audit record).
    public var fileIssues: [VerificationIssue]
    /// The embedded Countersign audit record, if the document has one.
    public var audit: AuditReport?
    /// Harmless deviations accepted while reading the file (they do not change the verdict).
    public var notes: [ReportNote] = []
    /// Signature fields of the newest revision that nobody has signed yet (fully qualified names).
    public var unsignedSignatureFields: [String] = []
    /// Usage-rights signatures (`/Perms /UR3`, `/UR`): listed, not judged — they grant viewer
    /// features, they say nothing about who agreed to the content.
    public var usageRights: [UsageRightsSignature] = []
    /// The trusted lists the verifier was given, when it was given any (`--trust-list`).
    public var trustedLists: TrustedListsReport? = nil

    /// The ETSI EN 319 102-1 main indication of the file's verdict.
    public var indication: String { verdict.indication }
    public var fileReasons: [String] { fileIssues.map(\.reason) }
}

/// A usage-rights signature found in the catalog's `/Perms`.
public struct UsageRightsSignature: Sendable, Hashable {
    /// The `/Perms` key: `UR3` (or the older `UR`).
    public var permission: String
    public var subFilter: String?
    /// The certificate that signed it, if its CMS could be read.
    public var signer: SignerIdentity?

    public init(permission: String, subFilter: String?, signer: SignerIdentity?) {
        self.permission = permission
        self.subFilter = subFilter
        self.signer = signer
    }
}

/// One signature (or document timestamp) and its verdict.
public struct SignatureReport: Sendable, Hashable {
    /// Whether this is a signature or an RFC 3161 document timestamp.
    public enum Kind: String, Sendable, Hashable {
        case signature
        case documentTimestamp = "document-timestamp"
    }

    /// The fully qualified field name.
    public var field: String
    public var kind: Kind
    /// The signer's (or, for a document timestamp, the TSA's) certificate, if found.
    public var signer: SignerIdentity?
    /// The time the signer claims: `/M`, else the CMS signingTime attribute.
    public var signingTime: Date?
    /// The signature timestamp, if there is one (the earliest intact and trusted, else the first).
    public var timestamp: TimestampSummary?
    /// Every signature timestamp of the CMS, each judged on its own.
    public var timestamps: [TimestampSummary] = []
    /// Further SignerInfos in the same CMS, each verified on its own (their problems are in `issues`).
    public var otherSigners: [SignerIdentity] = []
    /// What the signature is made with, when the CMS could be read.
    public var algorithms: SignatureAlgorithms?
    /// Harmless deviations accepted in this signature (e.g. a BER-encoded CMS).
    public var notes: [ReportNote] = []
    /// The revision the signed byte ranges end at (1-based), if they end at one.
    public var revision: Int?
    /// How many revisions the file has.
    public var revisionCount: Int
    public var subFilter: String?
    public var byteRange: [Int]?
    /// SHA-256 of the CMS in `/Contents` (padding excluded), lower-case hex: identifies the
    /// signature in ETSI reports.
    public var cmsSHA256: String?
    /// DocMDP permissions (1, 2 or 3) if this is a certification signature.
    public var certificationLevel: Int?
    /// Every change made after the signed revision, allowed or not.
    public var modifications: [Modification]
    public var verdict: Verdict
    public var issues: [VerificationIssue]
    /// The revocation checks of the signer's and timestamp authorities' chains (nil when the
    /// signature could not be trusted, so revocation was not asked).
    public var revocation: RevocationReport? = nil
    /// The EU qualification (QESig, AdESig-QC, …) when trusted lists were given.
    public var qualification: QualificationReport? = nil
    /// What the qualification rests on; the level is set once the verdict is final.
    var qualificationAssessment: QualificationInput? = nil

    public var reasons: [String] { issues.map(\.reason) }
    /// The ETSI EN 319 102-1 main indication of this signature's verdict.
    public var indication: String { verdict.indication }
    /// The sub-indication of the issue that decides the verdict (the first of the worst), if any.
    public var subIndication: SubIndication? {
        issues.filter { $0.verdict == verdict }.first?.subIndication
    }

    /// "whole file", "revision k of n", or "unknown" when the ranges end at no revision.
    public var coverage: String {
        guard let revision else { return "unknown" }
        return revision == revisionCount ? "whole file" : "revision \(revision) of \(revisionCount)"
    }
}

/// The algorithms of a signature: the digest of the signed data, the signature scheme and the key.
public struct SignatureAlgorithms: Sendable, Hashable {
    /// e.g. "SHA-256".
    public var digest: String
    /// e.g. "RSASSA-PSS with SHA-256 (MGF1 SHA-256, salt 32)", "Ed25519".
    public var signature: String
    /// e.g. "RSA 3072", "EC brainpoolP256r1", "ED25519".
    public var key: String

    public init(digest: String, signature: String, key: String) {
        self.digest = digest
        self.signature = signature
        self.key = key
    }
}

/// Who signed: the certificate's names and fingerprint.
public struct SignerIdentity: Sendable, Hashable {
    public var commonName: String?
    /// RFC 4514 subject.
    public var subject: String
    public var issuer: String
    /// SHA-256 of the certificate's DER, lower-case hex.
    public var certificateSHA256: String
}

/// A signature timestamp: the time the TSA vouches for and whether its token checked out.
public struct TimestampSummary: Sendable, Hashable {
    public var genTime: Date
    /// The TSA certificate's subject (RFC 4514), if included.
    public var authority: String?
    /// The token verifies and its imprint is the hash of the signature value.
    public var intact: Bool
    /// The TSA chains to a trust anchor at `genTime`.
    public var trusted: Bool
}

/// One change in a revision after a signature.
public struct Modification: Sendable, Hashable {
    /// The revision that made the change (1-based).
    public var revision: Int
    /// The object, as "n g" (or "trailer").
    public var object: String
    /// A short category: signature, form-fill, annotation, dss, metadata, unreferenced (allowed);
    /// page-content, resources, font, xobject, optional-content, page-tree, page, catalog, field,
    /// object (disallowed when `allowed` is false).
    public var kind: String
    public var allowed: Bool
    public var description: String

    public init(revision: Int, object: String, kind: String, allowed: Bool, description: String) {
        self.revision = revision
        self.object = object
        self.kind = kind
        self.allowed = allowed
        self.description = description
    }
}

/// The check of an embedded Countersign audit record (`audit.json`, urn:countersign:audit:1).
public struct AuditReport: Sendable, Hashable {
    public var envelopeId: String?
    public var events: Int
    /// Every event's previousHash and hash recompute.
    public var chainIntact: Bool
    /// The stated document.sha256 equals the SHA-256 of the revisions before the audit page.
    public var documentHashMatches: Bool
    /// The stated document.asSent (the document as sent to the signers) is the file's first
    /// `bytes` bytes; nil when the record states none.
    public var sentDocumentMatches: Bool? = nil
    /// The revision that added the audit record (1-based).
    public var revision: Int?
    public var issues: [VerificationIssue]
    /// What the record states, for comparison with another source of the same evidence (a
    /// workflow store): each event as `type`, `at`, `actor`, `ip`, `userAgent` and each signer
    /// as `name`, `email`, `role`, `authentication`, fields joined by a line feed, in the
    /// record's order.
    public var statedEvents: [String] = []
    public var statedSigners: [String] = []

    /// An event as `statedEvents` holds it (absent fields empty).
    public static func eventLine(type: String, at: String, actor: String, ip: String?, userAgent: String?) -> String {
        [type, at, actor, ip ?? "", userAgent ?? ""].joined(separator: "\n")
    }

    /// A signer as `statedSigners` holds it.
    public static func signerLine(name: String, email: String, role: String, authentication: String) -> String {
        [name, email, role, authentication].joined(separator: "\n")
    }

    public var reasons: [String] { issues.map(\.reason) }
}
