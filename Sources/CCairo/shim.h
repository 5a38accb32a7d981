#ifndef COUNTERSIGN_CCAIRO_SHIM_H
#define COUNTERSIGN_CCAIRO_SHIM_H
#include <cairo.h>
#include <cairo-pdf.h>
#endif
