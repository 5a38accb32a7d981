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
#endif
