// Loads poppler-glib, glib, cairo, pango, fontconfig, harfbuzz, libcrypto, libxml2 and libxmlsec1 on first
// use (dlopen), so that a command pays only for the libraries it calls (docs/architecture.md,
// "Lazily-loaded libraries"). Forwarders.c defines each function our code calls; this file finds the real one.
#include "LazyLoader.h"
#include "LazySystemLibraries.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    [CS_LAZY_XMLSEC] = {"libxmlsec1.so.1", "libxmlsec1.so"},
    [CS_LAZY_XMLSEC_OPENSSL] = {"libxmlsec1-openssl.so.1", "libxmlsec1-openssl.so"},
};

static _Atomic(void *) handles[CS_LAZY_LIBRARY_COUNT];

/// Exit status when a lazily-loaded library or function is missing (EX_OSERR).
enum { cs_lazy_exit_status = 71 };

/// Whether the test hook COUNTERSIGN_UNLOADABLE_LIBRARIES (SONAMEs separated by commas) names
/// `soname`: tests use it to see what a machine without the library gets.
static int cs_lazy_simulated_missing(const char *soname) {
    const char *list = getenv("COUNTERSIGN_UNLOADABLE_LIBRARIES");
    if (list == NULL) return 0;
    size_t length = strlen(soname);
    for (const char *item = list; *item != '\0';) {
        const char *end = strchr(item, ',');
        size_t itemLength = end ? (size_t)(end - item) : strlen(item);
        if (itemLength == length && strncmp(item, soname, length) == 0) return 1;
        if (end == NULL) break;
        item = end + 1;
    }
    return 0;
}

/// The library's handle, loading it on first use; NULL with a one-line reason in `message`
/// when it cannot be loaded.
static void *cs_lazy_try_handle(enum cs_lazy_library library, char *message, size_t size) {
    void *handle = atomic_load_explicit(&handles[library], memory_order_acquire);
    if (handle != NULL) return handle;
    if (cs_lazy_simulated_missing(sonames[library][0])) {
        snprintf(message, size, "cannot load %s: missing (COUNTERSIGN_UNLOADABLE_LIBRARIES)", sonames[library][0]);
        return NULL;
    }
    // dlopen is thread-safe and returns the same handle for a library already loaded, so two
    // threads racing here store the same value.
    handle = dlopen(sonames[library][0], RTLD_LAZY | RTLD_GLOBAL);
    if (handle == NULL) {
        const char *first = dlerror();
        snprintf(message, size, "cannot load %s: %s", sonames[library][0], first ? first : "unknown error");
        handle = dlopen(sonames[library][1], RTLD_LAZY | RTLD_GLOBAL);
        if (handle == NULL) return NULL;
    }
    atomic_store_explicit(&handles[library], handle, memory_order_release);
    return handle;
}

static void *cs_lazy_handle(enum cs_lazy_library library) {
    char message[512];
    void *handle = cs_lazy_try_handle(library, message, sizeof message);
    if (handle == NULL) {
        fprintf(stderr, "countersign: %s (needed for this command)\n", message);
        exit(cs_lazy_exit_status);
    }
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

const char *cs_lazy_require(unsigned groups) {
    static _Thread_local char message[600];
    static const struct { unsigned group; enum cs_lazy_library library; } needs[] = {
        {CS_LAZY_GROUP_TYPESETTING, CS_LAZY_GLIB}, {CS_LAZY_GROUP_TYPESETTING, CS_LAZY_GOBJECT},
        {CS_LAZY_GROUP_TYPESETTING, CS_LAZY_CAIRO}, {CS_LAZY_GROUP_TYPESETTING, CS_LAZY_FONTCONFIG},
        {CS_LAZY_GROUP_TYPESETTING, CS_LAZY_HARFBUZZ}, {CS_LAZY_GROUP_TYPESETTING, CS_LAZY_HARFBUZZ_SUBSET},
        {CS_LAZY_GROUP_TYPESETTING, CS_LAZY_PANGO}, {CS_LAZY_GROUP_TYPESETTING, CS_LAZY_PANGOFT2},
        {CS_LAZY_GROUP_TYPESETTING, CS_LAZY_PANGOCAIRO},
        {CS_LAZY_GROUP_READER, CS_LAZY_GLIB}, {CS_LAZY_GROUP_READER, CS_LAZY_GOBJECT},
        {CS_LAZY_GROUP_READER, CS_LAZY_CAIRO}, {CS_LAZY_GROUP_READER, CS_LAZY_POPPLER},
        {CS_LAZY_GROUP_CRYPTO, CS_LAZY_CRYPTO},
        {CS_LAZY_GROUP_XML, CS_LAZY_XML2},
        {CS_LAZY_GROUP_XMLSEC, CS_LAZY_CRYPTO}, {CS_LAZY_GROUP_XMLSEC, CS_LAZY_XML2},
        {CS_LAZY_GROUP_XMLSEC, CS_LAZY_XMLSEC}, {CS_LAZY_GROUP_XMLSEC, CS_LAZY_XMLSEC_OPENSSL},
    };
    for (size_t index = 0; index < sizeof needs / sizeof needs[0]; index++) {
        if ((groups & needs[index].group) == 0) continue;
        if (cs_lazy_try_handle(needs[index].library, message, sizeof message) == NULL) {
            size_t used = strlen(message);
            snprintf(message + used, sizeof message - used, "; install the package that provides it");
            return message;
        }
    }
    return NULL;
}
