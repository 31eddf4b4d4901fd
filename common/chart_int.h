/* Internal to the chart module (chart.c, chartvals.c, chartrender.c). */
#ifndef DK_CHART_INT_H
#define DK_CHART_INT_H

#include "dk/chart.h"

/* A deep copy of c and its dependencies (for aliases). */
struct dk_chart *dk_chart_clone(const struct dk_chart *c);
/* Removes key from map (no-op when missing). */
void dk_chart_map_del(struct dk_val *map, const char *key);
/* Resolves dependencies in place (enabled, aliases, import-values) for user values. */
int dk_chart_process_deps(struct dk_chart *c, struct dk_val *user, struct dk_err *err);
/* Helm's CoalesceValues(chart, vals): a new map. */
struct dk_val *dk_chart_coalesce(struct dk_chart *c, struct dk_val *vals, int merge);
/* The chart's path in template names: "top" or "top/charts/sub". A new string. */
char *dk_chart_full_path(const struct dk_chart *c);

/* gobwas/glob with '/' as separator, as .Files.Glob matches: * ? [..] [!..] {a,b} and **. */
int dk_chart_glob_match(const char *pattern, const char *s);
/* releaseutil.SplitManifests: calls fn for each trimmed, non-empty document of text. */
void dk_chart_split_docs(const char *text, size_t len, void (*fn)(const char *, size_t, void *),
                         void *ud);

#endif
