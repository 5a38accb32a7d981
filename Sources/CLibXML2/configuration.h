#ifndef COUNTERSIGN_CLIBXML2_CONFIGURATION_H
#define COUNTERSIGN_CLIBXML2_CONFIGURATION_H
// Included first by every module that includes libxml2's headers (CLibXML2 and CXMLSec), so that
// they all see the same declarations.
//
// Debian's libxml2 is built with ICU, and its encoding.h then includes <unicode/ucnv.h>: the
// system ICU's `UErrorCode`, `UChar`, … would enter every Swift module importing CLibXML2 next
// to Foundation's own copy of ICU (`_FoundationICU`), whose definitions differ. Clang reported
// that clash on cold module caches only (a build-order race). Nothing here uses ICU: the only
// declarations that change are two trailing pointer fields of `xmlCharEncodingHandler`, a
// structure Countersign never allocates or reads, so the library's layout is not relied on.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#endif
