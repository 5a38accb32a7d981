// Loads poppler-glib, glib, cairo, pango, fontconfig, harfbuzz, libcrypto and libxml2 on first
// use (dlopen), so that a command pays only for the libraries it calls (docs/architecture.md,
// "Lazily-loaded libraries"). Forwarders.c defines each function our code calls; this file finds the real one.
#include "LazyLoader.h"
#include "LazySystemLibraries.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

/// The versioned SONAME the package was built against, then the development symlink.
static const char *const sonames[CS_LAZY_LIBRARY_COUNT][2] = {
    [CS_LAZY_POPPLER] = {"libpoppler-glib.so.8", "libpoppler-glib.so"},
    [CS_LAZY_GOBJECT] = {"libgobject-2.0.so.0", "libgobject-2.0.so"},
    [CS_LAZY_GLIB] = {"libglib-2.0.so.0", "libglib-2.0.so"},
    [CS_LAZY_CAIRO] = {"libcairo.so.2", "libcairo.so"},
    [CS_LAZY_PANGO] = {"libpango-1.0.so.0", "libpango-1.0.so"},
    [CS_LAZY_PANGOCAIRO] = {"libpangocairo-1.0.so.0", "libpangocairo-1.0.so"},
    [CS_LAZY_PANGOFT2] = {"libpangoft2-1.0.so.0", "libpangoft2-1.0.so"},
    [CS_LAZY_FONTCONFIG] = {"libfontconfig.so.1", "libfontconfig.so"},
    [CS_LAZY_HARFBUZZ] = {"libharfbuzz.so.0", "libharfbuzz.so"},
    [CS_LAZY_HARFBUZZ_SUBSET] = {"libharfbuzz-subset.so.0", "libharfbuzz-subset.so"},
    [CS_LAZY_CRYPTO] = {"libcrypto.so.3", "libcrypto.so"},
    [CS_LAZY_XML2] = {"libxml2.so.2", "libxml2.so"},
};

static _Atomic(void *) handles[CS_LAZY_LIBRARY_COUNT];

/// Exit status when a lazily-loaded library or function is missing (EX_OSERR).
enum { cs_lazy_exit_status = 71 };

static void *cs_lazy_handle(enum cs_lazy_library library) {
    void *handle = atomic_load_explicit(&handles[library], memory_order_acquire);
    if (handle != NULL) return handle;
    // dlopen is thread-safe and returns the same handle for a library already loaded, so two
    // threads racing here store the same value.
    handle = dlopen(sonames[library][0], RTLD_LAZY | RTLD_GLOBAL);
    if (handle == NULL) {
        const char *first = dlerror();
        handle = dlopen(sonames[library][1], RTLD_LAZY | RTLD_GLOBAL);
        if (handle == NULL) {
            fprintf(stderr, "countersign: cannot load %s (needed for this command): %s\n",
                    sonames[library][0], first ? first : "unknown error");
            exit(cs_lazy_exit_status);
        }
    }
    atomic_store_explicit(&handles[library], handle, memory_order_release);
    return handle;
}

void *cs_lazy_resolve(enum cs_lazy_library library, const char *name) {
    void *handle = cs_lazy_handle(library);
    dlerror();
    void *function = dlsym(handle, name);
    if (function == NULL) {
        const char *error = dlerror();
        fprintf(stderr, "countersign: %s has no function %s: %s\n", sonames[library][0], name,
                error ? error : "symbol is NULL");
        exit(cs_lazy_exit_status);
    }
    return function;
}

// Makes the linker drop every shared library nothing references directly any more: an autolink
// entry reaches the link line before the libraries pkg-config adds, which SwiftPM's
// linkerSettings cannot do (they follow the -l flags). The section is excluded from the output.
__asm__(".section .swift1_autolink_entries,\"e\",@progbits\n"
        ".asciz \"-Wl,--as-needed\"\n"
        ".previous");

int cs_lazy_libraries_loaded(void) {
    int count = 0;
    for (int library = 0; library < CS_LAZY_LIBRARY_COUNT; library++) {
        if (atomic_load_explicit(&handles[library], memory_order_acquire) != NULL) count++;
    }
    return count;
}
