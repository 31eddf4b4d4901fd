/*
 * chart: Helm charts — loading, dependencies, values, rendering — as `helm template` (Helm
 * v4.1.4) does it, without a helm binary.
 *
 * Loading. dk_chart_load() reads a chart directory (honouring .helmignore with Helm's rules,
 * including its odd negation) or a .tgz (one top directory, which is stripped; absolute
 * paths and '..' are refused). Chart.yaml apiVersion v1 (dependencies in requirements.yaml)
 * and v2, values.yaml, values.schema.json, templates/, crds/, charts/ (directories and
 * .tgz, loaded recursively) and every other file (the chart's .Files). A directory without
 * Chart.yaml may be loaded with werf's defaults (dk_chart_load_opts.werf_name): werf's .helm
 * directory.
 *
 * Values. Values are struct dk_val trees (dk/tmpl.h): numbers from YAML are floats, as
 * Helm's are; --set gives ints. dk_chart_values_merge() merges user values (-f files, then
 * --set flags) with Helm's coalescing rules; dk_chart_render() then applies dependency
 * conditions and tags, aliases, import-values, the charts' defaults and globals (null deletes
 * a default), and validates each enabled chart's values.schema.json.
 *
 * Rendering. dk_chart_render() renders every template with the built-in objects (.Values,
 * .Release, .Chart, .Capabilities, .Template, .Files, .Subcharts), then splits, sorts and
 * prints the documents exactly as `helm template` prints them (# Source: lines, Helm's kind
 * install order, hooks last, NOTES.txt dropped). Errors use Helm's wording: DK_E_INPUT for a
 * chart or values problem (template syntax, schema, missing dependency), DK_E_FAIL for a
 * render failure (`required`, `fail`, an execution error).
 */
#ifndef DK_CHART_H
#define DK_CHART_H

#include <stddef.h>

#include <cJSON.h>

#include "dk/buf.h"
#include "dk/err.h"
#include "dk/tmpl.h"

struct dk_chart_file {
    char *name; /* relative to the chart: "templates/x.yaml", "files/a.txt" */
    char *data; /* NUL-terminated (may hold NULs) */
    size_t len;
    size_t mapped; /* when not 0, data is a private file mapping of this length (munmap) */
};

struct dk_chart_dep {
    char *name, *version, *repository, *condition, *alias;
    struct dk_strvec tags;
    struct dk_val *import_values; /* list, or NULL */
    int enabled;
};

struct dk_chart {
    cJSON *meta; /* Chart.yaml (with werf's defaults when there was none) */
    char *name;  /* metadata name (an alias replaces it) */
    char *version;
    char *api_version;
    int library;
    struct dk_val *values; /* values.yaml: a map */
    cJSON *schema;         /* values.schema.json, or NULL */
    struct dk_chart_file *templates;
    size_t ntemplates;
    struct dk_chart_file *files; /* .Files: everything else but charts/ (bar *.prov) */
    size_t nfiles;
    struct dk_chart_dep *reqs; /* Chart.yaml dependencies (or requirements.yaml) */
    size_t nreqs;
    struct dk_chart **deps; /* charts found in charts/ */
    size_t ndeps;
    struct dk_chart *parent;
};

struct dk_chart_load_opts {
    /* When set and a directory has no Chart.yaml, the chart gets werf's defaults: this name,
     * version 1.0.0, apiVersion v2 (werf's .helm directories). */
    const char *werf_name;
};

/* Loads the chart at path (a directory or a .tgz/.tar.gz file). o may be NULL. */
int dk_chart_load(const char *path, const struct dk_chart_load_opts *o, struct dk_chart **out,
                  struct dk_err *err);
void dk_chart_free(struct dk_chart *c);

/* Merges src into dst (both maps) as Helm merges a later -f file over an earlier one: maps
 * merge deeply, anything else in src replaces what dst had (null included). */
void dk_chart_values_merge(struct dk_val *dst, struct dk_val *src);
/* A deep copy of a value tree (maps and lists copied, scalars shared). */
struct dk_val *dk_chart_values_copy(struct dk_val *v);
/* Reads a values file (-f) into a map; "-" is stdin. DK_E_INPUT names the file. */
int dk_chart_values_file(const char *path, struct dk_val **out, struct dk_err *err);

struct dk_chart_render_opts {
    const char *release;   /* default "release-name" */
    const char *namespace; /* default "default" */
    int revision;          /* default 1 */
    int is_upgrade;
    const char *kube_version;             /* default v1.35.0 (Helm v4.1.4's) */
    const struct dk_strvec *api_versions; /* added to the built-in set */
    int include_crds, skip_tests, disable_hooks;
    const struct dk_strvec *show_only; /* template paths or globs (relative to the chart) */
    struct dk_val *values;             /* user values (a map, borrowed; may be NULL) */
    int strict;                        /* missingkey=error */
    /* The process ends after this render: the parsed templates are left for the exit to
     * reclaim instead of being freed node by node (a few percent of a render; they stay
     * reachable, so leak checkers are content). */
    int exit_soon;
};

/* One rendered document, as helm template prints it. */
struct dk_chart_doc {
    char *source;                                /* "chart/templates/x.yaml" */
    char *text;                                  /* the document, trimmed */
    char *kind, *name, *api_version, *namespace; /* from the document, "" when absent */
    int hook, crd;
};

struct dk_chart_output {
    struct dk_buf yaml; /* what helm template prints */
    struct dk_chart_doc *docs;
    size_t ndocs;
    char *notes; /* rendered NOTES.txt of the top chart, or NULL */
};

/* Renders c (its dependencies are resolved in place: render a chart once). */
int dk_chart_render(struct dk_chart *c, const struct dk_chart_render_opts *o,
                    struct dk_chart_output *out, struct dk_err *err);
void dk_chart_output_release(struct dk_chart_output *out);

#endif
