#include "dk/log.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static struct {
    char prog[64];
    enum dk_log_level level;
    int tty; /* -1 unknown */
    char **secrets;
    size_t nsecrets;
} L = {"dk", DK_LOG_INFO, -1, NULL, 0};

void dk_log_init(const char *prog, enum dk_log_level level)
{
    const char *env = getenv("DK_LOG");

    snprintf(L.prog, sizeof(L.prog), "%s", prog);
    L.level = level;
    if (env && *env) {
        if (!strcmp(env, "quiet") || !strcmp(env, "error"))
            L.level = DK_LOG_QUIET;
        else if (!strcmp(env, "warn"))
            L.level = DK_LOG_WARN;
        else if (!strcmp(env, "info"))
            L.level = DK_LOG_INFO;
        else if (!strcmp(env, "debug"))
            L.level = DK_LOG_DEBUG;
    }
}

void dk_log_set_level(enum dk_log_level level)
{
    L.level = level;
}

enum dk_log_level dk_log_level(void)
{
    return L.level;
}

const char *dk_log_prog(void)
{
    return L.prog;
}

int dk_log_tty(void)
{
    if (L.tty < 0)
        L.tty = isatty(STDERR_FILENO) ? 1 : 0;
    return L.tty;
}

static int colour(void)
{
    const char *nc = getenv("NO_COLOR");

    return dk_log_tty() && !(nc && *nc);
}

void dk_log_add_secret(const char *secret)
{
    size_t i;

    if (!secret || strlen(secret) < 4)
        return;
    for (i = 0; i < L.nsecrets; i++)
        if (!strcmp(L.secrets[i], secret))
            return;
    L.secrets = dk_xrealloc(L.secrets, (L.nsecrets + 1) * sizeof(*L.secrets));
    L.secrets[L.nsecrets++] = dk_xstrdup(secret);
}

/* Length of a credential token starting at p: up to white space, quote, comma or end. */
static size_t token_len(const char *p)
{
    size_t n = 0;

    while (p[n] && !isspace((unsigned char)p[n]) && p[n] != '"' && p[n] != '\'' && p[n] != ',')
        n++;
    return n;
}

/* If a credential pattern starts at in[i], appends its redacted form and returns how many
 * bytes of in it covered; 0 when none starts there. */
static size_t redact_pattern(struct dk_buf *out, const char *in, size_t i)
{
    static const char *const schemes[] = {"Bearer ", "Basic "};
    static const char *const params[] = {
        "password=",      "passwd=", "token=",        "access_token=",
        "refresh_token=", "secret=", "identitytoken="};
    const char *p = in + i;
    size_t k, n;

    if (!strncasecmp(p, "Authorization:", 14)) {
        n = 14;
        while (p[n] == ' ')
            n++;
        dk_buf_addn(out, p, n);
        dk_buf_add(out, "***");
        while (p[n] && p[n] != '\r' && p[n] != '\n')
            n++;
        return n;
    }
    for (k = 0; k < sizeof(schemes) / sizeof(*schemes); k++) {
        size_t sl = strlen(schemes[k]);

        if (!strncasecmp(p, schemes[k], sl) && token_len(p + sl) >= 4) {
            dk_buf_addn(out, p, sl);
            dk_buf_add(out, "***");
            return sl + token_len(p + sl);
        }
    }
    for (k = 0; k < sizeof(params) / sizeof(*params); k++) {
        size_t pl = strlen(params[k]);

        if ((i == 0 || !isalnum((unsigned char)in[i - 1])) && !strncasecmp(p, params[k], pl) &&
            token_len(p + pl) > 0) {
            n = pl;
            while (p[n] && p[n] != '&' && !isspace((unsigned char)p[n]) && p[n] != '"')
                n++;
            dk_buf_addn(out, p, pl);
            dk_buf_add(out, "***");
            return n;
        }
    }
    /* scheme://user:password@host */
    if (!strncmp(p, "://", 3)) {
        const char *q = p + 3, *colon = NULL;

        while (*q && *q != '/' && *q != '@' && !isspace((unsigned char)*q)) {
            if (*q == ':' && !colon)
                colon = q;
            q++;
        }
        if (*q == '@' && colon) {
            dk_buf_addn(out, p, (size_t)(colon - p) + 1);
            dk_buf_add(out, "***@");
            return (size_t)(q - p) + 1;
        }
    }
    return 0;
}

