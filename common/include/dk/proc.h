/*
 * proc: running other programs — credential helpers, build backends — without a shell.
 *
 * dk_proc_run() runs a program to completion with some bytes on its stdin and collects its
 * stdout and stderr (each capped; past the cap the rest is dropped). dk_proc_spawn() starts
 * one in the background with stdin from /dev/null and stdout+stderr appended to a log file,
 * for builds that run side by side; dk_proc_wait() reaps them.
 *
 * Programs are looked up in PATH here rather than by posix_spawnp(), so that a missing
 * program is reported as such; empty and relative PATH entries are skipped.
 */
#ifndef DK_PROC_H
#define DK_PROC_H

#include <sys/types.h>

#include "dk/buf.h"
#include "dk/err.h"

/* The full path of prog in PATH (caller frees), or NULL. A prog with a '/' is returned as is
 * when it is executable. */
char *dk_proc_find(const char *prog);

struct dk_proc_result {
    struct dk_buf out;
    struct dk_buf err;
    int status; /* as from waitpid() */
};

void dk_proc_result_init(struct dk_proc_result *r, size_t cap);
void dk_proc_result_release(struct dk_proc_result *r);
/* 1 when the program exited with status 0. */
int dk_proc_ok(const struct dk_proc_result *r);
/* "exited with status 3", "was killed by signal 9". */
void dk_proc_describe(int status, char *buf, size_t size);

/* Runs argv (argv[0] a path or a name in PATH) with input on stdin, waits for it and fills
 * res (initialised by the caller). 0 when it ran, whatever its exit status; -1 when it could
 * not be started (DK_E_IO, or DK_E_NOTFOUND when the program is not in PATH). */
int dk_proc_run(const char *const *argv, const char *input, size_t len, struct dk_proc_result *res,
                struct dk_err *err);

/* Starts argv in the background: stdin /dev/null, stdout and stderr appended to log_path
 * (created 0600). envp NULL keeps the environment. */
int dk_proc_spawn(const char *const *argv, char *const *envp, const char *log_path, pid_t *pid,
                  struct dk_err *err);
/* Waits for any child started by dk_proc_spawn (block 1) or polls (block 0). Returns the pid
 * with *status filled, 0 when none finished (block 0), -1 when there are no children. */
pid_t dk_proc_wait(int block, int *status);

#endif
