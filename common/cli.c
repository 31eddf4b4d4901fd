#include "dk/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dk/buf.h"
#include "dk/log.h"

const char dk_version[] = "0.1.0";

void dk_strlist_add(struct dk_strlist *l, const char *s)
{
    l->v = dk_xrealloc(l->v, (l->n + 2) * sizeof(*l->v));
    l->v[l->n++] = s;
    l->v[l->n] = NULL;
}

void dk_strlist_release(struct dk_strlist *l)
{
    free(l->v);
    free(l->envcopy);
    l->v = NULL;
    l->n = 0;
    l->envcopy = NULL;
}

const char *dk_cli_env_name(const struct dk_opt *o, char *buf, size_t size)
{
    size_t i, j;

    if (o->env)
        return o->env;
    j = (size_t)snprintf(buf, size, "DK_");
    for (i = 0; o->name[i] && j + 1 < size; i++, j++)
        buf[j] = o->name[i] == '-' ? '_' : (char)toupper((unsigned char)o->name[i]);
    buf[j] = '\0';
    return buf;
}

static int parse_bool(const char *s, int *out)
{
    if (!strcmp(s, "1") || !strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "on"))
        *out = 1;
    else if (!strcmp(s, "0") || !strcasecmp(s, "false") || !strcasecmp(s, "no") ||
             !strcmp(s, "off") || !*s)
        *out = 0;
    else
        return -1;
    return 0;
}

static int set_value(const struct dk_opt *o, const char *val, const char *from, int from_env,
                     struct dk_err *err)
{
    char *end;
    long n;

    switch (o->type) {
    case DK_OPT_BOOL:
        if (parse_bool(val, (int *)o->value) < 0)
            return dk_err_set(err, DK_E_USAGE, "invalid value '%s' for %s: expected true or false",
                              val, from);
        return 0;
    case DK_OPT_STR:
        *(const char **)o->value = val;
        return 0;
    case DK_OPT_STRLIST: {
        struct dk_strlist *l = o->value;

        if (from_env) {
            char *p, *tok, *save = NULL;

            free(l->envcopy);
            l->envcopy = dk_xstrdup(val);
            for (p = l->envcopy; (tok = strtok_r(p, ",\n", &save)); p = NULL) {
                while (*tok == ' ')
                    tok++;
                if (*tok)
                    dk_strlist_add(l, tok);
            }
        } else {
            if (l->envcopy) {
                /* the first flag replaces what the environment gave: the flag wins */
                free(l->envcopy);
                l->envcopy = NULL;
                l->n = 0;
            }
            dk_strlist_add(l, val);
        }
        return 0;
    }
    case DK_OPT_INT:
        errno = 0;
        n = strtol(val, &end, 10);
        if (errno || end == val || *end)
            return dk_err_set(err, DK_E_USAGE, "invalid number '%s' for %s", val, from);
        *(long *)o->value = n;
        return 0;
    }
    return 0;
}

static const struct dk_opt common_opts[] = {
    {"help", 'h', DK_OPT_BOOL, NULL, NULL, "show this help", ""},
    {"version", 0, DK_OPT_BOOL, NULL, NULL, "show the version", ""},
    {"quiet", 'q', DK_OPT_BOOL, NULL, NULL, "print errors only (DK_LOG=quiet)", ""},
    {"verbose", 'v', DK_OPT_BOOL, NULL, NULL, "print debug messages (DK_LOG=debug)", ""},
    DK_OPT_END,
};

static const struct dk_opt *find_long(const struct dk_opt *opts, const char *name, size_t len)
{
    const struct dk_opt *o;

    for (o = opts; o->name; o++)
        if (strlen(o->name) == len && !strncmp(o->name, name, len))
            return o;
    return NULL;
}

static const struct dk_opt *find_short(const struct dk_opt *opts, char c)
{
    const struct dk_opt *o;

    for (o = opts; o->name; o++)
        if (o->short_name && o->short_name == c)
            return o;
    return NULL;
}

static void *common_target(struct dk_common_opts *c, const struct dk_opt *o)
{
    if (!strcmp(o->name, "help"))
        return &c->help;
    if (!strcmp(o->name, "version"))
        return &c->version;
    if (!strcmp(o->name, "quiet"))
        return &c->quiet;
    return &c->verbose;
}

