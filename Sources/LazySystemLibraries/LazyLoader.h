// The lazy loader behind Forwarders.c (private to this target).
#ifndef COUNTERSIGN_LAZY_LOADER_H
#define COUNTERSIGN_LAZY_LOADER_H
#include <stdatomic.h>

/// The lazily-loaded libraries; LazyLoader.c maps each to its SONAME.
enum cs_lazy_library {
    CS_LAZY_POPPLER, CS_LAZY_GOBJECT, CS_LAZY_GLIB, CS_LAZY_CAIRO, CS_LAZY_PANGO,
    CS_LAZY_PANGOCAIRO, CS_LAZY_PANGOFT2, CS_LAZY_FONTCONFIG, CS_LAZY_HARFBUZZ, CS_LAZY_HARFBUZZ_SUBSET,
    CS_LAZY_CRYPTO,
    CS_LAZY_XML2, CS_LAZY_XMLSEC, CS_LAZY_XMLSEC_OPENSSL, CS_LAZY_LIBRARY_COUNT
};

/// The address of `name` in `library`, loading the library on first use. Never returns NULL:
/// when the library or the symbol is missing it prints one line and exits with status 71.
void *cs_lazy_resolve(enum cs_lazy_library library, const char *name);

/// The real `name` from `library`, resolved on first use and cached in an atomic slot; typed
/// as a pointer to the function the included header declares.
#define CS_LAZY_POINTER(library, name)                                                           \
    ({                                                                                           \
        static _Atomic(void *) slot;                                                             \
        void *function = atomic_load_explicit(&slot, memory_order_acquire);                      \
        if (function == NULL) {                                                                  \
            function = cs_lazy_resolve(CS_LAZY_##library, #name);                                \
            atomic_store_explicit(&slot, function, memory_order_release);                        \
        }                                                                                        \
        (__typeof__(&name))function;                                                             \
    })

/// Defines `name` with the prototype the included header declares (the compiler rejects a
/// mismatch) as a forwarder to the real function from `library`.
/// Hidden: the definitions satisfy our own references only and are never exported, so a loaded
/// library's internal calls still bind to its own functions.
#define CS_LAZY(library, result, name, parameters, arguments)                                   \
    __attribute__((visibility("hidden"))) result name parameters {                               \
        return CS_LAZY_POINTER(library, name) arguments;                                         \
    }
#endif
