/* track: follows resources until ready or failed (dk/track.h); the rules are in track_rules.c. */
#include "dk/track.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "dk/buf.h"
#include "dk/json.h"
#include "dk/kube.h"
#include "dk/kubeconfig.h"
#include "dk/kubewatch.h"
#include "dk/log.h"
#include "dk/yaml.h"

#define LOG_RING      20  /* last log lines kept per container */
#define FAIL_LINES    10  /* of which printed on failure */
#define OLD_EVENTS    5   /* events older than the start by more (s) are history */
#define DEFAULT_NOACT 240 /* werf.io/no-activity-timeout default (s) */
#define FAIL_GRACE    0.3 /* see evaluate() */
#define MAX_POD_ROWS  3   /* pods shown under a resource in the table */

enum fail_mode { FAIL_IMMEDIATELY = 0, FAIL_HOPE, FAIL_IGNORE };

struct res {
    char *av, *kind, *group, *ns, *name;
    char *label; /* "deploy/web" as asked, or "Kind/name" */
    char *uid;
    cJSON *obj;   /* latest version, owned */
    int resolved; /* the kind is known to the API server */
    int namespaced;
    int present;
    int deleted; /* seen, then deleted */
    struct dk_track_verdict v;
    enum dk_track_state state;
    char reason[768];
    long errors;
    char last_error[512];
    char last_ctr_error[512];        /* the last container state error: the best reason */
    char *fail_pod, *fail_container; /* where the last container error was */
    double last_activity;
    double fail_due; /* fail then, unless the pods' state gives a better reason first */
    /* werf.io annotations */
    enum fail_mode fail_mode;
    long per_replica;
    int nonblocking;
    double no_activity;
    int skip_logs, show_service;
    char *skip_for, *only_for; /* comma lists */
    int has_re;
    regex_t re;
    char *re_src;
    int reported; /* its final state was announced */
};

struct rs {
    char *uid, *owner, *ns;
    long revision;
};

struct ctr {
    char *name;
    char *err_key; /* last container error counted: reason + restartCount */
    int log_id;    /* running log stream, 0 none */
    long log_restart;
    int logged; /* a stream was started for this restart */
    char *ring[LOG_RING];
    size_t nring, ring_pos;
    struct tracker *t;
    struct pod *pod;
};

struct pod {
    char *uid, *ns, *name;
    char *ctrl; /* uid of its controller, or NULL */
    cJSON *obj;
    struct res *res;
    struct ctr **ctrs;
    size_t nctrs;
    int gone;
};

/* uid -> number: a small open-addressing hash table (keys owned). */
struct umap {
    char **keys;
    long *vals;
    size_t cap, n;
};

