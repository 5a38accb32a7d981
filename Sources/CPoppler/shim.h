#ifndef COUNTERSIGN_CPOPPLER_SHIM_H
#define COUNTERSIGN_CPOPPLER_SHIM_H
#include <poppler.h>
#include <glib-object.h>
#include <cairo.h>

/// g_object_unref without the gpointer cast.
static inline void cs_poppler_unref(void *object) { if (object) g_object_unref(object); }
/// g_free is a function, but GError needs its own free; both wrapped for clarity.
static inline void cs_gerror_free(GError *error) { if (error) g_error_free(error); }
/// The GList of PopplerRectangle that poppler_page_find_text returns is freed element-wise.
static inline void cs_free_rectangle_list(GList *list) {
    g_list_free_full(list, (GDestroyNotify)poppler_rectangle_free);
}
/// The GList of PopplerFormFieldMapping from poppler_page_get_form_field_mapping.
static inline void cs_free_field_mapping(GList *list) { poppler_page_free_form_field_mapping(list); }
#endif
