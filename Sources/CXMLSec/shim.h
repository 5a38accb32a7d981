#ifndef COUNTERSIGN_CXMLSEC_SHIM_H
#define COUNTERSIGN_CXMLSEC_SHIM_H
// libxmlsec1 with its OpenSSL engine (pkg-config xmlsec1-openssl: XMLSEC_CRYPTO_OPENSSL and
// XMLSEC_NO_CRYPTO_DYNAMIC_LOADING, so the engine is linked, never dlopened by xmlsec itself).
// Every function called here or from Swift has a forwarder in
// Sources/LazySystemLibraries/ForwardersXMLSec.c: xmlsec loads only when a trusted list is read.
#include "configuration.h"
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/transforms.h>
#include <xmlsec/keys.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>

/// The transforms a trusted list's signature may use (ETSI TS 119 612 §5.7.1 with XAdES
/// baseline): the enveloped-signature transform and the XML canonicalizations in references,
/// SHA-2 digests, RSA and ECDSA with SHA-2. Anything else (XPath, XSLT, Base64, SHA-1, HMAC)
/// makes xmlsec refuse the signature.
static inline int cs_xmlsec_restrict_transforms(xmlSecDSigCtxPtr context) {
    xmlSecTransformId references[] = {
        xmlSecTransformEnvelopedId, xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId,
        xmlSecTransformInclC14NId, xmlSecTransformInclC14NWithCommentsId, xmlSecTransformInclC14N11Id,
        xmlSecOpenSSLTransformSha256Id, xmlSecOpenSSLTransformSha384Id, xmlSecOpenSSLTransformSha512Id,
    };
    xmlSecTransformId signature[] = {
        xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId, xmlSecTransformInclC14NId,
        xmlSecTransformInclC14NWithCommentsId, xmlSecTransformInclC14N11Id,
        xmlSecOpenSSLTransformRsaSha256Id, xmlSecOpenSSLTransformRsaSha384Id, xmlSecOpenSSLTransformRsaSha512Id,
        xmlSecOpenSSLTransformEcdsaSha256Id, xmlSecOpenSSLTransformEcdsaSha384Id, xmlSecOpenSSLTransformEcdsaSha512Id,
    };
    for (size_t index = 0; index < sizeof references / sizeof references[0]; index++) {
        if (xmlSecDSigCtxEnableReferenceTransform(context, references[index]) < 0) return -1;
    }
    for (size_t index = 0; index < sizeof signature / sizeof signature[0]; index++) {
        if (xmlSecDSigCtxEnableSignatureTransform(context, signature[index]) < 0) return -1;
    }
    // Same-document references only (URI="" or "#id"): never a file or a network fetch.
    context->enabledReferenceUris = xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument;
    return 0;
}

/// The DER certificate format for xmlSecOpenSSLAppKeyLoadMemory (an enum constant Swift imports
/// under the typedef's name).
static inline xmlSecKeyDataFormat cs_xmlsec_format_certificate_der(void) { return xmlSecKeyDataFormatCertDer; }
#endif
