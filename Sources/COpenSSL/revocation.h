// Helpers for OCSP and CRL handling (Sources/CountersignCrypto/Revocation): the stack and struct accesses
// Swift cannot spell, each a `static inline` over functions LazySystemLibraries forwards.
#ifndef COUNTERSIGN_COPENSSL_REVOCATION_H
#define COUNTERSIGN_COPENSSL_REVOCATION_H
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

/// Appends `text` and a newline to `buffer` if it fits; returns the new length.
static inline size_t cs_append_line(char *buffer, size_t capacity, size_t used, const char *text, size_t length) {
    if (used + length + 2 > capacity) return used;
    memcpy(buffer + used, text, length);
    buffer[used + length] = '\n';
    buffer[used + length + 1] = 0;
    return used + length + 1;
}

/// The OCSP responder URLs of a certificate's Authority Information Access, one per line.
static inline size_t cs_ocsp_urls(X509 *certificate, char *buffer, size_t capacity) {
    size_t used = 0;
    if (capacity > 0) buffer[0] = 0;
    STACK_OF(OPENSSL_STRING) *urls = X509_get1_ocsp(certificate);
    if (urls == NULL) return 0;
    for (int index = 0; index < sk_OPENSSL_STRING_num(urls); index++) {
        const char *url = sk_OPENSSL_STRING_value(urls, index);
        used = cs_append_line(buffer, capacity, used, url, strlen(url));
    }
    X509_email_free(urls);
    return used;
}

/// The URI full names of a certificate's CRL distribution points, one per line. Distribution
/// points limited to some reasons or naming another CRL issuer are left out (we do not
/// combine partitioned or indirect CRLs).
static inline size_t cs_crl_urls(X509 *certificate, char *buffer, size_t capacity) {
    size_t used = 0;
    if (capacity > 0) buffer[0] = 0;
    STACK_OF(DIST_POINT) *points = X509_get_ext_d2i(certificate, NID_crl_distribution_points, NULL, NULL);
    if (points == NULL) return 0;
    for (int index = 0; index < sk_DIST_POINT_num(points); index++) {
        DIST_POINT *point = sk_DIST_POINT_value(points, index);
        if (point->reasons != NULL || point->CRLissuer != NULL || point->distpoint == NULL || point->distpoint->type != 0)
            continue;
        GENERAL_NAMES *names = point->distpoint->name.fullname;
        for (int item = 0; item < sk_GENERAL_NAME_num(names); item++) {
            GENERAL_NAME *name = sk_GENERAL_NAME_value(names, item);
            if (name->type != GEN_URI) continue;
            ASN1_IA5STRING *uri = name->d.uniformResourceIdentifier;
            used = cs_append_line(buffer, capacity, used, (const char *)ASN1_STRING_get0_data(uri),
                                  (size_t)ASN1_STRING_length(uri));
        }
    }
    CRL_DIST_POINTS_free(points);
    return used;
}

/// A CRL's issuing distribution point: returns 0 when absent, 1 when present (filling the flags),
/// -1 when it cannot be decoded.
static inline int cs_crl_scope(X509_CRL *crl, int *onlyUser, int *onlyCA, int *onlyAttributes, int *someReasons,
                               int *indirect) {
    int critical = 0;
    ISSUING_DIST_POINT *point = X509_CRL_get_ext_d2i(crl, NID_issuing_distribution_point, &critical, NULL);
    if (point == NULL) return critical == -1 ? 0 : -1;
    *onlyUser = point->onlyuser > 0;
    *onlyCA = point->onlyCA > 0;
    *onlyAttributes = point->onlyattr > 0;
    *someReasons = point->onlysomereasons != NULL;
    *indirect = point->indirectCRL > 0;
    ISSUING_DIST_POINT_free(point);
    return 1;
}

/// Whether a CRL is a delta CRL (it then lists only changes and cannot stand alone).
static inline int cs_crl_is_delta(X509_CRL *crl) {
    return X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0;
}

/// The reasonCode of a revoked entry (CRL_REASON_*), or -1 when absent.
static inline int cs_revoked_reason(X509_REVOKED *entry) {
    ASN1_ENUMERATED *reason = X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, NULL, NULL);
    if (reason == NULL) return -1;
    long value = ASN1_ENUMERATED_get(reason);
    ASN1_ENUMERATED_free(reason);
    return (int)value;
}

/// The digest an algorithm object names (EVP_get_digestbyobj is a macro), or NULL.
static inline const EVP_MD *cs_digest_of(const ASN1_OBJECT *algorithm) {
    return EVP_get_digestbyname(OBJ_nid2sn(OBJ_obj2nid(algorithm)));
}

/// Whether a certificate carries id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1).
static inline int cs_has_ocsp_nocheck(X509 *certificate) {
    return X509_get_ext_by_NID(certificate, NID_id_pkix_OCSP_noCheck, -1) >= 0;
}

/// A certificate's extended key usage: its purposes' dotted OIDs, space-separated, in `buffer`
/// (`size` bytes); returns -1 without the extension, 1 when it is critical, 0 when not.
static inline int cs_extended_key_usage(X509 *certificate, char *buffer, int size) {
    int critical = -1;
    EXTENDED_KEY_USAGE *usage = X509_get_ext_d2i(certificate, NID_ext_key_usage, &critical, NULL);
    if (size > 0) buffer[0] = 0;
    if (usage == NULL) { ERR_clear_error(); return -1; }
    int used = 0;
    for (int i = 0; i < sk_ASN1_OBJECT_num(usage); i++) {
        char oid[128];
        if (OBJ_obj2txt(oid, sizeof oid, sk_ASN1_OBJECT_value(usage, i), 1) <= 0) continue;
        int written = snprintf(buffer + used, size - used, "%s%s", used ? " " : "", oid);
        if (written < 0 || written >= size - used) break;
        used += written;
    }
    EXTENDED_KEY_USAGE_free(usage);
    return critical ? 1 : 0;
}

/// Whether a certificate's extended key usage includes id-kp-OCSPSigning.
static inline int cs_is_ocsp_signer(X509 *certificate) {
    return (X509_get_extension_flags(certificate) & EXFLAG_XKUSAGE) != 0
        && (X509_get_extended_key_usage(certificate) & XKU_OCSP_SIGN) != 0;
}
#endif
