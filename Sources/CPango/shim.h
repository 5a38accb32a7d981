#ifndef COUNTERSIGN_CPANGO_SHIM_H
#define COUNTERSIGN_CPANGO_SHIM_H
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <fontconfig/fontconfig.h>
#include <glib-object.h>
#include <cairo.h>
#include <cairo-pdf.h>

/// PANGO_SCALE is a macro; Swift sees it only through this wrapper.
static inline int cs_pango_scale(void) { return PANGO_SCALE; }
/// g_object_unref for Swift (avoids the gpointer cast at every call site).
static inline void cs_g_object_unref(void *object) { if (object) g_object_unref(object); }

/// A cairo font map whose fonts come only from `config` (the process-private fontconfig).
static inline PangoFontMap *cs_pango_font_map_new_private(FcConfig *config, double dpi) {
    PangoFontMap *map = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
    if (!map) return NULL;
    pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(map), config);
    pango_cairo_font_map_set_resolution(PANGO_CAIRO_FONT_MAP(map), dpi);
    return map;
}

/// Sets the attribute's byte range (the struct fields are plain C; this keeps call sites short).
static inline PangoAttribute *cs_pango_attr_range(PangoAttribute *attribute, unsigned start, unsigned end) {
    attribute->start_index = start;
    attribute->end_index = end;
    return attribute;
}
#endif