int dk_cli_parse(const struct dk_opt *opts, struct dk_common_opts *common, int argc, char **argv,
                 int first, struct dk_strlist *operands, struct dk_err *err)
{
    const struct dk_opt *o;
    char envbuf[128];
    int i, only_operands = 0;

    memset(common, 0, sizeof(*common));
    /* the environment first, so flags override it */
    for (o = opts; o->name; o++) {
        const char *name = dk_cli_env_name(o, envbuf, sizeof(envbuf));
        const char *val = *name ? getenv(name) : NULL;

        if (val && *val && set_value(o, val, name, 1, err) < 0)
            return -1;
    }
    for (i = first; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        struct dk_opt tmp;
        char from[160];

        if (only_operands || a[0] != '-' || !a[1]) {
            dk_strlist_add(operands, a);
            continue;
        }
        if (!strcmp(a, "--")) {
            only_operands = 1;
            continue;
        }
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

            o = find_long(opts, a + 2, len);
            if (!o && (o = find_long(common_opts, a + 2, len))) {
                tmp = *o;
                tmp.value = common_target(common, o);
                o = &tmp;
            }
            if (!o)
                return dk_err_set(err, DK_E_USAGE, "unknown option '%.*s' (see --help)",
                                  (int)(len + 2), a);
            val = eq ? eq + 1 : NULL;
        } else {
            o = find_short(opts, a[1]);
            if (!o && (o = find_short(common_opts, a[1]))) {
                tmp = *o;
                tmp.value = common_target(common, o);
                o = &tmp;
            }
            if (!o)
                return dk_err_set(err, DK_E_USAGE, "unknown option '-%c' (see --help)", a[1]);
            if (a[2] && o->type == DK_OPT_BOOL) {
                /* bundled short flags: -qv is -q -v */
                const char *c;

                for (c = a + 2; *c; c++) {
                    const struct dk_opt *b = find_short(opts, *c);

                    if (!b && (b = find_short(common_opts, *c))) {
                        tmp = *b;
                        tmp.value = common_target(common, b);
                        b = &tmp;
                    }
                    if (!b || b->type != DK_OPT_BOOL)
                        return dk_err_set(err, DK_E_USAGE,
                                          "unknown option '-%c' in '%s' (see --help)", *c, a);
                }
                for (c = a + 1; *c; c++) {
                    const struct dk_opt *b = find_short(opts, *c);
                    struct dk_opt t2;

                    if (!b) {
                        b = find_short(common_opts, *c);
                        t2 = *b;
                        t2.value = common_target(common, b);
                        b = &t2;
                    }
                    *(int *)b->value = 1;
                }
                continue;
            }
            if (a[2])
                val = a + 2;
        }
        snprintf(from, sizeof(from), "--%s", o->name);
        if (o->type == DK_OPT_BOOL) {
            if (set_value(o, val ? val : "1", from, 0, err) < 0)
                return -1;
            continue;
        }
        if (!val) {
            if (i + 1 >= argc)
                return dk_err_set(err, DK_E_USAGE, "option '--%s' needs a value", o->name);
            val = argv[++i];
        }
        if (set_value(o, val, from, 0, err) < 0)
            return -1;
    }
    if (common->verbose)
        dk_log_set_level(DK_LOG_DEBUG);
    if (common->quiet)
        dk_log_set_level(DK_LOG_QUIET);
    return 0;
}

static void help_opts(const struct dk_opt *opts)
{
    const struct dk_opt *o;
    char envbuf[128], left[96];

    for (o = opts; o->name; o++) {
        const char *env = dk_cli_env_name(o, envbuf, sizeof(envbuf));

        if (o->short_name)
            snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        else
            snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        printf("  %-30s %s", left, o->help ? o->help : "");
        if (*env)
            printf(" [%s]", env);
        printf("\n");
    }
}

void dk_cli_help(const char *usage, const char *description, const struct dk_opt *opts)
{
    printf("usage: %s\n\n%s\n", usage, description);
    if (opts && opts->name) {
        printf("\noptions:\n");
        help_opts(opts);
    }
    printf("\ncommon options:\n");
    help_opts(common_opts);
    printf("\nexit codes: 0 done, 1 the operation failed, 2 bad usage or bad input\n");
}
