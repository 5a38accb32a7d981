#ifndef COUNTERSIGN_COPENSSL_SHIM_H
#define COUNTERSIGN_COPENSSL_SHIM_H
#include <openssl/opensslv.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/cms.h>
#include <openssl/ts.h>
#include <openssl/rand.h>
#include <openssl/bio.h>
#include <openssl/ess.h>
#include <openssl/rsa.h>
#include <openssl/ec.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include "revocation.h"

/// OPENSSL_free is a macro over CRYPTO_free(ptr, __FILE__, __LINE__).
static inline void cs_OPENSSL_free(void *pointer) { OPENSSL_free(pointer); }
/// The stack macros are type-generic; these are the X509 ones Swift needs.
static inline STACK_OF(X509) *cs_sk_X509_new_null(void) { return sk_X509_new_null(); }
static inline int cs_sk_X509_push(STACK_OF(X509) *stack, X509 *cert) { return sk_X509_push(stack, cert); }
static inline int cs_sk_X509_num(const STACK_OF(X509) *stack) { return sk_X509_num(stack); }
static inline X509 *cs_sk_X509_value(const STACK_OF(X509) *stack, int index) { return sk_X509_value(stack, index); }
static inline void cs_sk_X509_pop_free(STACK_OF(X509) *stack) { sk_X509_pop_free(stack, X509_free); }
static inline void cs_sk_X509_free(STACK_OF(X509) *stack) { sk_X509_free(stack); }
/// BIO_get_mem_data is a macro over BIO_ctrl.
static inline long cs_BIO_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }

/// EVP_RSA_gen and EVP_EC_gen are macros over the variadic EVP_PKEY_Q_keygen.
static inline EVP_PKEY *cs_EVP_RSA_gen(unsigned int bits) { return EVP_RSA_gen(bits); }
static inline EVP_PKEY *cs_EVP_EC_gen(const char *curve) { return EVP_EC_gen(curve); }

/// Distinguished names as RFC 2253/4514 text, keeping UTF-8 as is instead of escaping it.
static inline unsigned long cs_name_print_flags(void) {
    return (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT;
}

/// Adds one X509v3 extension given in OpenSSL's config syntax (e.g. "critical,CA:TRUE").
/// The X509V3_CTX lives on the C stack so Swift never lays the struct out.
static inline int cs_add_extension(X509 *issuer, X509 *subject, int nid, const char *value) {
    X509V3_CTX context;
    X509V3_set_ctx(&context, issuer, subject, NULL, NULL, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(NULL, &context, nid, value);
    if (extension == NULL) return 0;
    int ok = X509_add_ext(subject, extension, -1);
    X509_EXTENSION_free(extension);
    return ok;
}

/// The DER AlgorithmIdentifier a signing context will use (e.g. RSASSA-PSS with its parameters).
static inline int cs_signature_algorithm_id(EVP_PKEY_CTX *context, unsigned char *buffer,
                                            size_t capacity, size_t *length) {
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, buffer, capacity);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_PKEY_CTX_get_params(context, params) <= 0) return 0;
    *length = params[0].return_size;
    return *length > 0 && *length <= capacity;
}

/// Stack accessors for the other element types Swift needs.
static inline int cs_sk_CMS_SignerInfo_num(STACK_OF(CMS_SignerInfo) *stack) { return sk_CMS_SignerInfo_num(stack); }
static inline CMS_SignerInfo *cs_sk_CMS_SignerInfo_value(STACK_OF(CMS_SignerInfo) *stack, int index) {
    return sk_CMS_SignerInfo_value(stack, index);
}
static inline int cs_sk_ASN1_UTF8STRING_num(STACK_OF(ASN1_UTF8STRING) *stack) { return sk_ASN1_UTF8STRING_num(stack); }
static inline ASN1_UTF8STRING *cs_sk_ASN1_UTF8STRING_value(STACK_OF(ASN1_UTF8STRING) *stack, int index) {
    return sk_ASN1_UTF8STRING_value(stack, index);
}
#endif
