internal import COpenSSL
public import Foundation

/// What a certificate says about checking its revocation, and issuer tests the revocation
/// checks need (RFC 5280 §4.2.2.1, §4.2.1.13; RFC 6960 §4.2.2.2).
extension Certificate {
    /// The OCSP responder URLs from Authority Information Access.
    public var ocspURLs: [URL] { Self.urls(x509, cs_ocsp_urls) }

    /// The URIs of CRL distribution points that cover every reason and are published by the
    /// issuer itself (partitioned and indirect CRLs are not combined).
    public var crlURLs: [URL] { Self.urls(x509, cs_crl_urls) }

    /// Whether the certificate names any place to learn its revocation status.
    public var namesRevocationSource: Bool { !ocspURLs.isEmpty || !crlURLs.isEmpty }

    /// id-pkix-ocsp-nocheck: a delegated OCSP responder's certificate that is not checked for revocation.
    public var hasOCSPNoCheck: Bool { cs_has_ocsp_nocheck(x509) == 1 }

    /// The extendedKeyUsage extension's purposes (RFC 5280 §4.2.1.12), as dotted OIDs; nil
    /// without the extension (any purpose). Critical or not, a relying party holds a
    /// certificate to them, so criticality is not reported.
    public var extendedKeyUsage: [String]? {
        var buffer = [CChar](repeating: 0, count: 2048)
        guard cs_extended_key_usage(x509, &buffer, Int32(buffer.count)) >= 0 else { return nil }
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return text.split(separator: " ").map(String.init)
    }

    /// Whether extendedKeyUsage includes id-kp-OCSPSigning.
    public var isOCSPSigner: Bool { cs_is_ocsp_signer(x509) == 1 }

    /// Whether `issuer`'s subject is this certificate's issuer and its key verifies this
    /// certificate's signature.
    public func isIssued(by issuer: Certificate) -> Bool {
        guard X509_NAME_cmp(X509_get_issuer_name(x509), X509_get_subject_name(issuer.x509)) == 0,
              let key = X509_get0_pubkey(issuer.x509) else { return false }
        defer { ERR_clear_error() }
        return X509_verify(x509, key) == 1
    }

    /// Whether both certificates have the same subject name and public key (a re-issued CA
    /// certificate counts as the same authority).
    public func hasSameSubjectAndKey(as other: Certificate) -> Bool {
        guard X509_NAME_cmp(X509_get_subject_name(x509), X509_get_subject_name(other.x509)) == 0,
              let key = X509_get0_pubkey(x509), let otherKey = X509_get0_pubkey(other.x509) else { return false }
        return EVP_PKEY_eq(key, otherKey) == 1
    }

    /// The certificate among `candidates` that issued this one, if any.
    public func issuer(among candidates: [Certificate]) -> Certificate? {
        candidates.first { $0 != self && isIssued(by: $0) } ?? (isSelfIssued && isIssued(by: self) ? self : nil)
    }

    private static func urls(_ x509: OpaquePointer,
                             _ read: (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int) -> Int) -> [URL] {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = read(x509, &buffer, buffer.count)
        guard length > 0 else { return [] }
        return OpenSSL.string(buffer).split(separator: "\n").compactMap { URL(string: String($0)) }
    }
}
