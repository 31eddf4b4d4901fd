/* Keeps the template fuzz target (fuzz/fuzz-tmpl.c) and its standalone driver compiling with
 * the project's warnings, and runs the seed corpus once through both: `make fuzz` does the
 * fuzzing itself. Run from the project's top directory, as tests/run.sh does. */
#define DK_FUZZ_MAIN
#define main fuzz_main
int fuzz_main(int argc, char **argv);
#include "../../fuzz/fuzz-tmpl.c"
#undef main

#include <dirent.h>
#include <stdio.h>

#include "tap.h"

#define CORPUS "fuzz/corpus"

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *slurp(const char *path, size_t *len)
{
    struct dk_buf b = DK_BUF_INIT;
    char chunk[4096];
    FILE *f = fopen(path, "rb");
    size_t k;

    if (!f)
        return NULL;
    while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
        dk_buf_addn(&b, chunk, k);
    fclose(f);
    return dk_buf_detach(&b, len);
}

int main(void)
{
    char **names = NULL;
    size_t n = 0, i, rendered = 0;
    struct dirent *e;
    DIR *d = opendir(CORPUS);

    if (!ok(d != NULL, "the seed corpus %s is there", CORPUS))
        return tap_done();
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            names = dk_xrealloc(names, (n + 1) * sizeof(*names));
            names[n++] = dk_xstrdup(e->d_name);
        }
    closedir(d);
    qsort(names, n, sizeof(*names), by_name);
    ok(n >= 12, "the seed corpus has at least a dozen inputs (%zu)", n);
    {
        char *argv[] = {(char *)"fuzz-tmpl", (char *)CORPUS, NULL};

        ok(fuzz_main(2, argv) == 0, "the standalone driver runs the corpus");
    }
    for (i = 0; i < n; i++) {
        struct dk_buf out = DK_BUF_INIT;
        char *path = dk_xasprintf("%s/%s", CORPUS, names[i]), *data;
        size_t len = 0;

        data = slurp(path, &len);
        if (ok(data != NULL, "%s: read", names[i])) {
            /* under ASan (make asan) this is where a crash or leak would show */
            rendered += fuzz_one((const uint8_t *)data, len, &out) == 0;
            ok(LLVMFuzzerTestOneInput((const uint8_t *)data, len) == 0, "%s: runs", names[i]);
        }
        dk_buf_release(&out);
        free(data);
        free(path);
        free(names[i]);
    }
    free(names);
    /* the seeds are meant to reach the executor, not stop at the parser */
    ok(rendered >= n / 2, "most seeds render without error (%zu of %zu)", rendered, n);
    return tap_done();
}
