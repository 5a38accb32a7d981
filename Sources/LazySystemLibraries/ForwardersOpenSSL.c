// Every libcrypto function Countersign calls (from Swift or from the static inline helpers in
// Sources/COpenSSL/shim.h), forwarding to libcrypto loaded on first use: `inspect` never needs it,
// and loading it cost ~1.4 ms of every start. See Forwarders.c for how to add a function.
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
#include <stdarg.h>
#include <strings.h>
#include "LazyLoader.h"

CS_LAZY(CRYPTO, void, ASN1_INTEGER_free, (ASN1_INTEGER *a), (a))
CS_LAZY(CRYPTO, long, ASN1_INTEGER_get, (const ASN1_INTEGER *a), (a))
CS_LAZY(CRYPTO, void, ASN1_STRING_free, (ASN1_STRING *a), (a))
CS_LAZY(CRYPTO, const unsigned char *, ASN1_STRING_get0_data, (const ASN1_STRING *x), (x))
CS_LAZY(CRYPTO, int, ASN1_STRING_length, (const ASN1_STRING *x), (x))
CS_LAZY(CRYPTO, int, ASN1_STRING_set, (ASN1_STRING *str, const void *data, int len), (str, data, len))
CS_LAZY(CRYPTO, int, ASN1_STRING_to_UTF8, (unsigned char **out, const ASN1_STRING *in), (out, in))
CS_LAZY(CRYPTO, int, ASN1_STRING_type, (const ASN1_STRING *x), (x))
CS_LAZY(CRYPTO, ASN1_TIME *, ASN1_TIME_set, (ASN1_TIME *s, time_t t), (s, t))
CS_LAZY(CRYPTO, int, ASN1_TIME_to_tm, (const ASN1_TIME *s, struct tm *tm), (s, tm))
CS_LAZY(CRYPTO, long, BIO_ctrl, (BIO *bp, int cmd, long larg, void *parg), (bp, cmd, larg, parg))
CS_LAZY(CRYPTO, int, BIO_free, (BIO *a), (a))
CS_LAZY(CRYPTO, BIO *, BIO_new, (const BIO_METHOD *type), (type))
CS_LAZY(CRYPTO, BIO *, BIO_new_mem_buf, (const void *buf, int len), (buf, len))
CS_LAZY(CRYPTO, const BIO_METHOD *, BIO_s_mem, (void), ())
CS_LAZY(CRYPTO, BIGNUM *, BN_bin2bn, (const unsigned char *s, int len, BIGNUM *ret), (s, len, ret))
CS_LAZY(CRYPTO, void, BN_free, (BIGNUM *a), (a))
CS_LAZY(CRYPTO, ASN1_INTEGER *, BN_to_ASN1_INTEGER, (const BIGNUM *bn, ASN1_INTEGER *ai), (bn, ai))
CS_LAZY(CRYPTO, void, CMS_ContentInfo_free, (CMS_ContentInfo *a), (a))
CS_LAZY(CRYPTO, int, CMS_SignerInfo_cert_cmp, (CMS_SignerInfo *si, X509 *cert), (si, cert))
CS_LAZY(CRYPTO, void, CMS_SignerInfo_get0_algs, (CMS_SignerInfo *si, EVP_PKEY **pk, X509 **signer, X509_ALGOR **pdig, X509_ALGOR **psig), (si, pk, signer, pdig, psig))
CS_LAZY(CRYPTO, ASN1_OCTET_STRING *, CMS_SignerInfo_get0_signature, (CMS_SignerInfo *si), (si))
CS_LAZY(CRYPTO, int, CMS_SignerInfo_get0_signer_id, (CMS_SignerInfo *si, ASN1_OCTET_STRING **keyid, X509_NAME **issuer, ASN1_INTEGER **sno), (si, keyid, issuer, sno))
CS_LAZY(CRYPTO, void, CMS_SignerInfo_set1_signer_cert, (CMS_SignerInfo *si, X509 *signer), (si, signer))
CS_LAZY(CRYPTO, int, CMS_SignerInfo_verify, (CMS_SignerInfo *si), (si))
CS_LAZY(CRYPTO, int, CMS_add1_cert, (CMS_ContentInfo *cms, X509 *cert), (cms, cert))
CS_LAZY(CRYPTO, CMS_SignerInfo *, CMS_add1_signer, (CMS_ContentInfo *cms, X509 *signer, EVP_PKEY *pk, const EVP_MD *md, unsigned int flags), (cms, signer, pk, md, flags))
CS_LAZY(CRYPTO, struct stack_st_CMS_SignerInfo *, CMS_get0_SignerInfos, (CMS_ContentInfo *cms), (cms))
CS_LAZY(CRYPTO, ASN1_OCTET_STRING **, CMS_get0_content, (CMS_ContentInfo *cms), (cms))
CS_LAZY(CRYPTO, const ASN1_OBJECT *, CMS_get0_eContentType, (CMS_ContentInfo *cms), (cms))
CS_LAZY(CRYPTO, const ASN1_OBJECT *, CMS_get0_type, (const CMS_ContentInfo *cms), (cms))
CS_LAZY(CRYPTO, struct stack_st_X509 *, CMS_get1_certs, (CMS_ContentInfo *cms), (cms))
CS_LAZY(CRYPTO, CMS_ContentInfo *, CMS_sign, (X509 *signcert, EVP_PKEY *pkey, struct stack_st_X509 *certs, BIO *data, unsigned int flags), (signcert, pkey, certs, data, flags))
CS_LAZY(CRYPTO, int, CMS_signed_add1_attr_by_NID, (CMS_SignerInfo *si, int nid, int type, const void *bytes, int len), (si, nid, type, bytes, len))
CS_LAZY(CRYPTO, X509_ATTRIBUTE *, CMS_signed_get_attr, (const CMS_SignerInfo *si, int loc), (si, loc))
CS_LAZY(CRYPTO, int, CMS_signed_get_attr_count, (const CMS_SignerInfo *si), (si))
CS_LAZY(CRYPTO, int, CMS_unsigned_add1_attr_by_NID, (CMS_SignerInfo *si, int nid, int type, const void *bytes, int len), (si, nid, type, bytes, len))
CS_LAZY(CRYPTO, X509_ATTRIBUTE *, CMS_unsigned_get_attr, (const CMS_SignerInfo *si, int loc), (si, loc))
CS_LAZY(CRYPTO, int, CMS_unsigned_get_attr_count, (const CMS_SignerInfo *si), (si))
CS_LAZY(CRYPTO, void, CRYPTO_free, (void *ptr, const char *file, int line), (ptr, file, line))
CS_LAZY(CRYPTO, void, ERR_clear_error, (void), ())
CS_LAZY(CRYPTO, void, ERR_error_string_n, (unsigned long e, char *buf, size_t len), (e, buf, len))
CS_LAZY(CRYPTO, unsigned long, ERR_get_error, (void), ())
CS_LAZY(CRYPTO, unsigned long, ERR_peek_last_error, (void), ())
CS_LAZY(CRYPTO, void, ESS_SIGNING_CERT_V2_free, (ESS_SIGNING_CERT_V2 *a), (a))
CS_LAZY(CRYPTO, int, EVP_DigestFinal_ex, (EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s), (ctx, md, s))
CS_LAZY(CRYPTO, int, EVP_DigestInit_ex, (EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl), (ctx, type, impl))
CS_LAZY(CRYPTO, int, EVP_DigestSign, (EVP_MD_CTX *ctx, unsigned char *sigret, size_t *siglen, const unsigned char *tbs, size_t tbslen), (ctx, sigret, siglen, tbs, tbslen))
CS_LAZY(CRYPTO, int, EVP_DigestSignInit, (EVP_MD_CTX *ctx, EVP_PKEY_CTX **pctx, const EVP_MD *type, ENGINE *e, EVP_PKEY *pkey), (ctx, pctx, type, e, pkey))
CS_LAZY(CRYPTO, int, EVP_DigestUpdate, (EVP_MD_CTX *ctx, const void *d, size_t cnt), (ctx, d, cnt))
CS_LAZY(CRYPTO, int, EVP_DigestVerify, (EVP_MD_CTX *ctx, const unsigned char *sigret, size_t siglen, const unsigned char *tbs, size_t tbslen), (ctx, sigret, siglen, tbs, tbslen))
CS_LAZY(CRYPTO, int, EVP_DigestVerifyInit, (EVP_MD_CTX *ctx, EVP_PKEY_CTX **pctx, const EVP_MD *type, ENGINE *e, EVP_PKEY *pkey), (ctx, pctx, type, e, pkey))
CS_LAZY(CRYPTO, int, EVP_MD_CTX_copy_ex, (EVP_MD_CTX *out, const EVP_MD_CTX *in), (out, in))
CS_LAZY(CRYPTO, void, EVP_MD_CTX_free, (EVP_MD_CTX *ctx), (ctx))
CS_LAZY(CRYPTO, EVP_MD_CTX *, EVP_MD_CTX_new, (void), ())
CS_LAZY(CRYPTO, EVP_MD *, EVP_MD_fetch, (OSSL_LIB_CTX *ctx, const char *algorithm, const char *properties), (ctx, algorithm, properties))
CS_LAZY(CRYPTO, void, EVP_MD_free, (EVP_MD *md), (md))
CS_LAZY(CRYPTO, int, EVP_PKEY_CTX_get_params, (EVP_PKEY_CTX *ctx, OSSL_PARAM *params), (ctx, params))
CS_LAZY(CRYPTO, int, EVP_PKEY_CTX_set_rsa_mgf1_md, (EVP_PKEY_CTX *ctx, const EVP_MD *md), (ctx, md))
CS_LAZY(CRYPTO, int, EVP_PKEY_CTX_set_rsa_padding, (EVP_PKEY_CTX *ctx, int pad_mode), (ctx, pad_mode))
CS_LAZY(CRYPTO, int, EVP_PKEY_CTX_set_rsa_pss_saltlen, (EVP_PKEY_CTX *ctx, int saltlen), (ctx, saltlen))
CS_LAZY(CRYPTO, int, EVP_PKEY_eq, (const EVP_PKEY *a, const EVP_PKEY *b), (a, b))
CS_LAZY(CRYPTO, void, EVP_PKEY_free, (EVP_PKEY *pkey), (pkey))
CS_LAZY(CRYPTO, const char *, EVP_PKEY_get0_type_name, (const EVP_PKEY *key), (key))
CS_LAZY(CRYPTO, int, EVP_PKEY_get_base_id, (const EVP_PKEY *pkey), (pkey))
CS_LAZY(CRYPTO, int, EVP_PKEY_get_bits, (const EVP_PKEY *pkey), (pkey))
CS_LAZY(CRYPTO, int, EVP_PKEY_get_group_name, (const EVP_PKEY *pkey, char *name, size_t name_sz, size_t *gname_len), (pkey, name, name_sz, gname_len))
CS_LAZY(CRYPTO, int, EVP_PKEY_get_size, (const EVP_PKEY *pkey), (pkey))
CS_LAZY(CRYPTO, int, EVP_PKEY_is_a, (const EVP_PKEY *pkey, const char *name), (pkey, name))
CS_LAZY(CRYPTO, const EVP_CIPHER *, EVP_aes_256_cbc, (void), ())
CS_LAZY(CRYPTO, const EVP_MD *, EVP_sha256, (void), ())
CS_LAZY(CRYPTO, const EVP_MD *, EVP_sha384, (void), ())
CS_LAZY(CRYPTO, const EVP_MD *, EVP_sha512, (void), ())
CS_LAZY(CRYPTO, const char *, OBJ_nid2ln, (int n), (n))
CS_LAZY(CRYPTO, ASN1_OBJECT *, OBJ_nid2obj, (int n), (n))
CS_LAZY(CRYPTO, int, OBJ_obj2nid, (const ASN1_OBJECT *o), (o))
CS_LAZY(CRYPTO, int, OBJ_obj2txt, (char *buf, int buf_len, const ASN1_OBJECT *a, int no_name), (buf, buf_len, a, no_name))
CS_LAZY(CRYPTO, OPENSSL_STACK *, OPENSSL_sk_new_null, (void), ())
CS_LAZY(CRYPTO, int, OPENSSL_sk_num, (const OPENSSL_STACK *a0), (a0))
CS_LAZY(CRYPTO, void, OPENSSL_sk_pop_free, (OPENSSL_STACK *st, void (*func)(void *)), (st, func))
CS_LAZY(CRYPTO, int, OPENSSL_sk_push, (OPENSSL_STACK *st, const void *data), (st, data))
CS_LAZY(CRYPTO, void *, OPENSSL_sk_value, (const OPENSSL_STACK *a0, int a1), (a0, a1))
CS_LAZY(CRYPTO, ESS_SIGNING_CERT_V2 *, OSSL_ESS_signing_cert_v2_new_init, (const EVP_MD *hash_alg, const X509 *signcert, const struct stack_st_X509 *certs, int set_issuer_serial), (hash_alg, signcert, certs, set_issuer_serial))
CS_LAZY(CRYPTO, OSSL_PARAM, OSSL_PARAM_construct_end, (void), ())
CS_LAZY(CRYPTO, OSSL_PARAM, OSSL_PARAM_construct_octet_string, (const char *key, void *buf, size_t bsize), (key, buf, bsize))
CS_LAZY(CRYPTO, OSSL_PROVIDER *, OSSL_PROVIDER_load, (OSSL_LIB_CTX *a0, const char *name), (a0, name))
CS_LAZY(CRYPTO, EVP_PKEY *, PEM_read_bio_PrivateKey, (BIO *out, EVP_PKEY **x, pem_password_cb *cb, void *u), (out, x, cb, u))
CS_LAZY(CRYPTO, X509 *, PEM_read_bio_X509, (BIO *out, X509 **x, pem_password_cb *cb, void *u), (out, x, cb, u))
CS_LAZY(CRYPTO, int, PEM_write_bio_PKCS8PrivateKey, (BIO *a0, const EVP_PKEY *a1, const EVP_CIPHER *a2, const char *kstr, int klen, pem_password_cb *cb, void *u), (a0, a1, a2, kstr, klen, cb, u))
CS_LAZY(CRYPTO, PKCS12 *, PKCS12_create, (const char *pass, const char *name, EVP_PKEY *pkey, X509 *cert, struct stack_st_X509 *ca, int nid_key, int nid_cert, int iter, int mac_iter, int keytype), (pass, name, pkey, cert, ca, nid_key, nid_cert, iter, mac_iter, keytype))
CS_LAZY(CRYPTO, void, PKCS12_free, (PKCS12 *a), (a))
CS_LAZY(CRYPTO, int, PKCS12_mac_present, (const PKCS12 *p12), (p12))
CS_LAZY(CRYPTO, int, PKCS12_parse, (PKCS12 *p12, const char *pass, EVP_PKEY **pkey, X509 **cert, struct stack_st_X509 **ca), (p12, pass, pkey, cert, ca))
CS_LAZY(CRYPTO, int, PKCS12_verify_mac, (PKCS12 *p12, const char *pass, int passlen), (p12, pass, passlen))
CS_LAZY(CRYPTO, int, RAND_bytes, (unsigned char *buf, int num), (buf, num))
CS_LAZY(CRYPTO, void, TS_MSG_IMPRINT_free, (TS_MSG_IMPRINT *a), (a))
CS_LAZY(CRYPTO, X509_ALGOR *, TS_MSG_IMPRINT_get_algo, (TS_MSG_IMPRINT *a), (a))
CS_LAZY(CRYPTO, ASN1_OCTET_STRING *, TS_MSG_IMPRINT_get_msg, (TS_MSG_IMPRINT *a), (a))
CS_LAZY(CRYPTO, TS_MSG_IMPRINT *, TS_MSG_IMPRINT_new, (void), ())
CS_LAZY(CRYPTO, int, TS_MSG_IMPRINT_set_algo, (TS_MSG_IMPRINT *a, X509_ALGOR *alg), (a, alg))
CS_LAZY(CRYPTO, int, TS_MSG_IMPRINT_set_msg, (TS_MSG_IMPRINT *a, unsigned char *d, int len), (a, d, len))
CS_LAZY(CRYPTO, void, TS_REQ_free, (TS_REQ *a), (a))
CS_LAZY(CRYPTO, TS_REQ *, TS_REQ_new, (void), ())
CS_LAZY(CRYPTO, int, TS_REQ_set_cert_req, (TS_REQ *a, int cert_req), (a, cert_req))
CS_LAZY(CRYPTO, int, TS_REQ_set_msg_imprint, (TS_REQ *a, TS_MSG_IMPRINT *msg_imprint), (a, msg_imprint))
CS_LAZY(CRYPTO, int, TS_REQ_set_nonce, (TS_REQ *a, const ASN1_INTEGER *nonce), (a, nonce))
CS_LAZY(CRYPTO, int, TS_REQ_set_version, (TS_REQ *a, long version), (a, version))
CS_LAZY(CRYPTO, TS_VERIFY_CTX *, TS_REQ_to_TS_VERIFY_CTX, (TS_REQ *req, TS_VERIFY_CTX *ctx), (req, ctx))
CS_LAZY(CRYPTO, void, TS_RESP_free, (TS_RESP *a), (a))
CS_LAZY(CRYPTO, TS_STATUS_INFO *, TS_RESP_get_status_info, (TS_RESP *a), (a))
CS_LAZY(CRYPTO, int, TS_RESP_verify_response, (TS_VERIFY_CTX *ctx, TS_RESP *response), (ctx, response))
CS_LAZY(CRYPTO, const ASN1_INTEGER *, TS_STATUS_INFO_get0_status, (const TS_STATUS_INFO *a), (a))
CS_LAZY(CRYPTO, const struct stack_st_ASN1_UTF8STRING *, TS_STATUS_INFO_get0_text, (const TS_STATUS_INFO *a), (a))
CS_LAZY(CRYPTO, void, TS_TST_INFO_free, (TS_TST_INFO *a), (a))
CS_LAZY(CRYPTO, TS_MSG_IMPRINT *, TS_TST_INFO_get_msg_imprint, (TS_TST_INFO *a), (a))
CS_LAZY(CRYPTO, const ASN1_INTEGER *, TS_TST_INFO_get_nonce, (const TS_TST_INFO *a), (a))
CS_LAZY(CRYPTO, ASN1_OBJECT *, TS_TST_INFO_get_policy_id, (TS_TST_INFO *a), (a))
CS_LAZY(CRYPTO, const ASN1_INTEGER *, TS_TST_INFO_get_serial, (const TS_TST_INFO *a), (a))
CS_LAZY(CRYPTO, const ASN1_GENERALIZEDTIME *, TS_TST_INFO_get_time, (const TS_TST_INFO *a), (a))
CS_LAZY(CRYPTO, int, TS_VERIFY_CTX_add_flags, (TS_VERIFY_CTX *ctx, int f), (ctx, f))
CS_LAZY(CRYPTO, void, TS_VERIFY_CTX_free, (TS_VERIFY_CTX *ctx), (ctx))
CS_LAZY(CRYPTO, X509_STORE *, TS_VERIFY_CTX_set_store, (TS_VERIFY_CTX *ctx, X509_STORE *s), (ctx, s))
CS_LAZY(CRYPTO, X509_EXTENSION *, X509V3_EXT_conf_nid, (struct lhash_st_CONF_VALUE *conf, X509V3_CTX *ctx, int ext_nid, const char *value), (conf, ctx, ext_nid, value))
CS_LAZY(CRYPTO, void, X509V3_set_ctx, (X509V3_CTX *ctx, X509 *issuer, X509 *subject, X509_REQ *req, X509_CRL *crl, int flags), (ctx, issuer, subject, req, crl, flags))
CS_LAZY(CRYPTO, int, X509_ALGOR_copy, (X509_ALGOR *dest, const X509_ALGOR *src), (dest, src))
CS_LAZY(CRYPTO, void, X509_ALGOR_free, (X509_ALGOR *a), (a))
CS_LAZY(CRYPTO, void, X509_ALGOR_get0, (const ASN1_OBJECT **paobj, int *pptype, const void **ppval, const X509_ALGOR *algor), (paobj, pptype, ppval, algor))
CS_LAZY(CRYPTO, X509_ALGOR *, X509_ALGOR_new, (void), ())
CS_LAZY(CRYPTO, void, X509_ALGOR_set_md, (X509_ALGOR *alg, const EVP_MD *md), (alg, md))
CS_LAZY(CRYPTO, void, X509_EXTENSION_free, (X509_EXTENSION *a), (a))
CS_LAZY(CRYPTO, ASN1_STRING *, X509_NAME_ENTRY_get_data, (const X509_NAME_ENTRY *ne), (ne))
CS_LAZY(CRYPTO, int, X509_NAME_add_entry_by_txt, (X509_NAME *name, const char *field, int type, const unsigned char *bytes, int len, int loc, int set), (name, field, type, bytes, len, loc, set))
CS_LAZY(CRYPTO, int, X509_NAME_cmp, (const X509_NAME *a, const X509_NAME *b), (a, b))
CS_LAZY(CRYPTO, void, X509_NAME_free, (X509_NAME *a), (a))
CS_LAZY(CRYPTO, X509_NAME_ENTRY *, X509_NAME_get_entry, (const X509_NAME *name, int loc), (name, loc))
CS_LAZY(CRYPTO, int, X509_NAME_get_index_by_NID, (const X509_NAME *name, int nid, int lastpos), (name, nid, lastpos))
CS_LAZY(CRYPTO, X509_NAME *, X509_NAME_new, (void), ())
CS_LAZY(CRYPTO, int, X509_NAME_print_ex, (BIO *out, const X509_NAME *nm, int indent, unsigned long flags), (out, nm, indent, flags))
CS_LAZY(CRYPTO, void, X509_STORE_CTX_free, (X509_STORE_CTX *ctx), (ctx))
CS_LAZY(CRYPTO, X509_VERIFY_PARAM *, X509_STORE_CTX_get0_param, (const X509_STORE_CTX *ctx), (ctx))
CS_LAZY(CRYPTO, struct stack_st_X509 *, X509_STORE_CTX_get1_chain, (const X509_STORE_CTX *ctx), (ctx))
CS_LAZY(CRYPTO, X509 *, X509_STORE_CTX_get_current_cert, (const X509_STORE_CTX *ctx), (ctx))
CS_LAZY(CRYPTO, int, X509_STORE_CTX_get_error, (const X509_STORE_CTX *ctx), (ctx))
CS_LAZY(CRYPTO, int, X509_STORE_CTX_get_error_depth, (const X509_STORE_CTX *ctx), (ctx))
CS_LAZY(CRYPTO, int, X509_STORE_CTX_init, (X509_STORE_CTX *ctx, X509_STORE *trust_store, X509 *target, struct stack_st_X509 *untrusted), (ctx, trust_store, target, untrusted))
CS_LAZY(CRYPTO, X509_STORE_CTX *, X509_STORE_CTX_new, (void), ())
CS_LAZY(CRYPTO, int, X509_STORE_CTX_set_purpose, (X509_STORE_CTX *ctx, int purpose), (ctx, purpose))
CS_LAZY(CRYPTO, int, X509_STORE_add_cert, (X509_STORE *ctx, X509 *x), (ctx, x))
CS_LAZY(CRYPTO, void, X509_STORE_free, (X509_STORE *v), (v))
CS_LAZY(CRYPTO, X509_STORE *, X509_STORE_new, (void), ())
CS_LAZY(CRYPTO, int, X509_VERIFY_PARAM_set_flags, (X509_VERIFY_PARAM *param, unsigned long flags), (param, flags))
CS_LAZY(CRYPTO, void, X509_VERIFY_PARAM_set_time, (X509_VERIFY_PARAM *param, time_t t), (param, t))
CS_LAZY(CRYPTO, int, X509_add_ext, (X509 *x, X509_EXTENSION *ex, int loc), (x, ex, loc))
CS_LAZY(CRYPTO, int, X509_check_purpose, (X509 *x, int id, int ca), (x, id, ca))
CS_LAZY(CRYPTO, int, X509_digest, (const X509 *data, const EVP_MD *type, unsigned char *md, unsigned int *len), (data, type, md, len))
CS_LAZY(CRYPTO, void, X509_free, (X509 *a), (a))
CS_LAZY(CRYPTO, const ASN1_TIME *, X509_get0_notAfter, (const X509 *x), (x))
CS_LAZY(CRYPTO, const ASN1_TIME *, X509_get0_notBefore, (const X509 *x), (x))
CS_LAZY(CRYPTO, EVP_PKEY *, X509_get0_pubkey, (const X509 *x), (x))
CS_LAZY(CRYPTO, const ASN1_INTEGER *, X509_get0_serialNumber, (const X509 *x), (x))
CS_LAZY(CRYPTO, uint32_t, X509_get_extension_flags, (X509 *x), (x))
CS_LAZY(CRYPTO, X509_NAME *, X509_get_issuer_name, (const X509 *a), (a))
CS_LAZY(CRYPTO, uint32_t, X509_get_key_usage, (X509 *x), (x))
CS_LAZY(CRYPTO, ASN1_INTEGER *, X509_get_serialNumber, (X509 *x), (x))
CS_LAZY(CRYPTO, X509_NAME *, X509_get_subject_name, (const X509 *a), (a))
CS_LAZY(CRYPTO, X509 *, X509_new, (void), ())
CS_LAZY(CRYPTO, int, X509_set1_notAfter, (X509 *x, const ASN1_TIME *tm), (x, tm))
CS_LAZY(CRYPTO, int, X509_set1_notBefore, (X509 *x, const ASN1_TIME *tm), (x, tm))
CS_LAZY(CRYPTO, int, X509_set_issuer_name, (X509 *x, const X509_NAME *name), (x, name))
CS_LAZY(CRYPTO, int, X509_set_pubkey, (X509 *x, EVP_PKEY *pkey), (x, pkey))
CS_LAZY(CRYPTO, int, X509_set_subject_name, (X509 *x, const X509_NAME *name), (x, name))
CS_LAZY(CRYPTO, int, X509_set_version, (X509 *x, long version), (x, version))
CS_LAZY(CRYPTO, int, X509_sign, (X509 *x, EVP_PKEY *pkey, const EVP_MD *md), (x, pkey, md))
CS_LAZY(CRYPTO, int, X509_up_ref, (X509 *x), (x))
CS_LAZY(CRYPTO, int, X509_verify_cert, (X509_STORE_CTX *ctx), (ctx))
CS_LAZY(CRYPTO, const char *, X509_verify_cert_error_string, (long n), (n))
CS_LAZY(CRYPTO, ASN1_TIME *, d2i_ASN1_TIME, (ASN1_TIME **a, const unsigned char **in, long len), (a, in, len))
CS_LAZY(CRYPTO, CMS_ContentInfo *, d2i_CMS_ContentInfo, (CMS_ContentInfo **a, const unsigned char **in, long len), (a, in, len))
CS_LAZY(CRYPTO, PKCS12 *, d2i_PKCS12, (PKCS12 **a, const unsigned char **in, long len), (a, in, len))
CS_LAZY(CRYPTO, TS_RESP *, d2i_TS_RESP, (TS_RESP **a, const unsigned char **in, long len), (a, in, len))
CS_LAZY(CRYPTO, TS_TST_INFO *, d2i_TS_TST_INFO, (TS_TST_INFO **a, const unsigned char **in, long len), (a, in, len))
CS_LAZY(CRYPTO, X509 *, d2i_X509, (X509 **a, const unsigned char **in, long len), (a, in, len))
CS_LAZY(CRYPTO, X509_ALGOR *, d2i_X509_ALGOR, (X509_ALGOR **a, const unsigned char **in, long len), (a, in, len))
CS_LAZY(CRYPTO, int, i2d_ASN1_INTEGER, (const ASN1_INTEGER *a, unsigned char **out), (a, out))
CS_LAZY(CRYPTO, int, i2d_CMS_ContentInfo, (const CMS_ContentInfo *a, unsigned char **out), (a, out))
CS_LAZY(CRYPTO, int, i2d_ESS_SIGNING_CERT_V2, (const ESS_SIGNING_CERT_V2 *a, unsigned char **out), (a, out))
CS_LAZY(CRYPTO, int, i2d_PKCS12, (const PKCS12 *a, unsigned char **out), (a, out))
CS_LAZY(CRYPTO, int, i2d_TS_REQ, (const TS_REQ *a, unsigned char **out), (a, out))
CS_LAZY(CRYPTO, int, i2d_X509, (const X509 *a, unsigned char **out), (a, out))
CS_LAZY(CRYPTO, int, i2d_X509_ALGOR, (const X509_ALGOR *a, unsigned char **out), (a, out))
CS_LAZY(CRYPTO, int, i2d_X509_ATTRIBUTE, (const X509_ATTRIBUTE *a, unsigned char **out), (a, out))
CS_LAZY(CRYPTO, int, i2d_X509_NAME, (const X509_NAME *a, unsigned char **out), (a, out))

// Variadic, so forwarded by hand (EVP_RSA_gen and EVP_EC_gen are macros over it). OpenSSL
// documents one extra argument for "RSA" (size_t bits) and for "EC" (the curve's name) and none
// for X25519, X448, ED25519, ED448 and SM2; those are the shapes passed on.
__attribute__((visibility("hidden"))) EVP_PKEY *EVP_PKEY_Q_keygen(OSSL_LIB_CTX *libctx, const char *propq,
                                                                  const char *type, ...) {
    __typeof__(&EVP_PKEY_Q_keygen) keygen = CS_LAZY_POINTER(CRYPTO, EVP_PKEY_Q_keygen);
    va_list arguments;
    va_start(arguments, type);
    EVP_PKEY *key;
    if (strcasecmp(type, "RSA") == 0) {
        size_t bits = va_arg(arguments, size_t);
        key = keygen(libctx, propq, type, bits);
    } else if (strcasecmp(type, "EC") == 0) {
        char *curve = va_arg(arguments, char *);
        key = keygen(libctx, propq, type, curve);
    } else {
        key = keygen(libctx, propq, type);
    }
    va_end(arguments);
    return key;
}
