/* track_rules: kubedog's readiness and failure rules (the pure half of dk/track.h). */
#include "dk/track.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk/json.h"

static const cJSON *child(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const cJSON *find_cond(const cJSON *obj, const char *type)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, child(child(obj, "status"), "conditions"))
    {
        const char *t = dk_json_str(c, "type");

        if (t && strcmp(t, type) == 0)
            return c;
    }
    return NULL;
}

static int cond_true(const cJSON *obj, const char *type)
{
    const char *s = dk_json_str(find_cond(obj, type), "status");

    return s && strcmp(s, "True") == 0;
}

static void set(struct dk_track_verdict *v, enum dk_track_state st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set(struct dk_track_verdict *v, enum dk_track_state st, const char *fmt, ...)
{
    va_list ap;

    v->state = st;
    va_start(ap, fmt);
    vsnprintf(v->info, sizeof(v->info), fmt, ap);
    va_end(ap);
}

static void init(struct dk_track_verdict *v)
{
    memset(v, 0, sizeof(*v));
    v->ready = -1;
    v->want = -1;
}

/* observedGeneration has caught up with generation; else v says so. */
static int observed(const cJSON *obj, struct dk_track_verdict *v, int need_nonzero)
{
    int64_t gen = dk_json_int(child(obj, "metadata"), "generation", 0);
    int64_t og = dk_json_int(child(obj, "status"), "observedGeneration", 0);

    if (og < gen || (need_nonzero && og == 0)) {
        set(v, DK_TRACK_WAITING, "observed generation %lld should be >= %lld", (long long)og,
            (long long)(gen ? gen : 1));
        return 0;
    }
    return 1;
}

void dk_track_deployment(const cJSON *obj, struct dk_track_verdict *v)
{
    const cJSON *st = child(obj, "status");
    const cJSON *prog = find_cond(obj, "Progressing");
    const char *reason = dk_json_str(prog, "reason");
    int64_t want = dk_json_int(child(obj, "spec"), "replicas", 1);
    int64_t updated = dk_json_int(st, "updatedReplicas", 0), cur = dk_json_int(st, "replicas", 0);
    int64_t avail = dk_json_int(st, "availableReplicas", 0);

    init(v);
    v->want = want;
    v->ready = avail;
    if (reason && strcmp(reason, "ProgressDeadlineExceeded") == 0) {
        set(v, DK_TRACK_FAILED, "deployment \"%s\" exceeded its progress deadline",
            dk_json_str(child(obj, "metadata"), "name"));
        return;
    }
    if (!observed(obj, v, 0))
        return;
    if (updated < want)
        set(v, DK_TRACK_WAITING, "up-to-date %lld->%lld", (long long)updated, (long long)want);
    else if (cur != want)
        set(v, DK_TRACK_WAITING, "replicas %lld->%lld", (long long)cur, (long long)want);
    else if (avail < want)
        set(v, DK_TRACK_WAITING, "available %lld->%lld", (long long)avail, (long long)want);
    else
        set(v, DK_TRACK_READY, "%s", "");
}

void dk_track_statefulset(const cJSON *obj, struct dk_track_verdict *v)
{
    const cJSON *st = child(obj, "status"), *spec = child(obj, "spec");
    const cJSON *strat = child(spec, "updateStrategy");
    const char *type = dk_json_str(strat, "type");
    int64_t want = dk_json_int(spec, "replicas", 1);
    int64_t ready = dk_json_int(st, "readyReplicas", 0);
    int64_t updated = dk_json_int(st, "updatedReplicas", 0);
    const char *cur = dk_json_str(st, "currentRevision"), *upd = dk_json_str(st, "updateRevision");
    int same = cur && upd && strcmp(cur, upd) == 0;

    init(v);
    v->want = want;
    v->ready = ready;
    if (!observed(obj, v, 1))
        return;
    if (ready < want) {
        set(v, DK_TRACK_WAITING, "ready %lld->%lld", (long long)ready, (long long)want);
        return;
    }
    if (type && strcmp(type, "OnDelete") == 0) {
        if (updated >= want || (updated == 0 && same))
            set(v, DK_TRACK_READY, "%s", "");
        else
            set(v, DK_TRACK_WAITING,
                "up-to-date %lld->%lld: user should delete old pods "
                "manually now!",
                (long long)updated, (long long)want);
        return;
    }
    {
        int64_t part = dk_json_int(child(strat, "rollingUpdate"), "partition", 0);

        if (part > 0) {
            if (updated < want - part)
                set(v, DK_TRACK_WAITING, "up-to-date %lld->%lld", (long long)updated,
                    (long long)(want - part));
            else
                set(v, DK_TRACK_READY, "%s", "");
        } else if (!same) {
            set(v, DK_TRACK_WAITING, "revision %s->%s", cur ? cur : "?", upd ? upd : "?");
        } else {
            set(v, DK_TRACK_READY, "%s", "");
        }
    }
}

void dk_track_daemonset(const cJSON *obj, struct dk_track_verdict *v)
{
    const cJSON *st = child(obj, "status");
    const char *type = dk_json_str(child(child(obj, "spec"), "updateStrategy"), "type");
    int64_t want = dk_json_int(st, "desiredNumberScheduled", -1);
    int64_t updated = dk_json_int(st, "updatedNumberScheduled", 0);
    int64_t avail = dk_json_int(st, "numberAvailable", 0);

    init(v);
    v->want = want;
    v->ready = avail;
    if (type && strcmp(type, "RollingUpdate") != 0) {
        set(v, DK_TRACK_READY, "%s", "");
        return;
    }
    if (!observed(obj, v, 0))
        return;
    if (want < 0)
        set(v, DK_TRACK_WAITING, "%s", "no pods scheduled yet");
    else if (updated < want)
        set(v, DK_TRACK_WAITING, "up-to-date %lld->%lld", (long long)updated, (long long)want);
    else if (avail < want)
        set(v, DK_TRACK_WAITING, "available %lld->%lld", (long long)avail, (long long)want);
    else
        set(v, DK_TRACK_READY, "%s", "");
}

void dk_track_job(const cJSON *obj, struct dk_track_verdict *v)
{
    const cJSON *st = child(obj, "status");
    const cJSON *failed = find_cond(obj, "Failed");

    init(v);
    v->want = dk_json_int(child(obj, "spec"), "completions", 1);
    v->ready = dk_json_int(st, "succeeded", 0);
    if (cond_true(obj, "Failed")) {
        const char *r = dk_json_str(failed, "reason"), *m = dk_json_str(failed, "message");

        set(v, DK_TRACK_FAILED, "job failed: %s%s%s", r ? r : "Failed", m ? ": " : "", m ? m : "");
    } else if (cond_true(obj, "Complete")) {
        set(v, DK_TRACK_READY, "%s", "");
    } else {
        set(v, DK_TRACK_WAITING, "active %lld, succeeded %lld, failed %lld",
            (long long)dk_json_int(st, "active", 0), (long long)v->ready,
            (long long)dk_json_int(st, "failed", 0));
    }
}

/* kubectl's one-word status of a pod. */
static void pod_display(const cJSON *pod, char *out, size_t n)
{
    const cJSON *st = child(pod, "status"), *c;
    const char *phase = dk_json_str(st, "phase");
    int i = 0, total = cJSON_GetArraySize(child(st, "initContainerStatuses"));

    snprintf(out, n, "%s", phase ? phase : "Pending");
    if (dk_json_str(st, "reason"))
        snprintf(out, n, "%s", dk_json_str(st, "reason"));
    cJSON_ArrayForEach(c, child(st, "initContainerStatuses"))
    {
        const cJSON *term = child(child(c, "state"), "terminated");
        const cJSON *wait = child(child(c, "state"), "waiting");

        if (term && dk_json_int(term, "exitCode", 0) == 0) {
            i++;
            continue;
        }
        if (term)
            snprintf(out, n, "Init:%s",
                     dk_json_str(term, "reason") ? dk_json_str(term, "reason") : "Error");
        else if (wait && dk_json_str(wait, "reason") &&
                 strcmp(dk_json_str(wait, "reason"), "PodInitializing") != 0)
            snprintf(out, n, "Init:%s", dk_json_str(wait, "reason"));
        else
            snprintf(out, n, "Init:%d/%d", i, total);
        return;
    }
    cJSON_ArrayForEach(c, child(st, "containerStatuses"))
    {
        const cJSON *term = child(child(c, "state"), "terminated");
        const cJSON *wait = child(child(c, "state"), "waiting");

        if (wait && dk_json_str(wait, "reason"))
            snprintf(out, n, "%s", dk_json_str(wait, "reason"));
        else if (term && dk_json_str(term, "reason"))
            snprintf(out, n, "%s", dk_json_str(term, "reason"));
        else if (term && dk_json_int(term, "signal", 0))
            snprintf(out, n, "Signal:%lld", (long long)dk_json_int(term, "signal", 0));
        else if (term)
            snprintf(out, n, "ExitCode:%lld", (long long)dk_json_int(term, "exitCode", 0));
    }
    if (dk_json_str(child(pod, "metadata"), "deletionTimestamp"))
        snprintf(out, n, "Terminating");
}

void dk_track_pod(const cJSON *obj, struct dk_track_verdict *v)
{
    const cJSON *st = child(obj, "status"), *c;
    const char *phase = dk_json_str(st, "phase");
    char disp[96];
    long ready = 0, total = 0;

    init(v);
    cJSON_ArrayForEach(c, child(st, "containerStatuses"))
    {
        total++;
        ready += dk_json_bool(c, "ready", 0);
    }
    v->ready = ready;
    v->want = total ? total : cJSON_GetArraySize(child(child(obj, "spec"), "containers"));
    pod_display(obj, disp, sizeof(disp));
    cJSON_ArrayForEach(c, child(st, "initContainerStatuses"))
    {
        const cJSON *term = child(child(c, "state"), "terminated");
        const char *r = dk_json_str(term, "reason");

        if (r && strcmp(r, "Error") == 0) {
            set(v, DK_TRACK_FAILED, "init container %s failed: %s (exit code %lld)",
                dk_json_str(c, "name"), r, (long long)dk_json_int(term, "exitCode", 0));
            return;
        }
    }
    if (phase && strcmp(phase, "Failed") == 0) {
        const char *m = dk_json_str(st, "message");

        set(v, DK_TRACK_FAILED, "pod failed: %s%s%s", disp, m ? ": " : "", m ? m : "");
    } else if (phase && strcmp(phase, "Succeeded") == 0) {
        set(v, DK_TRACK_READY, "%s", "Succeeded");
    } else if (cond_true(obj, "Ready")) {
        set(v, DK_TRACK_READY, "%s", disp);
    } else {
        set(v, DK_TRACK_WAITING, "%s", disp);
    }
}

/* "In Progress", "in-progress", "IN_PROGRESS", "inProgress" -> "inprogress". */
static void norm(const char *s, char *out, size_t n)
{
    size_t j = 0;

    for (; *s && j + 1 < n; s++)
        if (isalnum((unsigned char)*s))
            out[j++] = (char)tolower((unsigned char)*s);
    out[j] = 0;
}

static int in_list(const char *v, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(v, *list) == 0)
            return 1;
    return 0;
}

