public import Foundation

/// How a verifier gets revocation data: from the document only (DSS and the CMS's
/// `adbe-revocationInfoArchival`), or also over the network from the certificates' AIA OCSP
/// responders and CRL distribution points.
public struct RevocationOptions: Sendable, Hashable {
    /// Fetch OCSP responses and CRLs the document lacks (off by default: verification then
    /// never touches the network, and the report says so).
    public var online: Bool
    /// The limit for each OCSP or CRL exchange when online.
    public var timeout: TimeInterval
    /// The validation time (`--at`); nil means now.
    public var validationTime: Date?
    /// Whether a certificate whose revocation status cannot be had at all (nothing in the
    /// document, nothing fetched) makes the signature INDETERMINATE TRY_LATER, as EN 319 102-1
    /// asks (`--require-revocation`). Off (the default, like pyHanko's soft-fail and Acrobat),
    /// the report shows the status as `unavailable` and the verdict rests on the rest; data that
    /// *is* there is always judged: revoked, stale, unknown to the responder or issued too late.
    public var requireData: Bool

    public init(online: Bool = false, timeout: TimeInterval = 10, validationTime: Date? = nil, requireData: Bool = false) {
        self.online = online
        self.timeout = timeout
        self.validationTime = validationTime
        self.requireData = requireData
    }
}

/// ETSI EN 319 102-1 sub-indications the revocation checks can give.
public enum RevocationSubIndication: String, Sendable, Hashable {
    /// TOTAL-FAILED: the signing certificate was revoked before the signature's proof of existence.
    case revoked = "REVOKED"
    /// INDETERMINATE: the signing certificate is revoked and nothing proves the signature existed before.
    case revokedNoPOE = "REVOKED_NO_POE"
    /// INDETERMINATE: a CA certificate of the chain is revoked and nothing proves the signature existed before.
    case revokedCANoPOE = "REVOKED_CA_NO_POE"
    /// INDETERMINATE: no acceptable, fresh revocation data could be had; it may be later.
    case tryLater = "TRY_LATER"
    /// INDETERMINATE: the only revocation data was issued after the certificate expired.
    case outOfBoundsNoPOE = "OUT_OF_BOUNDS_NO_POE"
    /// INDETERMINATE: a timestamp's authority was revoked before the time it vouches for.
    case noPOE = "NO_POE"
}

/// The revocation checks of one signature or document timestamp: every certificate of the
/// signer's chain and of the timestamp authorities' chains.
public struct RevocationReport: Sendable, Hashable {
    /// Whether data was fetched over the network (`--online`) or only read from the document.
    public var online: Bool
    /// The validation time used (`--at`, else when verification ran).
    public var validationTime: Date
    /// The best-signature-time: the earliest trusted proof that the signature existed (its
    /// timestamp or a document timestamp covering it); nil when there is none.
    public var bestSignatureTime: Date?
    /// The sub-indication the checks force, if any.
    public var subIndication: RevocationSubIndication?
    public var certificates: [CertificateRevocation]
}

/// The revocation status of one certificate and where it came from.
public struct CertificateRevocation: Sendable, Hashable {
    /// Which chain the certificate belongs to.
    public enum Role: String, Sendable, Hashable {
        case signer
        case signerCA = "signer-ca"
        case timestampAuthority = "timestamp-authority"
        case timestampCA = "timestamp-ca"
    }

    /// What was established.
    public enum Status: String, Sendable, Hashable {
        /// Fresh, acceptable data says it was not revoked at the control time.
        case good
        case revoked
        /// The responder does not know the certificate.
        case unknown
        /// Data exists but none is fresh for the control time (past nextUpdate).
        case stale
        /// The only data was issued after the certificate expired.
        case outOfBounds = "out-of-bounds"
        /// The certificate names revocation sources but no acceptable data was found or fetched.
        case unavailable
        /// The certificate names no OCSP responder and no CRL distribution point, and no data was found.
        case noSource = "no-source"
        /// id-pkix-ocsp-nocheck: not checked by design.
        case exempt
    }

    /// Where the deciding data came from.
    public enum Origin: String, Sendable, Hashable {
        case dss
        case cms
        case online
    }

    public var role: Role
    public var subject: String
    /// SHA-256 of the certificate, lower-case hex.
    public var certificateSHA256: String
    public var status: Status
    /// "ocsp" or "crl", for the deciding data.
    public var source: String?
    public var origin: Origin?
    /// OCSP thisUpdate or CRL thisUpdate of the deciding data.
    public var thisUpdate: Date?
    public var nextUpdate: Date?
    /// The OCSP responder's subject or the CRL issuer.
    public var issuedBy: String?
    public var revocationTime: Date?
    public var revocationReason: String?
    /// The time the status is established for (the best-signature-time, or the timestamp's time).
    public var controlTime: Date
    /// Why data was rejected or could not be had, in order.
    public var notes: [String]
}

extension VerificationIssue.Code {
    /// A certificate of the chain was revoked (REVOKED, REVOKED_NO_POE, REVOKED_CA_NO_POE).
    public static let revoked = VerificationIssue.Code("revoked")
    /// The revocation status cannot be established now (TRY_LATER, OUT_OF_BOUNDS_NO_POE).
    public static let revocationUnknown = VerificationIssue.Code("revocationUnknown")
}
