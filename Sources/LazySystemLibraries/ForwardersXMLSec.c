// Every libxmlsec1 function Countersign calls (from Swift or from Sources/CXMLSec/shim.h),
// forwarding to libxmlsec1 and its OpenSSL engine loaded on first use: only reading a trusted
// list (ETSI TS 119 612) needs them. See Forwarders.c for how to add a function.
#include "../CXMLSec/configuration.h"
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/transforms.h>
#include <xmlsec/keys.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>
#include "LazyLoader.h"

CS_LAZY(XMLSEC, void, xmlSecAddIDs, (xmlDocPtr doc, xmlNodePtr cur, const xmlChar **ids), (doc, cur, ids))
CS_LAZY(XMLSEC, int, xmlSecCheckVersionExt, (int major, int minor, int subminor, xmlSecCheckVersionMode mode), (major, minor, subminor, mode))
CS_LAZY(XMLSEC, xmlSecDSigCtxPtr, xmlSecDSigCtxCreate, (xmlSecKeysMngrPtr keysMngr), (keysMngr))
CS_LAZY(XMLSEC, void, xmlSecDSigCtxDestroy, (xmlSecDSigCtxPtr dsigCtx), (dsigCtx))
CS_LAZY(XMLSEC, int, xmlSecDSigCtxEnableReferenceTransform, (xmlSecDSigCtxPtr dsigCtx, xmlSecTransformId transformId), (dsigCtx, transformId))
CS_LAZY(XMLSEC, int, xmlSecDSigCtxEnableSignatureTransform, (xmlSecDSigCtxPtr dsigCtx, xmlSecTransformId transformId), (dsigCtx, transformId))
CS_LAZY(XMLSEC, int, xmlSecDSigCtxVerify, (xmlSecDSigCtxPtr dsigCtx, xmlNodePtr node), (dsigCtx, node))
CS_LAZY(XMLSEC, void, xmlSecErrorsSetCallback, (xmlSecErrorsCallback callback), (callback))
CS_LAZY(XMLSEC, int, xmlSecInit, (void), ())
CS_LAZY(XMLSEC, void, xmlSecKeyDestroy, (xmlSecKeyPtr key), (key))
CS_LAZY(XMLSEC_OPENSSL, int, xmlSecOpenSSLAppInit, (const char *config), (config))
CS_LAZY(XMLSEC_OPENSSL, xmlSecKeyPtr, xmlSecOpenSSLAppKeyLoadMemory, (const unsigned char *data, unsigned int dataSize, xmlSecKeyDataFormat format, const char *pwd, void *pwdCallback, void *pwdCallbackCtx), (data, dataSize, format, pwd, pwdCallback, pwdCallbackCtx))
CS_LAZY(XMLSEC_OPENSSL, int, xmlSecOpenSSLInit, (void), ())
CS_LAZY(XMLSEC_OPENSSL, xmlSecTransformId, xmlSecOpenSSLTransformEcdsaSha256GetKlass, (void), ())
CS_LAZY(XMLSEC_OPENSSL, xmlSecTransformId, xmlSecOpenSSLTransformEcdsaSha384GetKlass, (void), ())
CS_LAZY(XMLSEC_OPENSSL, xmlSecTransformId, xmlSecOpenSSLTransformEcdsaSha512GetKlass, (void), ())
CS_LAZY(XMLSEC_OPENSSL, xmlSecTransformId, xmlSecOpenSSLTransformRsaSha256GetKlass, (void), ())
CS_LAZY(XMLSEC_OPENSSL, xmlSecTransformId, xmlSecOpenSSLTransformRsaSha384GetKlass, (void), ())
CS_LAZY(XMLSEC_OPENSSL, xmlSecTransformId, xmlSecOpenSSLTransformRsaSha512GetKlass, (void), ())
CS_LAZY(XMLSEC_OPENSSL, xmlSecTransformId, xmlSecOpenSSLTransformSha256GetKlass, (void), ())
CS_LAZY(XMLSEC_OPENSSL, xmlSecTransformId, xmlSecOpenSSLTransformSha384GetKlass, (void), ())
CS_LAZY(XMLSEC_OPENSSL, xmlSecTransformId, xmlSecOpenSSLTransformSha512GetKlass, (void), ())
CS_LAZY(XMLSEC, xmlSecPtr, xmlSecPtrListGetItem, (xmlSecPtrListPtr list, unsigned int pos), (list, pos))
CS_LAZY(XMLSEC, unsigned int, xmlSecPtrListGetSize, (xmlSecPtrListPtr list), (list))
CS_LAZY(XMLSEC, xmlSecTransformId, xmlSecTransformEnvelopedGetKlass, (void), ())
CS_LAZY(XMLSEC, xmlSecTransformId, xmlSecTransformExclC14NGetKlass, (void), ())
CS_LAZY(XMLSEC, xmlSecTransformId, xmlSecTransformExclC14NWithCommentsGetKlass, (void), ())
CS_LAZY(XMLSEC, xmlSecTransformId, xmlSecTransformInclC14N11GetKlass, (void), ())
CS_LAZY(XMLSEC, xmlSecTransformId, xmlSecTransformInclC14NGetKlass, (void), ())
CS_LAZY(XMLSEC, xmlSecTransformId, xmlSecTransformInclC14NWithCommentsGetKlass, (void), ())