static const char *const ready_values[] = {
    "ready",     "success", "succeeded", "complete",    "completed", "finished",
    "finalized", "done",    "available", "running",     "ok",        "active",
    "live",      "healthy", "started",   "initialized", "approved",  NULL};
static const char *const pending_values[] = {
    "creating",       "updating",     "waiting",   "awaiting",   "pending",
    "finishing",      "starting",     "readying",  "inprogress", "progressing",
    "initialization", "initializing", "approving", "unknown",    NULL};
static const char *const failed_values[] = {"failure",    "failed", "abort",   "aborted",
                                            "terminated", "error",  "errored", "rejection",
                                            "rejected",   NULL};
static const char *const phase_fields[] = {"phase",        "currentPhase",  "state",
                                           "currentState", "status",        "currentStatus",
                                           "health",       "currentHealth", NULL};

void dk_track_generic(const cJSON *obj, struct dk_track_verdict *v)
{
    const cJSON *st = child(obj, "status"), *c;
    const char *const *f;
    char t[64], val[64];

    init(v);
    /* 1. a condition of a ready-like type */
    cJSON_ArrayForEach(c, child(st, "conditions"))
    {
        const char *type = dk_json_str(c, "type"), *s = dk_json_str(c, "status");

        if (!type || !s)
            continue;
        norm(type, t, sizeof(t));
        if (!in_list(t, ready_values))
            continue;
        if (strcmp(s, "True") == 0) {
            set(v, DK_TRACK_READY, "status.conditions[type=%s].status=True", type);
        } else {
            const char *m = dk_json_str(c, "message");

            set(v, DK_TRACK_WAITING, "status.conditions[type=%s].status=%s%s%s", type, s,
                m ? ": " : "", m ? m : "");
        }
        return;
    }
    /* 2. a phase-like field with a known value */
    for (f = phase_fields; *f; f++) {
        const char *s = dk_json_str(st, *f);

        if (!s)
            continue;
        norm(s, val, sizeof(val));
        if (in_list(val, ready_values)) {
            set(v, DK_TRACK_READY, "status.%s=%s", *f, s);
            return;
        }
        if (in_list(val, failed_values)) {
            set(v, DK_TRACK_FAILED, "status.%s=%s", *f, s);
            return;
        }
        if (in_list(val, pending_values)) {
            set(v, DK_TRACK_WAITING, "status.%s=%s", *f, s);
            return;
        }
    }
    /* 3. low priority: state valid/invalid, health green/yellow/red */
    {
        const char *s = dk_json_str(st, "state"), *h = dk_json_str(st, "health");

        if (s) {
            norm(s, val, sizeof(val));
            if (strcmp(val, "valid") == 0 || strcmp(val, "invalid") == 0) {
                set(v, val[0] == 'v' ? DK_TRACK_READY : DK_TRACK_FAILED, "status.state=%s", s);
                return;
            }
        }
        if (h) {
            norm(h, val, sizeof(val));
            if (strcmp(val, "green") == 0 || strcmp(val, "yellow") == 0 ||
                strcmp(val, "red") == 0) {
                set(v,
                    val[0] == 'g'   ? DK_TRACK_READY
                    : val[0] == 'r' ? DK_TRACK_FAILED
                                    : DK_TRACK_WAITING,
                    "status.health=%s", h);
                return;
            }
        }
    }
    set(v, DK_TRACK_READY, "%s", "present"); /* nothing to follow: ready once it exists */
}

