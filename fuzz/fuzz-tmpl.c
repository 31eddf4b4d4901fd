/*
 * fuzz-tmpl: a fuzz target for the template engine (common/tmpl.c) and the Helm/sprig
 * functions (common/tmplfuncs.c).
 *
 * Input: the first line is the data document (JSON; anything else, or an empty line, means
 * nil data; a leading '!' turns on missingkey=error, Helm's --strict), the rest is the
 * template text. The template is parsed as "fuzz" with every real
 * function registered, executed with tight limits, and released; parse and execution errors
 * are expected, crashes, leaks and undefined behaviour are not.
 *
 * Built three ways:
 *   - with clang -fsanitize=fuzzer: libFuzzer calls LLVMFuzzerTestOneInput() (fuzz/run.sh);
 *   - with -DDK_FUZZ_MAIN: a standalone driver, for machines without libFuzzer. It runs
 *     every file given (or every file of a directory given) once, then, with -t SECONDS,
 *     feeds random mutations of them until the time is up, each first written to the file
 *     $FUZZ_LAST when set, so that a crash leaves its input behind (fuzz/run.sh's fallback);
 *   - included by tests/unit/t-fuzz-tmpl.c, which runs the seed corpus once.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "dk/buf.h"
#include "dk/err.h"
#include "dk/tmpl.h"
#include "dk/tmplfuncs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Limits small enough that no input spends more than a moment. */
#define FUZZ_MAX_INPUT  65536
#define FUZZ_MAX_OUTPUT 65536
#define FUZZ_MAX_RANGE  5000
#define FUZZ_MAX_DEPTH  40

static struct dk_val *fuzz_data(const char *line, size_t len)
{
    struct dk_val *v;
    cJSON *j;

    if (len == 0)
        return dk_val_nil();
    j = cJSON_ParseWithLength(line, len);
    if (!j)
        return dk_val_nil();
    v = dk_val_from_json(j);
    cJSON_Delete(j);
    return v;
}

/* Parses and runs one input; returns 0 when it rendered, 1 when it failed cleanly. */
static int fuzz_one(const uint8_t *data, size_t size, struct dk_buf *out)
{
    const char *text = (const char *)data, *nl;
    struct dk_err err = DK_ERR_INIT;
    struct dk_tmpl t;
    struct dk_val *v;
    size_t dlen;
    int rc = 1, strict;

    if (size > FUZZ_MAX_INPUT)
        return 1;
    nl = size ? memchr(text, '\n', size) : NULL;
    dlen = nl ? (size_t)(nl - text) : 0;
    strict = dlen > 0 && text[0] == '!';
    v = strict ? fuzz_data(text + 1, dlen - 1) : fuzz_data(text, dlen);
    if (nl) {
        text = nl + 1;
        size -= dlen + 1;
    }
    dk_tmpl_init(&t);
    t.max_output = FUZZ_MAX_OUTPUT;
    t.max_range = FUZZ_MAX_RANGE;
    t.max_depth = FUZZ_MAX_DEPTH;
    t.missing_error = strict;
    dk_buf_init_max(out, 4 * FUZZ_MAX_OUTPUT);
    if (dk_tmplfuncs_register(&t, &err) == 0 && dk_tmpl_parse(&t, "fuzz", text, size, &err) == 0 &&
        dk_tmpl_exec(&t, "fuzz", v, out, &err) == 0)
        rc = 0;
    dk_tmpl_release(&t);
    dk_val_unref(v);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dk_buf out = DK_BUF_INIT;

    fuzz_one(data, size, &out);
    dk_buf_release(&out);
    return 0;
}

#ifdef DK_FUZZ_MAIN

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <time.h>

struct fuzz_corpus {
    char **data;
    size_t *len;
    size_t n;
};

static int fuzz_read_file(const char *path, struct fuzz_corpus *c)
{
    struct dk_buf b = DK_BUF_INIT;
    char chunk[4096];
    size_t k;
    FILE *f = fopen(path, "rb");

    if (!f) {
        fprintf(stderr, "fuzz-tmpl: cannot open '%s': %s\n", path, strerror(errno));
        return -1;
    }
    while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
        dk_buf_addn(&b, chunk, k);
    fclose(f);
    c->data = dk_xrealloc(c->data, (c->n + 1) * sizeof(*c->data));
    c->len = dk_xrealloc(c->len, (c->n + 1) * sizeof(*c->len));
    c->data[c->n] = dk_buf_detach(&b, &c->len[c->n]);
    c->n++;
    return 0;
}

static int fuzz_read_arg(const char *path, struct fuzz_corpus *c)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int rc = 0;

    if (!d)
        return fuzz_read_file(path, c);
    while ((e = readdir(d))) {
        char *p;

        if (e->d_name[0] == '.')
            continue;
        p = dk_xasprintf("%s/%s", path, e->d_name);
        rc |= fuzz_read_file(p, c);
        free(p);
    }
    closedir(d);
    return rc;
}