static size_t umap_hash(const char *s)
{
    size_t h = 1469598103934665603u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The value of key, added as 0 when missing and create is set; NULL when missing. */
static long *umap_get(struct umap *m, const char *key, int create)
{
    size_t i;

    if (m->cap == 0 || (create && 2 * (m->n + 1) > m->cap)) {
        struct umap bigger = {NULL, NULL, m->cap ? 2 * m->cap : 256, 0};

        if (!create && m->cap == 0)
            return NULL;
        bigger.keys = dk_xcalloc(bigger.cap, sizeof(*bigger.keys));
        bigger.vals = dk_xcalloc(bigger.cap, sizeof(*bigger.vals));
        for (i = 0; i < m->cap; i++) {
            if (m->keys[i]) {
                size_t j = umap_hash(m->keys[i]) & (bigger.cap - 1);

                while (bigger.keys[j])
                    j = (j + 1) & (bigger.cap - 1);
                bigger.keys[j] = m->keys[i];
                bigger.vals[j] = m->vals[i];
                bigger.n++;
            }
        }
        free(m->keys);
        free(m->vals);
        *m = bigger;
    }
    for (i = umap_hash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
        if (strcmp(m->keys[i], key) == 0)
            return &m->vals[i];
    if (!create)
        return NULL;
    m->keys[i] = dk_xstrdup(key);
    m->vals[i] = 0;
    m->n++;
    return &m->vals[i];
}

static void umap_release(struct umap *m)
{
    size_t i;

    for (i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

#define MAX_PENDING 2000 /* events about objects not seen yet, kept for when they come */

struct pend {
    char *uid; /* involvedObject.uid */
    cJSON *ev;
};

struct tracker {
    const struct dk_track_opts *o;
    struct pend *pending; /* such events */
    size_t npending, apending;
    struct dk_kubeconfig kc;
    struct dk_kube k;
    struct dk_kubewatch w;
    struct res **res;
    size_t nres;
    struct rs **rss;
    size_t nrss;
    struct pod **pods;
    size_t npods;
    struct umap evs;          /* event uid -> count seen */
    struct umap pending_uids; /* involvedObject uid -> events pending for it */
    struct umap rs_index;     /* ReplicaSet uid -> its position in rss + 1 */
    struct dk_strvec paths;   /* watched collections */
    FILE *out;
    int tty;
    int cols;        /* terminal width, 0 when unknown */
    int table_lines; /* lines of the table on screen (TTY), 0 when something came after */
    int dirty;
    double start, deadline, period, last_print, last_discover;
    time_t start_wall;
    int finished; /* 1 ready, -1 failed, -2 timeout */
    struct res *failed;
    int unresolved;
    int replaying;
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const cJSON *child(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *meta_str(const cJSON *obj, const char *k)
{
    return dk_json_str(child(obj, "metadata"), k);
}

static int streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* RFC 3339 (seconds, UTC) to time_t; 0 when malformed. */
static time_t parse_time(const char *s)
{
    struct tm tm;

    if (!s)
        return 0;
    memset(&tm, 0, sizeof(tm));
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

void dk_track_opts_init(struct dk_track_opts *o)
{
    memset(o, 0, sizeof(*o));
}

void dk_track_opts_release(struct dk_track_opts *o)
{
    dk_strlist_release(&o->targets);
    dk_strlist_release(&o->files);
    memset(o, 0, sizeof(*o));
}

/* ---------------------------------------------------------------- output */

static void erase_table(struct tracker *t)
{
    if (t->tty && t->table_lines > 0) {
        fprintf(t->out, "\033[%dA\033[J", t->table_lines);
        t->table_lines = 0;
        t->dirty = 1;
    }
}

/* One line of output (logs, events, messages): above the table on a terminal. */
static void say(struct tracker *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct tracker *t, const char *fmt, ...)
{
    struct dk_buf b = DK_BUF_INIT, r = DK_BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    dk_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    dk_redact(&r, b.buf);
    erase_table(t);
    fprintf(t->out, "%s\n", r.buf);
    fflush(t->out);
    dk_buf_release(&b);
    dk_buf_release(&r);
}

static const char *state_name(const struct res *r)
{
    if (r->state == DK_TRACK_READY)
        return "READY";
    if (r->state == DK_TRACK_FAILED)
        return "FAILED";
    if (!r->present)
        return r->deleted ? "DELETED" : "ABSENT";
    return "WAITING";
}

/* Appends one table line: trailing blanks dropped; on a terminal cut to its width, so that
 * each line takes one row and the redraw knows how far up to go. */
static void table_line(struct tracker *t, struct dk_buf *b, const char *line)
{
    size_t n = strlen(line);

    while (n && line[n - 1] == ' ')
        n--;
    if (t->cols > 1 && n >= (size_t)t->cols)
        n = (size_t)t->cols - 1;
    dk_buf_addn(b, line, n);
    dk_buf_addch(b, '\n');
}

/* Up to MAX_POD_ROWS rows for the pods of a resource not ready yet; returns how many. */
static int pod_rows(struct tracker *t, struct res *r, struct dk_buf *b, struct dk_buf *line,
                    size_t w)
{
    size_t i;
    int n = 0;

    for (i = 0; i < t->npods && n < MAX_POD_ROWS; i++) {
        struct pod *p = t->pods[i];
        struct dk_track_verdict v;
        const cJSON *cs;
        long restarts = 0;
        char label[300], ready[48];

        if (p->res != r || p->gone || r->obj == p->obj || streq(r->kind, "Pod"))
            continue;
        dk_track_pod(p->obj, &v);
        cJSON_ArrayForEach(cs, child(child(p->obj, "status"), "containerStatuses"))
        {
            restarts += (long)dk_json_int(cs, "restartCount", 0);
        }
        snprintf(label, sizeof(label), " • pod/%s", p->name);
        snprintf(ready, sizeof(ready), "%ld/%ld", v.ready < 0 ? 0 : v.ready, v.want);
        dk_buf_reset(line);
        /* the bullet is 3 bytes wide in UTF-8 and one column on screen */
        dk_buf_addf(line, "%-*s  %-8s %-7s %s%s", (int)w + 2, label,
                    v.state == DK_TRACK_READY    ? "READY"
                    : v.state == DK_TRACK_FAILED ? "FAILED"
                                                 : "WAITING",
                    ready, v.info, "");
        if (restarts)
            dk_buf_addf(line, " Restarts:%ld", restarts);
        table_line(t, b, line->buf);
        n++;
    }
    return n;
}

static void draw_table(struct tracker *t)
{
    struct dk_buf b = DK_BUF_INIT, line = DK_BUF_INIT;
    size_t i, w = 8;
    int lines = 1;

    for (i = 0; i < t->nres; i++)
        if (strlen(t->res[i]->label) > w)
            w = strlen(t->res[i]->label);
    for (i = 0; i < t->npods; i++) /* " • pod/NAME" rows: 7 columns + the name */
        if (t->pods[i]->res && t->pods[i]->res->state != DK_TRACK_READY && !t->pods[i]->gone &&
            strlen(t->pods[i]->name) + 7 > w)
            w = strlen(t->pods[i]->name) + 7;
    dk_buf_addf(&line, "%-*s  %-8s %-7s %s", (int)w, "RESOURCE", "STATE", "READY", "INFO");
    table_line(t, &b, line.buf);
    for (i = 0; i < t->nres; i++) {
        struct res *r = t->res[i];
        char ready[48] = "-";
        struct dk_buf info = DK_BUF_INIT;

        if (r->present && r->v.want >= 0)
            snprintf(ready, sizeof(ready), "%ld/%ld", r->v.ready < 0 ? 0 : r->v.ready, r->v.want);
        if (r->state == DK_TRACK_FAILED)
            dk_buf_add(&info, r->reason);
        else if (!r->present)
            dk_buf_add(&info, r->deleted ? "deleted; waiting for it to be created again"
                                         : "waiting for it to be created");
        else
            dk_buf_add(&info, r->v.info);
        if (r->errors && r->state != DK_TRACK_FAILED)
            dk_buf_addf(&info, "%sErrors:%ld LastError:\"%s\"", info.len ? " " : "", r->errors,
                        r->last_error);
        dk_buf_reset(&line);
        dk_buf_addf(&line, "%-*s  %-8s %-7s %s", (int)w, r->label, state_name(r), ready, info.buf);
        table_line(t, &b, line.buf);
        dk_buf_release(&info);
        lines++;
        if (r->state != DK_TRACK_READY)
            lines += pod_rows(t, r, &b, &line, w);
    }
    erase_table(t);
    fputs(b.buf, t->out);
    fflush(t->out);
    if (t->tty)
        t->table_lines = lines;
    dk_buf_release(&b);
    dk_buf_release(&line);
    t->dirty = 0;
    t->last_print = now_s();
}

/* ---------------------------------------------------------------- what to follow */

struct shortcut {
    const char *names; /* space separated */
    const char *av, *kind;
};

static const struct shortcut shortcuts[] = {
    {"deploy deployment deployments deployment.apps deployments.apps", "apps/v1", "Deployment"},
    {"sts statefulset statefulsets statefulset.apps statefulsets.apps", "apps/v1", "StatefulSet"},
    {"ds daemonset daemonsets daemonset.apps daemonsets.apps", "apps/v1", "DaemonSet"},
    {"job jobs job.batch jobs.batch", "batch/v1", "Job"},
    {"po pod pods", "v1", "Pod"},
    {NULL, NULL, NULL},
};

static int word_in(const char *w, const char *list)
{
    size_t n = strlen(w);

    while (*list) {
        const char *sp = strchr(list, ' ');
        size_t m = sp ? (size_t)(sp - list) : strlen(list);

        if (m == n && strncmp(list, w, n) == 0)
            return 1;
        list += m;
        while (*list == ' ')
            list++;
    }
    return 0;
}

static struct res *res_add(struct tracker *t, const char *av, const char *kind, const char *ns,
                           const char *name, const char *label)
{
    struct res *r;
    size_t i;
    const char *slash = strchr(av, '/');

    for (i = 0; i < t->nres; i++) {
        r = t->res[i];
        if (streq(r->av, av) && streq(r->kind, kind) && streq(r->ns, ns) && streq(r->name, name))
            return r;
    }
    r = dk_xcalloc(1, sizeof(*r));
    r->av = dk_xstrdup(av);
    r->kind = dk_xstrdup(kind);
    r->group = slash ? dk_xstrndup(av, (size_t)(slash - av)) : dk_xstrdup("");
    r->ns = dk_xstrdup(ns);
    r->name = dk_xstrdup(name);
    r->label = label ? dk_xstrdup(label) : dk_xasprintf("%s/%s", kind, name);
    r->per_replica = 1;
    r->no_activity = DEFAULT_NOACT;
    r->last_activity = now_s();
    t->res = dk_xrealloc(t->res, (t->nres + 1) * sizeof(*t->res));
    t->res[t->nres++] = r;
    return r;
}

static void res_free(struct res *r)
{
    free(r->av);
    free(r->kind);
    free(r->group);
    free(r->ns);
    free(r->name);
    free(r->label);
    free(r->uid);
    cJSON_Delete(r->obj);
    free(r->fail_pod);
    free(r->fail_container);
    free(r->skip_for);
    free(r->only_for);
    free(r->re_src);
    if (r->has_re)
        regfree(&r->re);
    free(r);
}

/* KIND/NAME on the command line. */
static int add_operand(struct tracker *t, const char *op, struct dk_err *err)
{
    const char *slash = strchr(op, '/');
    const struct shortcut *s;
    char *kind;
    const cJSON *gv, *e;
    int rc = -1;

    if (!slash || slash == op || !slash[1] || strchr(slash + 1, '/'))
        return dk_err_set(err, DK_E_USAGE,
                          "'%s': expected KIND/NAME (deploy/web, sts/db, "
                          "job/migrate, kind.group/name)",
                          op);
    kind = dk_xstrndup(op, (size_t)(slash - op));
    for (s = shortcuts; s->names; s++)
        if (word_in(kind, s->names)) {
            res_add(t, s->av, s->kind, t->o->ns ? t->o->ns : t->kc.namespace, slash + 1, op);
            free(kind);
            return 0;
        }
    /* kind[.group]: a resource, singular or kind name known to discovery */
    if (dk_kube_discover(&t->k, err) < 0)
        goto out;
    {
        char *dot = strchr(kind, '.');
        const char *group = dot ? dot + 1 : NULL;

        if (dot)
            *dot = 0;
        cJSON_ArrayForEach(gv, t->k.resources)
        {
            const char *gvs = gv->string, *sl = strchr(gvs, '/');
            size_t glen = sl ? (size_t)(sl - gvs) : 0;

            if (group && (strlen(group) != glen || strncmp(gvs, group, glen) != 0))
                continue;
            cJSON_ArrayForEach(e, gv)
            {
                const char *kd = dk_json_str(e, "kind"), *nm = dk_json_str(e, "name");
                char *single;
                int hit;

                if (!kd || !nm)
                    continue;
                single = dk_xstrdup(nm);
                if (strlen(single) > 1 && single[strlen(single) - 1] == 's')
                    single[strlen(single) - 1] = 0;
                hit =
                    strcasecmp(kd, kind) == 0 || strcmp(nm, kind) == 0 || strcmp(single, kind) == 0;
                free(single);
                if (hit) {
                    res_add(t, gvs, kd, t->o->ns ? t->o->ns : t->kc.namespace, slash + 1, op);
                    rc = 0;
                    goto out;
                }
            }
        }
        dk_err_set(err, DK_E_INPUT,
                   "'%s': unknown kind '%s%s%s' (not a shortcut such as deploy, "
                   "sts, ds, job, pod, and not known to the API server)",
                   op, kind, group ? "." : "", group ? group : "");
    }
out:
    free(kind);
    return rc;
}

/* One manifest (or a List of them). */
static int add_manifest(struct tracker *t, const cJSON *m, const char *from, const char *dflt_ns,
                        struct dk_err *err)
{
    const char *av = dk_json_str(m, "apiVersion"), *kind = dk_json_str(m, "kind");
    const char *name = meta_str(m, "name"), *ns = meta_str(m, "namespace");
    const cJSON *it;

    if (!cJSON_IsObject(m))
        return dk_err_set(err, DK_E_INPUT, "%s: a manifest is not an object", from);
    if (streq(kind, "List") || (kind && dk_str_endswith(kind, "List") && child(m, "items"))) {
        cJSON_ArrayForEach(it, child(m, "items"))
        {
            if (add_manifest(t, it, from, dflt_ns, err) < 0)
                return -1;
        }
        return 0;
    }
    if (!av || !*av || !kind || !*kind || !name || !*name)
        return dk_err_set(err, DK_E_INPUT,
                          "%s: a resource without apiVersion, kind or "
                          "metadata.name",
                          from);
    res_add(t, av, kind, ns && *ns ? ns : dflt_ns, name, NULL);
    return 0;
}

static int add_file(struct tracker *t, const char *path, struct dk_err *err)
{
    struct dk_buf b = DK_BUF_INIT;
    cJSON *docs = NULL, *d;
    const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
    int rc = -1;

    if ((strcmp(path, "-") == 0 ? dk_buf_read_fd(&b, STDIN_FILENO) : dk_buf_read_file(&b, path)) <
        0) {
        dk_err_set(err, DK_E_INPUT, "cannot read '%s': %s", name, strerror(errno));
        goto out;
    }
    if (dk_yaml_load_all(b.buf, b.len, name, &docs, err) < 0) {
        err->code = DK_E_INPUT;
        goto out;
    }
    cJSON_ArrayForEach(d, docs)
    {
        if (add_manifest(t, d, name, t->o->ns ? t->o->ns : t->kc.namespace, err) < 0)
            goto out;
    }
    rc = 0;
out:
    cJSON_Delete(docs);
    dk_buf_release(&b);
    return rc;
}

static int add_release(struct tracker *t, struct dk_doc *doc, struct dk_err *err)
{
    const cJSON *rel = child(doc->root, "release"), *it;
    const char *rns = dk_json_str(rel, "namespace");

    cJSON_ArrayForEach(it, child(rel, "resources"))
    {
        const char *av = dk_json_str(it, "apiVersion"), *kind = dk_json_str(it, "kind");
        const char *name = dk_json_str(it, "name"), *ns = dk_json_str(it, "namespace");

        if (!av || !kind || !name)
            return dk_err_set(err, DK_E_INPUT,
                              "release.resources: an item without apiVersion, "
                              "kind or name");
        res_add(t, av, kind,
                ns && *ns  ? ns
                : rns      ? rns
                : t->o->ns ? t->o->ns
                           : t->kc.namespace,
                name, NULL);
    }
    return 0;
}

/* ---------------------------------------------------------------- annotations */

static void read_annotations(struct res *r)
{
    const cJSON *ann = child(child(r->obj, "metadata"), "annotations");
    const char *s;

    r->fail_mode = FAIL_IMMEDIATELY;
    if ((s = dk_json_str(ann, "werf.io/fail-mode"))) {
        if (strcmp(s, "HopeUntilEndOfDeployProcess") == 0)
            r->fail_mode = FAIL_HOPE;
        else if (strcmp(s, "IgnoreAndContinueDeployProcess") == 0)
            r->fail_mode = FAIL_IGNORE;
    }
    r->per_replica = 1;
    if ((s = dk_json_str(ann, "werf.io/failures-allowed-per-replica")))
        r->per_replica = atol(s) < 0 ? 0 : atol(s);
    s = dk_json_str(ann, "werf.io/track-termination-mode");
    r->nonblocking = s && strcmp(s, "NonBlocking") == 0;
    r->no_activity = DEFAULT_NOACT;
    if ((s = dk_json_str(ann, "werf.io/no-activity-timeout")) && dk_track_duration(s) > 0)
        r->no_activity = dk_track_duration(s);
    s = dk_json_str(ann, "werf.io/skip-logs");
    r->skip_logs = s && strcmp(s, "true") == 0;
    s = dk_json_str(ann, "werf.io/show-service-messages");
    r->show_service = s && strcmp(s, "true") == 0;
    free(r->skip_for);
    free(r->only_for);
    s = dk_json_str(ann, "werf.io/skip-logs-for-containers");
    r->skip_for = s ? dk_xstrdup(s) : NULL;
    s = dk_json_str(ann, "werf.io/show-logs-only-for-containers");
    r->only_for = s ? dk_xstrdup(s) : NULL;
    s = dk_json_str(ann, "werf.io/log-regex");
    if (!streq(s, r->re_src)) {
        if (r->has_re)
            regfree(&r->re);
        r->has_re = 0;
        free(r->re_src);
        r->re_src = s ? dk_xstrdup(s) : NULL;
        if (s && regcomp(&r->re, s, REG_EXTENDED | REG_NOSUB) == 0)
            r->has_re = 1;
    }
}

static int in_csv(const char *name, const char *csv)
{
    size_t n = strlen(name);

    while (csv && *csv) {
        const char *c = strchr(csv, ',');
        size_t m = c ? (size_t)(c - csv) : strlen(csv);

        while (m && isspace((unsigned char)*csv)) {
            csv++;
            m--;
        }
        while (m && isspace((unsigned char)csv[m - 1]))
            m--;
        if (m == n && strncmp(csv, name, n) == 0)
            return 1;
        csv = c ? c + 1 : NULL;
    }
    return 0;
}

static int logs_wanted(const struct tracker *t, const struct res *r, const char *container)
{
    if (t->o->no_logs || r->skip_logs)
        return 0;
    if (r->only_for)
        return in_csv(container, r->only_for);
    return !in_csv(container, r->skip_for);
}

/* ---------------------------------------------------------------- decisions */

static long allowed_errors(const struct res *r)
{
    long want = r->v.want > 0 ? r->v.want : 1;

    return r->per_replica * want;
}

static void check_done(struct tracker *t);

/* A container of r's pods in a failing state now: the clearest reason there is. */
static void current_ctr_error(struct tracker *t, struct res *r)
{
    size_t i;
    const cJSON *cs;
    char why[400];

    for (i = 0; i < t->npods; i++) {
        struct pod *p = t->pods[i];

        if (p->res != r || p->gone)
            continue;
        cJSON_ArrayForEach(cs, child(child(p->obj, "status"), "containerStatuses"))
        {
            if (!dk_track_container_failure(cs, why, sizeof(why)))
                continue;
            snprintf(r->last_ctr_error, sizeof(r->last_ctr_error), "pod/%s container/%s: %s",
                     p->name, dk_json_str(cs, "name"), why);
            free(r->fail_pod);
            free(r->fail_container);
            r->fail_pod = dk_xstrdup(p->name);
            r->fail_container = dk_xstrdup(dk_json_str(cs, "name"));
            return;
        }
    }
}

static void announce(struct tracker *t, struct res *r)
{
    if (r->reported == (int)r->state + 1)
        return;
    r->reported = (int)r->state + 1;
    if (r->state == DK_TRACK_READY)
        say(t, "%s: ready", r->label);
    else if (r->state == DK_TRACK_FAILED)
        say(t, "%s: failed: %s", r->label, r->reason);
}

static void evaluate(struct tracker *t, struct res *r)
{
    enum dk_track_state before = r->state;

    if (r->state == DK_TRACK_FAILED && r->fail_mode != FAIL_IGNORE)
        return; /* final */
    if (!r->present) {
        r->state = DK_TRACK_WAITING;
        t->dirty = 1;
        return;
    }
    dk_track_rules(r->kind, r->obj, &r->v);
    r->state = r->v.state;
    if (r->state == DK_TRACK_FAILED)
        snprintf(r->reason, sizeof(r->reason), "%s", r->v.info);
    else if (r->errors > allowed_errors(r) && r->fail_mode == FAIL_IMMEDIATELY) {
        current_ctr_error(t, r);
        if (!r->last_ctr_error[0] && !r->fail_due) {
            /* an event crossed the budget: the pod's state, the clearer reason, may be a few
             * milliseconds behind on its own stream */
            r->fail_due = now_s() + FAIL_GRACE;
            return;
        }
        if (!r->last_ctr_error[0] && now_s() < r->fail_due)
            return;
        r->state = DK_TRACK_FAILED;
        snprintf(r->reason, sizeof(r->reason), "%s (%ld errors, %ld allowed)",
                 r->last_ctr_error[0] ? r->last_ctr_error : r->last_error, r->errors,
                 allowed_errors(r));
    }
    if (r->state != before)
        t->dirty = 1;
    if (r->state != DK_TRACK_WAITING)
        announce(t, r);
    check_done(t);
}

static void check_done(struct tracker *t)
{
    size_t i;
    int waiting = 0;
    struct res *hope = NULL;

    if (t->finished)
        return;
    for (i = 0; i < t->nres; i++) {
        struct res *r = t->res[i];

        if (r->state == DK_TRACK_FAILED && r->fail_mode != FAIL_IGNORE) {
            t->failed = r;
            t->finished = -1;
            break;
        }
        if (r->state == DK_TRACK_READY || r->nonblocking || r->fail_mode == FAIL_IGNORE)
            continue;
        if (r->fail_mode == FAIL_HOPE && r->errors > allowed_errors(r)) {
            hope = r;
            continue;
        }
        waiting++;
    }
    if (!t->finished && !waiting) {
        if (hope) {
            hope->state = DK_TRACK_FAILED;
            current_ctr_error(t, hope);
            snprintf(hope->reason, sizeof(hope->reason), "%s (%ld errors, %ld allowed)",
                     hope->last_ctr_error[0] ? hope->last_ctr_error : hope->last_error,
                     hope->errors, allowed_errors(hope));
            announce(t, hope);
            t->failed = hope;
            t->finished = -1;
        } else {
            t->finished = 1;
        }
    }
    if (t->finished)
        dk_kubewatch_stop(&t->w);
}

static void add_error(struct tracker *t, struct res *r, long n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_error(struct tracker *t, struct res *r, long n, const char *fmt, ...)
{
    va_list ap;

    if (n <= 0)
        return;
    va_start(ap, fmt);
    vsnprintf(r->last_error, sizeof(r->last_error), fmt, ap);
    va_end(ap);
    r->errors += n;
    r->last_activity = now_s();
    t->dirty = 1;
}

/* ---------------------------------------------------------------- logs */

static void ring_add(struct ctr *c, const char *line, size_t n)
{
    size_t i = (c->ring_pos + c->nring) % LOG_RING;

    if (c->nring == LOG_RING) {
        free(c->ring[c->ring_pos]);
        i = c->ring_pos;
        c->ring_pos = (c->ring_pos + 1) % LOG_RING;
    } else {
        c->nring++;
    }
    c->ring[i] = dk_xstrndup(line, n);
}

static void on_log_line(const char *line, size_t n, void *ud)
{
    struct ctr *c = ud;
    struct tracker *t = c->t;
    struct res *r = c->pod->res;
    char *s = dk_xstrndup(line, n);

    if (n && s[n - 1] == '\r')
        s[n - 1] = 0;
    ring_add(c, s, strlen(s));
    if (r) {
        r->last_activity = now_s();
        if (!r->has_re || regexec(&r->re, s, 0, NULL, 0) == 0)
            say(t, "%s %s/%s | %s", r->label, c->pod->name, c->name, s);
    }
    free(s);
}

static void on_log_end(long status, const struct dk_err *err, void *ud)
{
    struct ctr *c = ud;

    (void)status;
    (void)err;
    c->log_id = 0;
    if (status >= 300)
        c->logged = 0; /* e.g. 400 while the container waits: try again on its next change */
}

/* Starts following the logs of a pod's started containers. */
static void pod_logs(struct tracker *t, struct pod *p)
{
    const cJSON *cs;
    size_t i;

    if (!p->res || p->gone)
        return;
    cJSON_ArrayForEach(cs, child(child(p->obj, "status"), "containerStatuses"))
    {
        const char *name = dk_json_str(cs, "name");
        const cJSON *state = child(cs, "state");
        long restarts = (long)dk_json_int(cs, "restartCount", 0);
        struct ctr *c = NULL;

        if (!name || !logs_wanted(t, p->res, name))
            continue;
        for (i = 0; i < p->nctrs; i++)
            if (streq(p->ctrs[i]->name, name))
                c = p->ctrs[i];
        if (!c)
            continue;
        if (!child(state, "running") && !child(state, "terminated") && restarts == 0)
            continue; /* still waiting to start */
        if (c->log_id || (c->logged && c->log_restart == restarts))
            continue;
        c->logged = 1;
        c->log_restart = restarts;
        c->log_id = dk_kubewatch_logs(&t->w, p->ns, p->name, name, on_log_line, on_log_end, c);
    }
}

static void print_fetched_lines(struct tracker *t, const char *ns, const char *pod,
                                const char *ctr);

/* The last lines of a container's log: what we followed, else asked now. */
static void print_last_lines(struct tracker *t, const char *ns, const char *pod, const char *ctr)
{
    struct pod *p = NULL;
    struct ctr *c = NULL;
    size_t i, from;

    for (i = 0; i < t->npods; i++)
        if (streq(t->pods[i]->name, pod) && streq(t->pods[i]->ns, ns))
            p = t->pods[i];
    for (i = 0; p && i < p->nctrs; i++)
        if (streq(p->ctrs[i]->name, ctr))
            c = p->ctrs[i];
    if (c && c->nring) {
        say(t, "last log lines of %s/%s:", pod, ctr);
        from = c->nring > FAIL_LINES ? c->nring - FAIL_LINES : 0;
        for (i = from; i < c->nring; i++)
            say(t, "  %s", c->ring[(c->ring_pos + i) % LOG_RING]);
        return;
    }
    print_fetched_lines(t, ns, pod, ctr);
}

static int collect_log(const char *p, size_t n, void *ud)
{
    return dk_buf_addn(ud, p, n) < 0;
}

static void print_fetched_lines(struct tracker *t, const char *ns, const char *pod, const char *ctr)
{
    struct dk_buf b = DK_BUF_INIT;
    struct dk_err e = DK_ERR_INIT;
    const char *s, *start;
    size_t lines = 0;

    dk_buf_init_max(&b, 4u << 20);
    if (dk_kube_logs(&t->k, ns, pod, ctr, 0, collect_log, &b, &e) < 0 || !b.len) {
        dk_buf_release(&b);
        return;
    }
    while (b.len && b.buf[b.len - 1] == '\n')
        dk_buf_setlen(&b, b.len - 1);
    for (s = b.buf + b.len; s > b.buf; s--)
        if (s[-1] == '\n' && ++lines == FAIL_LINES)
            break;
    say(t, "last log lines of %s/%s:", pod, ctr);
    start = s;
    while (*start) {
        const char *nl = strchr(start, '\n');
        size_t n = nl ? (size_t)(nl - start) : strlen(start);

        say(t, "  %.*s", (int)n, start);
        start += n + (nl ? 1 : 0);
    }
    dk_buf_release(&b);
}

static void replay_pending(struct tracker *t, const char *uid);

/* ---------------------------------------------------------------- pods, replica sets */

static struct rs *rs_find(struct tracker *t, const char *uid)
{
    long *i = uid ? umap_get(&t->rs_index, uid, 0) : NULL;

    return i && *i > 0 ? t->rss[*i - 1] : NULL;
}

static struct res *res_by_uid(struct tracker *t, const char *uid)
{
    size_t i;

    for (i = 0; uid && i < t->nres; i++)
        if (streq(t->res[i]->uid, uid))
            return t->res[i];
    return NULL;
}

static const cJSON *controller_ref(const cJSON *obj)
{
    const cJSON *ref;

    cJSON_ArrayForEach(ref, child(child(obj, "metadata"), "ownerReferences"))
    {
        if (dk_json_bool(ref, "controller", 0))
            return ref;
    }
    return NULL;
}

/* The tracked resource a pod belongs to: its controller, or the Deployment of its (newest)
 * ReplicaSet, or itself. */
static struct res *pod_owner(struct tracker *t, const cJSON *pod)
{
    const cJSON *ref = controller_ref(pod);
    const char *ns = meta_str(pod, "namespace"), *name = meta_str(pod, "name");
    size_t i;

    if (!ref) {
        for (i = 0; i < t->nres; i++)
            if (streq(t->res[i]->kind, "Pod") && streq(t->res[i]->name, name) &&
                streq(t->res[i]->ns, ns))
                return t->res[i];
        return NULL;
    }
    if (streq(dk_json_str(ref, "kind"), "ReplicaSet")) {
        struct rs *rs = rs_find(t, dk_json_str(ref, "uid"));
        struct res *dep;

        if (!rs || !(dep = res_by_uid(t, rs->owner)))
            return res_by_uid(t, dk_json_str(ref, "uid"));
        for (i = 0; i < t->nrss; i++)
            if (streq(t->rss[i]->owner, rs->owner) && t->rss[i]->revision > rs->revision)
                return NULL; /* an old ReplicaSet's pod: going away */
        return dep;
    }
    return res_by_uid(t, dk_json_str(ref, "uid"));
}

static struct pod *pod_find(struct tracker *t, const char *uid)
{
    size_t i;

    for (i = 0; i < t->npods; i++)
        if (streq(t->pods[i]->uid, uid))
            return t->pods[i];
    return NULL;
}

static struct ctr *pod_ctr(struct tracker *t, struct pod *p, const char *name)
{
    struct ctr *c;
    size_t i;

    for (i = 0; i < p->nctrs; i++)
        if (streq(p->ctrs[i]->name, name))
            return p->ctrs[i];
    c = dk_xcalloc(1, sizeof(*c));
    c->name = dk_xstrdup(name);
    c->t = t;
    c->pod = p;
    p->ctrs = dk_xrealloc(p->ctrs, (p->nctrs + 1) * sizeof(*p->ctrs));
    p->ctrs[p->nctrs++] = c;
    return c;
}

/* Container errors of a pod count against its resource. */
static void pod_errors(struct tracker *t, struct pod *p)
{
    static const char *const lists[] = {"initContainerStatuses", "containerStatuses", NULL};
    const char *const *l;
    const cJSON *cs;

    for (l = lists; *l; l++) {
        cJSON_ArrayForEach(cs, child(child(p->obj, "status"), *l))
        {
            char why[400];
            const char *name = dk_json_str(cs, "name");
            struct ctr *c;
            char *key;

            if (!name)
                continue;
            c = pod_ctr(t, p, name);
            if (!dk_track_container_failure(cs, why, sizeof(why)))
                continue;
            key = dk_xasprintf("%s#%lld", why, (long long)dk_json_int(cs, "restartCount", 0));
            if (!streq(key, c->err_key)) {
                free(c->err_key);
                c->err_key = key;
                key = NULL;
                if (p->res) {
                    add_error(t, p->res, 1, "pod/%s container/%s: %s", p->name, name, why);
                    snprintf(p->res->last_ctr_error, sizeof(p->res->last_ctr_error), "%s",
                             p->res->last_error);
                    free(p->res->fail_pod);
                    free(p->res->fail_container);
                    p->res->fail_pod = dk_xstrdup(p->name);
                    p->res->fail_container = dk_xstrdup(name);
                }
            }
            free(key);
        }
    }
}

static void on_pod(struct tracker *t, const char *type, const cJSON *obj)
{
    const char *uid = meta_str(obj, "uid");
    struct pod *p = pod_find(t, uid);
    const cJSON *c;

    if (!uid)
        return;
    if (!p) {
        if (strcmp(type, "DELETED") == 0)
            return;
        p = dk_xcalloc(1, sizeof(*p));
        p->uid = dk_xstrdup(uid);
        p->ns = dk_xstrdup(meta_str(obj, "namespace") ? meta_str(obj, "namespace") : "");
        p->name = dk_xstrdup(meta_str(obj, "name") ? meta_str(obj, "name") : "");
        t->pods = dk_xrealloc(t->pods, (t->npods + 1) * sizeof(*t->pods));
        t->pods[t->npods++] = p;
    }
    cJSON_Delete(p->obj);
    p->obj = cJSON_Duplicate(obj, 1);
    p->gone = strcmp(type, "DELETED") == 0;
    free(p->ctrl);
    p->ctrl = dk_json_str(controller_ref(obj), "uid")
                  ? dk_xstrdup(dk_json_str(controller_ref(obj), "uid"))
                  : NULL;
    p->res = pod_owner(t, obj);
    cJSON_ArrayForEach(c, child(child(obj, "spec"), "containers"))
    {
        if (dk_json_str(c, "name"))
            pod_ctr(t, p, dk_json_str(c, "name"));
    }
    if (!p->res)
        return;
    p->res->last_activity = now_s();
    pod_errors(t, p);
    pod_logs(t, p);
    replay_pending(t, p->uid);
    if (!streq(p->res->kind, "Pod"))
        evaluate(t, p->res);
}

/* Pods seen before their ReplicaSet or resource: look again at those controlled by uid, or by
 * a ReplicaSet that uid owns. */
static void reassociate(struct tracker *t, const char *uid)
{
    size_t i;

    for (i = 0; uid && i < t->npods; i++) {
        struct pod *p = t->pods[i];
        const char *ctrl = p->ctrl;
        struct rs *rs;
        struct res *r;

        if (p->gone || !p->obj || !ctrl)
            continue;
        if (strcmp(ctrl, uid) != 0 && (!(rs = rs_find(t, ctrl)) || !streq(rs->owner, uid)))
            continue;
        r = pod_owner(t, p->obj);
        if (r != p->res) {
            p->res = r;
            if (r) {
                pod_errors(t, p);
                pod_logs(t, p);
                replay_pending(t, p->uid);
            }
        }
    }
}

static void on_rs(struct tracker *t, const char *type, const cJSON *obj)
{
    const char *uid = meta_str(obj, "uid");
    const cJSON *ref = controller_ref(obj);
    struct rs *rs = rs_find(t, uid);
    const char *rev;

    if (!uid || !ref || !streq(dk_json_str(ref, "kind"), "Deployment"))
        return;
    if (strcmp(type, "DELETED") == 0) {
        if (rs)
            rs->revision = -1;
        return;
    }
    if (!rs) {
        rs = dk_xcalloc(1, sizeof(*rs));
        rs->uid = dk_xstrdup(uid);
        rs->owner = dk_xstrdup(dk_json_str(ref, "uid") ? dk_json_str(ref, "uid") : "");
        t->rss = dk_xrealloc(t->rss, (t->nrss + 1) * sizeof(*t->rss));
        t->rss[t->nrss++] = rs;
        *umap_get(&t->rs_index, uid, 1) = (long)t->nrss;
    }
    rev = dk_json_str(child(child(obj, "metadata"), "annotations"),
                      "deployment.kubernetes.io/revision");
    if (rev && atol(rev) != rs->revision) {
        rs->revision = atol(rev);
        reassociate(t, rs->owner); /* which ReplicaSet is the newest may have changed */
    }
    replay_pending(t, uid);
}

/* ---------------------------------------------------------------- events */

static long event_delta(struct tracker *t, const cJSON *ev)
{
    const char *uid = meta_str(ev, "uid");
    long count = (long)dk_json_int(ev, "count", 1), *seen, d;

    if (count < 1)
        count = 1;
    seen = umap_get(&t->evs, uid ? uid : "", 1);
    d = count - *seen;
    if (count > *seen)
        *seen = count;
    return d;
}

/* "spec.containers{web}" -> "web" (in buf). */
static const char *field_container(const char *fp, char *buf, size_t n)
{
    const char *a = fp ? strchr(fp, '{') : NULL, *b = a ? strchr(a, '}') : NULL;

    if (!a || !b || (size_t)(b - a) >= n)
        return NULL;
    memcpy(buf, a + 1, (size_t)(b - a - 1));
    buf[b - a - 1] = 0;
    return buf;
}

static void on_event(struct tracker *t, const char *type, const cJSON *ev)
{
    const cJSON *inv = child(ev, "involvedObject");
    const char *iuid = dk_json_str(inv, "uid"), *last = dk_json_str(ev, "lastTimestamp");
    struct res *r = res_by_uid(t, iuid);
    struct pod *p = NULL;
    struct rs *rs;
    long delta;
    const char *etype = dk_json_str(ev, "type"), *reason = dk_json_str(ev, "reason");
    const char *msg = dk_json_str(ev, "message");
    char cbuf[256];
    enum dk_track_event cls;
    time_t when;

    if (strcmp(type, "DELETED") == 0 || !iuid)
        return;
    if (!last)
        last = dk_json_str(ev, "eventTime");
    if (!last)
        last = meta_str(ev, "creationTimestamp");
    when = parse_time(last);
    if (!r && (p = pod_find(t, iuid)))
        r = p->res;
    if (!r && (rs = rs_find(t, iuid)))
        r = res_by_uid(t, rs->owner);
    if (when && when < t->start_wall - OLD_EVENTS)
        return;
    if (!r) {
        /* its object may come on another stream a moment later */
        if (!t->replaying) {
            if (t->npending == MAX_PENDING) { /* the oldest goes */
                (*umap_get(&t->pending_uids, t->pending[0].uid, 1))--;
                free(t->pending[0].uid);
                cJSON_Delete(t->pending[0].ev);
                memmove(t->pending, t->pending + 1, --t->npending * sizeof(*t->pending));
            }
            if (t->npending == t->apending) {
                t->apending = t->apending ? 2 * t->apending : 64;
                t->pending = dk_xrealloc(t->pending, t->apending * sizeof(*t->pending));
            }
            (*umap_get(&t->pending_uids, iuid, 1))++;
            t->pending[t->npending].uid = dk_xstrdup(iuid);
            t->pending[t->npending].ev = cJSON_Duplicate(ev, 1);
            t->npending++;
        }
        return;
    }
    delta = event_delta(t, ev);
    r->last_activity = now_s();
    cls = dk_track_event_class(ev);
    if ((etype && strcmp(etype, "Normal") != 0) || r->show_service || cls != DK_TRACK_EV_INFO)
        say(t, "%s%s%s event: %s %s: %s", r->label, p ? " pod/" : "", p ? p->name : "",
            etype ? etype : "", reason ? reason : "", msg ? msg : "");
    if (cls == DK_TRACK_EV_FAILURE || cls == DK_TRACK_EV_RESTART) {
        add_error(t, r, delta, "%s%s%s%s: %s", p ? "pod/" : "", p ? p->name : "", p ? " " : "",
                  reason ? reason : "", msg ? msg : "");
    } else if (cls == DK_TRACK_EV_READINESS && p) {
        const char *cname = field_container(dk_json_str(inv, "fieldPath"), cbuf, sizeof(cbuf));
        const cJSON *c, *cs, *spec = NULL;
        time_t started = 0;
        double window = 0;
        char *key;
        const char *ann;

        cJSON_ArrayForEach(c, child(child(p->obj, "spec"), "containers"))
        {
            if (!cname || streq(dk_json_str(c, "name"), cname))
                spec = c;
        }
        cJSON_ArrayForEach(cs, child(child(p->obj, "status"), "containerStatuses"))
        {
            if (!cname || streq(dk_json_str(cs, "name"), cname))
                started =
                    parse_time(dk_json_str(child(child(cs, "state"), "running"), "startedAt"));
        }
        window = dk_track_probe_ignore(spec);
        key = dk_xasprintf("werf.io/ignore-readiness-probe-fails-for-%s",
                           cname                       ? cname
                           : dk_json_str(spec, "name") ? dk_json_str(spec, "name")
                                                       : "");
        ann = dk_json_str(child(child(r->obj, "metadata"), "annotations"), key);
        free(key);
        if (ann && dk_track_duration(ann) >= 0)
            window = dk_track_duration(ann);
        /* a container whose start is not known yet has only just started */
        if (window <= 0 || (started && when && (double)(when - started) >= window)) {
            add_error(t, r, delta, "pod/%s container/%s: %s", p->name, cname ? cname : "?",
                      msg ? msg : "");
            if (cname) {
                free(r->fail_pod);
                free(r->fail_container);
                r->fail_pod = dk_xstrdup(p->name);
                r->fail_container = dk_xstrdup(cname);
            }
        }
    }
    evaluate(t, r);
}

/* Events that came before their object: handled now that the object with uid is known. */
static void replay_pending(struct tracker *t, const char *uid)
{
    size_t i = 0;
    long *n;

    if (!uid || !*uid || !(n = umap_get(&t->pending_uids, uid, 0)) || *n <= 0)
        return;
    t->replaying = 1;
    while (i < t->npending && !t->finished) {
        struct pend p = t->pending[i];

        if (strcmp(p.uid, uid) != 0) {
            i++;
            continue;
        }
        memmove(t->pending + i, t->pending + i + 1, (t->npending - i - 1) * sizeof(*t->pending));
        t->npending--;
        (*umap_get(&t->pending_uids, uid, 1))--;
        on_event(t, "ADDED", p.ev);
        free(p.uid);
        cJSON_Delete(p.ev);
    }
    t->replaying = 0;
}

/* ---------------------------------------------------------------- resources */

static void on_res(struct tracker *t, struct res *r, const char *type, const cJSON *obj)
{
    const char *uid = meta_str(obj, "uid");

    r->last_activity = now_s();
    t->dirty = 1;
    if (strcmp(type, "DELETED") == 0) {
        if (!streq(uid, r->uid))
            return;
        r->present = 0;
        r->deleted = 1;
        if (r->state != DK_TRACK_FAILED)
            say(t, "%s: deleted", r->label);
        evaluate(t, r);
        return;
    }
    cJSON_Delete(r->obj);
    r->obj = cJSON_Duplicate(obj, 1);
    r->present = 1;
    read_annotations(r);
    if (!streq(uid, r->uid)) {
        free(r->uid);
        r->uid = dk_xstrdup(uid ? uid : "");
        r->errors = 0;
        r->last_error[0] = 0;
        r->last_ctr_error[0] = 0;
        reassociate(t, r->uid);
        replay_pending(t, r->uid);
    }
    if (streq(r->kind, "Pod"))
        on_pod(t, type, obj);
    evaluate(t, r);
}

static void on_watch(const char *type, const cJSON *obj, void *ud)
{
    struct tracker *t = ud;
    const char *kind = dk_json_str(obj, "kind"), *av = dk_json_str(obj, "apiVersion");
    const char *ns = meta_str(obj, "namespace"), *name = meta_str(obj, "name");
    size_t i;

    if (!kind || t->finished)
        return;
    if (strcmp(kind, "Event") == 0 && streq(av, "v1")) {
        on_event(t, type, obj);
        return;
    }
    if (strcmp(kind, "ReplicaSet") == 0)
        on_rs(t, type, obj);
    for (i = 0; i < t->nres; i++) {
        struct res *r = t->res[i];
        const char *slash = av ? strchr(av, '/') : NULL;
        size_t glen = slash ? (size_t)(slash - av) : 0;

        if (streq(r->kind, kind) && streq(r->name, name) && (!r->namespaced || streq(r->ns, ns)) &&
            strlen(r->group) == glen && strncmp(r->group, av ? av : "", glen) == 0) {
            on_res(t, r, type, obj);
            return;
        }
    }
    if (strcmp(kind, "Pod") == 0)
        on_pod(t, type, obj);
}

static void watch_path(struct tracker *t, const char *av, const char *kind, const char *ns)
{
    struct dk_buf p = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;

    if (dk_kubewatch_path(&t->k, av, kind, ns, &p, &err) < 0) {
        dk_log_debug("no watch of %s %s: %s", av, kind, err.msg);
    } else if (!dk_strvec_has(&t->paths, p.buf)) {
        dk_strvec_push(&t->paths, p.buf);
        dk_kubewatch_add(&t->w, p.buf, on_watch, t);
    }
    dk_buf_release(&p);
}

/* Finds the resource names of the kinds asked for and opens the watches. Kinds not known yet
 * (a CRD to come) stay unresolved. */
static int resolve(struct tracker *t, struct dk_err *err)
{
    size_t i;

    t->unresolved = 0;
    for (i = 0; i < t->nres; i++) {
        struct res *r = t->res[i];
        const char *resource;
        struct dk_err e = DK_ERR_INIT;

        if (r->resolved)
            continue;
        if (dk_kube_resource(&t->k, r->av, r->kind, &resource, &r->namespaced, &e) < 0) {
            if (e.code != DK_E_NOTFOUND) {
                *err = e;
                return -1;
            }
            t->unresolved++;
            continue;
        }
        r->resolved = 1;
        if (!r->namespaced) {
            free(r->ns);
            r->ns = dk_xstrdup("");
        }
        watch_path(t, r->av, r->kind, r->ns);
        if (r->namespaced) {
            watch_path(t, "v1", "Pod", r->ns);
            watch_path(t, "v1", "Event", r->ns);
            if (streq(r->kind, "Deployment"))
                watch_path(t, "apps/v1", "ReplicaSet", r->ns);
        } else {
            watch_path(t, "v1", "Event", "");
        }
    }
    return 0;
}

static void tick(void *ud)
{
    struct tracker *t = ud;
    double now = now_s();
    size_t i;

    if (t->finished)
        return;
    if (t->unresolved && now - t->last_discover >= 2) {
        struct dk_err e = DK_ERR_INIT;

        t->last_discover = now;
        if (dk_kube_discover(&t->k, &e) == 0 && resolve(t, &e) < 0)
            dk_log_debug("%s", e.msg);
    }
    for (i = 0; i < t->nres; i++) {
        struct res *r = t->res[i];

        if (r->fail_due && r->state == DK_TRACK_WAITING && now >= r->fail_due) {
            evaluate(t, r);
            if (t->finished)
                return;
        }
        if (r->state == DK_TRACK_WAITING && r->present && r->fail_mode == FAIL_IMMEDIATELY &&
            now - r->last_activity > r->no_activity) {
            r->state = DK_TRACK_FAILED;
            snprintf(r->reason, sizeof(r->reason),
                     "marking resource as failed because no activity for %.0fs", r->no_activity);
            announce(t, r);
            check_done(t);
            if (t->finished)
                return;
        }
    }
    if (t->deadline > 0 && now >= t->deadline) {
        t->finished = -2;
        dk_kubewatch_stop(&t->w);
        return;
    }
    if (t->tty ? (t->dirty && now - t->last_print >= 0.2) : now - t->last_print >= t->period)
        draw_table(t);
}

/* ---------------------------------------------------------------- the run */

static void write_doc(struct tracker *t, struct dk_doc *doc)
{
    cJSON *tr = cJSON_CreateObject(), *list = cJSON_CreateArray();
    size_t i;

    dk_json_set_str(tr, "status",
                    t->finished == 1    ? "ready"
                    : t->finished == -2 ? "timeout"
                                        : "failed");
    for (i = 0; i < t->nres; i++) {
        struct res *r = t->res[i];
        cJSON *o = cJSON_CreateObject();
        const char *st = r->state == DK_TRACK_READY    ? "ready"
                         : r->state == DK_TRACK_FAILED ? "failed"
                         : !r->present                 ? (r->deleted ? "deleted" : "absent")
                                                       : "waiting";

        dk_json_set_str(o, "apiVersion", r->av);
        dk_json_set_str(o, "kind", r->kind);
        if (r->ns && *r->ns)
            dk_json_set_str(o, "namespace", r->ns);
        dk_json_set_str(o, "name", r->name);
        dk_json_set_str(o, "status", st);
        if (r->state == DK_TRACK_FAILED)
            dk_json_set_str(o, "reason", r->reason);
        else if (r->state == DK_TRACK_WAITING && r->present && r->v.info[0])
            dk_json_set_str(o, "reason", r->v.info);
        if (r->errors)
            dk_json_set_int(o, "errors", r->errors);
        cJSON_AddItemToArray(list, o);
    }
    dk_json_set(tr, "resources", list);
    dk_json_set(doc->root, "track", tr);
}

static void tracker_release(struct tracker *t)
{
    size_t i, j, k;

    dk_kubewatch_release(&t->w);
    dk_kube_release(&t->k);
    dk_kubeconfig_release(&t->kc);
    for (i = 0; i < t->nres; i++)
        res_free(t->res[i]);
    free(t->res);
    for (i = 0; i < t->nrss; i++) {
        free(t->rss[i]->uid);
        free(t->rss[i]->owner);
        free(t->rss[i]->ns);
        free(t->rss[i]);
    }
    free(t->rss);
    for (i = 0; i < t->npods; i++) {
        struct pod *p = t->pods[i];

        for (j = 0; j < p->nctrs; j++) {
            for (k = 0; k < p->ctrs[j]->nring; k++)
                free(p->ctrs[j]->ring[(p->ctrs[j]->ring_pos + k) % LOG_RING]);
            free(p->ctrs[j]->name);
            free(p->ctrs[j]->err_key);
            free(p->ctrs[j]);
        }
        free(p->ctrs);
        free(p->uid);
        free(p->ctrl);
        free(p->ns);
        free(p->name);
        cJSON_Delete(p->obj);
        free(p);
    }
    free(t->pods);
    umap_release(&t->evs);
    umap_release(&t->pending_uids);
    umap_release(&t->rs_index);
    for (i = 0; i < t->npending; i++) {
        free(t->pending[i].uid);
        cJSON_Delete(t->pending[i].ev);
    }
    free(t->pending);
    dk_strvec_release(&t->paths);
}

int dk_track_run(const struct dk_track_opts *o, struct dk_doc *doc, struct dk_err *err)
{
    struct tracker t;
    struct dk_kubeconfig_opts ko;
    double timeout = 0, period = 5;
    size_t i;
    int rc = -1;

    memset(&t, 0, sizeof(t));
    t.o = o;
    t.out = o->progress ? o->progress : stderr;
    t.tty = isatty(fileno(t.out));
    if (t.tty) {
        struct winsize ws;

        if (ioctl(fileno(t.out), TIOCGWINSZ, &ws) == 0)
            t.cols = ws.ws_col;
    }
    dk_kubeconfig_init(&t.kc);
    if (o->timeout && *o->timeout && (timeout = dk_track_duration(o->timeout)) < 0)
        return dk_err_set(err, DK_E_USAGE, "--timeout '%s': not a duration (90s, 5m, 1h)",
                          o->timeout);
    if (o->status_period && *o->status_period &&
        (period = dk_track_duration(o->status_period)) <= 0)
        return dk_err_set(err, DK_E_USAGE, "--status-period '%s': not a positive duration",
                          o->status_period);
    dk_kubeconfig_opts_init(&ko);
    ko.path = o->kubeconfig;
    ko.context = o->context;
    ko.namespace = o->ns;
    if (dk_kubeconfig_load(&t.kc, &ko, err) < 0 || dk_kube_init(&t.k, &t.kc, err) < 0)
        goto out;
    for (i = 0; i < o->targets.n; i++)
        if (add_operand(&t, o->targets.v[i], err) < 0)
            goto out;
    for (i = 0; i < o->files.n; i++)
        if (add_file(&t, o->files.v[i], err) < 0)
            goto out;
    if (!o->targets.n && !o->files.n && add_release(&t, doc, err) < 0)
        goto out;
    if (!t.nres) {
        dk_err_set(err, DK_E_USAGE,
                   "nothing to track: name resources (deploy/NAME ...), give "
                   "manifests with -f, or pass a document with release.resources");
        goto out;
    }
    if (dk_kubewatch_init(&t.w, &t.k, err) < 0)
        goto out;
    t.start = now_s();
    t.start_wall = time(NULL);
    t.period = period;
    t.last_print = t.start;
    t.last_discover = t.start;
    t.deadline = timeout > 0 ? t.start + timeout : 0;
    if (resolve(&t, err) < 0)
        goto out;
    if (dk_kubewatch_run(&t.w, tick, &t, err) < 0)
        goto out;
    draw_table(&t);
    t.table_lines = 0;
    write_doc(&t, doc);
    if (t.finished == 1) {
        rc = 0;
    } else if (t.finished == -2) {
        struct dk_buf b = DK_BUF_INIT;

        for (i = 0; i < t.nres; i++) {
            struct res *r = t.res[i];

            if (r->state == DK_TRACK_READY || r->nonblocking || r->fail_mode == FAIL_IGNORE)
                continue;
            dk_buf_addf(&b, "%s%s: %s", b.len ? "; " : "", r->label,
                        !r->present    ? "not found"
                        : r->v.info[0] ? r->v.info
                                       : "not ready");
        }
        dk_err_set(err, DK_E_FAIL, "timed out after %s: %s", o->timeout, b.buf);
        dk_buf_release(&b);
    } else if (t.failed) {
        struct res *r = t.failed;

        if (r->fail_pod && r->fail_container)
            print_last_lines(&t, r->ns, r->fail_pod, r->fail_container);
        dk_err_set(err, DK_E_FAIL, "%s failed: %s", r->label, r->reason);
    } else {
        dk_err_set(err, DK_E_FAIL, "tracking stopped");
    }
out:
    tracker_release(&t);
    return rc;
}
