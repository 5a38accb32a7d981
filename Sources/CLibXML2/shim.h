#ifndef COUNTERSIGN_CLIBXML2_SHIM_H
#define COUNTERSIGN_CLIBXML2_SHIM_H
#include "configuration.h"
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>

/// xmlFree is a global function pointer variable (a macro in some builds); Swift calls this instead.
/// It is read through xmlMemGet, a function, so that libxml2 can be loaded lazily
/// (Sources/LazySystemLibraries: a variable cannot be forwarded).
static inline void cs_xmlFree(void *pointer) {
    xmlFreeFunc release = NULL;
    if (xmlMemGet(&release, NULL, NULL, NULL) == 0 && release != NULL) release(pointer);
}
/// The line a node starts on (xmlGetLineNo reads a field Swift cannot reach when it overflows).
static inline long cs_xml_node_line(const xmlNode *node) { return xmlGetLineNo(node); }
#endif
