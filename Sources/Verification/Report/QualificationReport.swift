public import Foundation

/// The EU qualification of a signature, as EU DSS reports it (docs/verify-report.md): present
/// when trusted lists were given (`--trust-list`).
public struct QualificationReport: Sendable, Hashable {
    /// "QESig", "QESeal", "AdESig-QC", "AdESeal-QC", "AdESig", "AdESeal", "QES?", "AdES?-QC",
    /// "AdES?", an "Indeterminate …" or "Not AdES …" form, or "N/A".
    public var level: String
    /// The signer's certificate is qualified at its issuance and at the signing time.
    public var qualifiedCertificate: Bool
    /// What it is qualified for: "esign", "eseal", "web", or nil when unknown.
    public var type: String?
    /// The private key is in a qualified signature creation device at the signing time.
    public var qscd: Bool
    /// The trusted-list service that issued the signer's certificate, if any.
    public var service: TrustedServiceSummary?
    /// The time the qualification was judged at (the best-signature-time).
    public var time: Date
    /// How it was decided.
    public var reasons: [String]
}

/// A trusted-list service, as the report names it.
public struct TrustedServiceSummary: Sendable, Hashable {
    public var name: String
    public var provider: String
    /// The list's territory ("BE", "FR", …).
    public var territory: String
    /// The type at the time, e.g. "CA/QC".
    public var type: String
    /// The status at the time, e.g. "granted", "withdrawn".
    public var status: String
}

/// What the trusted lists given to the verifier were: accepted, refused, missing, stale.
public struct TrustedListsReport: Sendable, Hashable {
    public struct List: Sendable, Hashable {
        public var source: String
        /// "LOTL" or "TL".
        public var kind: String
        public var territory: String
        public var sequenceNumber: Int?
        public var nextUpdate: Date?
        /// The pinned certificate that verified its signature.
        public var signer: String
        public var services: Int
        /// Past its NextUpdate at the validation time (still used; a warning, as in EU DSS).
        public var expired: Bool
    }

    public struct Refusal: Sendable, Hashable {
        public var source: String
        public var code: String
        public var reason: String
    }

    public var lists: [List]
    public var refused: [Refusal]
    /// LOTL pointers to national lists no given file provides: "territory (location)".
    public var missing: [String]
}