void dk_track_rules(const char *kind, const cJSON *obj, struct dk_track_verdict *v)
{
    if (strcmp(kind, "Deployment") == 0)
        dk_track_deployment(obj, v);
    else if (strcmp(kind, "StatefulSet") == 0)
        dk_track_statefulset(obj, v);
    else if (strcmp(kind, "DaemonSet") == 0)
        dk_track_daemonset(obj, v);
    else if (strcmp(kind, "Job") == 0)
        dk_track_job(obj, v);
    else if (strcmp(kind, "Pod") == 0)
        dk_track_pod(obj, v);
    else
        dk_track_generic(obj, v);
}

int dk_track_container_failure(const cJSON *cs, char *out, size_t n)
{
    static const char *const reasons[] = {"ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff",
                                          "ErrImageNeverPull", NULL};
    const cJSON *w = child(child(cs, "state"), "waiting");
    const char *r = dk_json_str(w, "reason"), *m = dk_json_str(w, "message");

    if (!r || !in_list(r, reasons))
        return 0;
    snprintf(out, n, "%s%s%s", r, m && *m ? ": " : "", m && *m ? m : "");
    return 1;
}

enum dk_track_event dk_track_event_class(const cJSON *ev)
{
    const char *r = dk_json_str(ev, "reason"), *m = dk_json_str(ev, "message");

