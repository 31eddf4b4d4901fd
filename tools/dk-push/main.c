/* dk-push: move images between registries, OCI layouts and archives. */
#include <string.h>

#include "dk/push.h"
#include "dk/tool.h"

static const char usage[] = "dk-push COMMAND [OPTIONS] ARGS";
static const char description[] =
    "Move images: copy, retag, export, list, inspect and delete, between registries,\n"
    "OCI image layouts (oci:DIR[:NAME]) and OCI archives (oci-archive:FILE[:NAME]).\n"
    "Reads the pipeline document on standard input and writes it, with what was done,\n"
    "to standard output.\n\n"
    "commands:\n"
    "  copy SRC DST          copy an image (all platforms, or --platform)\n"
    "  tag REF TAG...        give an image more tags in its repository\n"
    "  ls REPO               list the tags of a repository\n"
    "  catalog REG[/PREFIX]  list the repositories of a registry\n"
    "  inspect REF           show an image's manifest and config\n"
    "  digest REF            show an image's manifest digest\n"
    "  delete REF            remove one tag (or, given a digest, the manifest)\n"
    "  publish --tag T...    copy every image of the document to templated references\n"
    "  login REGISTRY        store credentials (-u USER --password-stdin)\n"
    "  logout REGISTRY       remove stored credentials";

int main(int argc, char **argv)
{
    struct dk_push_opts o;
    struct dk_err err = DK_ERR_INIT;
    struct dk_doc doc = {NULL};
    int rc, first = argc > 1 && argv[1][0] != '-' ? 2 : 1;
    const struct dk_opt opts[] = {
        {"platform", 0, DK_OPT_STR, &o.platform, "OS/ARCH",
         "one platform of a multi-platform image", NULL},
        {"parallel", 'j', DK_OPT_INT, &o.reg.parallel, "N", "blobs transferred at once (8)", NULL},
        {"insecure-registry", 0, DK_OPT_STRLIST, &o.reg.insecure_registries, "HOST",
         "allow plain HTTP and unverified TLS for HOST", NULL},
        {"tls-verify", 0, DK_OPT_STR, &o.reg.tls_verify, "auto|true|false",
         "verify TLS (auto: not for loopback and insecure hosts)", NULL},
        {"insecure", 'k', DK_OPT_BOOL, &o.reg.insecure, NULL,
         "no TLS verification, plain HTTP allowed, for every registry", NULL},
        {"ca-cert", 0, DK_OPT_STR, &o.reg.ca_cert, "FILE", "extra CA certificates (PEM)", NULL},
        {"username", 'u', DK_OPT_STR, &o.reg.username, "USER", "registry user", NULL},
        {"password", 0, DK_OPT_STR, &o.reg.password, "PASS",
         "registry password (prefer the variable or --password-stdin)", NULL},
        {"password-stdin", 0, DK_OPT_BOOL, &o.password_stdin, NULL,
         "login: read the password from standard input", ""},
        {"tag", 't', DK_OPT_STRLIST, &o.tags, "TEMPLATE",
         "publish: destination, with %image%, %image_slug%, %image_content_based_tag%",
         "DK_PUBLISH_TAG"},
        {"drop-label-prefix", 0, DK_OPT_STRLIST, &o.drop_labels, "PREFIX",
         "publish: remove labels starting with PREFIX", NULL},
        {"chunk-size", 0, DK_OPT_INT, &o.chunk_size, "BYTES",
         "copy: upload blobs from layouts in chunks of BYTES", NULL},
        {"page-size", 0, DK_OPT_INT, &o.reg.page_size, "N",
         "ls/catalog: entries asked for per page (1000)", NULL},
        {"no-progress", 0, DK_OPT_BOOL, &o.no_progress, NULL, "no progress output", NULL},
        DK_OPT_END,
    };

    dk_push_opts_init(&o);
    rc = dk_tool_start("dk-push", usage, description, opts, argc, argv, first, &o.operands, &err);
    if (rc < 0 && first == 1 && err.code == DK_E_OK)
        dk_err_set(&err, DK_E_USAGE, "no command (see dk-push --help)");
    if (rc >= 0) {
        dk_push_opts_release(&o);
        return rc;
    }
    o.command = first == 2 ? argv[1] : "";
    dk_tool_read_doc(&doc, o.password_stdin, &err);
    if (err.code == DK_E_OK)
        dk_push_run(&o, &doc, &err);
    rc = dk_tool_finish(&doc, "dk-push", &err);
    dk_push_opts_release(&o);
    return rc;
}
