#ifndef COUNTERSIGN_CXMLSEC_CONFIGURATION_H
#define COUNTERSIGN_CXMLSEC_CONFIGURATION_H
// The configuration libxmlsec1 was built with (pkg-config --cflags xmlsec1-openssl), included
// before xmlsec's headers by Sources/CXMLSec/shim.h and Sources/LazySystemLibraries/ForwardersXMLSec.c.
// SwiftPM drops pkg-config's -D flags, so they are repeated here, once: without XMLSEC_NO_SIZE_T,
// xmlSecSize and the structures holding it would not match the library's.
#include "../CLibXML2/configuration.h"
#ifndef XMLSEC_NO_SIZE_T
#define XMLSEC_NO_SIZE_T 1
#endif
#ifndef XMLSEC_CRYPTO_OPENSSL
#define XMLSEC_CRYPTO_OPENSSL 1
#endif
#ifndef XMLSEC_NO_CRYPTO_DYNAMIC_LOADING
#define XMLSEC_NO_CRYPTO_DYNAMIC_LOADING 1
#endif
#ifndef XMLSEC_OPENSSL3_ENGINES
#define XMLSEC_OPENSSL3_ENGINES 1
#endif
#ifndef XMLSEC_NO_GOST
#define XMLSEC_NO_GOST 1
#endif
#ifndef XMLSEC_NO_GOST2012
#define XMLSEC_NO_GOST2012 1
#endif
#ifndef __XMLSEC_FUNCTION__
#define __XMLSEC_FUNCTION__ __func__
#endif
#endif
