/*
 * deploy: dk-deploy's subcommands. Today: render, the `helm template` equivalent.
 *
 * dk_deploy_render() loads the chart (default DIR/.helm; a werf .helm without Chart.yaml gets
 * werf's defaults, named after the project), builds the user values (werf's service values
 * from the pipeline document first, then -f files, --set-json, --set, --set-string,
 * --set-file, --set-literal, in Helm's order) and renders. The YAML goes to yaml; the
 * document gets `render` (chart, release, namespace and one entry per manifest) when
 * o->output_document asks for it, and always `release.name`/`namespace`/`resources`.
 *
 * werf's service values, from the document: werf.name (project), werf.repo (repo),
 * werf.namespace, werf.image.<name> (images.<name>.ref) and werf.tag.<name>
 * (images.<name>.tag), and the same under global.werf.
 */
#ifndef DK_DEPLOY_H
#define DK_DEPLOY_H

#include "dk/buf.h"
#include "dk/cli.h"
#include "dk/err.h"
#include "dk/pipeline.h"

struct dk_deploy_render_opts {
    const char *dir;          /* project directory (.) */
    const char *release;      /* NULL: the project name */
    const char *chart;        /* NULL: DIR/.helm */
    const char *namespace;    /* NULL: "default" */
    const char *kube_version; /* NULL: Helm's default */
    struct dk_strlist values, set, set_string, set_file, set_json, set_literal;
    struct dk_strlist show_only, api_versions;
    int include_crds, skip_tests, no_hooks, is_upgrade, strict, output_document;
};

void dk_deploy_render_opts_release(struct dk_deploy_render_opts *o);
int dk_deploy_render(const struct dk_deploy_render_opts *o, struct dk_doc *doc, struct dk_buf *yaml,
                     struct dk_err *err);

#endif
