/*
 * cli: command-line conventions shared by every dk tool.
 *
 * Options are described by a table of struct dk_opt. Every option can also come from the
 * environment: `--repo` ↔ DK_REPO (the name upper-cased, '-' → '_', "DK_" prepended), unless
 * the entry names another variable. Flags on the command line override the environment.
 * Options and operands may be mixed; "--" ends options. The values point into argv or the
 * environment (borrowed, never freed); string lists own only their array.
 */
#ifndef DK_CLI_H
#define DK_CLI_H

#include <stddef.h>

#include "dk/err.h"

enum dk_opt_type {
    DK_OPT_BOOL,    /* int *: 1 when given; env accepts 1/true/yes/0/false/no */
    DK_OPT_STR,     /* const char **: the value */
    DK_OPT_STRLIST, /* struct dk_strlist *: every value, in order; env: comma separated */
    DK_OPT_INT,     /* long *: a decimal number */
};

struct dk_strlist {
    const char **v;
    size_t n;
    char *envcopy; /* owned copy of an env value split in place */
};

void dk_strlist_release(struct dk_strlist *l);
void dk_strlist_add(struct dk_strlist *l, const char *s);

struct dk_opt {
    const char *name; /* long name without "--" */
    char short_name;  /* 0 for none */
    enum dk_opt_type type;
    void *value;
    const char *arg;  /* placeholder in help, e.g. "REPO" */
    const char *help; /* one line */
    const char *env;  /* environment variable; NULL: derived from the name; "" for none */
};

#define DK_OPT_END                                                                                 \
    {                                                                                              \
        NULL, 0, DK_OPT_BOOL, NULL, NULL, NULL, NULL                                               \
    }

/* Options every tool and subcommand has. */
struct dk_common_opts {
    int help;
    int version;
    int quiet;
    int verbose;
};

/*
 * Parses argv[first..argc) against opts (and the common options, into common).
 * Operands are collected into *operands (borrowed pointers into argv; the array is owned by
 * the list). Unknown options, missing values and bad numbers are DK_E_USAGE errors naming
 * the option. Applies --quiet/--verbose to the log level.
 */
int dk_cli_parse(const struct dk_opt *opts, struct dk_common_opts *common, int argc, char **argv,
                 int first, struct dk_strlist *operands, struct dk_err *err);

/* Writes help for a command: "usage: <usage>", the description, then each option with its
 * environment variable. */
void dk_cli_help(const char *usage, const char *description, const struct dk_opt *opts);

/* The environment variable of an option (static buffer for derived names). */
const char *dk_cli_env_name(const struct dk_opt *o, char *buf, size_t size);

/* dk's version string. */
extern const char dk_version[];

#endif
