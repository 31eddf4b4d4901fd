/* dk-track: waits until Kubernetes resources are ready, failing fast when they cannot be. */
#include <stdio.h>
#include <string.h>

#include "dk/tool.h"
#include "dk/track.h"

static const char usage[] = "dk-track [OPTIONS] [KIND/NAME...]";
static const char description[] =
    "Follows Kubernetes resources until they are ready (exit 0) or have failed (exit 1), with\n"
    "kubedog's rules: deploy/NAME, sts/NAME, ds/NAME, job/NAME, pod/NAME, kind.group/NAME,\n"
    "the manifests of -f FILE (- for standard input), or else release.resources of the\n"
    "pipeline document. Shows a progress table, container logs and events on standard error,\n"
    "fails fast on CrashLoopBackOff, image pull errors, failed Jobs, exceeded progress\n"
    "deadlines, Failed* events and probe failures, and records the outcome as 'track'.";

int main(int argc, char **argv)
{
    struct dk_track_opts o;
    struct dk_err err = DK_ERR_INIT;
    struct dk_doc doc = {NULL};
    size_t i;
    int rc, stdin_manifests = 0;
    const struct dk_opt opts[] = {
        {"namespace", 'n', DK_OPT_STR, &o.ns, "NS",
         "namespace of KIND/NAME operands and of "
         "manifests without one (the kubeconfig's)",
         NULL},
        {"filename", 'f', DK_OPT_STRLIST, &o.files, "FILE",
         "track the resources of these manifests (- : standard input)", NULL},
        {"timeout", 0, DK_OPT_STR, &o.timeout, "DURATION",
         "give up after this long (5m; 0: "
         "never)",
         NULL},
        {"status-period", 0, DK_OPT_STR, &o.status_period, "DURATION",
         "progress table period when standard error is no terminal (5s)", NULL},
        {"no-logs", 0, DK_OPT_BOOL, &o.no_logs, NULL, "do not show container logs", NULL},
        {"kubeconfig", 0, DK_OPT_STR, &o.kubeconfig, "FILE", "kubeconfig file", NULL},
        {"kube-context", 0, DK_OPT_STR, &o.context, "NAME", "kubeconfig context", NULL},
        DK_OPT_END,
    };

    dk_track_opts_init(&o);
    o.timeout = "5m";
    rc = dk_tool_start("dk-track", usage, description, opts, argc, argv, 1, &o.targets, &err);
    if (rc >= 0) {
        dk_track_opts_release(&o);
        return rc;
    }
    for (i = 0; i < o.files.n; i++)
        if (strcmp(o.files.v[i], "-") == 0)
            stdin_manifests = 1;
    dk_tool_read_doc(&doc, stdin_manifests, &err);
    if (err.code == DK_E_OK)
        dk_track_run(&o, &doc, &err);
    rc = dk_tool_finish(&doc, "dk-track", &err);
    dk_track_opts_release(&o);
    return rc;
}