    if (m && strstr(m, "Readiness probe failed"))
        return DK_TRACK_EV_READINESS;
    if (m && (strstr(m, "failed startup probe, will be restarted") ||
              strstr(m, "failed liveness probe, will be restarted")))
        return DK_TRACK_EV_RESTART;
    if (r && strstr(r, "Failed") && strcmp(r, "RecreatingFailedPod") != 0 &&
        strcmp(r, "FailedDelete") != 0)
        return DK_TRACK_EV_FAILURE;
    return DK_TRACK_EV_INFO;
}

static double probe_num(const cJSON *p, const char *k, double dflt)
{
    return (double)dk_json_int(p, k, (int64_t)dflt);
}

double dk_track_probe_ignore(const cJSON *container)
{
    const cJSON *rp = child(container, "readinessProbe"), *sp = child(container, "startupProbe");
    double period, initial, timeout, failure, success, real_initial, w;

    if (!cJSON_IsObject(rp))
        return 0;
    period = probe_num(rp, "periodSeconds", 10);
    initial = probe_num(rp, "initialDelaySeconds", 0);
    timeout = probe_num(rp, "timeoutSeconds", 1);
    failure = probe_num(rp, "failureThreshold", 3);
    success = probe_num(rp, "successThreshold", 1);
    if (failure <= 1)
        return 0;
    real_initial = period + initial;
    if (cJSON_IsObject(sp)) {
        double sper = probe_num(sp, "periodSeconds", 10);
        double startup =
            sper + probe_num(sp, "initialDelaySeconds", 0) +
            (probe_num(sp, "failureThreshold", 3) + probe_num(sp, "successThreshold", 1) - 1) *
                sper +
            probe_num(sp, "timeoutSeconds", 1) + period;

        real_initial = startup > real_initial ? period : real_initial - startup;
    }
    w = real_initial + timeout + (failure + success - 3) * period + period / 2 + timeout;
    return w > 0 ? w : 0;
}

double dk_track_duration(const char *s)
{
    double total = 0;
    int any = 0;

    if (!s || !*s)
        return -1;
    while (*s) {
        char *end;
        double x = strtod(s, &end);

        if (end == s || x < 0 || !isfinite(x))
            return -1;
        s = end;
        any = 1;
        if (!*s) {
            total += x; /* a bare number: seconds */
            break;
        }
        if (strncmp(s, "ms", 2) == 0) {
            total += x / 1000;
            s += 2;
        } else if (*s == 's') {
            total += x;
            s++;
        } else if (*s == 'm') {
            total += x * 60;
            s++;
        } else if (*s == 'h') {
            total += x * 3600;
            s++;
        } else {
            return -1;
        }
    }
    return any ? total : -1;
}
