#ifndef COUNTERSIGN_CZLIB_SHIM_H
#define COUNTERSIGN_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit and deflateInit are macros that pass the version and struct size.
static inline int cs_inflateInit(z_streamp stream) { return inflateInit(stream); }
static inline int cs_deflateInit(z_streamp stream, int level) { return deflateInit(stream, level); }
#endif
