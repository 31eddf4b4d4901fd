/*
 * init: process-wide set-up, called once by every tool's main before anything else.
 */
#ifndef DK_INIT_H
#define DK_INIT_H

#include "dk/err.h"

/* Sets the log's program name and starts the libraries that need global set-up (libcurl). */
int dk_init(const char *prog, struct dk_err *err);

#endif
