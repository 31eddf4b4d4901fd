/* For the template function tests: parse and run text as template "t" with
 * {"Values": <values_json>} and every function registered. */
#ifndef DK_TEST_TMPLRUN_H
#define DK_TEST_TMPLRUN_H

#include <string.h>

#include "dk/json.h"
#include "dk/tmpl.h"
#include "dk/tmplfuncs.h"

static inline int tmpl_run(const char *values_json, const char *text, struct dk_buf *out,
                           struct dk_err *err)
{
    struct dk_tmpl t;
    struct dk_val *d = dk_val_map();
    cJSON *j = NULL;
    int rc;

    dk_tmpl_init(&t);
    rc = dk_tmplfuncs_register(&t, err);
    if (rc == 0 && dk_json_parse(values_json, strlen(values_json), "values", &j, err) < 0)
        rc = -1;
    if (rc == 0) {
        dk_val_map_set(d, "Values", dk_val_from_json(j));
        rc = dk_tmpl_parse(&t, "t", text, strlen(text), err);
    }
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "t", d, out, err);
    cJSON_Delete(j);
    dk_val_unref(d);
    dk_tmpl_release(&t);
    return rc;
}

#endif
