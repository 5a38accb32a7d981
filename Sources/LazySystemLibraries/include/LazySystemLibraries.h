// Lazily-loaded system libraries: poppler-glib, glib/gobject, cairo, pango, pangocairo, pangoft2,
// fontconfig, harfbuzz, libcrypto and libxml2 are opened with dlopen the first time one of their
// functions is called (the Forwarders*.c files define each function Countersign calls). Swift
// keeps importing CPoppler, CPango, CCairo, COpenSSL and CLibXML2 as before; this header adds a
// way to observe the loading and one to load a module's libraries up front, with an error.
#ifndef COUNTERSIGN_LAZY_SYSTEM_LIBRARIES_H
#define COUNTERSIGN_LAZY_SYSTEM_LIBRARIES_H

/// How many of the lazily-loaded libraries this process has opened so far.
int cs_lazy_libraries_loaded(void);

/// The libraries each module needs, as bits for `cs_lazy_require`.
enum cs_lazy_group {
    CS_LAZY_GROUP_TYPESETTING = 1, ///< glib, gobject, cairo, fontconfig, harfbuzz(-subset), pango(ft2, cairo)
    CS_LAZY_GROUP_READER = 2,      ///< glib, gobject, cairo, poppler-glib
    CS_LAZY_GROUP_CRYPTO = 4,      ///< libcrypto
    CS_LAZY_GROUP_XML = 8,         ///< libxml2
    CS_LAZY_GROUP_XMLSEC = 16,     ///< libcrypto, libxml2, libxmlsec1 and its OpenSSL engine (trusted lists)
};

/// Loads every library of `groups` now. Returns NULL, or a one-line reason (which library,
/// dlopen's error, what to do) valid until the thread's next call — so a module's entry point
/// can throw instead of the process exiting at its first call into a missing library.
const char *cs_lazy_require(unsigned groups);

#endif
