/* dk-tag: content-based tags — the digest of everything that goes into each image. */
#include <stdio.h>

#include "dk/tag.h"
#include "dk/tool.h"

static const char usage[] = "dk-tag [OPTIONS] [IMAGE...]";
static const char description[] =
    "Computes the content digest of every image of dk.yaml / werf.yaml (or of the IMAGEs\n"
    "named and what they depend on) from a git commit, without building anything, and\n"
    "records it in the pipeline document as images.<name>.digest. The same inputs give the\n"
    "same digest on any machine; --explain IMAGE prints every input (on standard error).";

int main(int argc, char **argv)
{
    struct dk_tag_opts o;
    struct dk_err err = DK_ERR_INIT;
    struct dk_doc doc = {NULL};
    struct dk_buf explain = DK_BUF_INIT;
    int rc;
    const struct dk_opt opts[] = {
        {"dir", 'C', DK_OPT_STR, &o.dir, "DIR", "the project directory (.)", NULL},
        {"config", 0, DK_OPT_STR, &o.config, "FILE",
         "the configuration file instead of DIR/dk.yaml or werf.yaml", NULL},
        {"commit", 0, DK_OPT_STR, &o.commit, "REV", "the commit to read files from (HEAD)", NULL},
        {"dev", 0, DK_OPT_BOOL, &o.dev, NULL,
         "use the working tree, uncommitted and untracked files included", NULL},
        {"explain", 0, DK_OPT_STR, &o.explain, "IMAGE", "print the inputs of IMAGE's digest", NULL},
        DK_OPT_END,
    };

    dk_tag_opts_init(&o);
    rc = dk_tool_start("dk-tag", usage, description, opts, argc, argv, 1, &o.images, &err);
    if (rc >= 0) {
        dk_tag_opts_release(&o);
        return rc;
    }
    dk_tool_read_doc(&doc, 0, &err);
    if (err.code == DK_E_OK)
        dk_tag_run(&o, &doc, &explain, &err);
    fputs(explain.buf, stderr);
    rc = dk_tool_finish(&doc, "dk-tag", &err);
    dk_buf_release(&explain);
    dk_tag_opts_release(&o);
    return rc;
}
