#ifndef COUNTERSIGN_CHARFUZZ_SHIM_H
#define COUNTERSIGN_CHARFUZZ_SHIM_H
#include <hb.h>
#include <hb-ot.h>
#include <hb-subset.h>

/// HB_TAG is a macro; Swift sees it only through this wrapper.
static inline hb_tag_t cs_hb_tag(char a, char b, char c, char d) { return HB_TAG(a, b, c, d); }
#endif
