/* dk-deploy: Helm charts and bundles into Kubernetes. Today: render (helm template). */
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "dk/deploy.h"
#include "dk/log.h"
#include "dk/tool.h"

static const char usage[] = "dk-deploy render [RELEASE] [CHART] [OPTIONS]";
static const char description[] =
    "Renders a Helm chart as `helm template` does, byte for byte, without helm: CHART is a\n"
    "chart directory or .tgz (default: DIR/.helm, werf's layout), RELEASE the release name\n"
    "(default: the project name of dk.yaml / werf.yaml). Images of the pipeline document on\n"
    "standard input are given to the templates as .Values.werf.image.<name> and\n"
    ".Values.werf.tag.<name>. The manifests go to standard output; with --output-document\n"
    "the pipeline document does instead, with the manifests in render.manifests.";

static int is_chart_path(const char *s)
{
    struct stat st;

    return stat(s, &st) == 0;
}

int main(int argc, char **argv)
{
    struct dk_deploy_render_opts o;
    struct dk_err err = DK_ERR_INIT;
    struct dk_doc doc = {NULL};
    struct dk_strlist operands = {NULL, 0, NULL};
    struct dk_buf yaml = DK_BUF_INIT;
    int rc;
    const struct dk_opt opts[] = {
        {"dir", 'C', DK_OPT_STR, &o.dir, "DIR", "the project directory (.)", NULL},
        {"namespace", 'n', DK_OPT_STR, &o.namespace, "NS", "the release namespace (default)", NULL},
        {"values", 'f', DK_OPT_STRLIST, &o.values, "FILE", "a values file (repeatable; - is stdin)",
         ""},
        {"set", 0, DK_OPT_STRLIST, &o.set, "K=V", "set values (a.b=1,c[0]=x)", ""},
        {"set-string", 0, DK_OPT_STRLIST, &o.set_string, "K=V", "set string values", ""},
        {"set-file", 0, DK_OPT_STRLIST, &o.set_file, "K=FILE", "set values from files", ""},
        {"set-json", 0, DK_OPT_STRLIST, &o.set_json, "K=JSON", "set JSON values", ""},
        {"set-literal", 0, DK_OPT_STRLIST, &o.set_literal, "K=V", "set a literal string", ""},
        {"show-only", 's', DK_OPT_STRLIST, &o.show_only, "PATH",
         "only the manifests of this template (glob)", ""},
        {"include-crds", 0, DK_OPT_BOOL, &o.include_crds, NULL, "print the crds/ files too", NULL},
        {"skip-tests", 0, DK_OPT_BOOL, &o.skip_tests, NULL, "leave out test hooks", NULL},
        {"no-hooks", 0, DK_OPT_BOOL, &o.no_hooks, NULL, "leave out all hooks", NULL},
        {"api-versions", 'a', DK_OPT_STRLIST, &o.api_versions, "GV",
         "an API version for .Capabilities.APIVersions", ""},
        {"kube-version", 0, DK_OPT_STR, &o.kube_version, "VER",
         ".Capabilities.KubeVersion (v1.35.0)", NULL},
        {"is-upgrade", 0, DK_OPT_BOOL, &o.is_upgrade, NULL,
         ".Release.IsUpgrade instead of IsInstall", NULL},
        {"strict", 0, DK_OPT_BOOL, &o.strict, NULL, "a missing value is an error", NULL},
        {"output-document", 0, DK_OPT_BOOL, &o.output_document, NULL,
         "write the pipeline document (manifests included) instead of YAML", NULL},
        DK_OPT_END,
    };

    /* A render allocates and frees megabytes in big blocks; glibc would give each back to the
     * kernel and fault it in again. Kept in the heap, a big chart renders a third faster. */
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    memset(&o, 0, sizeof(o));
    if (argc < 2 || strcmp(argv[1], "render") != 0) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            dk_cli_help(usage, description, opts);
            return 0;
        }
        if (argc >= 2 && !strcmp(argv[1], "--version")) {
            printf("dk-deploy %s\n", dk_version);
            return 0;
        }
        fprintf(stderr, "dk-deploy: error: %s%s%s\nusage: %s\n",
                argc < 2 ? "a subcommand is needed" : "unknown subcommand '",
                argc < 2 ? "" : argv[1], argc < 2 ? "" : "'", usage);
        return 2;
    }
    rc = dk_tool_start("dk-deploy", usage, description, opts, argc, argv, 2, &operands, &err);
    if (rc >= 0) {
        dk_strlist_release(&operands);
        dk_deploy_render_opts_release(&o);
        return rc;
    }
    if (err.code == DK_E_OK && operands.n > 2)
        dk_err_set(&err, DK_E_USAGE, "too many arguments: expected [RELEASE] [CHART]");
    if (operands.n == 2) {
        o.release = operands.v[0];
        o.chart = operands.v[1];
    } else if (operands.n == 1 && is_chart_path(operands.v[0])) {
        o.chart = operands.v[0];
        o.release = "release-name"; /* helm template CHART */
    } else if (operands.n == 1) {
        o.release = operands.v[0];
    }
    dk_tool_read_doc(&doc, 0, &err);
    if (err.code == DK_E_OK)
        dk_deploy_render(&o, &doc, &yaml, &err);
    if (!o.output_document) {
        /* YAML on stdout; on failure the error line only, nothing half-written */
        if (err.code == DK_E_OK)
            fwrite(yaml.buf ? yaml.buf : "", 1, yaml.len, stdout);
        else
            dk_log_error("%s", err.msg);
        rc = dk_exit_code(&err);
        dk_doc_release(&doc);
    } else {
        rc = dk_tool_finish(&doc, "dk-deploy", &err);
    }
    dk_buf_release(&yaml);
    dk_strlist_release(&operands);
    dk_deploy_render_opts_release(&o);
    return rc;
}
