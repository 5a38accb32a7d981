// Lazily-loaded system libraries: poppler-glib, glib/gobject, cairo, pango, pangocairo, pangoft2,
// fontconfig and harfbuzz are opened with dlopen the first time one of their functions is called
// (Forwarders.c defines each function Countersign calls). Swift keeps importing CPoppler, CPango
// and CCairo as before; this header only adds a way to observe the loading.
#ifndef COUNTERSIGN_LAZY_SYSTEM_LIBRARIES_H
#define COUNTERSIGN_LAZY_SYSTEM_LIBRARIES_H

/// How many of the lazily-loaded libraries this process has opened so far.
int cs_lazy_libraries_loaded(void);

#endif
