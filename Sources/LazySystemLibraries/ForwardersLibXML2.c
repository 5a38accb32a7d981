// Every libxml2 function Countersign calls (from Swift or from Sources/CLibXML2/shim.h), forwarding
// to libxml2 loaded on first use: only templates need it, and libxml2 brings ICU and liblzma.
// `xmlFree` is a variable, not a function: shim.h reaches it through xmlMemGet. See Forwarders.c
// for how to add a function.
#include "../CLibXML2/configuration.h"
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>
#include "LazyLoader.h"

CS_LAZY(XML2, xmlParserCtxtPtr, xmlCreateMemoryParserCtxt, (const char *buffer, int size), (buffer, size))
CS_LAZY(XML2, int, xmlCtxtUseOptions, (xmlParserCtxtPtr ctxt, int options), (ctxt, options))
CS_LAZY(XML2, xmlNodePtr, xmlDocGetRootElement, (const xmlDoc *doc), (doc))
CS_LAZY(XML2, void, xmlFreeDoc, (xmlDocPtr cur), (cur))
CS_LAZY(XML2, void, xmlFreeParserCtxt, (xmlParserCtxtPtr ctxt), (ctxt))
CS_LAZY(XML2, long, xmlGetLineNo, (const xmlNode *node), (node))
CS_LAZY(XML2, void, xmlInitParser, (void), ())
CS_LAZY(XML2, int, xmlMemGet, (xmlFreeFunc *freeFunc, xmlMallocFunc *mallocFunc, xmlReallocFunc *reallocFunc, xmlStrdupFunc *strdupFunc), (freeFunc, mallocFunc, reallocFunc, strdupFunc))
CS_LAZY(XML2, xmlChar *, xmlNodeListGetString, (xmlDocPtr doc, const xmlNode *list, int inLine), (doc, list, inLine))
CS_LAZY(XML2, int, xmlParseDocument, (xmlParserCtxtPtr ctxt), (ctxt))