void dk_redact(struct dk_buf *out, const char *in)
{
    size_t i = 0, k;

    while (in[i]) {
        size_t n = redact_pattern(out, in, i);

        if (n) {
            i += n;
            continue;
        }
        for (k = 0; k < L.nsecrets; k++) {
            size_t sl = strlen(L.secrets[k]);

            if (!strncmp(in + i, L.secrets[k], sl)) {
                dk_buf_add(out, "***");
                n = sl;
                break;
            }
        }
        if (n) {
            i += n;
            continue;
        }
        dk_buf_addch(out, in[i++]);
    }
}

void dk_redact_inplace(char *s, size_t size)
{
    struct dk_buf b = DK_BUF_INIT;

    dk_redact(&b, s);
    snprintf(s, size, "%s", b.buf);
    dk_buf_release(&b);
}

static void vlog(enum dk_log_level lvl, const char *tag, const char *col, const char *fmt,
                 va_list ap)
{
    struct dk_buf raw = DK_BUF_INIT, out = DK_BUF_INIT;

    if (lvl > L.level)
        return;
    dk_buf_vaddf(&raw, fmt, ap);
    dk_buf_addf(&out, "%s: ", L.prog);
    if (lvl == DK_LOG_DEBUG) {
        /* debug lines carry the time since the first one, to see where time goes */
        static struct timespec t0;
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        if (!t0.tv_sec && !t0.tv_nsec)
            t0 = t;
        dk_buf_addf(&out, "[%.3f] ",
                    (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9);
    }
    if (tag) {
        if (colour())
            dk_buf_addf(&out, "%s%s\033[0m: ", col, tag);
        else
            dk_buf_addf(&out, "%s: ", tag);
    }
    dk_redact(&out, raw.buf);
    dk_buf_addch(&out, '\n');
    fwrite(out.buf, 1, out.len, stderr);
    fflush(stderr);
    dk_buf_release(&raw);
    dk_buf_release(&out);
}

#define DEFINE_LOG(fn, lvl, tag, col)                                                              \
    void fn(const char *fmt, ...)                                                                  \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        vlog(lvl, tag, col, fmt, ap);                                                              \
        va_end(ap);                                                                                \
    }

DEFINE_LOG(dk_log_error, DK_LOG_QUIET, "error", "\033[1;31m")
DEFINE_LOG(dk_log_warn, DK_LOG_WARN, "warning", "\033[1;33m")
DEFINE_LOG(dk_log_info, DK_LOG_INFO, NULL, "")
DEFINE_LOG(dk_log_debug, DK_LOG_DEBUG, "debug", "\033[2m")

void dk_log_section_start(const char *id, const char *title)
{
    const char *gl = getenv("GITLAB_CI"), *gh = getenv("GITHUB_ACTIONS");

    if (L.level < DK_LOG_INFO)
        return;
    if (gl && *gl)
        fprintf(stderr, "\033[0Ksection_start:%lld:%s[collapsed=true]\r\033[0K%s\n",
                (long long)time(NULL), id, title);
    else if (gh && !strcmp(gh, "true"))
        fprintf(stderr, "::group::%s\n", title);
    else
        fprintf(stderr, "%s: %s\n", L.prog, title);
    fflush(stderr);
}

void dk_log_section_end(const char *id)
{
    const char *gl = getenv("GITLAB_CI"), *gh = getenv("GITHUB_ACTIONS");

    if (L.level < DK_LOG_INFO)
        return;
    if (gl && *gl)
        fprintf(stderr, "\033[0Ksection_end:%lld:%s\r\033[0K\n", (long long)time(NULL), id);
    else if (gh && !strcmp(gh, "true"))
        fprintf(stderr, "::endgroup::\n");
    fflush(stderr);
}
