// Lazily-loaded system libraries: poppler-glib, glib/gobject, cairo, pango, pangocairo, pangoft2,
// fontconfig, harfbuzz, libcrypto and libxml2 are opened with dlopen the first time one of their
// functions is called (the Forwarders*.c files define each function Countersign calls). Swift
// keeps importing CPoppler, CPango, CCairo, COpenSSL and CLibXML2 as before; this header only adds
// a way to observe the loading.
#ifndef COUNTERSIGN_LAZY_SYSTEM_LIBRARIES_H
#define COUNTERSIGN_LAZY_SYSTEM_LIBRARIES_H

/// How many of the lazily-loaded libraries this process has opened so far.
int cs_lazy_libraries_loaded(void);

#endif
