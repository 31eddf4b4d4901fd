/*
 * fs: small file-system helpers — temporary directories, recursive removal, writing files,
 * cleaning paths.
 */
#ifndef DK_FS_H
#define DK_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "dk/err.h"

/* A new directory $TMPDIR/<prefix>-XXXXXX (TMPDIR defaults to /tmp). Caller frees. */
char *dk_fs_mkdtemp(const char *prefix, struct dk_err *err);
/* Removes path and everything below it, never following symlinks. 0, or -1 with errno. */
int dk_fs_rmtree(const char *path);
/* Creates path and its missing parents. 0, or -1 with errno. */
int dk_fs_mkdir_p(const char *path, mode_t mode);
/* Writes a whole file (creating parents), replacing what was there. */
int dk_fs_write_file(const char *path, const void *data, size_t len, mode_t mode,
                     struct dk_err *err);
/* Go's path.Clean of the n bytes at p ('/'-separated; "" is "."). A new string. */
char *dk_path_clean(const char *p, size_t n);

#endif