/* Tokens worth splicing in: keywords, functions and the punctuation of actions. */
static const char *const fuzz_words[] = {"{{",
                                         "}}",
                                         "{{-",
                                         " -}}",
                                         "(",
                                         ")",
                                         "|",
                                         "$",
                                         "$x",
                                         ":=",
                                         "=",
                                         ".",
                                         ".a",
                                         ".a.b",
                                         " ",
                                         "\"",
                                         "`",
                                         "'",
                                         "\\",
                                         "\n",
                                         "0",
                                         "-1",
                                         "1e9",
                                         "0x7fffffffffffffff",
                                         "nil",
                                         "true",
                                         "if ",
                                         "else",
                                         "end",
                                         "range ",
                                         "with ",
                                         "define \"t\"",
                                         "template \"t\"",
                                         "block \"b\" .",
                                         "break",
                                         "continue",
                                         "include \"t\" .",
                                         "tpl ",
                                         "printf ",
                                         "\"%#v\"",
                                         "\"%-08.3x\"",
                                         "\"%*d\"",
                                         "index ",
                                         "slice ",
                                         "len ",
                                         "list ",
                                         "dict ",
                                         "set ",
                                         "merge ",
                                         "deepCopy ",
                                         "toYaml ",
                                         "toJson ",
                                         "fromYaml ",
                                         "repeat ",
                                         "until ",
                                         "and ",
                                         "or ",
                                         "eq ",
                                         "lt ",
                                         "call ",
                                         "/*",
                                         "*/",
                                         "{{/*",
                                         "*/}}",
                                         "\xff",
                                         "\xe2\x82\xac"};

static uint64_t fuzz_rng = 88172645463325252ull;

static size_t fuzz_rand(size_t n)
{
    fuzz_rng ^= fuzz_rng << 13;
    fuzz_rng ^= fuzz_rng >> 7;
    fuzz_rng ^= fuzz_rng << 17;
    return n ? (size_t)(fuzz_rng % n) : 0;
}

/* One random edit of b: delete, duplicate or flip a span, splice a word or another input. */
static void fuzz_mutate(struct dk_buf *b, const struct fuzz_corpus *c)
{
    size_t at = fuzz_rand(b->len + 1), k = 1 + fuzz_rand(8);
    struct dk_buf t = DK_BUF_INIT;
    const char *w;
    size_t i, wl;

    switch (fuzz_rand(6)) {
    case 0: /* delete */
        if (at + k > b->len)
            k = b->len - at;
        memmove(b->buf + at, b->buf + at + k, b->len - at - k);
        dk_buf_setlen(b, b->len - k);
        return;
    case 1: /* flip bytes */
        for (i = at; i < at + k && i < b->len; i++)
            b->buf[i] = (char)fuzz_rand(256);
        return;
    case 2: /* duplicate a span */
        if (at + k > b->len)
            k = b->len - at;
        w = b->buf + at;
        dk_buf_addn(&t, w, k);
        w = t.buf;
        wl = t.len;
        break;
    case 3: /* part of another input */
        i = fuzz_rand(c->n);
        at = fuzz_rand(b->len + 1);
        k = fuzz_rand(c->len[i] + 1);
        wl = fuzz_rand(c->len[i] - k + 1);
        dk_buf_addn(&t, c->data[i] + k, wl);
        w = t.buf;
        wl = t.len;
        break;
    default: /* a word */
        w = fuzz_words[fuzz_rand(sizeof(fuzz_words) / sizeof(fuzz_words[0]))];
        wl = strlen(w);
        break;
    }
    if (b->len + wl > FUZZ_MAX_INPUT) {
        dk_buf_release(&t);
        return;
    }
    dk_buf_grow(b, wl);
    memmove(b->buf + at + wl, b->buf + at, b->len - at);
    memcpy(b->buf + at, w, wl);
    b->len += wl;
    b->buf[b->len] = 0;
    dk_buf_release(&t);
}

/* Writes the input about to run to path, so that a crash leaves it behind. */
static int fuzz_save(const char *path, const struct dk_buf *b)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (!f) {
        fprintf(stderr, "fuzz-tmpl: cannot write '%s': %s\n", path, strerror(errno));
        return -1;
    }
    ok = fwrite(b->buf, 1, b->len, f) == b->len;
    if (fclose(f) != 0 || !ok) {
        fprintf(stderr, "fuzz-tmpl: cannot write '%s'\n", path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct fuzz_corpus c = {NULL, NULL, 0};
    const char *last = getenv("FUZZ_LAST");
    double seconds = 0;
    uint64_t runs = 0;
    time_t start;
    size_t i;
    int a;

    for (a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "-t") && a + 1 < argc) {
            seconds = atof(argv[++a]);
            continue;
        }
        if (fuzz_read_arg(argv[a], &c) < 0)
            return 2;
    }
    if (c.n == 0) {
        fprintf(stderr, "usage: fuzz-tmpl [-t SECONDS] FILE|DIR...\n");
        return 2;
    }
    for (i = 0; i < c.n; i++, runs++)
        LLVMFuzzerTestOneInput((const uint8_t *)c.data[i], c.len[i]);
    start = time(NULL);
    fuzz_rng ^= (uint64_t)start;
    while (seconds > 0 && difftime(time(NULL), start) < seconds) {
        struct dk_buf b = DK_BUF_INIT;
        size_t k = 1 + fuzz_rand(6);

        i = fuzz_rand(c.n);
        dk_buf_addn(&b, c.data[i], c.len[i]);
        while (k--)
            fuzz_mutate(&b, &c);
        if (last && fuzz_save(last, &b) < 0)
            return 2;
        LLVMFuzzerTestOneInput((const uint8_t *)b.buf, b.len);
        dk_buf_release(&b);
        runs++;
    }
    printf("fuzz-tmpl: %llu runs over %zu inputs, no crash\n", (unsigned long long)runs, c.n);
    for (i = 0; i < c.n; i++)
        free(c.data[i]);
    free(c.data);
    free(c.len);
    return 0;
}

#endif
