internal import COpenSSL
public import Foundation

/// An X.509 CRL (RFC 5280 §5): who issued it, when, until when, and what it lists. Parsing
/// checks nothing; `verify(issuer:)` checks the signature and `scope(for:)` whether it can
/// speak for a certificate.
public final class CertificateRevocationList: @unchecked Sendable {
    /// One listed certificate: when it was revoked and why.
    public struct Entry: Sendable, Hashable {
        public let revocationTime: Date
        /// The RFC 5280 reason, if the entry has one.
        public let reason: RevocationReason?
    }

    /// Why a CRL cannot speak for a certificate.
    public enum ScopeProblem: Sendable, Hashable, CustomStringConvertible {
        case otherIssuer
        case onlyUserCertificates
        case onlyCACertificates
        case onlyAttributeCertificates
        case someReasonsOnly
        case indirect
        case delta
        case unreadableDistributionPoint

        public var description: String {
            switch self {
            case .otherIssuer: "it was issued by another authority"
            case .onlyUserCertificates: "it lists end-entity certificates only"
            case .onlyCACertificates: "it lists CA certificates only"
            case .onlyAttributeCertificates: "it lists attribute certificates only"
            case .someReasonsOnly: "it covers only some revocation reasons"
            case .indirect: "it is an indirect CRL, which this verifier does not combine"
            case .delta: "it is a delta CRL, which lists changes only"
            case .unreadableDistributionPoint: "its issuingDistributionPoint cannot be decoded"
            }
        }
    }

    /// The DER.
    public let der: [UInt8]
    /// The issuer's name (RFC 4514).
    public let issuer: String
    /// thisUpdate.
    public let thisUpdate: Date
    /// nextUpdate (optional in RFC 5280; absent means no promise of a next one).
    public let nextUpdate: Date?
    /// SHA-256 of the DER, lower-case hex (identifies the CRL in reports).
    public let sha256: String

    let crl: OpaquePointer

    /// Parses one DER CRL. `.malformed` if it is not one.
    public init(der: [UInt8]) throws {
        try CryptoLibrary.require()
        let owned = try OpenSSL.decode("CRL", der, free: X509_CRL_free) { d2i_X509_CRL(nil, $0, $1) }
        guard let thisUpdate = OpenSSL.date(X509_CRL_get0_lastUpdate(owned.pointer)) else {
            throw CryptoError(.malformed, "the CRL's thisUpdate cannot be read")
        }
        self.der = der
        self.thisUpdate = thisUpdate
        nextUpdate = OpenSSL.date(X509_CRL_get0_nextUpdate(owned.pointer))
        issuer = Certificate.text(of: X509_CRL_get_issuer(owned.pointer))
        sha256 = OpenSSL.hex(DigestAlgorithm.sha256.hash(der))
        crl = owned.take()
    }

    deinit { X509_CRL_free(crl) }

    /// Whether the CRL's signature verifies with `issuer`'s key and names it as issuer.
    public func isSigned(by issuer: Certificate) -> Bool {
        guard X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer.x509)) == 0,
              let key = X509_get0_pubkey(issuer.x509) else { return false }
        defer { ERR_clear_error() }
        return X509_CRL_verify(crl, key) == 1
    }

    /// nil when this CRL can give the status of `certificate` (same issuer, complete for it),
    /// else what keeps it from doing so.
    public func scopeProblem(for certificate: Certificate) -> ScopeProblem? {
        guard X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(certificate.x509)) == 0 else { return .otherIssuer }
        if cs_crl_is_delta(crl) == 1 { return .delta }
        var onlyUser: Int32 = 0, onlyCA: Int32 = 0, onlyAttributes: Int32 = 0, someReasons: Int32 = 0, indirect: Int32 = 0
        switch cs_crl_scope(crl, &onlyUser, &onlyCA, &onlyAttributes, &someReasons, &indirect) {
        case 0: return nil
        case 1: break
        default: return .unreadableDistributionPoint
        }
        if onlyAttributes != 0 { return .onlyAttributeCertificates }
        if someReasons != 0 { return .someReasonsOnly }
        if indirect != 0 { return .indirect }
        if onlyUser != 0 && certificate.isCA { return .onlyUserCertificates }
        if onlyCA != 0 && !certificate.isCA { return .onlyCACertificates }
        return nil
    }

    /// The entry listing `certificate` (by serial number), if it is listed.
    public func entry(for certificate: Certificate) -> Entry? {
        var revoked: OpaquePointer?
        guard X509_CRL_get0_by_serial(crl, &revoked, X509_get0_serialNumber(certificate.x509)) == 1, let revoked,
              let time = OpenSSL.date(X509_REVOKED_get0_revocationDate(revoked)) else { return nil }
        let code = cs_revoked_reason(revoked)
        return Entry(revocationTime: time, reason: code >= 0 ? RevocationReason(rawValue: Int(code)) : nil)
    }
}

/// RFC 5280 §5.3.1 CRLReason (also used by OCSP).
public enum RevocationReason: Int, Sendable, Hashable, CustomStringConvertible {
    case unspecified = 0
    case keyCompromise = 1
    case caCompromise = 2
    case affiliationChanged = 3
    case superseded = 4
    case cessationOfOperation = 5
    case certificateHold = 6
    case removeFromCRL = 8
    case privilegeWithdrawn = 9
    case aaCompromise = 10

    public var description: String {
        switch self {
        case .unspecified: "unspecified"
        case .keyCompromise: "keyCompromise"
        case .caCompromise: "cACompromise"
        case .affiliationChanged: "affiliationChanged"
        case .superseded: "superseded"
        case .cessationOfOperation: "cessationOfOperation"
        case .certificateHold: "certificateHold"
        case .removeFromCRL: "removeFromCRL"
        case .privilegeWithdrawn: "privilegeWithdrawn"
        case .aaCompromise: "aACompromise"
        }
    }
}
