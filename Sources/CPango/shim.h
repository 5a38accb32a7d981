#ifndef COUNTERSIGN_CPANGO_SHIM_H
#define COUNTERSIGN_CPANGO_SHIM_H
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <fontconfig/fontconfig.h>
#include <glib-object.h>

/// PANGO_SCALE is a macro; Swift sees it as an Int32 constant only through this wrapper.
static inline int cs_pango_scale(void) { return PANGO_SCALE; }
/// g_object_unref for Swift (avoids the gpointer cast at every call site).
static inline void cs_g_object_unref(void *object) { if (object) g_object_unref(object); }
#endif
